"""Starting an officer's session once they are known, after a password or single sign-on: the step to
the two-step code, the signed cookies that carry a sign-in from one step to the next, and the session.

The password sign-in (sign_in.py) and single sign-on (sso.py) both end here; neither imports the other
for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from .. import audit, audit_actions
from ..auth.cookies import cookie_name
from ..auth.sessions import set_session_cookie, start_session
from ..auth.tokens import Signer
from ..models import Officer, utcnow
from ..pages import redirect_to

PENDING_PURPOSE = "officer-second-factor"
PENDING_SECONDS = 5 * 60
SIGNED_IN_PURPOSE = "officer-sso-signed-in"
SIGNED_IN_SECONDS = 5 * 60


def pending_cookie_name(request: Request) -> str:
    return cookie_name("officer_pending", request.app.state.settings.secure_cookies)


def password_fingerprint(officer: Officer) -> str:
    return hashlib.sha256((officer.password_hash or "").encode()).hexdigest()[:16]


def signed_in_cookie_name(request: Request) -> str:
    return cookie_name("officer_sso_signed_in", request.app.state.settings.secure_cookies)


def session_fields(request: Request, officer: Officer) -> dict[str, Any]:
    """The single sign-on part of the session about to start for this officer, if any: set by the
    callback directly, or carried by a signed cookie across the two-step code page."""
    signed_in = getattr(request.state, "sso_signed_in", None)
    if signed_in is None:
        raw = request.cookies.get(signed_in_cookie_name(request))
        secret_key = request.app.state.settings.secret_key
        signed_in = (
            Signer(secret_key).unsign(SIGNED_IN_PURPOSE, raw, max_age_seconds=SIGNED_IN_SECONDS)
            if raw
            else None
        )
    if not isinstance(signed_in, dict) or signed_in.get("o") != officer.id:
        return {}
    return {
        "sso_force_id": signed_in["f"],
        "sso_subject": signed_in["sub"],
        "sso_expires_at": dt.datetime.fromtimestamp(signed_in["exp"], dt.UTC),
        "sso_refresh_token": signed_in["rt"],
        "sso_mfa": bool(signed_in["mfa"]),
    }


async def finish_sign_in(db: AsyncSession, request: Request, officer: Officer) -> Response:
    officer.last_sign_in_at = utcnow()
    officer.failed_sign_ins, officer.locked_until = 0, None
    audit.record(db, request, audit_actions.OFFICER_SIGN_IN, force_id=officer.force_id, actor=officer)
    signed = await start_session(db, request, officer_id=officer.id, **session_fields(request, officer))
    response = redirect_to(request, "officer_inbox")
    set_session_cookie(request, response, signed)
    forget_pending(request, response)
    forget_pending(request, response, signed_in_cookie_name(request))
    return response


def forget_pending(request: Request, response: Response, name: str | None = None) -> None:
    """Delete the pending two-step cookie (or another sign-in cookie): a browser ignores a `__Host-`
    cookie, even one that deletes, unless it is Secure with Path=/ as it was set."""
    secure = request.app.state.settings.secure_cookies
    response.delete_cookie(
        name or pending_cookie_name(request), path="/", httponly=True, samesite="lax", secure=secure
    )


def to_code_step(request: Request, officer: Officer) -> Response:
    settings = request.app.state.settings
    pending = Signer(settings.secret_key).sign(
        PENDING_PURPOSE, {"o": officer.id, "f": password_fingerprint(officer)}
    )
    response = redirect_to(request, "officer_sign_in_code")
    response.set_cookie(
        pending_cookie_name(request),
        pending,
        max_age=PENDING_SECONDS,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    return response
