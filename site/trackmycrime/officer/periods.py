"""The period a report covers: a preset ("the last 30 days") or two dates the reader types."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from starlette.datastructures import QueryParams

from ..i18n import LONDON, date_in_words
from ..i18n import gettext as _
from .forms import Errors, date_from_parts

CUSTOM = "custom"
DEFAULT_PRESET = "last-30-days"


def presets() -> list[tuple[str, str, int]]:
    """(value, label, days) for each preset period, ending today."""
    return [
        ("last-7-days", _("The last 7 days"), 7),
        ("last-30-days", _("The last 30 days"), 30),
        ("last-90-days", _("The last 90 days"), 90),
        ("last-12-months", _("The last 12 months"), 365),
    ]


@dataclass(frozen=True)
class Period:
    first_day: dt.date
    last_day: dt.date
    # The last day asked for when it is after today: the period so far is reported (to today),
    # and marked as not over.
    asked_last_day: dt.date | None = None

    def is_complete(self, now: dt.datetime) -> bool:
        """Whether the period is over: until then, what is due in it and its outcomes can change."""
        return self.end <= now

    @property
    def start(self) -> dt.datetime:
        """Midnight at the start of the first day, London time, in UTC."""
        return dt.datetime.combine(self.first_day, dt.time(), tzinfo=LONDON).astimezone(dt.UTC)

    @property
    def end(self) -> dt.datetime:
        """Midnight after the last day (exclusive), London time, in UTC."""
        return dt.datetime.combine(self.last_day + dt.timedelta(days=1), dt.time(), tzinfo=LONDON).astimezone(
            dt.UTC
        )

    @property
    def in_words(self) -> str:
        if self.asked_last_day is not None:
            return _("{first} to {last}, so far (up to {today})").format(
                first=date_in_words(self.first_day),
                last=date_in_words(self.asked_last_day),
                today=date_in_words(self.last_day),
            )
        return _("{first} to {last}").format(
            first=date_in_words(self.first_day), last=date_in_words(self.last_day)
        )

    @property
    def slug(self) -> str:
        return f"{self.first_day.isoformat()}-to-{self.last_day.isoformat()}"


def today_in_london(now: dt.datetime) -> dt.date:
    return now.astimezone(LONDON).date()


def preset_period(value: str, today: dt.date) -> Period:
    days = next((d for v, _label, d in presets() if v == value), 30)
    return Period(today - dt.timedelta(days=days - 1), today)


def period_from_query(query: QueryParams, now: dt.datetime) -> tuple[Period, str, Errors, dict[str, str]]:
    """(period, chosen preset or "custom", errors, what was typed); errors fall back to the default."""
    today = today_in_london(now)
    values = {k: query.get(k, "").strip()[:10] for k in _date_fields()}
    chosen = query.get("period", DEFAULT_PRESET)
    if chosen != CUSTOM:
        chosen = chosen if any(chosen == v for v, _l, _d in presets()) else DEFAULT_PRESET
        return preset_period(chosen, today), chosen, {}, values
    errors: Errors = {}
    first, first_problem = date_from_parts(values, "from")
    last, last_problem = date_from_parts(values, "to")
    _check(errors, "from", first, first_problem, _("start date"))
    _check(errors, "to", last, last_problem, _("end date"))
    if "from" not in errors and first is not None and first > today:
        errors["from"] = _("The {what} must be today or in the past").format(what=_("start date"))
    if not errors and first and last and last < first:
        errors["to"] = _("The end date must be the same as or after the start date")
    if errors or first is None or last is None:
        return preset_period(DEFAULT_PRESET, today), CUSTOM, errors, values
    if last > today:  # the current period (this month, this quarter): reported to date
        return Period(first, today, asked_last_day=last), CUSTOM, {}, values
    return Period(first, last), CUSTOM, {}, values


def _check(errors: Errors, name: str, day: dt.date | None, problem: str | None, what: str) -> None:
    if problem is None and day is None:
        errors[name] = _("Enter the {what}").format(what=what)
    elif problem == "incomplete":
        errors[name] = _("The {what} must include a day, month and year").format(what=what)
    elif problem == "invalid":
        errors[name] = _("The {what} must be a real date").format(what=what)


def _date_fields() -> list[str]:
    return [f"{name}-{part}" for name in ("from", "to") for part in ("day", "month", "year")]
