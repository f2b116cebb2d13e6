"""Records-system API keys: shown once, stored only as a hash, revocable."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import bindparam, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from ..database import columns_loaded_as, first_row
from ..models import Agency, ApiKey, Force, utcnow
from .tokens import sha256_hex

KEY_PREFIX = "tmc_"
MAX_KEY_LENGTH = 200
# Recording every use would be a write per request; once a minute says enough.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def new_key_text() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


async def create_api_key(
    db: AsyncSession, *, force_id: int, label: str = "", agency: str = Agency.POLICE
) -> tuple[ApiKey, str]:
    """A new key row and the key itself, which is never stored and cannot be shown again.

    `agency` is whose system holds it (police, witness_care_unit, cps): named beside what it sends.
    """
    if agency not in Agency.ALL:
        raise ValueError(f"unknown agency {agency!r}: use one of {', '.join(Agency.ALL)}")
    key_text = new_key_text()
    api_key = ApiKey(force_id=force_id, label=label[:100], agency=agency, key_hash=sha256_hex(key_text))
    db.add(api_key)
    await db.flush()
    return api_key, key_text


def bearer_key(authorization: str | None) -> str | None:
    """The key from an `Authorization: Bearer <key>` header, or None."""
    scheme, _, key = (authorization or "").strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key or len(key) > MAX_KEY_LENGTH:
        return None
    return key


# Every records-system request checks its key: built once, and read as columns made into detached
# objects, since the ORM's statement building and entity loading cost more than the statement.
_KEY_LOADER, _FORCE_LOADER = columns_loaded_as(ApiKey, Force)
_ACTIVE_KEY = (
    sa_select(*_KEY_LOADER.columns, *_FORCE_LOADER.columns)
    .join(Force, col(Force.id) == col(ApiKey.force_id))
    .where(col(ApiKey.key_hash) == bindparam("key_hash"), col(ApiKey.revoked_at).is_(None))
)


async def active_key(connection: AsyncConnection, key_text: str) -> tuple[ApiKey, Force] | None:
    """The unrevoked key with this text and its force; found by hash, so timing reveals nothing.

    Detached objects (not in any session), read on the connection of the caller's transaction.
    """
    row = await first_row(connection, _ACTIVE_KEY, {"key_hash": sha256_hex(key_text)})
    return (_KEY_LOADER.make(row), _FORCE_LOADER.make(row)) if row else None


def needs_last_used_update(api_key: ApiKey, now: dt.datetime) -> bool:
    return api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION


async def record_key_use(db: AsyncSession, api_key_id: int, now: dt.datetime) -> None:
    """Set last_used_at, at most once per LAST_USED_RESOLUTION, whatever other requests do meanwhile."""
    await db.exec(
        update(ApiKey)
        .where(
            col(ApiKey.id) == api_key_id,
            or_(col(ApiKey.last_used_at).is_(None), col(ApiKey.last_used_at) <= now - LAST_USED_RESOLUTION),
        )
        .values(last_used_at=now)
    )


async def revoke_api_key(db: AsyncSession, api_key: ApiKey) -> None:
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
        db.add(api_key)
        await db.flush()
