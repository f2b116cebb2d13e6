"""Time-based one-time codes (RFC 6238) for officers: secrets, QR codes and checking a code."""

from __future__ import annotations

import datetime as dt

import pyotp
import segno

ISSUER = "TrackMyCrime"
# One step either side of now, for clocks a little out and codes typed as they change.
ALLOWED_DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_code_data_uri(uri: str) -> str:
    """An SVG QR code as a data: URI (our Content-Security-Policy allows data: images)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=4, dark="#0b0c0c", light="#ffffff"))


def secret_for_typing(secret: str) -> str:
    """'JBSW Y3DP EHPK 3PXP': groups of four, as authenticator apps accept them."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise_code(code: str) -> str:
    return "".join(c for c in code if c in "0123456789")


def matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    """The time step the code belongs to (so the caller can refuse it a second time), or None."""
    code = normalise_code(code)
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for offset in range(-ALLOWED_DRIFT_STEPS, ALLOWED_DRIFT_STEPS + 1):
        step = current + offset
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def code_at(secret: str, when: dt.datetime) -> str:
    """The code an authenticator app shows at `when` (for tests and the demo)."""
    return pyotp.TOTP(secret).at(when)
