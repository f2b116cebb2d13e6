"""Dates in words and datetime attributes, formatted without Babel's pattern machinery, read as Babel's."""

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.dates import format_date, format_datetime

from trackmycrime import i18n

LONDON = ZoneInfo("Europe/London")


def moments(count: int = 400) -> list[dt.datetime]:
    rng = random.Random(9)
    start = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
    return [start + dt.timedelta(seconds=rng.randrange(50 * 365 * 86400)) for _ in range(count)]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_dates_in_words_are_babels_d_mmmm_y_in_london(language):
    token = i18n.current_language.set(language)
    try:
        for moment in moments():
            expected = format_date(
                moment.astimezone(LONDON).date(), "d MMMM y", locale=Locale.parse(language)
            )
            assert i18n.date_in_words(moment) == expected
            assert i18n.datetime_in_words(moment).startswith(expected)
    finally:
        i18n.current_language.reset(token)


def test_welsh_months_are_welsh():
    token = i18n.current_language.set("cy")
    try:
        assert i18n.date_in_words(dt.date(2026, 11, 5)) == "5 Tachwedd 2026"
    finally:
        i18n.current_language.reset(token)


@pytest.mark.parametrize(
    "zone", [dt.UTC, LONDON, ZoneInfo("Asia/Kolkata"), ZoneInfo("America/New_York"), None]
)
def test_iso_datetimes_are_babels_and_give_the_offset(zone):
    for moment in moments():
        value = moment.astimezone(zone) if zone else moment.replace(tzinfo=None)
        assert i18n.iso_datetime(value) == format_datetime(value, "yyyy-MM-dd'T'HH:mm:ssXXX", locale="en")
    summer = dt.datetime(2026, 7, 1, 12, 0, 5, 999, tzinfo=dt.UTC)
    assert i18n.iso_datetime(summer) == "2026-07-01T12:00:05Z"
    assert i18n.iso_datetime(summer.astimezone(LONDON)) == "2026-07-01T13:00:05+01:00"
    assert i18n.iso_datetime(None) == ""
