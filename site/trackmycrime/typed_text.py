"""What is kept of text people type: no control characters and no invisible formatting ones.

Control characters cannot be typed (and PostgreSQL refuses NUL). Zero-width and bidirectional
formatting characters (Unicode category Cf: U+200B-U+200F, U+202A-U+202E, U+2066-U+2069, U+FEFF
and the like) are invisible, so a name or message could read differently from what it is, as
GOV.UK Notify found with its templates; they are removed, as Notify does.
"""

from __future__ import annotations

import unicodedata


def without_invisible_characters(text: str, *, keep: str = "\n\t") -> str:
    if text.isprintable() and text.isascii():
        return text
    return "".join(c for c in text if c in keep or unicodedata.category(c) not in ("Cc", "Cf"))
