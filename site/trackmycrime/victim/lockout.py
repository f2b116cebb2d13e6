"""Locking out repeated wrong sign-ins, the same way whether or not the account exists.

Failures are counted per set of sign-in details (force, crime reference, surname, date of birth)
in the Throttle table, not on a Party row, so that an attacker sees the same lock for someone who
has an account and someone who does not. The Party row mirrors the lock for officers to see.
Clients are limited too, by address, across all the details they try.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import throttle
from ..auth.tokens import sha256_hex
from ..models import Crime, Party, Throttle, utcnow

LOCK_AFTER_FAILURES = 5
LOCK_FOR = dt.timedelta(minutes=30)
CLIENT_FAILURE_LIMIT = 20
CLIENT_WINDOW = dt.timedelta(minutes=30)


def details_key(
    force_id: int,
    reference_key: str,
    surname_key: str,
    date_of_birth: dt.date,
    *,
    purpose: str = "victim-sign-in",
) -> str:
    """The throttle key of one set of sign-in details, hashed so the table holds no personal data."""
    details = f"{force_id}|{reference_key}|{surname_key}|{date_of_birth.isoformat()}"
    return f"{purpose}:details:{sha256_hex(details)}"


def party_details_key(party: Party, crime: Crime) -> str:
    assert party.date_of_birth is not None
    return details_key(crime.force_id, crime.reference_key, party.surname_key, party.date_of_birth)


def client_key(address: str) -> str:
    return f"victim-sign-in:client:{address or 'unknown'}"


async def is_locked(db: AsyncSession, key: str) -> bool:
    return await throttle.is_limited(db, key, limit=LOCK_AFTER_FAILURES, window=LOCK_FOR)


async def client_is_limited(db: AsyncSession, address: str) -> bool:
    return await throttle.is_limited(
        db, client_key(address), limit=CLIENT_FAILURE_LIMIT, window=CLIENT_WINDOW
    )


async def count_failure(db: AsyncSession, key: str, address: str) -> dt.datetime | None:
    """Count a wrong sign-in; when it is the one that locks the details, the time the lock ends."""
    await throttle.hit(db, client_key(address), window=CLIENT_WINDOW)
    failures = await throttle.hit(db, key, window=LOCK_FOR)
    if failures != LOCK_AFTER_FAILURES:
        return None
    # The lock runs for its full length from the failure that caused it, not from the first one.
    row = (await db.exec(select(Throttle).where(Throttle.key == key))).one()
    row.window_started_at = utcnow()
    db.add(row)
    return row.window_started_at + LOCK_FOR


async def forget_failures(db: AsyncSession, key: str) -> None:
    await throttle.reset(db, key)


async def unlock(db: AsyncSession, party: Party, crime: Crime) -> None:
    """Let a party try again at once (after a password reset, or when an officer unlocks them)."""
    if party.date_of_birth is not None:
        await throttle.reset(db, party_details_key(party, crime))
    party.failed_sign_ins = 0
    party.locked_until = None
    db.add(party)
