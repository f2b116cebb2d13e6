"""Working days in England and Wales: bank holidays, deadlines in London time, and the arithmetic."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import SHIPPED_RULES
from trackmycrime.models import utcnow
from trackmycrime.victims_code.reporting import describe_due, due_soon_cutoff, month_starts
from trackmycrime.victims_code.working_days import LONDON, WorkingCalendar, end_of_london_day, london_date

calendar = WorkingCalendar()
shipped = SHIPPED_RULES.calendar  # the calendar the site uses with the shipped rules
days = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2035, 12, 31))
counts = st.integers(min_value=0, max_value=40)
positive_counts = st.integers(min_value=1, max_value=40)
moments = st.datetimes(
    min_value=dt.datetime(2015, 1, 1), max_value=dt.datetime(2035, 12, 31), timezones=st.just(dt.UTC)
)


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def london(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=LONDON)


def bank_holidays_by_library(day: dt.date) -> bool:
    return day in holidays.country_holidays("GB", subdiv="ENG", years=day.year)


# ---------------------------------------------------------------- the calendar


def test_weekends_and_bank_holidays_are_not_working_days() -> None:
    assert shipped.is_working_day(dt.date(2026, 11, 26))  # a Thursday
    assert not shipped.is_working_day(dt.date(2026, 11, 28))  # Saturday
    assert not shipped.is_working_day(dt.date(2026, 11, 29))  # Sunday
    assert not shipped.is_working_day(dt.date(2026, 5, 25))  # Spring bank holiday
    assert not shipped.is_working_day(dt.date(2026, 12, 28))  # Boxing Day, moved from the Saturday


@pytest.mark.parametrize(
    ("year", "published"),
    [
        # As published on gov.uk/bank-holidays for England and Wales.
        (
            2026,
            ["01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"],
        ),
        (
            2027,
            ["01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"],
        ),
    ],
)
def test_weekday_bank_holidays_match_those_published(year: int, published: list[str]) -> None:
    weekdays = [day for day in calendar.bank_holidays(year) if day.weekday() < 5]
    assert weekdays == [dt.date.fromisoformat(f"{year}-{md}") for md in published]


def test_one_off_bank_holidays_are_known() -> None:
    assert not shipped.is_working_day(dt.date(2023, 5, 8))  # the Coronation
    assert not shipped.is_working_day(dt.date(2022, 9, 19))  # the State Funeral


@pytest.mark.parametrize("years_ahead", [0, 1])
def test_the_calendar_covers_this_year_and_next(years_ahead: int) -> None:
    """Fails when the calendar in use stops knowing the regular bank holidays of the years in use."""
    year = utcnow().year + years_ahead
    found = calendar.bank_holidays(year)
    names = " / ".join(found.values())
    for expected in ("New Year", "Good Friday", "Easter Monday", "May Day", "Spring", "Summer", "Christmas"):
        assert expected in names, f"{year}: no {expected} in {names}"
    weekday_holidays = [day for day in found if day.weekday() < 5]
    assert len(weekday_holidays) >= 8, f"{year} has only {len(weekday_holidays)} weekday bank holidays"


def test_the_rules_file_can_add_a_one_off_bank_holiday() -> None:
    with_extra = WorkingCalendar([dt.date(2027, 6, 7)])
    assert calendar.is_working_day(dt.date(2027, 6, 7))
    assert not with_extra.is_working_day(dt.date(2027, 6, 7))
    assert dt.date(2027, 6, 7) in with_extra.bank_holidays(2027)
    assert with_extra.add_working_days(dt.date(2027, 6, 4), 1) == dt.date(2027, 6, 8)
    assert with_extra.working_days_between(dt.date(2027, 6, 4), dt.date(2027, 6, 8)) == 1


# ---------------------------------------------------------------- deadlines


def test_a_friday_event_before_a_bank_holiday_monday_is_due_on_tuesday() -> None:
    arrested = london(2026, 5, 22, 16, 30)  # Friday; Monday 25 May is the Spring bank holiday
    due = shipped.deadline(arrested, 1)
    assert due.tzinfo == dt.UTC
    assert due.astimezone(LONDON) == london(2026, 5, 26, 23, 59, 59, 999999)


def test_five_working_days_skip_the_weekend_and_christmas() -> None:
    due = shipped.deadline(london(2026, 12, 23, 10, 0), 5)
    # 24, 29, 30, 31 December, then 4 January (25 and 28 Dec and 1 Jan are bank holidays).
    assert london_date(due) == dt.date(2027, 1, 4)


def test_the_london_date_decides_not_the_utc_date() -> None:
    # 23:30 UTC on Thursday 4 June is 00:30 on Friday in London (BST).
    event = utc(2026, 6, 4, 23, 30)
    assert london_date(event) == dt.date(2026, 6, 5)
    assert london_date(shipped.deadline(event, 1)) == dt.date(2026, 6, 8)


def test_clock_changes_do_not_move_a_deadline() -> None:
    # Clocks go back on Sunday 25 October 2026: the event is in BST, the deadline in GMT.
    autumn = shipped.deadline(london(2026, 10, 23, 9, 0), 5)
    assert autumn == utc(2026, 10, 30, 23, 59, 59, 999999)
    assert autumn.astimezone(LONDON).time() == dt.time(23, 59, 59, 999999)
    # Clocks go forward on Sunday 29 March 2026: the event is in GMT, the deadline in BST.
    spring = shipped.deadline(london(2026, 3, 27, 9, 0), 1)
    assert spring == utc(2026, 3, 30, 22, 59, 59, 999999)
    assert spring.astimezone(LONDON) == london(2026, 3, 30, 23, 59, 59, 999999)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        london_date(dt.datetime(2026, 6, 1, 12, 0))


@given(moments, st.integers(min_value=0, max_value=20))
@settings(max_examples=200, deadline=None)
def test_every_deadline_is_the_end_of_a_london_working_day(event_at: dt.datetime, count: int) -> None:
    due = shipped.deadline(event_at, count)
    local = due.astimezone(LONDON)
    assert local.time() == dt.time(23, 59, 59, 999999)
    assert shipped.is_working_day(local.date())
    assert due >= event_at
    if count:
        assert london_date(due) > london_date(event_at)
    assert end_of_london_day(local.date()) == due


# ---------------------------------------------------------------- the arithmetic, as properties


@given(days, positive_counts)
@settings(max_examples=300, deadline=None)
def test_adding_working_days_lands_on_a_working_day_after_the_start(day: dt.date, count: int) -> None:
    landed = shipped.add_working_days(day, count)
    assert landed > day
    assert landed.weekday() < 5
    assert not bank_holidays_by_library(landed)
    assert shipped.is_working_day(landed)


@given(days, counts, counts)
@settings(max_examples=300, deadline=None)
def test_adding_more_working_days_never_lands_earlier(day: dt.date, first: int, second: int) -> None:
    fewer, more = sorted((first, second))
    assert shipped.add_working_days(day, fewer) <= shipped.add_working_days(day, more)
    # 0 means "the first working day on or after": from a holiday that is also the 1st after it.
    if fewer < more and (fewer > 0 or shipped.is_working_day(day)):
        assert shipped.add_working_days(day, fewer) < shipped.add_working_days(day, more)


@given(days, days, counts)
@settings(max_examples=300, deadline=None)
def test_a_later_start_never_lands_earlier(one: dt.date, other: dt.date, count: int) -> None:
    earlier, later = sorted((one, other))
    assert shipped.add_working_days(earlier, count) <= shipped.add_working_days(later, count)


@given(days, positive_counts)
@settings(max_examples=300, deadline=None)
def test_subtracting_undoes_adding_from_a_working_day(day: dt.date, count: int) -> None:
    start = calendar.next_working_day(day)
    assert shipped.subtract_working_days(shipped.add_working_days(start, count), count) == start
    assert shipped.add_working_days(shipped.subtract_working_days(start, count), count) == start
    assert shipped.add_working_days(start, -count) == shipped.subtract_working_days(start, count)


@given(days, counts)
@settings(max_examples=300, deadline=None)
def test_counting_between_agrees_with_adding(day: dt.date, count: int) -> None:
    start = calendar.next_working_day(day)
    assert shipped.working_days_between(start, shipped.add_working_days(start, count)) == count


@given(days, days)
@settings(max_examples=300, deadline=None)
def test_counting_between_agrees_with_counting_one_by_one(one: dt.date, other: dt.date) -> None:
    start, end = sorted((one, other))
    if (end - start).days > 400:
        end = start + dt.timedelta(days=400)
    one_by_one = sum(
        1
        for offset in range(1, (end - start).days + 1)
        if shipped.is_working_day(start + dt.timedelta(days=offset))
    )
    assert shipped.working_days_between(start, end) == one_by_one
    assert shipped.working_days_between(end, start) == -one_by_one


# ---------------------------------------------------------------- deadlines in words


NOW = london(2026, 11, 26, 10, 0)  # a Thursday


@pytest.mark.parametrize(
    ("due_day", "words"),
    [
        (dt.date(2026, 11, 26), "due today"),
        (dt.date(2026, 11, 27), "due tomorrow"),
        (dt.date(2026, 11, 30), "due in 2 working days"),  # Friday, then Monday
        (dt.date(2026, 12, 3), "due in 5 working days"),
        (dt.date(2026, 12, 4), "due on 4 December 2026"),
        (dt.date(2026, 11, 25), "overdue by 1 working day"),
        (dt.date(2026, 11, 23), "overdue by 3 working days"),
    ],
)
def test_deadlines_in_words(due_day: dt.date, words: str) -> None:
    assert describe_due(shipped, end_of_london_day(due_day), NOW) == words


def test_a_deadline_passed_over_the_weekend_is_overdue_since_its_date() -> None:
    saturday = london(2026, 11, 28, 9, 0)
    assert (
        describe_due(shipped, end_of_london_day(dt.date(2026, 11, 27)), saturday)
        == "overdue since 27 November 2026"
    )
    monday = london(2026, 11, 30, 9, 0)
    assert (
        describe_due(shipped, end_of_london_day(dt.date(2026, 11, 27)), monday) == "overdue by 1 working day"
    )


def test_one_working_day_away_over_a_weekend() -> None:
    friday = london(2026, 11, 27, 9, 0)
    assert describe_due(shipped, end_of_london_day(dt.date(2026, 11, 30)), friday) == "due in 1 working day"


def test_due_soon_means_by_the_end_of_the_next_working_day() -> None:
    friday = london(2026, 5, 22, 10, 0)
    # after the bank holiday:
    assert due_soon_cutoff(shipped, friday) == end_of_london_day(dt.date(2026, 5, 26))
    assert due_soon_cutoff(shipped, friday, working_days=0) == end_of_london_day(dt.date(2026, 5, 22))


def test_months_start_at_midnight_in_london() -> None:
    starts = month_starts(3, london(2026, 11, 26, 10, 0))
    assert [start.astimezone(LONDON) for start in starts] == [
        london(2026, 9, 1, 0, 0),
        london(2026, 10, 1, 0, 0),
        london(2026, 11, 1, 0, 0),
        london(2026, 12, 1, 0, 0),
    ]
    assert starts[0] == utc(2026, 8, 31, 23, 0)  # BST
    assert month_starts(1, london(2026, 12, 5, 10, 0))[-1] == utc(2027, 1, 1, 0, 0)
