"""Charging decisions from the police or CPS, and the Victims' Right to Review on the victim's case page."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest
from sqlmodel import select

from tests.webclient import text_of
from trackmycrime.case_events.decisions import record_decision
from trackmycrime.database import Database
from trackmycrime.models import (
    CaseUpdate,
    Crime,
    Decision,
    Entitlement,
    Force,
    Message,
    ReviewRequest,
    utcnow,
)

from ..factories import make_api_key
from .test_ingest import REFERENCE, Rms, all_of, assert_problem, count, crime_body, rms
from .victim_data import add_crime, add_officer, add_party, sign_in

pytestmark = pytest.mark.anyio
__all__ = ["rms"]

REASON = "There is not enough evidence to charge anyone at the moment."


async def put_decision(rms: Rms, body: Any, decision_id: str = "D-1") -> httpx.Response:
    return await rms.send(
        "PUT",
        f"/api/v1/crimes/{REFERENCE}/decisions/{decision_id}",
        content=json.dumps(body),
        headers={"Content-Type": "application/json"},
    )


def decision_body(**changes: Any) -> dict[str, Any]:
    body = {"decision": "no_further_action", "reason": REASON, "decided_at": "2026-11-28T16:00:00Z"}
    body.update(changes)
    return body


# ---------------------------------------------------------------- through the ingest API


async def test_a_cps_decision_is_stored_once_and_told_with_its_reason(rms: Rms, db: Database) -> None:
    await rms.put_crime(crime_body())
    async with db.transaction() as session:
        _key, text = await make_api_key(session, rms.force, label="CPS", agency="cps")
    cps = Rms(rms.http, text, rms.force)

    first = await put_decision(cps, decision_body())
    again = await put_decision(cps, decision_body())

    assert (first.status_code, again.status_code) == (201, 200), first.text
    assert first.json()["agency"] == "cps"
    [update] = await all_of(db, CaseUpdate, CaseUpdate.event == "decision_no_further_action")
    assert update.text == REASON and update.agency == "cps"
    [crime] = await all_of(db, Crime)
    assert crime.status == "under_investigation"  # a decision does not rewrite the status by itself
    changed = await put_decision(cps, decision_body(reason="Something else."))
    assert_problem(changed, 409)
    bad = await put_decision(cps, decision_body(decision="dropped"))
    assert_problem(bad, 422)
    assert await count(db, Decision) == 1


# ---------------------------------------------------------------- on the victim's case page


async def add_decision(
    db: Database, case: Any, kind: str, *, days_ago: int, reason: str = REASON
) -> Decision:
    async with db.transaction() as session:
        force = await session.get(Force, case.force.id)
        crime = await session.get(Crime, case.crime.id)
        decision, _created = await record_decision(
            session,
            force=force,
            crime=crime,
            rms_decision_id=f"D-{kind}-{days_ago}",
            kind=kind,
            reason=reason,
            decided_at=utcnow() - dt.timedelta(days=days_ago),
            agency="police",
        )
    return decision


async def test_a_decision_not_to_charge_offers_a_review_with_its_deadline(client, db, victim) -> None:
    decision = await add_decision(db, victim, "no_further_action", days_ago=2)

    page = await sign_in(client, victim)

    section = page.select_one(f"#decision-{decision.id}")
    words = text_of(section)
    assert "No one will be charged at the moment" in words
    assert REASON in words
    assert "dropped" not in text_of(page.select_one("main")).lower()
    deadline = (decision.decided_at + dt.timedelta(days=91)).year
    assert "You can ask until" in words and str(deadline) in words
    button = section.select_one("a.button")
    assert text_of(button) == "Ask for this decision to be reviewed"


async def test_a_charge_offers_no_review(client, db, victim) -> None:
    await add_decision(db, victim, "charged", days_ago=2, reason="Charged with burglary.")
    page = await sign_in(client, victim)
    assert "The suspect has been charged" in text_of(page.select_one("#decisions-heading").parent)
    assert page.select_one('a[href$="/review"]') is None


async def test_after_three_months_the_review_is_no_longer_offered(client, db, victim) -> None:
    old = await add_decision(db, victim, "no_further_action", days_ago=95)
    page = await sign_in(client, victim)
    assert "The time to ask for a review ended" in text_of(page.select_one(f"#decision-{old.id}"))
    await client.get(f"/case/decisions/{old.id}/review", expect=404)


async def test_asking_for_a_review_reaches_the_officer_and_shows_its_status(client, db, victim) -> None:
    decision = await add_decision(db, victim, "out_of_court_resolution", days_ago=5)
    await sign_in(client, victim)

    form = await client.page(f"/case/decisions/{decision.id}/review")
    assert text_of(form.h1) == "Ask for a decision to be reviewed"
    page = await client.submit(
        f"/case/decisions/{decision.id}/review", {"reason": "He has done this to me three times."}
    )

    assert "Your request for a review has been sent" in text_of(page.select_one("#decisions-heading").parent)
    assert "Received" in text_of(page.select_one(f"#decision-{decision.id}"))
    assert page.select_one(f'#decision-{decision.id} a[href$="/review"]') is None  # asked once
    async with db.session() as session:
        [request] = (await session.exec(select(ReviewRequest))).all()
        [message] = (await session.exec(select(Message).where(Message.party_id == victim.party.id))).all()
        owed = (await session.exec(select(Entitlement).where(Entitlement.event == "review_requested"))).all()
    assert request.reason == "He has done this to me three times."
    assert "Victims' Right to Review" in message.body and "three times" in message.body
    assert [row.event_key for row in owed] == [f"decision:{decision.id}"]
    await client.get(f"/case/decisions/{decision.id}/review", expect=404)


async def test_a_too_long_reason_is_refused_next_to_the_field(client, db, victim) -> None:
    decision = await add_decision(db, victim, "no_further_action", days_ago=1)
    await sign_in(client, victim)
    await client.page(f"/case/decisions/{decision.id}/review")

    page = await client.submit(f"/case/decisions/{decision.id}/review", {"reason": "x" * 5001}, expect=400)

    assert "5,000 characters or fewer" in text_of(page.select_one(".error-summary"))
    assert "5,000 characters or fewer" in text_of(page.select_one("#field-reason").parent)
    async with db.session() as session:
        assert not (await session.exec(select(ReviewRequest))).all()


async def test_another_crimes_decision_cannot_be_reviewed(client, db, victim) -> None:
    async with db.transaction() as session:
        officer = await add_officer(session, victim.force, name="PC Other")
        other_crime = await add_crime(session, victim.force, officer, reference="AS-2026-999998")
        other_party = await add_party(session, other_crime, surname="Else")
    other = type(victim)(victim.force, officer, other_crime, other_party)
    theirs = await add_decision(db, other, "no_further_action", days_ago=1)
    await sign_in(client, victim)
    await client.get(f"/case/decisions/{theirs.id}/review", expect=404)
