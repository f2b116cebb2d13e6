"""Signed, expiring tokens; one salt per purpose so that no token stands in for another."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION = "session"
CSRF = "csrf"
INVITATION = "invitation"
PASSWORD_RESET = "password-reset"  # noqa: S105 - a token purpose, not a password


def random_token() -> str:
    return secrets.token_urlsafe(32)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


@functools.lru_cache(maxsize=32)
def _serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    """Made once per key and purpose: making one (it tries its JSON on an empty dict, and builds
    its signer) cost as much CPU as checking a signature, on every signed-in request."""
    return URLSafeTimedSerializer(secret_key, salt=f"trackmycrime.{purpose}")


class Signer:
    def __init__(self, secret_key: str) -> None:
        self._secret_key = secret_key

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        return _serializer(self._secret_key, purpose)

    def sign(self, purpose: str, value: Any) -> str:
        return str(self._serializer(purpose).dumps(value))

    def unsign(self, purpose: str, token: str, *, max_age_seconds: int) -> Any | None:
        """The signed value, or None if the token is forged, for another purpose, or too old."""
        found = self.unsign_with_time(purpose, token, max_age_seconds=max_age_seconds)
        return None if found is None else found[0]

    def unsign_with_time(self, purpose: str, token: str, *, max_age_seconds: int) -> tuple[Any, float] | None:
        """As unsign, with when the token was signed (seconds since the epoch)."""
        try:
            serializer = self._serializer(purpose)
            value, signed_at = serializer.loads(token, max_age=max_age_seconds, return_timestamp=True)
        except BadSignature:
            return None
        return value, signed_at.timestamp()

    def mac(self, purpose: str, value: str) -> str:
        return hmac.digest(_mac_key(self._secret_key, purpose), value.encode(), "sha256").hex()


@functools.lru_cache(maxsize=32)
def _mac_key(secret_key: str, purpose: str) -> bytes:
    """Derived once per key and purpose: the CSRF check makes a MAC on every request."""
    return hashlib.sha256(f"{purpose}:{secret_key}".encode()).digest()
