"""Translations (gettext via Babel catalogues) and dates and numbers in the reader's language."""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_time, get_month_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from .paths import LOCALE_DIR

LONDON = ZoneInfo("Europe/London")
SUPPORTED_LANGUAGES = ("en", "cy", "pl")
LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg", "pl": "Polski"}
DEFAULT_LANGUAGE = "en"

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The catalogue for a language, compiled in memory from locale/<lang>/LC_MESSAGES/*.po."""
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po_path.is_file():
        return _gettext.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Words and dates in `language` for the length of the block (an alert, a standard update)."""
    token = current_language.set(language)
    try:
        yield
    finally:
        current_language.reset(token)


def choose_language(requested: str | None) -> str:
    if requested:
        short = requested.split("-")[0].strip().lower()
        if short in SUPPORTED_LANGUAGES:
            return short
    return DEFAULT_LANGUAGE


def gettext(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)


# Pages show dozens of dates each, so the locale and its month names are looked up once per
# language: formatting through Babel's pattern machinery each time was a fifth of the case page.
@cache
def _locale_for(language: str) -> Locale:
    return Locale.parse(language)


@cache
def _month_names(language: str) -> dict[int, str]:
    return dict(get_month_names("wide", context="format", locale=_locale_for(language)).items())


def _locale() -> Locale:
    return _locale_for(current_language.get())


def _day_month_year(value: dt.date) -> str:
    """Babel's 'd MMMM y' (e.g. '5 Tachwedd 2026' in Welsh), without parsing the pattern each time."""
    return f"{value.day} {_month_names(current_language.get())[value.month]} {value.year}"


def date_in_words(value: dt.date | dt.datetime | None) -> str:
    """'26 November 2026', in London time for moments."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(LONDON).date()
    return _day_month_year(value)


def datetime_in_words(value: dt.datetime | None) -> str:
    """'26 November 2026 at 2:05pm', in London time."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    day = _day_month_year(local.date())
    if current_language.get() == "en":
        time = local.strftime("%-I:%M%p").lower()
    else:
        time = format_time(local, format="short", locale=_locale())
    return gettext("{day} at {time}").format(day=day, time=time)


def iso_datetime(value: dt.datetime | None) -> str:
    """For datetime="" attributes: '2026-07-29T01:30:05+01:00', 'Z' for UTC (and for naive values)."""
    if value is None:
        return ""
    text = value.replace(tzinfo=None).isoformat(timespec="seconds")
    offset = value.utcoffset()
    if not offset:
        return text + "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{text}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def number(value: float | int) -> str:
    return format_decimal(value, locale=_locale())


def plural_forms(counted: Callable[[int], str]) -> dict[str, str]:
    """`counted(n)` (an ngettext call) for each plural category of the reader's language, by its
    CLDR name ("one", "few", ...): a script picks the category with Intl.PluralRules and fills in
    the number, so it counts in Welsh and Polish without knowing either language's rules."""
    locale = _locale()
    forms: dict[str, str] = {}
    for n in range(_ENOUGH_TO_MEET_EVERY_CATEGORY):
        forms.setdefault(str(locale.plural_form(n)), counted(n))
    return forms


_ENOUGH_TO_MEET_EVERY_CATEGORY = 30  # Welsh's "many" is 6 alone; Polish's "many" starts at 5
