"""Charging decisions and the Victims' Right to Review.

A decision (charged, no further action, dealt with out of court) comes from the police records
system or the CPS with its reason, and is a case event told to everyone on the crime. For a
decision not to charge, a victim may ask for it to be reviewed within REVIEW_MONTHS: the request
goes into their thread with the officers, and an answer is owed under the Victims' Code.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..i18n import gettext as _
from ..models import Crime, Decision, DecisionKind, Force, Party, PartyRole, ReviewRequest, utcnow
from ..victims_code.entitlements import owe_an_answer
from ..victims_code.rules import Rules
from ..victims_code.working_days import end_of_london_day, london_date
from .updates import record_case_event

REVIEW_MONTHS = 3
REVIEW_REQUESTED = "review_requested"


class DecisionConflict(Exception):
    """The decision id was used before for a different decision."""


def decision_label(kind: str) -> str:
    """What was decided, in plain words (never "dropped")."""
    return {
        DecisionKind.CHARGED: _("The suspect has been charged"),
        DecisionKind.NO_FURTHER_ACTION: _("No one will be charged at the moment"),
        DecisionKind.OUT_OF_COURT_RESOLUTION: _("Dealt with without going to court"),
    }.get(kind, kind)


def review_status_label(status: str) -> str:
    return {
        "received": _("Received: the police will look at it again"),
        "upheld": _("Looked at again: the decision stays the same"),
        "overturned": _("Looked at again: the decision has changed"),
    }.get(status, status)


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_deadline(decision: Decision) -> dt.datetime:
    """The end of the London day three months after the decision."""
    return end_of_london_day(_add_months(london_date(decision.decided_at), REVIEW_MONTHS))


@dataclass(frozen=True)
class DecisionView:
    """A decision as a party sees it, with whether and until when they may ask for a review."""

    decision: Decision
    reviewable: bool
    deadline: dt.datetime | None
    request: ReviewRequest | None

    @property
    def may_ask(self) -> bool:
        return (
            self.reviewable
            and self.request is None
            and self.deadline is not None
            and utcnow() <= self.deadline
        )


async def record_decision(
    db: AsyncSession,
    *,
    force: Force,
    crime: Crime,
    rms_decision_id: str,
    kind: str,
    reason: str,
    decided_at: dt.datetime,
    agency: str,
) -> tuple[Decision, bool]:
    """Store the decision once and tell the parties; the same decision again changes nothing."""
    found = await db.exec(
        select(Decision).where(Decision.crime_id == crime.id, Decision.rms_decision_id == rms_decision_id)
    )
    existing = found.first()
    if existing is not None:
        if (existing.decision, existing.reason, existing.decided_at) != (kind, reason, decided_at):
            raise DecisionConflict(rms_decision_id)
        return existing, False
    decision = Decision(
        crime_id=crime.id,  # type: ignore[arg-type]
        rms_decision_id=rms_decision_id,
        decision=kind,
        reason=reason,
        decided_at=decided_at,
        agency=agency,
    )
    db.add(decision)
    await db.flush()
    await record_case_event(
        db, force, crime, event=f"decision_{kind}", occurred_at=decided_at, agency=agency, text=reason
    )
    return decision, True


async def decisions_for_party(db: AsyncSession, party: Party) -> list[DecisionView]:
    """The crime's decisions, newest first, each with the party's own review request if any."""
    decisions = (
        await db.exec(
            select(Decision)
            .where(Decision.crime_id == party.crime_id)
            .order_by(col(Decision.decided_at).desc(), col(Decision.id).desc())
        )
    ).all()
    if not decisions:
        return []
    review_requests = {
        request.decision_id: request
        for request in (await db.exec(select(ReviewRequest).where(ReviewRequest.party_id == party.id))).all()
    }
    views = []
    for decision in decisions:
        reviewable = decision.decision in DecisionKind.REVIEWABLE and party.role == PartyRole.VICTIM
        views.append(
            DecisionView(
                decision,
                reviewable,
                review_deadline(decision) if reviewable else None,
                review_requests.get(decision.id),  # type: ignore[arg-type]
            )
        )
    return views


async def request_review(
    db: AsyncSession,
    party: Party,
    decision: Decision,
    reason: str,
    rules: Rules,
    requested_at: dt.datetime | None = None,
) -> ReviewRequest:
    """Record the request and owe the victim an answer; the caller puts it in the thread."""
    request = ReviewRequest(
        crime_id=party.crime_id,
        decision_id=decision.id,  # type: ignore[arg-type]
        party_id=party.id,  # type: ignore[arg-type]
        reason=reason,
        requested_at=requested_at or utcnow(),
    )
    db.add(request)
    await db.flush()
    await owe_an_answer(db, party, rules, REVIEW_REQUESTED, f"decision:{decision.id}", request.requested_at)
    return request


def review_message(decision: Decision, reason: str) -> str:
    """What the officers read in the thread."""
    text = _("I would like this decision to be reviewed (Victims' Right to Review): %(decision)s.") % {
        "decision": decision_label(decision.decision)
    }
    return f"{text}\n\n{reason}" if reason else text
