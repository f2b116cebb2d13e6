"""How parties are matched at sign-in: surnames and crime references, forgivingly."""

from __future__ import annotations

import re
import unicodedata


def surname_key(surname: str) -> str:
    """'  O’Brien ' and 'o'brien' and 'OBRIEN' do not all match; 'Zoë' and 'zoe' do."""
    decomposed = unicodedata.normalize("NFKD", surname.strip().casefold())
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    without_accents = without_accents.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", without_accents)


def reference_key(reference: str) -> str:
    """Crime references ignore case, spaces and separators: 'as/2026/123' == 'AS 2026 123'."""
    return re.sub(r"[^0-9A-Z]", "", reference.upper())
