"""The demo data shows the journey past the police stage: a listed trial, a moved hearing, a decision."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from tests.factories import SHIPPED_RULES
from trackmycrime.auth.passwords import FAST_HASHER
from trackmycrime.case_events.decisions import review_deadline
from trackmycrime.demo.seed import seed_demo
from trackmycrime.models import CaseUpdate, Decision, Hearing, utcnow

pytestmark = pytest.mark.anyio


async def test_the_demo_has_a_listed_trial_and_a_moved_hearing(db) -> None:
    async with db.transaction() as session:
        await seed_demo(session, FAST_HASHER, SHIPPED_RULES)
    async with db.session() as session:
        hearings = {h.rms_hearing_id: h for h in (await session.exec(select(Hearing))).all()}
        [decision] = (await session.exec(select(Decision))).all()
        events = (
            await session.exec(
                select(CaseUpdate.event)
                .where(col(CaseUpdate.event).is_not(None))
                .order_by(col(CaseUpdate.id))
            )
        ).all()
    assert (hearings["H-2"].hearing_type, hearings["H-2"].status) == ("trial", "listed")
    assert hearings["H-1"].status == "moved"
    assert hearings["H-1"].starts_at < hearings["H-2"].starts_at
    assert hearings["H-1"].agency == "witness_care_unit"
    assert list(events) == ["hearing_listed", "hearing_listed", "hearing_moved", "decision_no_further_action"]
    assert decision.decision == "no_further_action" and decision.reason
    assert review_deadline(decision) > utcnow()  # the victim can still ask for a review
