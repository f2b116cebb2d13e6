"""Force statistics for a period: take-up, messages, reply times, on-time updates, satisfaction."""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics as stats
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import case, distinct, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..i18n import gettext as _
from ..i18n import ngettext, number
from ..models import Crime, Feedback, Message, MessageDirection, Party, WebSession, utcnow
from ..pages import redirect_to
from ..victims_code.reporting import OnTimeRate, on_time_rate
from .access import SUPERVISORS, officer_page
from .periods import Period, period_from_query, presets
from .rendering import render_page

SATISFIED_FROM_RATING = 4
CHART_BAR_SPACE = 300
CHART_LABEL_SPACE = 340


@dataclass(frozen=True)
class Figures:
    invited: int
    registered: int
    active: int
    messages_from_parties: int
    messages_to_parties: int
    reply_times: list[dt.timedelta]
    on_time: OnTimeRate
    feedback: int
    satisfied: int

    @property
    def median_reply(self) -> dt.timedelta | None:
        if not self.reply_times:
            return None
        return dt.timedelta(seconds=stats.median(t.total_seconds() for t in self.reply_times))

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.feedback if self.feedback else None


async def _count(db: AsyncSession, query: Any) -> int:
    return int((await db.exec(query)).one() or 0)


def _party_count(force_id: int, column: Any, period: Period) -> Any:
    return (
        select(func.count())
        .select_from(Party)
        .join(Crime, col(Crime.id) == col(Party.crime_id))
        .where(
            col(Crime.force_id) == force_id,
            column >= period.start,
            column < period.end,
            col(Party.helps_party_id).is_(None),
        )
    )


async def _active_parties(db: AsyncSession, force_id: int, period: Period) -> int:
    """Parties who signed in during the period (each sign-in starts a session)."""
    query = (
        select(func.count(distinct(col(WebSession.party_id))))
        .join(Party, col(Party.id) == col(WebSession.party_id))
        .join(Crime, col(Crime.id) == col(Party.crime_id))
        .where(
            col(Crime.force_id) == force_id,
            col(Party.helps_party_id).is_(None),
            col(WebSession.created_at) >= period.start,
            col(WebSession.created_at) < period.end,
        )
    )
    return await _count(db, query)


async def _messages_each_way(db: AsyncSession, force_id: int, period: Period) -> dict[str, int]:
    rows = await db.exec(
        select(col(Message.direction), func.count())
        .join(Crime, col(Crime.id) == col(Message.crime_id))
        .where(
            col(Crime.force_id) == force_id,
            col(Message.created_at) >= period.start,
            col(Message.created_at) < period.end,
        )
        .group_by(col(Message.direction))
    )
    return {direction: int(count) for direction, count in rows.all()}


async def _reply_times(db: AsyncSession, force_id: int, period: Period) -> list[dt.timedelta]:
    """For each party message in the period that an officer answered: how long the answer took.

    Several messages in a row before a reply count once, from the first of them.
    """
    rows = await db.exec(
        select(col(Message.party_id), col(Message.direction), col(Message.created_at))
        .join(Crime, col(Crime.id) == col(Message.crime_id))
        .where(col(Crime.force_id) == force_id, col(Message.created_at) >= period.start)
        .order_by(col(Message.party_id), col(Message.created_at), col(Message.id))
    )
    waits: list[dt.timedelta] = []
    waiting_since: dict[int, dt.datetime] = {}
    for party_id, direction, created_at in rows.all():
        if direction == MessageDirection.FROM_PARTY:
            if party_id not in waiting_since and created_at < period.end:
                waiting_since[party_id] = created_at
        elif party_id in waiting_since:
            waits.append(created_at - waiting_since.pop(party_id))
    return waits


async def _feedback(db: AsyncSession, force_id: int, period: Period) -> tuple[int, int]:
    satisfied = func.sum(case((col(Feedback.rating) >= SATISFIED_FROM_RATING, 1), else_=0))
    row = (
        await db.exec(
            select(func.count(), func.coalesce(satisfied, 0))
            .select_from(Feedback)
            .join(Crime, col(Crime.id) == col(Feedback.crime_id))
            .where(
                col(Crime.force_id) == force_id,
                col(Feedback.created_at) >= period.start,
                col(Feedback.created_at) < period.end,
            )
        )
    ).one()
    return int(row[0]), int(row[1] or 0)


async def force_figures(db: AsyncSession, force_id: int, period: Period, now: dt.datetime) -> Figures:
    messages = await _messages_each_way(db, force_id, period)
    feedback, satisfied = await _feedback(db, force_id, period)
    return Figures(
        invited=await _count(db, _party_count(force_id, col(Party.invited_at), period)),
        registered=await _count(db, _party_count(force_id, col(Party.registered_at), period)),
        active=await _active_parties(db, force_id, period),
        messages_from_parties=messages.get(MessageDirection.FROM_PARTY, 0),
        messages_to_parties=messages.get(MessageDirection.TO_PARTY, 0),
        reply_times=await _reply_times(db, force_id, period),
        on_time=await on_time_rate(db, force_id, period.start, period.end, now=now),
        feedback=feedback,
        satisfied=satisfied,
    )


def duration_in_words(duration: dt.timedelta | None) -> str:
    if duration is None:
        return _("No replies in this period")
    minutes = int(duration.total_seconds() // 60)
    days, hours, minutes = minutes // 1440, minutes % 1440 // 60, minutes % 60
    parts = []
    if days:
        parts.append(ngettext("%(num)d day", "%(num)d days", days) % {"num": days})
    if hours:
        parts.append(ngettext("%(num)d hour", "%(num)d hours", hours) % {"num": hours})
    if minutes and not days:
        parts.append(ngettext("%(num)d minute", "%(num)d minutes", minutes) % {"num": minutes})
    return " ".join(parts) or _("Less than a minute")


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.1f}%"


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    number: float | None
    charted: bool = False


def figure_rows(figures: Figures) -> list[Row]:
    """The table, the chart and the CSV all come from these rows."""
    median = figures.median_reply
    on_time = figures.on_time
    return [
        Row(_("Victims and witnesses invited"), number(figures.invited), figures.invited, charted=True),
        Row(_("Registered"), number(figures.registered), figures.registered, charted=True),
        Row(_("Active (signed in during the period)"), number(figures.active), figures.active, charted=True),
        Row(
            _("Messages from victims and witnesses"),
            number(figures.messages_from_parties),
            figures.messages_from_parties,
            charted=True,
        ),
        Row(
            _("Messages from officers"),
            number(figures.messages_to_parties),
            figures.messages_to_parties,
            charted=True,
        ),
        Row(
            _("Median time to an officer’s reply"),
            duration_in_words(median),
            round(median.total_seconds() / 3600, 1) if median else None,
        ),
        Row(
            _("Victims' Code updates given on time"),
            _("{percent} ({on_time} of {due})").format(
                percent=percent(on_time.rate), on_time=on_time.on_time, due=on_time.due
            )
            if on_time.due
            else "–",
            round(on_time.rate * 100, 1) if on_time.rate is not None else None,
        ),
        Row(
            _("Satisfied with the service (rated 4 or 5 out of 5)"),
            _("{percent} ({satisfied} of {answers})").format(
                percent=percent(figures.satisfaction), satisfied=figures.satisfied, answers=figures.feedback
            )
            if figures.feedback
            else "–",
            round(figures.satisfaction * 100, 1) if figures.satisfaction is not None else None,
        ),
    ]


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    width: int
    y: int


def chart_bars(rows: list[Row]) -> list[Bar]:
    charted = [r for r in rows if r.charted]
    largest = max((int(r.number or 0) for r in charted), default=0) or 1
    return [
        Bar(r.label, int(r.number or 0), round(int(r.number or 0) / largest * CHART_BAR_SPACE), 10 + i * 40)
        for i, r in enumerate(charted)
    ]


def csv_text(rows: list[Row], period: Period) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["figure", "value", "number"])
    writer.writerow(["period", period.in_words, ""])
    for row in rows:
        writer.writerow([row.label, row.value, "" if row.number is None else row.number])
    return buffer.getvalue()


@officer_page(*SUPERVISORS)
async def statistics_page(request: Request) -> Response:
    now = utcnow()
    period, chosen, errors, values = period_from_query(request.query_params, now)
    async with request.app.state.db.session() as db:
        rows = (
            []
            if errors
            else figure_rows(await force_figures(db, request.state.officer.force_id, period, now))
        )
        query = urlencode({"period": chosen, **(values if chosen == "custom" else {})})
        return await render_page(
            request,
            db,
            "officer/statistics.html",
            {
                "period": period,
                "chosen": chosen,
                "errors": errors,
                "values": values,
                "period_options": [(value, label) for value, label, _days in presets()],
                "rows": rows,
                "bars": chart_bars(rows),
                "chart_width": CHART_BAR_SPACE,
                "label_width": CHART_LABEL_SPACE,
                "csv_url": f"/officer/statistics.csv?{query}",
            },
        )


@officer_page(*SUPERVISORS)
async def statistics_csv(request: Request) -> Response:
    now = utcnow()
    period, _chosen, errors, _values = period_from_query(request.query_params, now)
    if errors:
        return redirect_to(request, "officer_statistics", query=request.url.query)
    async with request.app.state.db.session() as db:
        rows = figure_rows(await force_figures(db, request.state.officer.force_id, period, now))
    filename = f"trackmycrime-statistics-{period.slug}.csv"
    return Response(
        csv_text(rows, period),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


routes = [
    Route("/officer/statistics", statistics_page, methods=["GET"], name="officer_statistics"),
    Route("/officer/statistics.csv", statistics_csv, methods=["GET"], name="officer_statistics_csv"),
]
