"""Keeping secrets out of the logs: invitation and reset tokens in request paths are redacted.

A token in a path is as good as a password until it is used; an access log is read by more
people, and kept longer, than the database.
"""

from __future__ import annotations

import logging
import re

# Paths whose last segment is a signed single-use token (victim/routes.py).
TOKEN_PATH = re.compile(r"(/(?:register|reset-password)/)[^/?#\s\"]+")
REDACTED = r"\1[token]"


def redact(text: str) -> str:
    return TOKEN_PATH.sub(REDACTED, text)


class RedactTokens(logging.Filter):
    """Rewrites a record's message and arguments (uvicorn's access log passes the path as one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def redact_tokens_in_logs() -> None:
    """Install the filter on the access and error logs of uvicorn; installing it twice is harmless."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
