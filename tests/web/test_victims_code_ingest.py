"""Records arriving from the records system create what parties are owed under the Victims' Code."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlmodel import col, select

from tests.factories import SHIPPED_RULES
from tests.webclient import text_of
from trackmycrime.auth.passwords import FAST_HASHER
from trackmycrime.database import Database
from trackmycrime.models import Crime, Entitlement, OfficerRole, Party, utcnow
from trackmycrime.officer.accounts import add_officer
from trackmycrime.victims_code import REGULAR_CONTACT, next_update_due, refresh_entitlements
from trackmycrime.victims_code.working_days import end_of_london_day

from ..factories import make_api_key, make_force
from ..webclient import WebClient
from .officer_world import PASSWORD, sign_in_as

pytestmark = pytest.mark.anyio

REFERENCE = "VC-2026-000001"


def crime_body(*, enhanced: bool) -> dict[str, Any]:
    return {
        "offence": "Assault",
        "status": "under_investigation",
        "reported_at": "2026-05-18T10:00:00Z",
        "parties": [
            {"rms_party_id": "V1", "role": "victim", "surname": "Adams", "enhanced_rights": enhanced},
            {"rms_party_id": "W1", "role": "witness", "surname": "Clark"},
        ],
    }


class Rms:
    def __init__(self, client: WebClient, key: str) -> None:
        self.http = client.http
        self.headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    async def put_crime(self, body: dict[str, Any]) -> None:
        response = await self.http.put(
            f"/api/v1/crimes/{REFERENCE}", content=json.dumps(body), headers=self.headers
        )
        assert response.status_code in (200, 201), response.text

    async def post_update(self, **body: Any) -> None:
        url = f"/api/v1/crimes/{REFERENCE}/updates"
        response = await self.http.post(url, content=json.dumps(body), headers=self.headers)
        assert response.status_code == 201, response.text


async def rms_of_a_force(db: Database, client: WebClient) -> Rms:
    async with db.transaction() as session:
        force = await make_force(session, code="VC", name="VC Police", crime_ref_pattern=r"VC-\d{4}-\d{6}")
        _, key = await make_api_key(session, force)
    return Rms(client, key)


async def owed(db: Database) -> list[tuple[str, str, dt.datetime, dt.datetime | None]]:
    async with db.session() as session:
        query = (
            select(Party.surname, Entitlement.event, Entitlement.due_at, Entitlement.met_at)
            .join(Party, col(Party.id) == Entitlement.party_id)
            .where(Entitlement.event != REGULAR_CONTACT)
            .order_by(col(Entitlement.due_at), col(Party.surname))
        )
        return [tuple(row) for row in (await session.exec(query)).all()]  # type: ignore[misc]


async def test_an_arrest_sent_by_the_records_system_is_owed_to_the_victim(
    db: Database, client: WebClient
) -> None:
    rms = await rms_of_a_force(db, client)
    await rms.put_crime(crime_body(enhanced=True))
    # Friday 22 May 2026, before the Spring bank holiday; a bare status explains nothing.
    await rms.post_update(rms_update_id="U1", status="suspect_arrested", occurred_at="2026-05-22T15:00:00Z")
    assert await owed(db) == [("Adams", "suspect_arrested", end_of_london_day(dt.date(2026, 5, 26)), None)]

    # The records system later marks the victim as not entitled to enhanced rights: 5 working days.
    await rms.put_crime(crime_body(enhanced=False))
    assert await owed(db) == [("Adams", "suspect_arrested", end_of_london_day(dt.date(2026, 6, 1)), None)]

    # A court date is owed to the witness too; an update with text for everyone tells both once
    # they can read it: not while they have not registered.
    await rms.post_update(rms_update_id="U2", status="court_date_set", occurred_at="2026-06-02T09:00:00Z")
    await rms.post_update(
        rms_update_id="U3", text="The trial is on 1 September.", occurred_at="2026-06-03T09:00:00Z"
    )
    rows = await owed(db)
    assert [(surname, event) for surname, event, _, _ in rows] == [
        ("Adams", "suspect_arrested"),
        ("Adams", "court_date_set"),
        ("Clark", "court_date_set"),
    ]
    assert all(met_at is None for _, _, _, met_at in rows)
    registered = utcnow()  # after the updates reached the portal: told when they registered
    async with db.transaction() as session:
        for party in (await session.exec(select(Party))).all():
            party.registered_at = registered
            crime_id = party.crime_id
        await refresh_entitlements(session, crime_id, SHIPPED_RULES)
    assert [met_at for _, _, _, met_at in await owed(db)] == [registered] * 3


async def test_an_arrest_told_only_to_a_witness_is_still_owed_to_the_victim(
    db: Database, client: WebClient
) -> None:
    rms = await rms_of_a_force(db, client)
    await rms.put_crime(crime_body(enhanced=True) | {"reported_at": "2026-05-20T09:00:00Z"})
    await rms.post_update(
        rms_update_id="U1",
        status="suspect_arrested",
        text="A man has been arrested.",
        occurred_at="2026-05-22T09:00:00Z",  # 10:00 in London
        audience="W1",
    )
    assert await owed(db) == [("Adams", "suspect_arrested", end_of_london_day(dt.date(2026, 5, 26)), None)]

    # What the officer reads: on the crime page, and in the compliance export for May 2026.
    async with db.session() as session:
        crime = (await session.exec(select(Crime).where(Crime.reference == REFERENCE))).one()
    async with db.transaction() as session:
        supervisor = await add_officer(
            session,
            hasher=FAST_HASHER,
            force_id=crime.force_id,
            email="sarge@vc.example",
            name="DS Vee",
            password=PASSWORD,
            role=OfficerRole.SUPERVISOR,
        )
    await sign_in_as(client, db, supervisor)
    page = await client.page(f"/officer/crimes/{crime.id}")
    owed_rows = [
        [text_of(cell) for cell in row.select("td")]
        for row in page.select("#owed-heading + .table-wrapper tbody tr")
    ]
    # Soonest first; regular contact, counted from when the portal learnt of them, comes after.
    assert [row[:2] for row in owed_rows] == [["Adams", "Suspect arrested"], ["Adams", "Regular update"]]
    assert owed_rows[0][2].startswith("26 May 2026: overdue by")
    may = "period=custom&from-day=1&from-month=5&from-year=2026&to-day=31&to-month=5&to-year=2026"
    document = (await client.get(f"/officer/compliance/export.json?{may}")).json()
    assert [(e["party_role"], e["event"], e["outcome"]) for e in document["entitlements"]] == [
        ("victim", "suspect_arrested", "missed")
    ]
    assert document["totals"]["missed"] == 1


async def test_the_victim_is_owed_regular_contact_from_when_the_portal_knows_them(
    db: Database, client: WebClient
) -> None:
    rms = await rms_of_a_force(db, client)
    await rms.put_crime(crime_body(enhanced=False))
    async with db.session() as session:
        victim = (await session.exec(select(Party).where(Party.surname == "Adams"))).one()
        witness = (await session.exec(select(Party).where(Party.surname == "Clark"))).one()
        assert victim.id is not None and witness.id is not None
        due = await next_update_due(session, victim.id)
        assert due is not None
        assert (due - victim.created_at) >= dt.timedelta(days=28)
        assert (due - victim.created_at) < dt.timedelta(days=33)
        assert await next_update_due(session, witness.id) is None
