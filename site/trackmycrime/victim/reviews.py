"""The Victims' Right to Review: asking for a decision not to charge to be looked at again."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from .. import audit, audit_actions
from ..auth.sessions import party_required
from ..case_events.decisions import (
    DecisionView,
    decision_label,
    decisions_for_party,
    request_review,
    review_message,
)
from ..i18n import gettext as _
from ..models import Party
from ..pages import redirect_to, render
from . import forms, messages

REASON_MAX = 5000


async def _reviewable(db: AsyncSession, party: Party, raw_id: str) -> DecisionView:
    """The party's own crime's decision they may still ask about, else 404."""
    if raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 12:
        for item in await decisions_for_party(db, party):
            if item.decision.id == int(raw_id) and item.may_ask:
                return item
    raise HTTPException(404)


def _page(request: Request, item: DecisionView, form: forms.Form | None = None) -> Response:
    """The form; with the errors of a refused request it answers 400 (a failed form is no success)."""
    form = form or forms.Form()
    return render(
        request,
        "victim/review_request.html",
        {
            "crime": request.state.crime,
            "decision": item.decision,
            "deadline": item.deadline,
            "decision_label": decision_label,
            "values": form.values,
            "errors": form.errors,
            "reason_limit": REASON_MAX,
        },
        status_code=200 if form.is_valid else 400,
    )


@party_required
async def review_form(request: Request) -> Response:
    async with request.app.state.db.session() as db:
        item = await _reviewable(db, request.state.party, request.path_params["decision_id"])
    return _page(request, item)


@party_required
async def ask_for_review(request: Request) -> Response:
    party: Party = request.state.party
    submitted = await forms.submitted(request)
    form = forms.Form()
    reason = forms.text(submitted, "reason", multiline=True)
    form.values["reason"] = reason
    if len(reason) > REASON_MAX:
        form.error("reason", _("What you write must be {n} characters or fewer").format(n=f"{REASON_MAX:,}"))
    async with request.app.state.db.transaction() as db:
        item = await _reviewable(db, party, request.path_params["decision_id"])
        # The request reaches the officers in the party's thread, like any message they send.
        message = await messages.store_message(
            request, db, form, "reason", review_message(item.decision, reason)
        )
        if message is not None:
            review = await request_review(db, party, item.decision, reason, request.app.state.rules)
            audit.record(
                db,
                request,
                audit_actions.DECISION_REVIEW_REQUEST,
                force_id=request.state.crime.force_id,
                crime_id=party.crime_id,
                party_id=party.id,
                actor=party,
                detail=f"decision:{item.decision.id} review_request:{review.id}",
            )
    if not form.is_valid:
        return _page(request, item, form)
    return redirect_to(
        request, "victim_case", query={"review": "sent"}, fragment=f"decision-{item.decision.id}"
    )
