"""Reading a posted form, for the officer and victim pages: plain strings in, errors keyed by field out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request

from .typed_text import without_invisible_characters

Errors = dict[str, str]
MAX_FIELD_LENGTH = 20_000


async def read_form(request: Request) -> dict[str, str]:
    """The submitted fields as strings (the first of repeated names); files are ignored."""
    try:
        form = await request.form(max_files=0, max_fields=300)
    except Exception:  # noqa: BLE001 - a malformed body reads as an empty form, never a 500
        return {}
    values: dict[str, str] = {}
    for name, value in form.multi_items():
        if isinstance(value, str) and name not in values:
            values[name] = without_control_characters(value.replace("\r\n", "\n"))[:MAX_FIELD_LENGTH]
    return values


def without_control_characters(text: str) -> str:
    """Text as typed, less control and invisible formatting characters (typed_text.py)."""
    return without_invisible_characters(text)


def whole_number(raw: str) -> int | None:
    """A whole number typed with the digits 0 to 9 (not '²' or '٣', which str.isdigit allows)."""
    raw = raw.strip()
    if not raw or not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        return None
    return int(raw)


def query_value(request: Request, name: str, *, max_length: int = 100) -> str:
    return without_control_characters(request.query_params.get(name, "")).strip()[:max_length]


def date_from_parts(values: dict[str, Any], name: str) -> tuple[dt.date | None, str | None]:
    """A date from NAME-day/-month/-year; (None, None) when all three are empty."""
    parts = [str(values.get(f"{name}-{part}", "")).strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None, None
    if not all(parts):
        return None, "incomplete"
    numbers = [whole_number(p) for p in parts]
    if any(n is None for n in numbers):
        return None, "invalid"
    day, month, year = numbers
    assert day is not None and month is not None and year is not None
    if year < 1000:
        return None, "invalid"
    try:
        return dt.date(year, month, day), None
    except ValueError:
        return None, "invalid"
