"""When an update owed under the Victims' Code counts as "due soon" in the officer inbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

from ..victims_code.reporting import describe_due
from ..victims_code.working_days import WorkingCalendar, end_of_london_day, london_date

# Owed by the end of this many working days from today: shown as "due soon".
DUE_SOON_WORKING_DAYS = 2


def due_in_words(calendar: WorkingCalendar) -> Callable[..., str]:
    """describe_due on this calendar, for templates: due_in_words(due_at, now)."""
    return partial(describe_due, calendar)


def due_soon_before(calendar: WorkingCalendar, now: dt.datetime) -> dt.datetime:
    last_day = calendar.add_working_days(london_date(now), DUE_SOON_WORKING_DAYS)
    return end_of_london_day(last_day) + dt.timedelta(seconds=1)


def is_overdue(due_at: dt.datetime, now: dt.datetime) -> bool:
    return due_at < now
