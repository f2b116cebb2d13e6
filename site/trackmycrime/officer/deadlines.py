"""When an update owed under the Victims' Code counts as "due soon" in the officer inbox."""

from __future__ import annotations

import datetime as dt

from ..victims_code.reporting import describe_due
from ..victims_code.rules import add_working_days
from ..victims_code.working_days import end_of_london_day, london_date

# Owed by the end of this many working days from today: shown as "due soon".
DUE_SOON_WORKING_DAYS = 2

due_in_words = describe_due


def due_soon_before(now: dt.datetime) -> dt.datetime:
    return end_of_london_day(add_working_days(london_date(now), DUE_SOON_WORKING_DAYS)) + dt.timedelta(
        seconds=1
    )


def is_overdue(due_at: dt.datetime, now: dt.datetime) -> bool:
    return due_at < now
