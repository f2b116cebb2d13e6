"""Two-step verification for an officer: set it up with a QR code or a typed key, or turn it off."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import audit, audit_actions
from ..auth import throttle
from ..auth.sessions import end_all_sessions, set_session_cookie, start_session
from ..auth.tokens import Signer
from ..i18n import gettext as _
from ..models import Officer, utcnow
from ..pages import redirect_to
from . import totp
from .access import officer_page, two_factor_required
from .forms import Errors, read_form
from .rendering import render_page
from .sign_in import confirm_key, may_confirm, too_many_confirmations

ENROLMENT_PURPOSE = "officer-totp-enrolment"
ENROLMENT_SECONDS = 15 * 60


def _enrolment_token(request: Request, officer: Officer, secret: str) -> str:
    return str(
        Signer(request.app.state.settings.secret_key).sign(ENROLMENT_PURPOSE, {"o": officer.id, "s": secret})
    )


def _secret_from_token(request: Request, officer: Officer, token: str) -> str | None:
    value = Signer(request.app.state.settings.secret_key).unsign(
        ENROLMENT_PURPOSE, token, max_age_seconds=ENROLMENT_SECONDS
    )
    if not isinstance(value, dict) or value.get("o") != officer.id or not isinstance(value.get("s"), str):
        return None
    return str(value["s"])


def _set_up_context(request: Request, officer: Officer, secret: str) -> dict[str, Any]:
    return {
        "secret": secret,
        "secret_for_typing": totp.secret_for_typing(secret),
        "qr_code": totp.qr_code_data_uri(totp.provisioning_uri(secret, officer.email)),
        "enrolment_token": _enrolment_token(request, officer, secret),
    }


async def _page(
    request: Request, db: AsyncSession, *, errors: Errors | None = None, secret: str | None = None
) -> Response:
    officer: Officer = request.state.officer
    context: dict[str, Any] = {
        "errors": errors or {},
        "done": request.query_params.get("done", ""),
        "required": two_factor_required(request),
    }
    if not officer.totp_secret:
        context.update(_set_up_context(request, officer, secret or totp.new_secret()))
    return await render_page(request, db, "officer/two_factor.html", context)


async def _rotate_session(db: AsyncSession, request: Request, officer: Officer, response: Response) -> None:
    """A change to how the officer signs in ends their other sessions and renews this one."""
    await end_all_sessions(db, officer_id=officer.id)
    set_session_cookie(request, response, await start_session(db, request, officer_id=officer.id))


@officer_page(needs_two_factor=False)
async def two_factor_page(request: Request) -> Response:
    async with request.app.state.db.session() as db:
        return await _page(request, db)


@officer_page(needs_two_factor=False)
async def turn_on(request: Request) -> Response:
    form = await read_form(request)
    async with request.app.state.db.transaction() as db:
        officer = await db.get(Officer, request.state.officer.id)
        assert officer is not None
        request.state.officer = officer
        if officer.totp_secret:
            return redirect_to(request, "officer_two_factor")
        secret = _secret_from_token(request, officer, form.get("enrolment_token", ""))
        if secret is None:
            errors = {
                "code": _("Setting up took too long. Scan the new QR code, then enter the code it shows")
            }
            return await _page(request, db, errors=errors)
        code = totp.normalise_code(form.get("code", ""))
        if not code:
            return await _page(
                request, db, errors={"code": _("Enter the code from your authenticator app")}, secret=secret
            )
        if totp.matching_step(secret, code, utcnow()) is None:
            errors = {"code": _("The code is not correct. Enter the 6-digit code your app shows now")}
            return await _page(request, db, errors=errors, secret=secret)
        officer.totp_secret = secret
        audit.record(
            db, request, audit_actions.OFFICER_TWO_FACTOR_ON, force_id=officer.force_id, actor=officer
        )
        response = redirect_to(request, "officer_two_factor", query={"done": "on"})
        await _rotate_session(db, request, officer, response)
        return response


@officer_page(needs_two_factor=False)
async def turn_off(request: Request) -> Response:
    form = await read_form(request)
    async with request.app.state.db.transaction() as db:
        officer = await db.get(Officer, request.state.officer.id)
        assert officer is not None
        request.state.officer = officer
        if not officer.totp_secret:
            return redirect_to(request, "officer_two_factor")
        code = totp.normalise_code(form.get("code", ""))
        if not code:
            return await _page(request, db, errors={"code": _("Enter the code from your authenticator app")})
        if not await may_confirm(db, request, officer):
            return await _page(request, db, errors={"code": too_many_confirmations()})
        if totp.matching_step(officer.totp_secret, code, utcnow()) is None:
            audit.record(
                db,
                request,
                audit_actions.OFFICER_TWO_FACTOR_OFF_FAILED,
                force_id=officer.force_id,
                actor=officer,
            )
            errors = {"code": _("The code is not correct. Enter the 6-digit code your app shows now")}
            return await _page(request, db, errors=errors)
        await throttle.reset(db, confirm_key(officer))
        officer.totp_secret = None
        audit.record(
            db, request, audit_actions.OFFICER_TWO_FACTOR_OFF, force_id=officer.force_id, actor=officer
        )
        response = redirect_to(request, "officer_two_factor", query={"done": "off"})
        await _rotate_session(db, request, officer, response)
        return response


routes = [
    Route("/officer/two-factor", two_factor_page, methods=["GET"], name="officer_two_factor"),
    Route("/officer/two-factor", turn_on, methods=["POST"], name="officer_two_factor_post"),
    Route("/officer/two-factor/turn-off", turn_off, methods=["POST"], name="officer_two_factor_off"),
]
