"""How a send can fail: for good, for now, or because the provider cannot be reached at all."""

from __future__ import annotations

MAX_REASON_LENGTH = 500


class SendFailure(Exception):
    """A send did not happen; `reason` is one line that a force admin can read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = " ".join(reason.split())[:MAX_REASON_LENGTH]


class PermanentFailure(SendFailure):
    """Trying again will not help (the recipient was refused, the number is not valid)."""


class TemporaryFailure(SendFailure):
    """Try this message again later (the server said so, or timed out)."""


class ProviderUnavailable(TemporaryFailure):
    """The mail server or gateway cannot be reached or refuses us: pause the channel, not just the row."""
