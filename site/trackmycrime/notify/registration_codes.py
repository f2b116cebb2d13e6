"""Registration codes made when a text or letter invitation is sent: shown once, kept only as a hash."""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from ..auth.links import (
    format_registration_code,
    new_registration_code,
    normalise_registration_code,
    registration_code_expiry,
)
from ..auth.passwords import hash_password
from ..models import Party

PARTY = Party.__table__  # type: ignore[attr-defined]


async def fresh_registration_code(engine: AsyncEngine, hasher: PasswordHasher, party_id: int) -> str | None:
    """A new code for a party not yet registered (any earlier code stops working); None if registered."""
    code = new_registration_code()
    hashed = await hash_password(hasher, normalise_registration_code(code))
    async with engine.begin() as connection:
        result = await connection.execute(
            update(PARTY)
            .where(PARTY.c.id == party_id, PARTY.c.password_hash.is_(None))
            .values(registration_code_hash=hashed, registration_code_expires_at=registration_code_expiry())
        )
    return format_registration_code(code) if result.rowcount == 1 else None
