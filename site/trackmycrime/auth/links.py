"""Single-use, expiring links and codes that let a party register or reset their password.

A link is signed for one purpose and carries a fingerprint of the party's current password hash
and contact details, so it dies as soon as it is used (registering or resetting changes the hash)
or the records system corrects the address it was sent to. Registration codes
for parties without email are random, stored only as an argon2 hash, and expire.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher

from ..models import Party, utcnow
from ..settings import Settings
from .passwords import hash_password
from .tokens import INVITATION, PASSWORD_RESET, Signer

RESET_LINK_HOURS = 2
REGISTRATION_CODE_DAYS = 14
# No 0/O or 1/I/L: the code is read out on the phone or printed in a letter.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def _password_fingerprint(party: Party) -> str:
    held = f"{party.password_hash or 'unregistered'}|{party.email}|{party.mobile}"
    return hashlib.sha256(held.encode()).hexdigest()[:16]


def _token(settings: Settings, purpose: str, party: Party) -> str:
    return Signer(settings.secret_key).sign(purpose, {"p": party.id, "f": _password_fingerprint(party)})


def invitation_url(settings: Settings, party: Party) -> str:
    return f"{settings.base_url}/register/{_token(settings, INVITATION, party)}"


def password_reset_url(settings: Settings, party: Party) -> str:
    return f"{settings.base_url}/reset-password/{_token(settings, PASSWORD_RESET, party)}"


def party_id_from_link(settings: Settings, purpose: str, token: str) -> tuple[int, str] | None:
    """(party id, password fingerprint) from a valid, unexpired link; None otherwise."""
    max_age = settings.invitation_days * 86400 if purpose == INVITATION else RESET_LINK_HOURS * 3600
    value = Signer(settings.secret_key).unsign(purpose, token, max_age_seconds=max_age)
    if not isinstance(value, dict) or not isinstance(value.get("p"), int):
        return None
    return value["p"], str(value.get("f", ""))


def link_still_valid(party: Party, fingerprint: str) -> bool:
    """False once the link has been used: registering or resetting changed the password hash."""
    return secrets.compare_digest(_password_fingerprint(party), fingerprint)


def new_registration_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def registration_code_lookup(secret_key: str, code: str) -> str:
    """A keyed fingerprint of a normalised code: finds its holder without trying every code's hash."""
    return hmac.new(secret_key.encode(), b"registration-code|" + code.encode(), hashlib.sha256).hexdigest()


async def new_code_for(party: Party, secret_key: str, hasher: PasswordHasher) -> str:
    """A new code for the party, to be shown once (any earlier code stops working): only its hash
    and keyed fingerprint are kept."""
    code = new_registration_code()
    party.registration_code_hash = await hash_password(hasher, code)
    party.registration_code_lookup = registration_code_lookup(secret_key, code)
    party.registration_code_expires_at = registration_code_expiry()
    return code


def normalise_registration_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def registration_code_expiry() -> dt.datetime:
    return utcnow() + dt.timedelta(days=REGISTRATION_CODE_DAYS)


def format_registration_code(code: str) -> str:
    """'ABCD-EFGH-JK': easier to read out and type."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
