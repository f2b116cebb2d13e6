"""Court hearings sent by the police records system or a Witness Care Unit: stored, told, reminded, owed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest

from trackmycrime.case_events.hearings import reminder_time
from trackmycrime.database import Database
from trackmycrime.models import (
    AuditEvent,
    CaseUpdate,
    Crime,
    Entitlement,
    Hearing,
    OutboxMessage,
    OutboxStatus,
    Party,
    utcnow,
)
from trackmycrime.notify.outbox import AlertKind

from ..factories import make_api_key
from .test_ingest import (
    REFERENCE,
    Rms,
    all_of,
    assert_problem,
    count,
    crime_body,
    make_rms,
    pointers,
    register,
    rms,
    victim_body,
)

pytestmark = pytest.mark.anyio
__all__ = ["rms"]

IN_A_MONTH = (utcnow() + dt.timedelta(days=30)).replace(hour=10, minute=0, second=0, microsecond=0)


def hearing_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "court_name": "Oxford Crown Court",
        "court_address": "St Aldate's\nOxford OX1 1TL",
        "starts_at": IN_A_MONTH.isoformat(),
        "hearing_type": "trial",
        "status": "listed",
        "outcome": "",
        "parties_required": ["W1"],
    }
    body.update(changes)
    return body


async def put_hearing(
    rms: Rms, body: Any, hearing_id: str = "H-1", reference: str = REFERENCE
) -> httpx.Response:
    return await rms.send(
        "PUT",
        f"/api/v1/crimes/{reference}/hearings/{hearing_id}",
        content=json.dumps(body),
        headers={"Content-Type": "application/json"},
    )


@pytest.fixture
async def crime_with_parties(rms: Rms, db: Database) -> dict[str, Party]:
    parties = [
        victim_body(rms_party_id="V1", email="v1@example.org"),
        victim_body(rms_party_id="W1", role="witness", email="w1@example.org"),
    ]
    response = await rms.put_crime(crime_body(parties=parties))
    assert response.status_code == 201, response.text
    stored = {party.rms_party_id: party for party in await all_of(db, Party)}
    for party in stored.values():
        await register(db, party.id)  # type: ignore[arg-type]
    return stored


async def alerts(db: Database, kind: str) -> list[OutboxMessage]:
    return await all_of(db, OutboxMessage, OutboxMessage.kind == kind)


async def test_a_new_hearing_is_stored_told_to_everyone_and_read_back(
    rms: Rms, db: Database, crime_with_parties: dict[str, Party]
) -> None:
    response = await put_hearing(rms, hearing_body())

    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/api/v1/crimes/{REFERENCE}/hearings/H-1"
    hearing = response.json()
    assert hearing["court_name"] == "Oxford Crown Court"
    assert hearing["parties_required"] == ["W1"]
    assert hearing["agency"] == "police"
    [update] = await all_of(db, CaseUpdate, CaseUpdate.event.is_not(None))  # type: ignore[union-attr]
    assert update.event == "hearing_listed"
    assert update.text == ""  # the portal words it; nothing of the court reaches an alert
    told = {alert.party_id for alert in await alerts(db, AlertKind.UPDATE_WAITING)}
    assert told == {party.id for party in crime_with_parties.values()}
    [crime] = await all_of(db, Crime)
    assert crime.status == "under_investigation"  # a hearing is not a status
    for alert in await all_of(db, OutboxMessage):
        assert "Oxford" not in alert.context_json


async def test_sending_the_same_hearing_again_changes_nothing(
    rms: Rms, db: Database, crime_with_parties: dict[str, Party]
) -> None:
    await put_hearing(rms, hearing_body())
    before = await count(db, OutboxMessage)

    again = await put_hearing(rms, hearing_body())

    assert again.status_code == 200
    assert await count(db, Hearing) == 1
    assert await count(db, CaseUpdate, CaseUpdate.event.is_not(None)) == 1  # type: ignore[union-attr]
    assert await count(db, OutboxMessage) == before


async def test_a_moved_hearing_is_news_and_its_reminder_moves_with_it(
    rms: Rms, db: Database, crime_with_parties: dict[str, Party]
) -> None:
    await put_hearing(rms, hearing_body())
    [first_reminder, _second] = await alerts(db, AlertKind.HEARING_REMINDER)
    assert first_reminder.next_attempt_at == reminder_time(IN_A_MONTH)
    assert first_reminder.next_attempt_at < IN_A_MONTH - dt.timedelta(hours=12)

    later = IN_A_MONTH + dt.timedelta(days=7)
    response = await put_hearing(rms, hearing_body(starts_at=later.isoformat(), status="moved"))

    assert response.status_code == 200
    events = [u.event for u in await all_of(db, CaseUpdate, CaseUpdate.event.is_not(None))]  # type: ignore[union-attr]
    assert events == ["hearing_listed", "hearing_moved"]
    reminders = await alerts(db, AlertKind.HEARING_REMINDER)
    pending = [r for r in reminders if r.status == OutboxStatus.PENDING]
    assert {r.next_attempt_at for r in pending} == {reminder_time(later)}
    assert len(pending) == 2  # the victim and the witness
    assert all(r.status == OutboxStatus.CANCELLED for r in reminders if r not in pending)


async def test_a_change_of_who_must_attend_alone_tells_no_one(
    rms: Rms, db: Database, crime_with_parties: dict[str, Party]
) -> None:
    await put_hearing(rms, hearing_body())
    before = await count(db, OutboxMessage)

    response = await put_hearing(rms, hearing_body(parties_required=[]))

    assert response.status_code == 200
    assert response.json()["parties_required"] == []
    assert await count(db, OutboxMessage) == before


async def test_an_outcome_is_owed_within_one_working_day_of_the_hearing(
    rms: Rms, db: Database, crime_with_parties: dict[str, Party]
) -> None:
    # A hearing on a Monday whose result reached the portal on the Friday: told late.
    monday = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
    await put_hearing(rms, hearing_body(starts_at=monday.isoformat()))
    response = await put_hearing(
        rms, hearing_body(starts_at=monday.isoformat(), status="concluded", outcome="Found guilty.")
    )

    assert response.status_code == 200
    outcome_rows = await all_of(db, Entitlement, Entitlement.event == "hearing_outcome")
    assert {row.party_id for row in outcome_rows} == {p.id for p in crime_with_parties.values()}
    for row in outcome_rows:
        assert row.event_at == monday
        assert row.due_at.date() == dt.date(2026, 11, 24)
        assert row.met_at is not None and row.met_at > row.due_at  # passed on late, and it shows


async def test_a_witness_care_unit_key_names_its_agency(
    rms: Rms, db: Database, crime_with_parties: dict[str, Party]
) -> None:
    async with db.transaction() as session:
        _key, text = await make_api_key(session, rms.force, label="WCU", agency="witness_care_unit")
    wcu = Rms(rms.http, text, rms.force)

    response = await put_hearing(wcu, hearing_body())

    assert response.json()["agency"] == "witness_care_unit"
    [update] = await all_of(db, CaseUpdate, CaseUpdate.event.is_not(None))  # type: ignore[union-attr]
    assert update.agency == "witness_care_unit"
    [audit] = await all_of(db, AuditEvent, AuditEvent.action == "hearing.put")
    assert audit.actor_kind == "rms"


async def test_bad_hearings_are_refused_with_each_field_named(
    rms: Rms, db: Database, crime_with_parties: dict[str, Party]
) -> None:
    body = hearing_body(
        starts_at="2027-01-12T10:00:00",  # no offset
        hearing_type="tea party",
        status="postponed",
        parties_required=["NOBODY"],
    )
    problem = assert_problem(await put_hearing(rms, body), 422)
    assert set(pointers(problem)) == {"#/starts_at", "#/hearing_type", "#/status"}

    problem = assert_problem(await put_hearing(rms, hearing_body(parties_required=["NOBODY"])), 422)
    assert pointers(problem) == ["#/parties_required/0"]

    problem = assert_problem(await put_hearing(rms, hearing_body(), hearing_id="bad id!"), 422)
    assert pointers(problem) == ["rms_hearing_id"]
    assert await count(db, Hearing) == 0


async def test_another_forces_crime_is_not_found(
    rms: Rms, db: Database, client: Any, crime_with_parties: dict[str, Party]
) -> None:
    other = await make_rms(db, client.http, code="TV")
    response = await put_hearing(other, hearing_body(), reference="TV-2026-000123")
    assert_problem(response, 404)
    assert await count(db, Hearing) == 0


async def test_without_a_key_nothing_is_stored(
    rms: Rms, db: Database, crime_with_parties: dict[str, Party]
) -> None:
    response = await rms.http.put(
        f"/api/v1/crimes/{REFERENCE}/hearings/H-1",
        content=json.dumps(hearing_body()),
        headers={"Content-Type": "application/json"},
    )
    assert_problem(response, 401)
    assert await count(db, Hearing) == 0


async def test_a_new_officer_from_the_records_system_is_named_to_the_victim(
    rms: Rms, db: Database, crime_with_parties: dict[str, Party]
) -> None:
    officer = {"email": "lee.evans@police.example", "name": "DC Lee Evans", "shoulder_number": "2345"}
    parties = [victim_body(rms_party_id="V1", email="v1@example.org")]

    response = await rms.put_crime(crime_body(parties=parties, officer_in_charge=officer))

    assert response.status_code == 200, response.text
    [update] = await all_of(db, CaseUpdate, CaseUpdate.event == "officer_changed")
    assert update.text == "Your case has a new officer in charge: DC Lee Evans, shoulder number 2345."
    assert await count(db, OutboxMessage, OutboxMessage.dedupe_key.contains(f"update:{update.id}:")) == 2  # type: ignore[union-attr]
    again = await rms.put_crime(crime_body(parties=parties, officer_in_charge=officer))
    assert again.status_code == 200
    assert await count(db, CaseUpdate, CaseUpdate.event == "officer_changed") == 1
