"""Records-system API keys: shown once, stored only as a hash, revocable."""

from __future__ import annotations

import secrets

from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth.tokens import sha256_hex
from ..models import ApiKey

KEY_PREFIX = "tmc_"


def new_key_text() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


async def create_api_key(db: AsyncSession, *, force_id: int, label: str = "") -> tuple[ApiKey, str]:
    """A new key row and the key itself, which is never stored and cannot be shown again."""
    key_text = new_key_text()
    api_key = ApiKey(force_id=force_id, label=label[:100], key_hash=sha256_hex(key_text))
    db.add(api_key)
    await db.flush()
    return api_key, key_text
