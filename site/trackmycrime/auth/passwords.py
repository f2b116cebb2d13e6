"""Password hashing with argon2id, off the event loop, and the password policy."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..models import Crime, Party

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256

# Above OWASP's minimum for argon2id (19 MiB, t=2, p=1, or 46 MiB, t=1): one hash takes 110-150 ms on
# this project's 2-core machine (bench/signin_cost.py). One lane, so that a hash keeps to one core
# and leaves the others to the site; stored hashes with other parameters are redone at sign-in.
PRODUCTION_HASHER = PasswordHasher(time_cost=2, memory_cost=64 * 1024, parallelism=1)
# Tests and the demo hash many passwords; the scheme is the same, only the cost is lower.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)

# Hashing is CPU-bound and uses every core it is given. At most this many hashes run at once in a
# process, so that a burst of sign-ins queues for the hasher instead of starving every other
# request (and the event loop) of CPU: measured in bench/signin_cost.py.
HASHES_AT_ONCE = max(1, (os.cpu_count() or 2) // 2)
_hashing = threading.BoundedSemaphore(HASHES_AT_ONCE)
Result = TypeVar("Result")


def _in_a_hashing_slot(work: Callable[..., Result], *args: object) -> Result:
    """Runs in a worker thread: waits there for a free hashing slot, not on the event loop."""
    with _hashing:
        return work(*args)


def hasher_for(mode: str) -> PasswordHasher:
    """The hasher a process uses: the full cost in production, the cheap one in development and the demo."""
    return PRODUCTION_HASHER if mode == "production" else FAST_HASHER


def hash_password_now(hasher: PasswordHasher, password: str) -> str:
    return hasher.hash(password)


async def hash_password(hasher: PasswordHasher, password: str) -> str:
    return await anyio.to_thread.run_sync(_in_a_hashing_slot, hasher.hash, password)


# A stored hash to verify against when there is no account, so that the answer takes as long.
_DUMMY_HASH: dict[int, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = id(hasher)
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hasher.hash("no account has this password")
    return _DUMMY_HASH[key]


def _verify(hasher: PasswordHasher, stored_hash: str | None, password: str) -> tuple[bool, bool]:
    if not stored_hash:
        # No password (no account, or an officer never given one): the same work, and never a match,
        # whatever the dummy hash is or the password given.
        try:
            hasher.verify(_dummy_hash(hasher), password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            pass
        return False, False
    try:
        hasher.verify(stored_hash, password)
        return True, hasher.check_needs_rehash(stored_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, False


async def verify_password(
    hasher: PasswordHasher, stored_hash: str | None, password: str
) -> tuple[bool, bool]:
    """(matches, needs_rehash); with no stored hash it does the same work and answers no."""
    checked = password[:MAX_PASSWORD_LENGTH]
    return await anyio.to_thread.run_sync(_in_a_hashing_slot, _verify, hasher, stored_hash, checked)


def party_password_problem(password: str, party: Party, crime: Crime) -> str | None:
    """password_problem for a victim or witness, with what is known about them and their crime."""
    born = birth_date_forms(party.date_of_birth) if party.date_of_birth else ()
    return password_problem(
        password,
        personal_words=(party.surname, party.surname_key, party.forenames),
        context_words=(party.surname, party.surname_key, crime.reference, *born),
    )


@cache
def common_passwords() -> frozenset[str]:
    path = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())


def _squashed(text: str) -> str:
    """Letters and digits only, lower case: "Jordan Smith 1958" and "jordan-smith1958" are alike."""
    return "".join(c for c in text.lower() if c.isalnum())


def birth_date_forms(born: dt.date) -> tuple[str, ...]:
    """A date of birth as people write it in passwords, separators removed."""
    d, m, y = f"{born.day:02d}", f"{born.month:02d}", f"{born.year:04d}"
    return (y, d + m + y, y + m + d, m + d + y, d + m + y[2:], f"{born.day}{born.month}{y}")


def _contains_context(lowered: str, context_words: tuple[str, ...]) -> bool:
    """Whether the password contains one of these (surname, crime reference, date of birth),
    with or without separators; words shorter than 4 letters could be part of anything."""
    squashed = _squashed(lowered)
    return any(len(word) >= 4 and word in squashed for word in map(_squashed, context_words))


def password_problem(
    password: str, *, personal_words: tuple[str, ...] = (), context_words: tuple[str, ...] = ()
) -> str | None:
    """What is wrong with a new password, in words for the person choosing it, or None.

    `personal_words` (a name) may appear in a longer password; `context_words` (surname, crime
    reference, date of birth: what an attacker who knows the crime knows) may not appear at all.
    """
    from ..i18n import gettext as _

    if not password:
        return _("Enter a password")
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Password must be {n} characters or more").format(n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("Password is too long: use up to {n} characters").format(n=MAX_PASSWORD_LENGTH)
    lowered = password.lower()
    if lowered in common_passwords() or _squashed(lowered) in common_passwords() or len(set(lowered)) < 3:
        return _("This password is too common. Choose one that is harder to guess")
    if _contains_context(lowered, context_words):
        return _("Your password must not include your surname, date of birth or crime reference number")
    for word in personal_words:
        if word and len(word) >= 3 and word.lower() in lowered and len(lowered) - len(word) < 6:
            return _("Your password must not be based on your name or crime reference")
    return None
