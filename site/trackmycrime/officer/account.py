"""An officer's own account: their details, how often they are emailed, and changing their password."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import audit, audit_actions
from ..auth import throttle
from ..auth.passwords import hash_password, verify_password
from ..auth.sessions import end_all_sessions, set_session_cookie, start_session
from ..i18n import gettext as _
from ..models import Officer, OfficerAlerts
from ..pages import redirect_to
from .access import needs_two_factor_set_up, officer_page
from .admin import new_password_problems, role_in_words, wants_password_shown
from .forms import Errors, read_form
from .rendering import redirect, render_page
from .sign_in import confirm_key, may_confirm, too_many_confirmations


def alert_frequency_options() -> list[tuple[str, str, str]]:
    return [
        (OfficerAlerts.IMMEDIATE, _("Straight away"), _("Within a minute or two of anything arriving")),
        (OfficerAlerts.HOURLY, _("At most once an hour"), _("One email listing everything since the last")),
        (OfficerAlerts.DAILY, _("At most once a day"), _("One email listing everything since the last")),
        (OfficerAlerts.NONE, _("Never"), _("Check your inbox on TrackMyCrime instead")),
    ]


async def _account_page(request: Request, db: AsyncSession, errors: Errors | None = None) -> Response:
    context = {
        "role_in_words": role_in_words,
        "done": request.query_params.get("done", ""),
        "alert_frequency_options": alert_frequency_options(),
        "errors": errors or {},
    }
    return await render_page(request, db, "officer/account.html", context)


@officer_page(needs_two_factor=False)
async def account_page(request: Request) -> Response:
    async with request.app.state.db.session() as db:
        return await _account_page(request, db)


@officer_page(needs_two_factor=False)
async def choose_alert_frequency(request: Request) -> Response:
    """How often the officer is emailed about messages, update requests and updates due (issue 21)."""
    values = await read_form(request)
    chosen = values.get("alert_frequency", "")
    async with request.app.state.db.transaction() as db:
        if chosen not in OfficerAlerts.ALL:
            errors = {"alert_frequency": _("Select how often we should email you")}
            return await _account_page(request, db, errors)
        officer = await db.get(Officer, request.state.officer.id)
        assert officer is not None
        officer.alert_frequency = chosen
        request.state.officer = officer
        audit.record(
            db,
            request,
            audit_actions.OFFICER_ALERT_FREQUENCY,
            force_id=officer.force_id,
            actor=officer,
            detail=chosen,
        )
        return redirect_to(request, "officer_account", query={"done": "alerts"})


async def _password_form(
    request: Request, db: AsyncSession, errors: Errors | None = None, values: dict[str, str] | None = None
) -> Response:
    context = {"errors": errors or {}, "values": values or {}, "password_shown": bool(values)}
    return await render_page(request, db, "officer/password.html", context)


@officer_page(needs_two_factor=False, is_password_change=True)
async def password_page(request: Request) -> Response:
    async with request.app.state.db.session() as db:
        return await _password_form(request, db)


@officer_page(needs_two_factor=False, is_password_change=True)
async def change_password(request: Request) -> Response:
    values = await read_form(request)
    async with request.app.state.db.transaction() as db:
        officer = await db.get(Officer, request.state.officer.id)
        assert officer is not None
        shown = wants_password_shown(values)
        if shown is not None:
            return await _password_form(request, db, values=values if shown else None)
        errors: Errors = {}
        current = values.get("current_password", "")
        if not current:
            errors["current_password"] = _("Enter your current password")
        elif not await may_confirm(db, request, officer):
            errors["current_password"] = too_many_confirmations()
        elif not (await verify_password(request.app.state.hasher, officer.password_hash, current))[0]:
            errors["current_password"] = _("Your current password is not correct")
            audit.record(
                db,
                request,
                audit_actions.OFFICER_PASSWORD_CHECK_FAILED,
                force_id=officer.force_id,
                actor=officer,
            )
        words = tuple(officer.name.split()) + (officer.email.split("@")[0],)
        errors.update(new_password_problems(values, words))
        if errors:
            return await _password_form(request, db, errors)
        officer.password_hash = await hash_password(request.app.state.hasher, values["password"])
        officer.must_change_password = False
        await throttle.reset(db, confirm_key(officer))
        audit.record(
            db, request, audit_actions.OFFICER_PASSWORD_CHANGE, force_id=officer.force_id, actor=officer
        )
        # Every other browser is signed out; this one gets a new session.
        await end_all_sessions(db, officer_id=officer.id)
        next_page = "/officer/two-factor" if needs_two_factor_set_up(request, officer) else "/officer/account"
        response = redirect(next_page, done="password")
        set_session_cookie(request, response, await start_session(db, request, officer_id=officer.id))
        return response


routes = [
    Route("/officer/account", account_page, methods=["GET"], name="officer_account"),
    Route(
        "/officer/account/alerts", choose_alert_frequency, methods=["POST"], name="officer_alert_frequency"
    ),
    Route("/officer/password", password_page, methods=["GET"], name="officer_password"),
    Route("/officer/password", change_password, methods=["POST"], name="officer_password_post"),
]
