"""Officer sign-in: email or shoulder number and password, then a code when two-step is on."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import audit, audit_actions
from ..auth import throttle
from ..auth.passwords import hash_password, verify_password
from ..auth.sessions import (
    clear_session_cookie,
    client_address,
    current_session,
    end_current_session,
    officer_required,
)
from ..auth.tokens import Signer
from ..database import Database
from ..forces import service_force
from ..i18n import gettext as _
from ..models import Officer, utcnow
from ..pages import redirect_to, render
from . import sso, totp
from .accounts import normalise_email
from .forms import Errors, read_form
from .session_start import (
    PENDING_PURPOSE,
    PENDING_SECONDS,
    finish_sign_in,
    forget_pending,
    password_fingerprint,
    pending_cookie_name,
    to_code_step,
)

WINDOW = dt.timedelta(minutes=15)
CLIENT_ATTEMPTS = 50
ACCOUNT_ATTEMPTS = 5
LOCKED_FOR = dt.timedelta(minutes=15)
CODE_ATTEMPTS = 5
CONFIRM_ATTEMPTS = 5
# At most this many officers share a shoulder number across the forces of one deployment.
MAX_CANDIDATES = 5


def generic_error() -> str:
    return _(
        "Enter a correct email address or shoulder number and password. After 5 wrong attempts "
        "you will need to wait 15 minutes before you can try again."
    )


def confirm_key(officer: Officer) -> str:
    """Signed-in officers confirming it is them (current password, two-step code): one count."""
    return f"officer-confirm:{officer.id}"


async def may_confirm(db: AsyncSession, request: Request, officer: Officer) -> bool:
    """Count a confirmation before checking it (in the caller's transaction); False over the limit."""
    return await throttle.hit(db, confirm_key(officer), window=WINDOW) <= CONFIRM_ATTEMPTS


def too_many_confirmations() -> str:
    return _("You have tried too many times. Wait 15 minutes, then try again.")


def client_key(request: Request) -> str:
    return f"officer-sign-in:ip:{client_address(request)}"


def is_locked(officer: Officer, now: dt.datetime) -> bool:
    return officer.locked_until is not None and officer.locked_until > now


async def candidates(db: AsyncSession, identifier: str, *, fresh: bool = False) -> list[Officer]:
    """Enabled officers whose email or shoulder number this is (shoulder numbers are per force)."""
    identifier = identifier.strip()[:254]
    rows = await db.exec(
        select(Officer)
        .where(
            or_(
                col(Officer.email) == normalise_email(identifier), col(Officer.shoulder_number) == identifier
            ),
            col(Officer.disabled_at).is_(None),
        )
        .order_by(col(Officer.id))
        .limit(MAX_CANDIDATES)
        .execution_options(populate_existing=fresh)
    )
    return list(rows.all())


def account_key(officer: Officer) -> str:
    return f"officer-sign-in:account:{officer.id}"


def identifier_key(identifier: str) -> str:
    return f"officer-sign-in:identifier:{hashlib.sha256(identifier.strip().lower().encode()).hexdigest()}"


@dataclass(frozen=True)
class PasswordCheck:
    """What checking a password against the candidates found: counted before, written after."""

    candidates: list[Officer]
    attempts: dict[int, int]  # officer id: the number of this attempt on their account
    matched: Officer | None
    new_hash: str | None  # the matched officer's password hashed again with today's parameters


async def count_attempt(database: Database, request: Request, identifier: str) -> PasswordCheck | None:
    """Count the attempt from this client and on each account it names, before any password check.

    None when the client is over its limit. Each count is one atomic statement committed before
    the check, so that of any number of attempts arriving together at most the limit are checked.
    """
    async with database.transaction() as db:
        if await throttle.hit(db, client_key(request), window=WINDOW) > CLIENT_ATTEMPTS:
            return None
        named = await candidates(db, identifier)
        # A shoulder number worn in several forces: the count (and the wait) belongs to what was
        # typed, so that guesses at it lock no one's account; each can still use their email.
        shared = len(named) > 1
        counts: dict[str, int] = {}
        attempts: dict[int, int] = {}
        for officer in named:
            assert officer.id is not None
            key = identifier_key(identifier) if shared else account_key(officer)
            if key not in counts:
                counts[key] = await throttle.hit(db, key, window=LOCKED_FOR)
            attempts[officer.id] = counts[key]
        # Read again after counting: a lock set by an attempt that finished while this one waited
        # for its count is seen here, with the count that lock started again.
        found = await candidates(db, identifier, fresh=True)
    return PasswordCheck(found, attempts, None, None)


def may_check(check: PasswordCheck, officer: Officer, now: dt.datetime) -> bool:
    assert officer.id is not None
    attempt = check.attempts.get(officer.id)
    return attempt is not None and attempt <= ACCOUNT_ATTEMPTS and not is_locked(officer, now)


async def check_password(
    hasher: PasswordHasher, check: PasswordCheck, password: str, now: dt.datetime
) -> PasswordCheck:
    """Verify the password against each candidate that may still try, with no database connection
    held: a burst of sign-ins waiting for the hasher would otherwise take every pooled connection
    from the rest of the site (bench/README.md, "Sign-in cost"). A locked account, or one with no
    password, gets the same work against a hash nothing matches, so it looks like a wrong password."""
    if not check.candidates:
        await verify_password(hasher, None, password)
        return check
    matched: Officer | None = None
    new_hash = None
    for officer in check.candidates:
        stored = officer.password_hash if may_check(check, officer, now) else None
        ok, needs_rehash = await verify_password(hasher, stored, password)
        if ok and matched is None:
            matched = officer
            if needs_rehash:
                new_hash = await hash_password(hasher, password)
    return PasswordCheck(check.candidates, check.attempts, matched, new_hash)


async def record_password_check(
    db: AsyncSession, request: Request, check: PasswordCheck, now: dt.datetime
) -> Officer | None:
    """The officer these details belong to, or None; the attempt that uses up an account's tries
    locks it, and every wrong password is audited."""
    if check.matched is not None:
        matched = check.matched
        db.add(matched)  # read before the check; only what changes here is written
        if check.new_hash is not None:
            matched.password_hash = check.new_hash
        matched.failed_sign_ins, matched.locked_until = 0, None
        await throttle.reset(db, account_key(matched))
        await throttle.give_back(db, client_key(request))
        return matched
    if not check.candidates:
        return None
    # Read again, locked, so that concurrent wrong passwords each count.
    ids = [officer.id for officer in check.candidates]
    fresh = await db.exec(
        select(Officer).where(col(Officer.id).in_(ids)).order_by(col(Officer.id)).with_for_update()
    )
    for officer in fresh.all():
        audit.record(
            db, request, audit_actions.OFFICER_SIGN_IN_FAILED, force_id=officer.force_id, actor=officer
        )
        if is_locked(officer, now):
            continue
        officer.failed_sign_ins += 1
        assert officer.id is not None
        if len(check.candidates) == 1 and check.attempts.get(officer.id, 0) >= ACCOUNT_ATTEMPTS:
            officer.failed_sign_ins, officer.locked_until = 0, now + LOCKED_FOR
            await throttle.reset(db, account_key(officer))
            audit.record(
                db, request, audit_actions.OFFICER_SIGN_IN_LOCKED, force_id=officer.force_id, actor=officer
            )
    return None


def _sign_in_form(
    request: Request,
    *,
    errors: Errors | None = None,
    identifier: str = "",
    status: int = 200,
    password_shown: str | None = None,
) -> Response:
    return render(
        request,
        "officer/sign_in.html",
        {
            "errors": errors or {},
            "identifier": identifier,
            "password_shown": password_shown,
            "signed_out": request.query_params.get("signed_out") == "1",
        },
        status_code=status,
    )


async def _with_service_force(request: Request) -> None:
    async with request.app.state.db.session() as db:
        request.state.force = await service_force(db)
        request.state.sso_choices = await sso.sign_in_choices(db)


async def sign_in_page(request: Request) -> Response:
    await _with_service_force(request)
    return _sign_in_form(request)


async def sign_in(request: Request) -> Response:
    await _with_service_force(request)
    form = await read_form(request)
    identifier = form.get("identifier", "").strip()[:254]
    password = form.get("password", "")
    if form.get("show_password") in ("0", "1"):
        # The Show/Hide button without JavaScript: the same form again, the password as asked.
        shown = password if form["show_password"] == "1" else None
        return _sign_in_form(request, identifier=identifier, password_shown=shown)
    errors: Errors = {}
    if not identifier:
        errors["identifier"] = _("Enter your email address or shoulder number")
    if not password:
        errors["password"] = _("Enter your password")
    if errors:
        return _sign_in_form(request, errors=errors, identifier=identifier)
    database = request.app.state.db
    counted = await count_attempt(database, request, identifier)
    if counted is None:
        too_many = _(
            "There have been too many attempts to sign in from this device. Wait 15 minutes and try again."
        )
        return _sign_in_form(request, errors={"identifier": too_many}, identifier=identifier, status=429)
    now = utcnow()
    check = await check_password(request.app.state.hasher, counted, password, now)
    async with database.transaction() as db:
        officer = await record_password_check(db, request, check, now)
        if officer is not None and officer.totp_secret:
            return to_code_step(request, officer)
        if officer is not None:
            return await finish_sign_in(db, request, officer)
    return _sign_in_form(request, errors={"identifier": generic_error()}, identifier=identifier)


async def _pending_officer(db: AsyncSession, request: Request) -> Officer | None:
    """The officer who gave the right password in this browser in the last few minutes."""
    raw = request.cookies.get(pending_cookie_name(request))
    if not raw:
        return None
    value = Signer(request.app.state.settings.secret_key).unsign(
        PENDING_PURPOSE, raw, max_age_seconds=PENDING_SECONDS
    )
    if not isinstance(value, dict) or not isinstance(value.get("o"), int):
        return None
    officer = await db.get(Officer, value["o"])
    if (
        officer is None
        or officer.disabled_at is not None
        or not officer.totp_secret
        or is_locked(officer, utcnow())
        or password_fingerprint(officer) != value.get("f")
    ):
        return None
    return officer


def _code_form(request: Request, *, errors: Errors | None = None, status: int = 200) -> Response:
    return render(request, "officer/sign_in_code.html", {"errors": errors or {}}, status_code=status)


async def code_page(request: Request) -> Response:
    await _with_service_force(request)
    async with request.app.state.db.session() as db:
        if await _pending_officer(db, request) is None:
            return redirect_to(request, "officer_sign_in")
    return _code_form(request)


async def check_code(request: Request) -> Response:
    await _with_service_force(request)
    form = await read_form(request)
    code = totp.normalise_code(form.get("code", ""))
    async with request.app.state.db.transaction() as db:
        officer = await _pending_officer(db, request)
        if officer is None:
            return redirect_to(request, "officer_sign_in")
        if not code:
            return _code_form(request, errors={"code": _("Enter the code from your authenticator app")})
        if len(code) != 6:
            return _code_form(request, errors={"code": _("The code must be 6 digits")})
        # Counted before the code is checked; the count's row stays locked until this transaction
        # ends, so concurrent codes for one officer are checked one after another.
        attempt = await throttle.hit(db, f"officer-code:{officer.id}", window=WINDOW)
        if attempt <= CODE_ATTEMPTS and await _code_accepted(db, officer, code):
            await throttle.reset(db, f"officer-code:{officer.id}")
            return await finish_sign_in(db, request, officer)
        audit.record(db, request, audit_actions.OFFICER_CODE_FAILED, force_id=officer.force_id, actor=officer)
        if attempt >= CODE_ATTEMPTS:
            # The count is not started again here: a code waiting behind this one must not get a
            # fresh try. Its window (15 minutes from the first wrong code) ends before the lock does.
            officer.locked_until = utcnow() + LOCKED_FOR
            response = _sign_in_form(
                request,
                errors={
                    "identifier": _("There were too many wrong codes. Wait 15 minutes, then sign in again.")
                },
            )
            forget_pending(request, response)
            return response
    return _code_form(
        request,
        errors={"code": _("The code is not correct or has expired. Enter the code your app shows now")},
    )


async def _code_accepted(db: AsyncSession, officer: Officer, code: str) -> bool:
    step = totp.matching_step(officer.totp_secret or "", code, utcnow())
    if step is None:
        return False
    # A code works once: its time step is remembered (as a throttle key) for longer than it lives.
    uses = await throttle.hit(db, f"officer-code-used:{officer.id}:{step}", window=dt.timedelta(minutes=3))
    return uses == 1


async def sign_out(request: Request) -> Response:
    async with request.app.state.db.transaction() as db:
        provider_sign_out = await sso.provider_sign_out_url(db, request, await current_session(db, request))
        await end_current_session(db, request)
    if provider_sign_out:
        response = sso.on_to_provider_sign_out(request, provider_sign_out)
    else:
        response = redirect_to(request, "officer_sign_in", query={"signed_out": 1})
    clear_session_cookie(request, response)
    return response


@officer_required()
async def keep_alive(request: Request) -> Response:
    """The idle warning's "Stay signed in": the request itself counts as activity."""
    if request.headers.get("x-csrf-token"):
        return Response(status_code=204)
    return redirect_to(request, "officer_inbox")


routes = [
    Route("/officer/sign-in", sign_in_page, methods=["GET"], name="officer_sign_in"),
    Route("/officer/sign-in", sign_in, methods=["POST"], name="officer_sign_in_post"),
    Route("/officer/sign-in/code", code_page, methods=["GET"], name="officer_sign_in_code"),
    Route("/officer/sign-in/code", check_code, methods=["POST"], name="officer_sign_in_code_post"),
    Route("/officer/sign-out", sign_out, methods=["POST"], name="officer_sign_out"),
    Route("/officer/keep-alive", keep_alive, methods=["POST"], name="officer_keep_alive"),
]
