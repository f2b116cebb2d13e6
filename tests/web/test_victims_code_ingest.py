"""Records arriving from the records system create what parties are owed under the Victims' Code."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlmodel import col, select

from trackmycrime.database import Database
from trackmycrime.models import Entitlement, Party
from trackmycrime.victims_code import REGULAR_CONTACT, next_update_due
from trackmycrime.victims_code.working_days import end_of_london_day

from ..factories import make_api_key, make_force
from ..webclient import WebClient

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

    # A court date is owed to the witness too; an update with text for everyone tells both.
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
    assert all(met_at is not None for _, _, _, met_at in rows)


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
