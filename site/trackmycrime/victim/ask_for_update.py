"""The "ask for an update" form on the case page: checked, recorded and answered with the case page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .. import audit, audit_actions
from ..auth.sessions import party_required
from ..i18n import gettext as _
from ..models import Crime, Force, Party, UpdateRequest, utcnow
from ..pages import is_htmx, redirect_to, render, render_html
from ..victims_code import Rules, record_update_request
from . import forms
from .case import case_context, load_case
from .update_requests import NOTE_MAX, AskingState, asking_state, is_closed, limit_message, next_allowed


async def _render_panel(
    request: Request, state: AskingState, status_code: int = 200, **extra: object
) -> Response:
    """With htmx, the panel with the summary above it (its "Next update" row) out of band; else the page."""
    view = await load_case(request)
    context = case_context(request, view, asking=state, **extra)
    if is_htmx(request):
        announcement = _("Your request for an update was received.") if context["asked"] else ""
        context.update(oob=True, announcement=announcement)
        html = render_html(request, "victim/case.html", context, block="asked")
        return HTMLResponse(html, status_code=status_code)
    return render(request, "victim/case.html", context, status_code=status_code)


@party_required
async def ask_for_update(request: Request) -> Response:
    party: Party = request.state.party
    crime: Crime = request.state.crime
    force: Force = request.state.force
    rules: Rules = request.app.state.rules
    submitted = await forms.submitted(request)
    form = forms.Form()
    note = forms.text(submitted, "note", multiline=True)
    form.values["note"] = note
    if len(note) > NOTE_MAX:
        form.error("note", _("Your note must be {n} characters or fewer").format(n=NOTE_MAX))
    async with request.app.state.db.transaction() as db:
        state = await asking_state(db, party, force, rules.calendar)
        if is_closed(crime):
            form.error("note", _("The investigation has ended, so you cannot ask for an update here"))
        elif not state.can_ask:
            form.error("note", limit_message(state))
        if form.is_valid:
            now = utcnow()
            entitlement = await record_update_request(db, party, rules, now)
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
                audit_actions.PARTY_UPDATE_REQUEST,
                force_id=crime.force_id,
                crime_id=crime.id,
                party_id=party.id,
                actor=party,
                detail=f"update_request:{asked.id}",
            )
            state = AskingState(asked, entitlement, next_allowed(force, now), now, rules.calendar)
    if not form.is_valid:
        return await _render_panel(request, state, 400, values=form.values, errors=form.errors)
    if not is_htmx(request):
        return redirect_to(request, "victim_case", query={"asked": 1}, fragment="ask-for-update")
    return await _render_panel(request, state, asked=True)
