"""Officer single sign-on with the force's identity provider (OpenID Connect), beside password + code.

The browser goes to the provider with a fresh state, nonce and PKCE verifier (kept in a short-lived
signed cookie), comes back to /officer/sso/callback, and the checked ID token names the officer by
email within the force. Every sign-in and every refusal is audited.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from typing import Any

from argon2 import PasswordHasher
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from .. import audit, audit_actions
from ..auth import oidc, throttle
from ..auth.cookies import cookie_name
from ..auth.sso_sessions import SsoForce, sso_settings
from ..auth.tokens import Signer, random_token, sha256_hex
from ..forces import service_force
from ..i18n import gettext as _
from ..models import Force, ForceSso, Officer, OfficerRole, WebSession, saved_id, utcnow
from ..pages import redirect_to, render
from .accounts import add_officer, normalise_email
from .session_start import (
    SIGNED_IN_PURPOSE,
    SIGNED_IN_SECONDS,
    finish_sign_in,
    signed_in_cookie_name,
    to_code_step,
)

FLOW_PURPOSE = "officer-sso-flow"
FLOW_SECONDS = 10 * 60
# Higher roles first: an officer in several mapped groups gets the highest.
ROLE_ORDER = (OfficerRole.ADMIN, OfficerRole.SUPERVISOR, OfficerRole.OFFICER)


def flow_cookie_name(request: Request) -> str:
    return cookie_name("officer_sso", request.app.state.settings.secure_cookies)


def parse_group_roles(lines: str) -> dict[str, str]:
    """ "GROUP=ROLE" lines as a mapping; a ValueError names the first line that is not one."""
    mapping: dict[str, str] = {}
    for line in lines.splitlines():
        if not line.strip():
            continue
        group, equals, role = line.strip().rpartition("=")
        if not equals or not group.strip() or role.strip() not in OfficerRole.ALL:
            raise ValueError(
                f"{line.strip()!r} is not GROUP=ROLE with a role of {', '.join(OfficerRole.ALL)}"
            )
        mapping[group.strip()] = role.strip()
    return mapping


def role_from_groups(config: ForceSso, groups: Any) -> str | None:
    """The highest role the groups claim maps to, or None when the force maps no groups."""
    mapping = parse_group_roles(config.group_roles)
    if not mapping:
        return None
    members = {str(group) for group in groups} if isinstance(groups, list) else set()
    granted = {role for group, role in mapping.items() if group in members}
    return next((role for role in ROLE_ORDER if role in granted), OfficerRole.OFFICER)


async def sso_forces(db: AsyncSession) -> list[SsoForce]:
    rows = await db.exec(
        select(Force, ForceSso)
        .join(ForceSso, col(ForceSso.force_id) == col(Force.id))
        .order_by(col(Force.name))
    )
    return [SsoForce(force, config) for force, config in rows.all()]


async def configure(
    db: AsyncSession,
    force: Force,
    *,
    issuer: str,
    client_id: str,
    client_secret_file: str,
    tenant: str = "",
    email_claim: str = "email",
    group_roles: list[str] | None = None,
    create_accounts: bool = False,
    provider_enforces_mfa: bool = False,
) -> ForceSso:
    """Set (or replace) a force's single sign-on; what `tmc force sso` calls."""
    if not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ValueError("the issuer must be an https:// address")
    group_lines = "\n".join(group_roles or [])
    parse_group_roles(group_lines)
    config = (await db.exec(select(ForceSso).where(col(ForceSso.force_id) == force.id))).first()
    if config is None:
        config = ForceSso(force_id=saved_id(force), issuer="", client_id="")
    config.issuer, config.client_id = issuer.strip().rstrip("/"), client_id.strip()
    config.client_secret_file, config.tenant = client_secret_file, tenant.strip()
    config.email_claim = email_claim.strip() or "email"
    config.group_roles, config.create_accounts = group_lines, create_accounts
    config.provider_enforces_mfa, config.updated_at = provider_enforces_mfa, utcnow()
    db.add(config)
    await db.flush()
    return config


# ---------------------------------------------------------------- the pages


def _refused(request: Request, message: str, status: int = 403) -> Response:
    response = render(request, "officer/sso_refused.html", {"message": message}, status_code=status)
    response.delete_cookie(flow_cookie_name(request), path="/")
    return response


def _could_not_sign_in() -> str:
    return _(
        "Your force account could not be used to sign in here. Try again, or sign in with your "
        "email address and password. If it keeps happening, ask your force's TrackMyCrime administrator."
    )


async def start(request: Request) -> Response:
    """The "Sign in with your force account" link: off to the provider with state, nonce and PKCE."""
    async with request.app.state.db.session() as db:
        choices = await sso_forces(db)
    code = request.query_params.get("force", "").strip().upper()
    chosen = [choice for choice in choices if choice.force.code == code or (not code and len(choices) == 1)]
    if len(chosen) != 1:
        return redirect_to(request, "officer_sign_in")
    sso = chosen[0]
    settings = request.app.state.settings
    try:
        provider = await oidc.discover(sso.config.issuer)
    except oidc.SsoError as error:
        async with request.app.state.db.transaction() as db:
            audit.record(
                db, request, audit_actions.OFFICER_SSO_REFUSED, force_id=sso.force.id, detail=str(error)
            )
        return _refused(request, _could_not_sign_in(), status=502)
    outgoing = oidc.authorisation_request(
        provider, sso.config.client_id, oidc.redirect_uri(settings.base_url)
    )
    flow = {"f": sso.force.id, "s": outgoing.state, "n": outgoing.nonce, "v": outgoing.code_verifier}
    response = RedirectResponse(outgoing.url, status_code=303)
    response.set_cookie(
        flow_cookie_name(request),
        Signer(settings.secret_key).sign(FLOW_PURPOSE, flow),
        max_age=FLOW_SECONDS,
        httponly=True,
        samesite="lax",  # the provider sends the browser back with a top-level GET
        secure=settings.secure_cookies,
        path="/",
    )
    return response


async def callback(request: Request) -> Response:
    settings = request.app.state.settings
    database = request.app.state.db
    async with database.session() as db:
        request.state.force = await service_force(db)  # the refusal page's title names it
    raw = request.cookies.get(flow_cookie_name(request), "")
    flow = (
        Signer(settings.secret_key).unsign(FLOW_PURPOSE, raw, max_age_seconds=FLOW_SECONDS) if raw else None
    )
    state = request.query_params.get("state", "")
    if not isinstance(flow, dict) or not state or not secrets.compare_digest(str(flow.get("s", "")), state):
        return await _refuse(request, None, "state missing or not this browser's", _start_again(), status=400)
    async with database.transaction() as db:
        # A state works once, like a two-step code: remembered (as a throttle key) past its lifetime.
        uses = await throttle.hit(
            db, f"officer-sso-state:{sha256_hex(state)}", window=dt.timedelta(minutes=15)
        )
        sso = await sso_settings(db, flow.get("f"))
    if uses != 1 or sso is None:
        return await _refuse(request, flow.get("f"), "state already used", _start_again(), status=400)
    if request.query_params.get("error"):
        reason = f"the provider refused: {request.query_params['error'][:100]}"
        return await _refuse(request, sso.force.id, reason, _could_not_sign_in())
    try:
        provider = await oidc.discover(sso.config.issuer)
        tokens = await oidc.exchange_code(
            provider,
            sso.config,
            oidc.client_secret(sso.config, sso.force.code),
            code=request.query_params.get("code", ""),
            verifier=str(flow.get("v", "")),
            nonce=str(flow.get("n", "")),
            redirect_to=oidc.redirect_uri(settings.base_url),
        )
    except oidc.SsoError as error:
        return await _refuse(request, sso.force.id, str(error), _could_not_sign_in())
    return await _sign_in(request, sso, tokens)


def _start_again() -> str:
    return _("Your sign-in took too long or was already used. Go back to the sign-in page and try again.")


async def _refuse(
    request: Request,
    force_id: Any,
    reason: str,
    message: str,
    *,
    status: int = 403,
    officer: Officer | None = None,
) -> Response:
    async with request.app.state.db.transaction() as db:
        audit.record(
            db,
            request,
            audit_actions.OFFICER_SSO_REFUSED,
            force_id=force_id if isinstance(force_id, int) else None,
            actor=officer,
            detail=reason,
        )
    return _refused(request, message, status)


async def _sign_in(request: Request, sso: SsoForce, tokens: oidc.Tokens) -> Response:
    email = tokens.claims.get(sso.config.email_claim)
    if not isinstance(email, str) or "@" not in email:
        reason = f"the ID token has no email in the claim {sso.config.email_claim!r}"
        return await _refuse(request, sso.force.id, reason, _could_not_sign_in())
    role = role_from_groups(sso.config, tokens.claims.get("groups"))
    async with request.app.state.db.transaction() as db:
        officer = await _matching_officer(
            db, request.app.state.hasher, sso, normalise_email(email), tokens.claims, role
        )
        if officer is None:
            message = _(
                "There is no TrackMyCrime account for your force account. Ask your force's "
                "TrackMyCrime administrator to add you."
            )
            return await _refuse(request, sso.force.id, f"no account for {normalise_email(email)}", message)
        if officer.disabled_at is not None:
            return await _refuse(
                request, sso.force.id, "account disabled here", _could_not_sign_in(), officer=officer
            )
        provider_mfa = sso.config.provider_enforces_mfa or "mfa" in (tokens.claims.get("amr") or [])
        audit.record(
            db,
            request,
            audit_actions.OFFICER_SSO_SIGN_IN,
            force_id=saved_id(sso.force),
            actor=officer,
            detail=f"second factor by the provider: {'yes' if provider_mfa else 'no'}",
        )
        signed_in = {
            "o": officer.id,
            "f": sso.force.id,
            "sub": str(tokens.claims["sub"]),
            "exp": int(tokens.claims["exp"]),
            "rt": oidc.seal(request.app.state.settings.secret_key, tokens.refresh_token or ""),
            "mfa": provider_mfa,
        }
        if provider_mfa or not officer.totp_secret:
            request.state.sso_signed_in = signed_in
            response = await finish_sign_in(db, request, officer)
        else:
            response = to_code_step(request, officer)
            response.set_cookie(
                signed_in_cookie_name(request),
                Signer(request.app.state.settings.secret_key).sign(SIGNED_IN_PURPOSE, signed_in),
                max_age=SIGNED_IN_SECONDS,
                httponly=True,
                samesite="lax",
                secure=request.app.state.settings.secure_cookies,
                path="/",
            )
    response.delete_cookie(flow_cookie_name(request), path="/")
    return response


async def _matching_officer(
    db: AsyncSession,
    hasher: PasswordHasher,
    sso: SsoForce,
    email: str,
    claims: dict[str, Any],
    role: str | None,
) -> Officer | None:
    """The force's officer with this email (role kept in step with the groups), or a new one."""
    officer = (
        await db.exec(
            select(Officer).where(col(Officer.force_id) == sso.force.id, col(Officer.email) == email)
        )
    ).first()
    if officer is not None:
        if role is not None and officer.role != role and officer.disabled_at is None:
            audit.record(
                db,
                None,
                audit_actions.OFFICER_SSO_ROLE_CHANGED,
                force_id=sso.force.id,
                actor=officer,
                detail=role,
            )
            officer.role = role
        return officer
    if not sso.config.create_accounts:
        return None
    name = claims.get("name") if isinstance(claims.get("name"), str) else email
    # No password is ever told to anyone: the account is for single sign-on.
    return await add_officer(
        db,
        hasher=hasher,
        force_id=saved_id(sso.force),
        email=email,
        name=str(name)[:200],
        password=random_token(),
        role=role or OfficerRole.OFFICER,
    )


async def provider_sign_out_url(
    db: AsyncSession, request: Request, web_session: WebSession | None
) -> str | None:
    """Single sign-out: where to send the browser after our session ends, for an SSO session."""
    if web_session is None or web_session.sso_force_id is None:
        return None
    sso = await sso_settings(db, web_session.sso_force_id)
    if sso is None:
        return None
    request.state.force = await service_force(db)  # the page on the way there names it
    try:
        provider = await oidc.discover(sso.config.issuer)
    except oidc.SsoError:
        return None
    return_to = f"{request.app.state.settings.base_url.rstrip('/')}/officer/sign-in?signed_out=1"
    return oidc.sign_out_url(provider, sso.config.client_id, return_to)


def on_to_provider_sign_out(request: Request, url: str) -> Response:
    """Signed out here; the browser goes on to the provider's sign-out. Not a redirect: the
    Content-Security-Policy's form-action 'self' would stop the sign-out form's navigation
    there, so the page says where it is going and a Refresh header (or the link) takes it."""
    return render(
        request,
        "officer/sso_signed_out.html",
        {"provider_sign_out": url},
        headers={"Refresh": f"0; url={url}"},
    )


async def sign_in_choices(db: AsyncSession) -> list[dict[str, str]]:
    """The "Sign in with your force account" links the officer sign-in page offers."""
    choices = await sso_forces(db)
    return [
        {"href": f"/officer/sso/start?force={choice.force.code}", "force_name": choice.force.name}
        for choice in choices
    ]


async def admin_summary(db: AsyncSession, request: Request) -> dict[str, Any] | None:
    """The force's single sign-on settings as its admin sees them: where the secret is, never it."""
    sso = await sso_settings(db, request.state.officer.force_id)
    if sso is None:
        return None
    config, base_url = sso.config, request.app.state.settings.base_url.rstrip("/")
    variable = oidc.secret_variable(sso.force.code)
    if os.environ.get(variable, "").strip():
        secret_kept = _("In the environment variable {name}").format(name=variable)
    else:
        secret_kept = _("In the file {path} on the server").format(path=config.client_secret_file)
    return {
        "config": config,
        "secret_kept": secret_kept,
        "group_roles": parse_group_roles(config.group_roles),
        "redirect_uri": oidc.redirect_uri(base_url),
        "sign_out_return": f"{base_url}/officer/sign-in?signed_out=1",
    }


routes = [
    Route("/officer/sso/start", start, methods=["GET"], name="officer_sso_start"),
    Route("/officer/sso/callback", callback, methods=["GET"], name="officer_sso_callback"),
]
