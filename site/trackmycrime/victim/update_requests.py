"""'Ask for an update': a party asks, at most once per the force's interval, with an optional note."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .. import audit
from ..auth.sessions import party_required
from ..i18n import LONDON, date_in_words
from ..i18n import gettext as _
from ..models import Crime, Entitlement, Force, Party, UpdateRequest, utcnow
from ..pages import is_htmx, render, render_html
from ..statuses import status
from ..victims_code import describe_due, london_date, record_update_request
from . import forms

NOTE_MAX = 500


@dataclass(frozen=True)
class AskingState:
    """The party's latest request, whether its answer is still owed, and when they may ask again."""

    last: UpdateRequest | None
    entitlement: Entitlement | None
    next_allowed_at: dt.datetime | None
    now: dt.datetime

    @property
    def can_ask(self) -> bool:
        return self.next_allowed_at is None or self.next_allowed_at <= self.now

    @property
    def waiting(self) -> bool:
        """An answer to the latest request is still owed."""
        return self.entitlement is not None and self.entitlement.met_at is None

    @property
    def due_in_words(self) -> str:
        return describe_due(self.entitlement.due_at, self.now) if self.entitlement else ""


def is_closed(crime: Crime) -> bool:
    return crime.closed_at is not None or status(crime.status).closes_crime


def interval_days(force: Force) -> int:
    return max(1, force.update_request_interval_days)


def next_allowed(force: Force, requested_at: dt.datetime) -> dt.datetime:
    """Midnight (London) starting the day `interval` calendar days after the day of the last request."""
    day = london_date(requested_at) + dt.timedelta(days=interval_days(force))
    return dt.datetime.combine(day, dt.time(), tzinfo=LONDON).astimezone(dt.UTC)


async def asking_state(
    db: AsyncSession, party: Party, force: Force, now: dt.datetime | None = None
) -> AskingState:
    """One query: the latest request with its deadline."""
    now = now or utcnow()
    row = (
        await db.exec(
            select(UpdateRequest, Entitlement)
            .outerjoin(Entitlement, col(Entitlement.id) == col(UpdateRequest.entitlement_id))
            .where(col(UpdateRequest.party_id) == party.id)
            .order_by(col(UpdateRequest.requested_at).desc(), col(UpdateRequest.id).desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return AskingState(None, None, None, now)
    last, entitlement = row
    return AskingState(last, entitlement, next_allowed(force, last.requested_at), now)


def limit_message(state: AskingState) -> str:
    assert state.next_allowed_at is not None
    return _(
        "You asked for news not long ago. You can ask again from {date}. You can still send the officer a "
        "message"
    ).format(date=date_in_words(state.next_allowed_at))


async def _render_panel(request: Request, state: AskingState, **extra: object) -> Response:
    """With htmx, the panel with the summary above it (its "Next update" row) out of band; else the page."""
    from .case import case_context, load_case

    view = await load_case(request)
    context = case_context(request, view, asking=state, **extra)
    if is_htmx(request):
        announcement = _("Your request for an update was received.") if context["asked"] else ""
        context.update(oob=True, announcement=announcement)
        return HTMLResponse(render_html(request, "victim/case.html", context, block="asked"))
    return render(request, "victim/case.html", context)


@party_required
async def ask_for_update(request: Request) -> Response:
    party: Party = request.state.party
    crime: Crime = request.state.crime
    force: Force = request.state.force
    submitted = await forms.submitted(request)
    form = forms.Form()
    note = forms.text(submitted, "note", multiline=True)
    form.values["note"] = note
    if len(note) > NOTE_MAX:
        form.error("note", _("Your note must be {n} characters or fewer").format(n=NOTE_MAX))
    async with request.app.state.db.transaction() as db:
        state = await asking_state(db, party, force)
        if is_closed(crime):
            form.error("note", _("The investigation has ended, so you cannot ask for an update here"))
        elif not state.can_ask:
            form.error("note", limit_message(state))
        if form.is_valid:
            now = utcnow()
            entitlement = await record_update_request(db, party, now)
            await db.flush()
            asked = UpdateRequest(
                crime_id=crime.id or 0,
                party_id=party.id or 0,
                note=note,
                requested_at=now,
                entitlement_id=entitlement.id,
            )
            db.add(asked)
            await db.flush()
            audit.record(
                db,
                request,
                "party_asked_for_update",
                force_id=crime.force_id,
                crime_id=crime.id,
                party_id=party.id,
                actor=party,
                detail=f"update_request:{asked.id}",
            )
            state = AskingState(asked, entitlement, next_allowed(force, now), now)
    if not form.is_valid:
        return await _render_panel(request, state, values=form.values, errors=form.errors)
    if not is_htmx(request):
        return RedirectResponse("/case?asked=1#ask-for-update", status_code=303)
    return await _render_panel(request, state, asked=True)


async def load_asking(request: Request) -> AskingState | None:
    """For the case page: None once the investigation has ended (nothing to ask for then)."""
    crime: Crime = request.state.crime
    if is_closed(crime):
        return None
    async with request.app.state.db.session() as db:
        return await asking_state(db, request.state.party, request.state.force)
