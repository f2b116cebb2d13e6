"""Working days in England and Wales (weekends and bank holidays), counted in Europe/London time.

Bank holidays come from the `holidays` package (``country_holidays("GB", subdiv="ENG")``), which
computes the regular ones for any year and lists the one-off ones (jubilees, coronations, state
funerals) as each release learns of them. A one-off day announced before the package is upgraded
can be added in the rules file (``[calendar] extra_bank_holidays``); tests/unit/test_working_days.py
checks the calendar covers this year and next. England and Wales share one list of bank holidays.

A deadline of N working days after an event is the end (23:59:59.999999 London time) of the Nth working
day after the London date of the event, so it never moves when the clocks change; it is returned
as an aware UTC datetime, the form the database stores.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
# The last instant of the day, so that nothing done on the day itself can be after its deadline.
END_OF_DAY = dt.time(23, 59, 59, 999999)
_SATURDAY = 5


@lru_cache(maxsize=256)
def _published_bank_holidays(year: int) -> dict[dt.date, str]:
    table = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return {day: str(name) for day, name in sorted(table.items())}


class WorkingCalendar:
    """Weekends and England and Wales bank holidays, plus any extra days the rules file names."""

    def __init__(self, extra_bank_holidays: Iterable[dt.date] = ()) -> None:
        self.extra_bank_holidays = frozenset(extra_bank_holidays)

    def bank_holidays(self, year: int) -> dict[dt.date, str]:
        """The year's bank holidays (including any that fall on a weekend), by date."""
        found = dict(_published_bank_holidays(year))
        for day in self.extra_bank_holidays:
            if day.year == year:
                found.setdefault(day, "Bank holiday")
        return dict(sorted(found.items()))

    def is_bank_holiday(self, day: dt.date) -> bool:
        return day in self.extra_bank_holidays or day in _published_bank_holidays(day.year)

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < _SATURDAY and not self.is_bank_holiday(day)

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day on or after `day`."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The `count`th working day after `day` (before it when negative).

        With a count of 0, the first working day on or after `day`.
        """
        if count < 0:
            return self.subtract_working_days(day, -count)
        if count == 0:
            return self.next_working_day(day)
        step = dt.timedelta(days=1)
        while count:
            day += step
            if self.is_working_day(day):
                count -= 1
        return day

    def subtract_working_days(self, day: dt.date, count: int) -> dt.date:
        """The `count`th working day before `day` (after it when negative)."""
        if count < 0:
            return self.add_working_days(day, -count)
        if count == 0:
            while not self.is_working_day(day):
                day -= dt.timedelta(days=1)
            return day
        step = dt.timedelta(days=1)
        while count:
            day -= step
            if self.is_working_day(day):
                count -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days fall after `start`, up to and including `end` (negative if end < start)."""
        if end < start:
            return -self.working_days_between(end, start)
        whole_weeks, extra_days = divmod((end - start).days, 7)
        count = whole_weeks * 5
        day = start + dt.timedelta(days=whole_weeks * 7)
        for _ in range(extra_days):
            day += dt.timedelta(days=1)
            if day.weekday() < _SATURDAY:
                count += 1
        return count - self._weekday_bank_holidays_in(start, end)

    def _weekday_bank_holidays_in(self, start: dt.date, end: dt.date) -> int:
        """Bank holidays on weekdays after `start`, up to and including `end`."""
        found = 0
        for year in range(start.year, end.year + 1):
            for day in self.bank_holidays(year):
                if start < day <= end and day.weekday() < _SATURDAY:
                    found += 1
        return found

    def deadline(self, event_at: dt.datetime, working_days: int) -> dt.datetime:
        """The end of the `working_days`th working day after the event's London date, in UTC."""
        due_day = self.add_working_days(london_date(event_at), working_days)
        return end_of_london_day(due_day)


def london_date(moment: dt.datetime) -> dt.date:
    """The calendar date in England and Wales at `moment` (an aware datetime)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: give an aware (UTC) datetime")
    return moment.astimezone(LONDON).date()


def end_of_london_day(day: dt.date) -> dt.datetime:
    """The last instant of `day` in London, as an aware UTC datetime."""
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=LONDON).astimezone(dt.UTC)
