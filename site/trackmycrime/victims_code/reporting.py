"""What officers and supervisors read: how soon things are due, what is overdue, the on-time rate."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from ..i18n import date_in_words, ngettext
from ..i18n import gettext as _
from ..models import Crime, Entitlement, Officer, Party, utcnow
from .working_days import LONDON, WorkingCalendar, end_of_london_day, london_date

SOON_WORKING_DAYS = 5


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def is_overdue(due_at: dt.datetime, now: dt.datetime | None = None) -> bool:
    return _aware(due_at) < (now or utcnow())


def describe_due(calendar: WorkingCalendar, due_at: dt.datetime, now: dt.datetime | None = None) -> str:
    """A deadline in words, counted in working days on London dates.

    "overdue by 2 working days", "overdue since 4 December 2026" (passed, but no working day has
    ended since, e.g. over a weekend), "due today", "due tomorrow", "due in 3 working days" (up to
    5), or "due on 1 December 2026".
    """
    now = now or utcnow()
    today, due_day = london_date(now), london_date(_aware(due_at))
    if is_overdue(due_at, now):
        late = calendar.working_days_between(due_day, today)
        if late < 1:
            return _("overdue since {date}").format(date=date_in_words(due_day))
        return ngettext("overdue by {count} working day", "overdue by {count} working days", late).format(
            count=late
        )
    if due_day == today:
        return _("due today")
    if due_day == today + dt.timedelta(days=1):
        return _("due tomorrow")
    ahead = calendar.working_days_between(today, due_day)
    if 1 <= ahead <= SOON_WORKING_DAYS and calendar.is_working_day(due_day):
        return ngettext("due in {count} working day", "due in {count} working days", ahead).format(
            count=ahead
        )
    return _("due on {date}").format(date=date_in_words(due_day))


# ---------------------------------------------------------------- the officer inbox


def next_due_by_crime_query(force_id: int) -> Select[int, dt.datetime]:
    """crime_id -> next_due_at (earliest unmet deadline) for a force's crimes, as a subquery-able select.

    For ordering an inbox in SQL:
        due = next_due_by_crime_query(force.id).subquery()
        select(Crime, due.c.next_due_at).outerjoin(due, due.c.crime_id == Crime.id)
            .order_by(due.c.next_due_at.is_(None), due.c.next_due_at)
    """
    return (
        select(Entitlement.crime_id, func.min(Entitlement.due_at).label("next_due_at"))
        .where(Entitlement.force_id == force_id, col(Entitlement.met_at).is_(None))
        .group_by(col(Entitlement.crime_id))
    )


async def next_due_by_crime(
    db: AsyncSession, force_id: int, crime_ids: Iterable[int]
) -> dict[int, dt.datetime]:
    """Each crime's earliest unmet deadline (UTC), for these crimes of the force; owing nothing: absent."""
    ids = list(crime_ids)
    if not ids:
        return {}
    query = next_due_by_crime_query(force_id).where(col(Entitlement.crime_id).in_(ids))
    return {crime_id: _aware(due) for crime_id, due in (await db.exec(query)).all()}


@dataclass(frozen=True)
class OwedItem:
    """An unmet entitlement with what an officer needs to act on it."""

    entitlement: Entitlement
    crime: Crime
    party: Party
    officer: Officer | None


def _narrowed(officer_id: int | None, team: str | None) -> list[ColumnElement[bool]]:
    """To the crimes an officer is in charge of now, or those of a team's officers."""
    conditions: list[ColumnElement[bool]] = []
    if officer_id is not None:
        conditions.append(col(Crime.officer_in_charge_id) == officer_id)
    if team is not None:
        conditions.append(col(Officer.team) == team)
    return conditions


async def owed_items(
    db: AsyncSession,
    force_id: int,
    *,
    officer_id: int | None = None,
    team: str | None = None,
    overdue_only: bool = False,
    now: dt.datetime | None = None,
    limit: int = 500,
) -> list[OwedItem]:
    """Unmet entitlements of a force, soonest (most overdue) first.

    Narrow to the crimes an officer is in charge of, or to a team (the officer in charge's team);
    overdue_only keeps those whose deadline has passed (the supervisor's overdue list).
    """
    query = (
        select(Entitlement, Crime, Party, Officer)
        .join(Crime, col(Crime.id) == Entitlement.crime_id)
        .join(Party, col(Party.id) == Entitlement.party_id)
        .outerjoin(Officer, col(Officer.id) == Crime.officer_in_charge_id)
        .where(
            Entitlement.force_id == force_id, col(Entitlement.met_at).is_(None), *_narrowed(officer_id, team)
        )
        .order_by(col(Entitlement.due_at), col(Entitlement.id))
        .limit(limit)
    )
    if overdue_only:
        query = query.where(col(Entitlement.due_at) < (now or utcnow()))
    rows = (await db.exec(query)).all()
    return [OwedItem(entitlement, crime, party, officer) for entitlement, crime, party, officer in rows]


# ---------------------------------------------------------------- the on-time rate


@dataclass(frozen=True)
class OnTimeRate:
    """Entitlements that fell due in a period: told on time, told late, or still not told."""

    on_time: int = 0
    late: int = 0
    missed: int = 0

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.missed

    @property
    def rate(self) -> float | None:
        """The share told on time (0 to 1), or None when nothing fell due."""
        return self.on_time / self.due if self.due else None

    @property
    def percent(self) -> str:
        """'87%' or '–' when nothing fell due."""
        return "–" if self.rate is None else f"{round(self.rate * 100)}%"


def _rate_columns(now: dt.datetime) -> Sequence[ColumnElement[int]]:
    met, due = col(Entitlement.met_at), col(Entitlement.due_at)
    return (
        func.coalesce(func.sum(case((met <= due, 1), else_=0)), 0).label("on_time"),
        func.coalesce(func.sum(case((met > due, 1), else_=0)), 0).label("late"),
        func.coalesce(func.sum(case((and_(met.is_(None), due < now), 1), else_=0)), 0).label("missed"),
    )


def _in_period(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> ColumnElement[bool]:
    """Due in [start, end), with a known outcome: met, or its deadline has passed."""
    due = col(Entitlement.due_at)
    return and_(due >= start, due < end, or_(col(Entitlement.met_at).is_not(None), due < now))


def _rates_query(force_id: int, start: dt.datetime, end: dt.datetime, now: dt.datetime):
    return (
        select(*_rate_columns(now))
        .select_from(Entitlement)
        .join(Crime, col(Crime.id) == Entitlement.crime_id)
        .outerjoin(Officer, col(Officer.id) == Crime.officer_in_charge_id)
        .where(Entitlement.force_id == force_id, _in_period(start, end, now))
    )


async def on_time_rate(
    db: AsyncSession,
    force_id: int,
    start: dt.datetime,
    end: dt.datetime,
    *,
    officer_id: int | None = None,
    team: str | None = None,
    events: Iterable[str] | None = None,
    now: dt.datetime | None = None,
) -> OnTimeRate:
    """How many of a force's entitlements due in [start, end) were met on time, late, or not yet.

    Not-yet-due entitlements are left out until met or due. Narrow by the officer in charge (now)
    or their team, or to some events (e.g. the status codes, leaving out "regular_contact").
    """
    now = now or utcnow()
    query = _rates_query(force_id, start, end, now).where(*_narrowed(officer_id, team))
    if events is not None:
        query = query.where(col(Entitlement.event).in_(list(events)))
    on_time, late, missed = (await db.exec(query)).one()
    return OnTimeRate(int(on_time), int(late), int(missed))


async def on_time_rates_by_officer(
    db: AsyncSession, force_id: int, start: dt.datetime, end: dt.datetime, *, now: dt.datetime | None = None
) -> list[tuple[Officer | None, OnTimeRate]]:
    """The on-time rate per officer in charge (None: crimes with no officer), lowest rate first."""
    now = now or utcnow()
    query = (
        _rates_query(force_id, start, end, now)
        .add_columns(col(Crime.officer_in_charge_id))
        .group_by(col(Crime.officer_in_charge_id))
    )
    rows = (await db.exec(query)).all()
    officer_ids = [row[3] for row in rows if row[3] is not None]
    officers = {
        officer.id: officer
        for officer in (await db.exec(select(Officer).where(col(Officer.id).in_(officer_ids)))).all()
    }
    found = [(officers.get(row[3]), OnTimeRate(int(row[0]), int(row[1]), int(row[2]))) for row in rows]
    return sorted(found, key=lambda pair: (pair[1].rate if pair[1].rate is not None else 2, _name(pair[0])))


async def on_time_rates_by_team(
    db: AsyncSession, force_id: int, start: dt.datetime, end: dt.datetime, *, now: dt.datetime | None = None
) -> list[tuple[str, OnTimeRate]]:
    """The on-time rate per team of the officer in charge ("" for no team or no officer), lowest first."""
    now = now or utcnow()
    team = func.coalesce(col(Officer.team), "")
    query = _rates_query(force_id, start, end, now).add_columns(team).group_by(team)
    found = [
        (row[3], OnTimeRate(int(row[0]), int(row[1]), int(row[2]))) for row in (await db.exec(query)).all()
    ]
    return sorted(found, key=lambda pair: (pair[1].rate if pair[1].rate is not None else 2, pair[0]))


async def on_time_rates_by_event(
    db: AsyncSession, force_id: int, start: dt.datetime, end: dt.datetime, *, now: dt.datetime | None = None
) -> list[tuple[str, OnTimeRate]]:
    """The on-time rate per event ("suspect_arrested", "regular_contact"...; see event_label), by event."""
    now = now or utcnow()
    event = col(Entitlement.event)
    query = _rates_query(force_id, start, end, now).add_columns(event).group_by(event).order_by(event)
    return [
        (row[3], OnTimeRate(int(row[0]), int(row[1]), int(row[2]))) for row in (await db.exec(query)).all()
    ]


def month_starts(months: int, now: dt.datetime | None = None) -> list[dt.datetime]:
    """Midnight in London (as UTC) on the 1st of the last `months` months (this one last) and the next."""
    today = london_date(now or utcnow())
    this_month = today.year * 12 + today.month - 1
    firsts = [dt.date(n // 12, n % 12 + 1, 1) for n in range(this_month - months + 1, this_month + 2)]
    return [dt.datetime.combine(day, dt.time(0, 0), tzinfo=LONDON).astimezone(dt.UTC) for day in firsts]


async def monthly_on_time_rates(
    db: AsyncSession,
    force_id: int,
    *,
    months: int = 12,
    officer_id: int | None = None,
    team: str | None = None,
    now: dt.datetime | None = None,
) -> list[tuple[dt.date, OnTimeRate]]:
    """The on-time rate of each of the last `months` London calendar months (this one so far last)."""
    now = now or utcnow()
    bounds = month_starts(months, now)
    found = []
    for start, end in itertools.pairwise(bounds):
        rate = await on_time_rate(db, force_id, start, end, officer_id=officer_id, team=team, now=now)
        found.append((london_date(start), rate))
    return found


def due_soon_cutoff(
    calendar: WorkingCalendar, now: dt.datetime | None = None, working_days: int = 1
) -> dt.datetime:
    """The end of the `working_days`th working day after today (London): due by then is "due soon"."""
    today = london_date(now or utcnow())
    return end_of_london_day(calendar.add_working_days(today, working_days))


def _name(officer: Officer | None) -> str:
    return officer.name if officer else ""
