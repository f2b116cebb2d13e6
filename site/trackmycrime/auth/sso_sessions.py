"""Sessions started by single sign-on: they last as long as the force's identity provider still
accepts the account, asked again (refresh token) each time the ID token the session holds expires."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request

from .. import audit, audit_actions
from ..models import Force, ForceSso, Officer, WebSession
from . import oidc


@dataclass(frozen=True)
class SsoForce:
    force: Force
    config: ForceSso


async def sso_settings(db: AsyncSession, force_id: Any) -> SsoForce | None:
    if not isinstance(force_id, int):
        return None
    row = (
        await db.exec(
            select(Force, ForceSso)
            .join(ForceSso, col(ForceSso.force_id) == col(Force.id))
            .where(col(Force.id) == force_id)
        )
    ).first()
    return SsoForce(*row) if row else None


async def still_accepted(request: Request, web_session: WebSession, now: dt.datetime) -> bool:
    """Whether a session may go on: once its ID token has expired, the provider is asked again
    (refresh token) and the session ends if it no longer accepts the account, or cannot say so."""
    if web_session.sso_expires_at is None or web_session.sso_expires_at > now:
        return True
    secret_key = request.app.state.settings.secret_key
    async with request.app.state.db.transaction() as db:
        # Locked, so that of two requests arriving at expiry only one uses the refresh token.
        fresh = (
            await db.exec(select(WebSession).where(col(WebSession.id) == web_session.id).with_for_update())
        ).one()
        if fresh.ended_at is not None:
            return False
        if fresh.sso_expires_at is not None and fresh.sso_expires_at > now:
            return True
        sso = await sso_settings(db, fresh.sso_force_id)
        refresh_token = oidc.unseal(secret_key, fresh.sso_refresh_token)
        try:
            if sso is None or not refresh_token:
                raise oidc.SsoError("no single sign-on settings or refresh token for this session")
            provider = await oidc.discover(sso.config.issuer)
            secret = oidc.client_secret(sso.config, sso.force.code)
            tokens = await oidc.refresh(provider, sso.config, secret, refresh_token, fresh.sso_subject)
        except oidc.SsoError as error:
            fresh.ended_at = now
            officer = await db.get(Officer, fresh.officer_id)
            force_id = officer.force_id if officer else None
            audit.record(
                db,
                request,
                audit_actions.OFFICER_SSO_SESSION_ENDED,
                force_id=force_id,
                actor=officer,
                detail=str(error),
            )
            return False
        fresh.sso_expires_at = tokens.expires_at
        fresh.sso_refresh_token = oidc.seal(secret_key, tokens.refresh_token or "")
    return True
