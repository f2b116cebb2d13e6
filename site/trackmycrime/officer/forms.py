"""Reading officer forms: plain strings in, errors keyed by field out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from ..typed_text import without_invisible_characters

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


@dataclass(frozen=True)
class PageForm:
    """One form on a page: what was typed and what was wrong, empty unless it was the one submitted."""

    errors: Errors = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    submitted: bool = False


NOT_SUBMITTED = PageForm()


@dataclass(frozen=True)
class PartyForms:
    """A form each person on a crime has a copy of (a reply, a helper): only the one submitted has errors."""

    party_id: int | None = None
    submitted: PageForm = NOT_SUBMITTED

    def of(self, party_id: int | None) -> PageForm:
        return self.submitted if party_id == self.party_id else NOT_SUBMITTED


class PageForms:
    """The forms of one page by name (`forms.update`, `forms.reply.of(party_id)`), so a template
    asks its own form for its errors and values instead of checking which form was submitted."""

    def __init__(
        self,
        names: tuple[str, ...],
        per_party: tuple[str, ...] = (),
        *,
        submitted: str = "",
        errors: Errors | None = None,
        values: dict[str, str] | None = None,
        party_id: int | None = None,
    ) -> None:
        if submitted and submitted not in names + per_party:
            raise ValueError(f"no form named {submitted!r} on this page")
        form = PageForm(errors or {}, values or {}, submitted=True)
        self._forms: dict[str, PageForm | PartyForms] = {name: NOT_SUBMITTED for name in names}
        self._forms.update({name: PartyForms() for name in per_party})
        if submitted in per_party:
            self._forms[submitted] = PartyForms(party_id, form)
        elif submitted:
            self._forms[submitted] = form

    def __getattr__(self, name: str) -> PageForm | PartyForms:
        try:
            return self._forms[name]
        except KeyError:
            raise AttributeError(name) from None
