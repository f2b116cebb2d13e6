"""A withdrawal and a worker's claim of the same alert, at the same moment: exactly one of them wins."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from tests.factories import SHIPPED_RULES
from trackmycrime.case_events.update_corrections import CannotWithdraw, withdraw_update
from trackmycrime.database import Database
from trackmycrime.ingest.updates import alert_parties_of_update
from trackmycrime.models import CaseUpdate, OutboxMessage, OutboxStatus, utcnow
from trackmycrime.notify.claim import claim_due

from ..factories import make_crime, make_force, make_officer, make_party

pytestmark = pytest.mark.anyio

ROUNDS = 12
WINDOW = dt.timedelta(minutes=10)


async def _withdraw(db: Database, update_id: int, officer_id: int) -> bool:
    try:
        async with db.transaction() as session:
            update = await session.get(CaseUpdate, update_id)
            assert update is not None
            await withdraw_update(
                session, update=update, officer_id=officer_id, window=WINDOW, rules=SHIPPED_RULES
            )
    except CannotWithdraw:
        return False
    return True


async def test_an_alert_is_either_withdrawn_or_sent_never_both(db: Database) -> None:
    """Run here, both outcomes turn up over the rounds on both databases; each round has one."""
    async with db.transaction() as session:
        force = await make_force(session)
        officer = await make_officer(session, force)
        crime = await make_crime(session, force)
        await make_party(
            session, crime, email="victim@example.org", password_hash="x", registered_at=utcnow()
        )
    for _ in range(ROUNDS):
        async with db.transaction() as session:
            update = CaseUpdate(
                crime_id=crime.id, text="News.", author_officer_id=officer.id, occurred_at=utcnow()
            )
            session.add(update)
            await session.flush()
            await alert_parties_of_update(session, force, update)  # due at once
        withdrawn, claimed = await asyncio.gather(
            _withdraw(db, update.id, officer.id),
            claim_due(db.engine, channels=["email"], limit=10, lease_seconds=60),
        )
        async with db.session() as session:
            row = await session.get(OutboxMessage, claimed[0].id) if claimed else None
            stored = await session.get(CaseUpdate, update.id)
        if withdrawn:
            assert claimed == [] and stored.withdrawn_at is not None
        else:
            assert len(claimed) == 1 and row.status == OutboxStatus.SENDING and stored.withdrawn_at is None
            async with db.transaction() as session:  # the worker sent it; clear it for the next round
                sent = await session.get(OutboxMessage, claimed[0].id)
                sent.status = OutboxStatus.SENT
