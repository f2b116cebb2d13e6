"""The compliance export carries the journey's new events: hearing results and review requests."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import SHIPPED_RULES
from trackmycrime.case_events.decisions import record_decision, request_review
from trackmycrime.case_events.hearings import HearingDetails, record_hearing
from trackmycrime.models import Crime, Force, Party, utcnow
from trackmycrime.victims_code.entitlements import refresh_entitlements

from .officer_world import build_world, sign_in_as
from .test_compliance_export import rows_of

pytestmark = pytest.mark.anyio


async def test_a_late_hearing_result_and_a_review_request_are_in_the_export(client, db):
    world = await build_world(db)
    hearing_day = utcnow() - dt.timedelta(days=10)
    async with db.transaction() as session:
        force = await session.get(Force, world.force.id)
        crime = await session.get(Crime, world.crime.id)
        victim = await session.get(Party, world.victim.id)
        details = HearingDetails(
            "Bristol Crown Court", "", hearing_day, "trial", "concluded", outcome="Guilty."
        )
        await record_hearing(
            session, force=force, crime=crime, rms_hearing_id="H-1", details=details, agency="cps"
        )
        decision, _created = await record_decision(
            session,
            force=force,
            crime=crime,
            rms_decision_id="D-1",
            kind="no_further_action",
            reason="Not enough evidence.",
            decided_at=utcnow() - dt.timedelta(days=20),
            agency="police",
        )
        await refresh_entitlements(session, crime.id, SHIPPED_RULES)
        asked_at = utcnow() - dt.timedelta(days=10)
        await request_review(session, victim, decision, "", SHIPPED_RULES, requested_at=asked_at)

    await sign_in_as(client, db, world.supervisor)
    rows = rows_of(await client.get("/officer/compliance/export.csv?period=last-30-days"))

    by_event = {(row["event"], row["party_role"]): row for row in rows}
    outcome = by_event[("hearing_outcome", "victim")]
    assert outcome["event_description"] == "Court hearing result"
    assert outcome["outcome"] == "late"  # told 10 days after the hearing, owed within 1 working day
    assert ("hearing_outcome", "witness") in by_event
    assert by_event[("decision_no_further_action", "victim")]["event_description"] == (
        "Decision: no one will be charged at the moment"
    )
    review = by_event[("review_requested", "victim")]
    assert review["event_description"] == "Review of a decision requested"
    assert review["outcome"] == "missed"  # no one has answered the victim
