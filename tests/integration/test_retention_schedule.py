"""`tmc worker` removes personal data past each force's period by itself, one worker at a time."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.factories import make_force
from tests.worker_support import worker_settings
from trackmycrime.models import Crime, Party
from trackmycrime.notify.worker import Worker
from trackmycrime.retention import RETENTION_LOCK_KEY

from .test_retention import _crime_with_a_party

pytestmark = pytest.mark.anyio


async def closed_long_ago(db) -> tuple[Crime, Party]:
    async with db.transaction() as session:
        force = await make_force(session, code="AS", name="Avon", retention_days=365)
        return await _crime_with_a_party(session, force, "OLD1", closed_days_ago=400)


async def surname_of(db, party: Party) -> str:
    async with db.session() as session:
        return (await session.get(Party, party.id)).surname


async def test_the_worker_removes_personal_data_past_the_period_without_cron(db):
    crime, party = await closed_long_ago(db)

    await Worker(worker_settings(db.url), db).run(once=True)

    assert await surname_of(db, party) == ""
    async with db.session() as session:
        assert (await session.get(Crime, crime.id)).personal_data_removed_at is not None


@pytest.mark.postgresql_only  # the advisory lock that keeps it to one worker is PostgreSQL's
async def test_a_worker_leaves_retention_to_the_one_already_running_it(db):
    _crime, party = await closed_long_ago(db)
    async with db.engine.connect() as other_worker:
        await other_worker.execute(text("SELECT pg_advisory_lock(:key)"), {"key": RETENTION_LOCK_KEY})
        await Worker(worker_settings(db.url), db).run(once=True)
        assert await surname_of(db, party) == "Distinctive"
        await other_worker.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": RETENTION_LOCK_KEY})

    await Worker(worker_settings(db.url), db).run(once=True)
    assert await surname_of(db, party) == ""
