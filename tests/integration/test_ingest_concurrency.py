"""Identical requests sent at the same moment (a records system retrying) store and alert once.

On PostgreSQL the requests really overlap; SQLite takes one writer at a time, and is checked too.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from trackmycrime.database import Database
from trackmycrime.models import CaseUpdate, Crime, Force, Officer, OutboxMessage, Party
from trackmycrime.notify.outbox import AlertKind

from ..web.test_ingest import all_of, count, crime_body, make_rms, register, update_body, victim_body

pytestmark = pytest.mark.anyio

COPIES = 8


async def test_identical_updates_at_once_store_one_update_and_one_alert(db: Database, client: Any) -> None:
    rms = await make_rms(db, client.http)
    assert (await rms.put_crime(crime_body())).status_code == 201
    [party] = await all_of(db, Party)
    await register(db, party.id)

    responses = await asyncio.gather(*[rms.post_update(update_body()) for _ in range(COPIES)])

    assert sorted(r.status_code for r in responses) == [200] * (COPIES - 1) + [201]
    assert len({r.text for r in responses}) == 1
    assert await count(db, CaseUpdate, CaseUpdate.rms_update_id == "U-77") == 1
    assert await count(db, OutboxMessage, OutboxMessage.kind == AlertKind.UPDATE_WAITING) == 1


async def test_identical_new_crimes_at_once_store_one_crime_and_one_invitation(
    db: Database, client: Any
) -> None:
    rms = await make_rms(db, client.http)
    body = crime_body(
        parties=[victim_body(rms_party_id="P1"), victim_body(rms_party_id="P2", email="b@x.org")]
    )

    responses = await asyncio.gather(*[rms.put_crime(body) for _ in range(COPIES)])

    assert sorted(r.status_code for r in responses) == [200] * (COPIES - 1) + [201]
    assert await count(db, Crime) == 1
    assert await count(db, Officer) == 1
    assert await count(db, Party) == 2
    assert await count(db, OutboxMessage, OutboxMessage.kind == AlertKind.INVITATION) == 2
    assert await count(db, CaseUpdate) == 1


async def test_different_updates_at_once_are_all_stored(db: Database, client: Any) -> None:
    rms = await make_rms(db, client.http)
    await rms.put_crime(crime_body())
    [party] = await all_of(db, Party)
    await register(db, party.id)
    async with db.transaction() as session:  # no coalescing (issue 16): each update has its alert
        force = await session.get(Force, rms.force.id)
        force.alert_window_minutes = 0
        session.add(force)

    responses = await asyncio.gather(
        *[rms.post_update(update_body(rms_update_id=f"U-{n}", status=None)) for n in range(COPIES)]
    )

    assert [r.status_code for r in responses] == [201] * COPIES
    assert await count(db, OutboxMessage, OutboxMessage.kind == AlertKind.UPDATE_WAITING) == COPIES


async def test_different_updates_at_once_within_the_window_send_one_alert(db: Database, client: Any) -> None:
    """The force's alert window holds when updates arrive together: one alert, not one each."""
    rms = await make_rms(db, client.http)
    await rms.put_crime(crime_body())
    [party] = await all_of(db, Party)
    await register(db, party.id)

    responses = await asyncio.gather(
        *[rms.post_update(update_body(rms_update_id=f"U-{n}", status=None)) for n in range(COPIES)]
    )

    assert [r.status_code for r in responses] == [201] * COPIES
    assert await count(db, CaseUpdate, CaseUpdate.rms_update_id.startswith("U-")) == COPIES
    assert await count(db, OutboxMessage, OutboxMessage.kind == AlertKind.UPDATE_WAITING) == 1
