"""Locking out repeated wrong sign-ins, the same way whether or not the account exists.

Failures are counted per set of sign-in details (force, crime reference, surname, date of birth)
in the Throttle table, not on a Party row, so that an attacker sees the same lock for someone who
has an account and someone who does not. The Party row mirrors the lock for officers to see.
Clients are limited too, by address, across all the details they try.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import throttle
from ..auth.tokens import sha256_hex
from ..database import Database
from ..models import Crime, Party

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


async def count_attempt(database: Database, key: str, address: str) -> int | None:
    """Count an attempt on these details and from this client before its password is checked.

    Returns the attempt's number on these details, or None when either count is over its limit:
    then the password must not be checked at all. Counting first, atomically, is what keeps a
    burst of simultaneous guesses to the limit.
    """
    async with database.transaction() as db:
        from_client = await throttle.hit(db, client_key(address), window=CLIENT_WINDOW)
        on_details = await throttle.hit(db, key, window=LOCK_FOR)
    if from_client > CLIENT_FAILURE_LIMIT or on_details > LOCK_AFTER_FAILURES:
        return None
    return on_details


async def note_failure(db: AsyncSession, key: str, attempt: int) -> dt.datetime | None:
    """After a wrong password: when this attempt was the last allowed, the time the lock ends."""
    if attempt != LOCK_AFTER_FAILURES:
        return None
    # The lock runs for its full length from the failure that set it, not from the first attempt.
    return await throttle.restart_window(db, key) + LOCK_FOR


async def forget_attempts(db: AsyncSession, key: str, address: str) -> None:
    """After the right password: these details start again, and the client gets its attempt back."""
    await throttle.reset(db, key)
    await throttle.give_back(db, client_key(address))


async def unlock(db: AsyncSession, party: Party, crime: Crime) -> None:
    """Let a party try again at once (after a password reset, or when an officer unlocks them)."""
    if party.date_of_birth is not None:
        await throttle.reset(db, party_details_key(party, crime))
    party.failed_sign_ins = 0
    party.locked_until = None
    db.add(party)
