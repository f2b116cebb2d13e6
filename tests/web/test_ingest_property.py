"""Property on a crime, sent by the records system: stored, corrected, and its changes told to victims."""

from __future__ import annotations

from typing import Any

import pytest

from trackmycrime.database import Database
from trackmycrime.models import AuditEvent, CaseUpdate, Officer, OutboxMessage, Party, PropertyItem
from trackmycrime.notify.outbox import AlertKind

from .test_ingest import Rms, all_of, assert_problem, count, crime_body, pointers, register, rms, victim_body

pytestmark = pytest.mark.anyio
__all__ = ["rms"]


def bicycle(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "rms_item_id": "I-1",
        "description": "Grey Raleigh bicycle",
        "category": "Cycles",
        "state": "missing",
        "value_pence": 24999,
    }
    item.update(changes)
    return item


def laptop(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"rms_item_id": "I-2", "description": "Silver laptop", "state": "damaged"}
    item.update(changes)
    return item


TWO_VICTIMS_AND_A_WITNESS = [
    victim_body(rms_party_id="V1", email="v1@example.org"),
    victim_body(rms_party_id="V2", email="v2@example.org"),
    victim_body(rms_party_id="W1", role="witness", email="w1@example.org"),
]


async def parties_by_rms_id(db: Database) -> dict[str, Party]:
    return {party.rms_party_id: party for party in await all_of(db, Party)}


async def update_waiting_alerts(db: Database) -> set[str]:
    names = {party.id: party.rms_party_id for party in await all_of(db, Party)}
    alerts = await all_of(db, OutboxMessage, OutboxMessage.kind == AlertKind.UPDATE_WAITING)
    return {names[alert.party_id] for alert in alerts}


async def test_property_is_stored_and_read_back(rms: Rms, db: Database) -> None:
    body = crime_body(
        parties=TWO_VICTIMS_AND_A_WITNESS, property=[bicycle(owner_rms_party_id="V2"), laptop()]
    )

    response = await rms.put_crime(body)

    assert response.status_code == 201, response.text
    listed = response.json()["property"]
    assert [(i["rms_item_id"], i["description"], i["state"]) for i in listed] == [
        ("I-1", "Grey Raleigh bicycle", "missing"),
        ("I-2", "Silver laptop", "damaged"),
    ]
    assert listed[0]["value_pence"] == 24999 and listed[0]["owner_rms_party_id"] == "V2"
    assert listed[1]["value_pence"] is None and listed[1]["owner_rms_party_id"] is None
    assert (await rms.get_crime()).json()["property"] == listed


async def test_only_the_victims_the_property_belongs_to_are_marked_as_having_some(
    rms: Rms, db: Database
) -> None:
    await rms.put_crime(
        crime_body(parties=TWO_VICTIMS_AND_A_WITNESS, property=[bicycle(owner_rms_party_id="V2")])
    )
    parties = await parties_by_rms_id(db)
    assert (parties["V1"].has_property, parties["V2"].has_property, parties["W1"].has_property) == (
        False,
        True,
        False,
    )

    await rms.put_crime(crime_body(parties=TWO_VICTIMS_AND_A_WITNESS, property=[laptop()]))

    parties = await parties_by_rms_id(db)
    # The laptop is the victims' in common; the bicycle, not listed this time, is kept.
    assert (parties["V1"].has_property, parties["V2"].has_property, parties["W1"].has_property) == (
        True,
        True,
        False,
    )
    assert await count(db, PropertyItem) == 2


async def test_a_victim_who_becomes_a_witness_no_longer_sees_the_property(rms: Rms, db: Database) -> None:
    await rms.put_crime(crime_body(parties=[victim_body(rms_party_id="V1")], property=[laptop()]))
    assert (await parties_by_rms_id(db))["V1"].has_property

    await rms.put_crime(crime_body(parties=[victim_body(rms_party_id="V1", role="witness")]))

    assert not (await parties_by_rms_id(db))["V1"].has_property


async def test_a_change_of_state_is_an_update_for_the_owner_and_alerts_them(rms: Rms, db: Database) -> None:
    body = crime_body(
        parties=TWO_VICTIMS_AND_A_WITNESS, property=[bicycle(owner_rms_party_id="V2"), laptop()]
    )
    await rms.put_crime(body)
    parties = await parties_by_rms_id(db)
    for rms_id in ("V1", "V2", "W1"):
        await register(db, parties[rms_id].id)
    known_updates = {update.id for update in await all_of(db, CaseUpdate)}

    body["property"] = [bicycle(owner_rms_party_id="V2", state="recovered"), laptop()]
    response = await rms.put_crime(body)

    assert response.status_code == 200, response.text
    [update] = [u for u in await all_of(db, CaseUpdate) if u.id not in known_updates]
    assert update.audience == "party" and update.party_id == parties["V2"].id
    assert "Grey Raleigh bicycle" in update.text and "recovered" in update.text
    assert await update_waiting_alerts(db) == {"V2"}
    [alert] = await all_of(db, OutboxMessage, OutboxMessage.kind == AlertKind.UPDATE_WAITING)
    assert "bicycle" not in alert.context_json.lower()
    audit = (await all_of(db, AuditEvent, AuditEvent.action == "crime.upsert"))[-1]
    assert "item state changed: I-1" in audit.detail


async def test_an_item_for_all_victims_changing_state_alerts_every_victim_but_no_witness(
    rms: Rms, db: Database
) -> None:
    body = crime_body(parties=TWO_VICTIMS_AND_A_WITNESS, property=[laptop()])
    await rms.put_crime(body)
    parties = await parties_by_rms_id(db)
    for rms_id in ("V1", "V2", "W1"):
        await register(db, parties[rms_id].id)

    body["property"] = [laptop(state="returned")]
    await rms.put_crime(body)

    assert await update_waiting_alerts(db) == {"V1", "V2"}


async def test_sending_the_same_property_again_changes_nothing_and_alerts_no_one(
    rms: Rms, db: Database
) -> None:
    body = crime_body(parties=TWO_VICTIMS_AND_A_WITNESS, property=[bicycle(), laptop()])
    await rms.put_crime(body)
    await register(db, (await parties_by_rms_id(db))["V1"].id)
    updates_before = await count(db, CaseUpdate)

    await rms.put_crime(body)
    body["property"] = [bicycle(description="Grey Raleigh bicycle, frame number WTU123")]
    await rms.put_crime(body)

    assert await count(db, CaseUpdate) == updates_before
    assert await update_waiting_alerts(db) == set()
    [first, _second] = await all_of(db, PropertyItem)
    assert first.description == "Grey Raleigh bicycle, frame number WTU123"


async def test_property_said_to_belong_to_someone_who_is_not_a_victim_is_refused_before_anything_is_stored(
    rms: Rms, db: Database
) -> None:
    body = crime_body(
        parties=TWO_VICTIMS_AND_A_WITNESS,
        officer_in_charge={"email": "new.officer@police.example", "name": "PC New"},
        property=[
            laptop(),
            bicycle(owner_rms_party_id="W1"),
            bicycle(rms_item_id="I-3", owner_rms_party_id="X9"),
        ],
    )

    problem = assert_problem(await rms.put_crime(body), 422)

    assert pointers(problem) == ["#/property/1/owner_rms_party_id", "#/property/2/owner_rms_party_id"]
    assert await count(db, PropertyItem) == 0
    assert await count(db, Party) == 0
    assert await count(db, Officer, Officer.email == "new.officer@police.example") == 0


@pytest.mark.parametrize(
    ("item", "pointer"),
    [
        (bicycle(state="stolen"), "#/property/0/state"),
        (bicycle(description=""), "#/property/0/description"),
        (bicycle(value_pence=-1), "#/property/0/value_pence"),
        (bicycle(value_pence=249.99), "#/property/0/value_pence"),
        (bicycle(rms_item_id="has space"), "#/property/0/rms_item_id"),
        (bicycle(description="bike\u202eeki"), "#/property/0/description"),
        ({**bicycle(), "colour": "grey"}, "#/property/0/colour"),
    ],
)
async def test_invalid_property_is_refused_field_by_field(
    rms: Rms, item: dict[str, Any], pointer: str
) -> None:
    problem = assert_problem(await rms.put_crime(crime_body(property=[item])), 422)

    assert pointers(problem) == [pointer]


async def test_two_items_with_the_same_id_are_refused(rms: Rms) -> None:
    problem = assert_problem(
        await rms.put_crime(crime_body(property=[bicycle(), laptop(rms_item_id="I-1")])), 422
    )

    assert "I-1" in problem["errors"][0]["detail"]
