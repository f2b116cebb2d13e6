"""The crime's one timeline as officers see it: every update (withdrawn ones too), every party's
messages and requests, newest first, a page at a time, filtered by kind (issues 22 and 24)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, bindparam, union_all
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .. import case_timeline as timeline
from ..case_timeline import Source, kind_column, kind_of_update, source_column
from ..models import CaseUpdate, Decision, Message, Officer, ReviewRequest, UpdateRequest

_CRIME_ID: BindParameter[int] = bindparam("crime_id")
# Fewer than the victim's page: each message is also in its party's conversation beside the timeline.
PAGE_SIZE = 10


@dataclass(frozen=True)
class OfficerEntry:
    """One entry: exactly one of update, message, update_request and review is set."""

    occurred_at: dt.datetime
    source: int
    id: int
    kind: str
    update: CaseUpdate | None = None
    message: Message | None = None
    update_request: UpdateRequest | None = None
    review: ReviewRequest | None = None
    decision: str = ""  # the decision a review request is about
    author: str = ""  # the officer who wrote an update or a message

    @property
    def party_id(self) -> int | None:
        found = self.message or self.update_request or self.review
        return found.party_id if found else None


@dataclass(frozen=True)
class OfficerTimeline:
    entries: list[OfficerEntry] = field(default_factory=list)
    show: str = timeline.ALL
    total: int = 0
    before: str | None = None
    earlier: str | None = None

    @property
    def updates(self) -> list[tuple[CaseUpdate, str]]:
        return [(entry.update, entry.author) for entry in self.entries if entry.update is not None]


@cache
def _entries() -> Any:
    """Which entries the crime has, of every kind: their moments, tables, ids and kinds only."""
    tables = (
        (CaseUpdate, CaseUpdate.occurred_at, Source.UPDATE, kind_of_update()),
        (Message, Message.created_at, Source.MESSAGE, kind_column(timeline.MESSAGES)),
        (UpdateRequest, UpdateRequest.requested_at, Source.UPDATE_REQUEST, kind_column(timeline.REQUESTS)),
        (ReviewRequest, ReviewRequest.requested_at, Source.REVIEW_REQUEST, kind_column(timeline.REQUESTS)),
    )
    keys = [
        sa_select(
            col(moment).label("occurred_at"),
            source_column(source).label("source"),
            col(table.id).label("id"),
            kind.label("kind"),
        ).where(col(table.crime_id) == _CRIME_ID)
        for table, moment, source, kind in tables
    ]
    return union_all(*keys).subquery("entry")


async def crime_timeline(
    db: AsyncSession,
    crime_id: int,
    show: str = timeline.ALL,
    before: timeline.Cursor | None = None,
    page_size: int = PAGE_SIZE,
) -> OfficerTimeline:
    """A page of the crime's timeline: one query for which entries, one for each kind on the page."""
    show = timeline.chosen_filter(show)
    connection = await db.connection()
    parameters = {"crime_id": crime_id, **timeline.page_parameters(show, before, page_size)}
    rows = list(await connection.execute(timeline.page_statement(_entries()), parameters))
    if rows:
        total = rows[0][-1]
    else:
        counted = await connection.execute(timeline.count_statement(_entries()), parameters)
        total = counted.scalar_one()
    keys = [tuple(row[:4]) for row in rows[:page_size]]
    found = await _rows_of(db, keys)
    entries = [OfficerEntry(*key, **found.get((key[1], key[2]), {})) for key in keys]
    return OfficerTimeline(
        entries=entries,
        show=show,
        total=int(total),
        before=before.token if before else None,
        earlier=timeline.Cursor(*keys[-1][:3]).token if len(rows) > page_size else None,
    )


async def _rows_of(db: AsyncSession, keys: list[tuple[Any, ...]]) -> dict[tuple[int, int], dict[str, Any]]:
    """The rows behind the keys, by (source, id), as OfficerEntry's fields."""
    ids: dict[int, list[int]] = {}
    for _at, source, entry_id, _kind in keys:
        ids.setdefault(source, []).append(entry_id)
    found: dict[tuple[int, int], dict[str, Any]] = {}
    written: tuple[tuple[int, Any, Any, str], ...] = (
        (Source.UPDATE, CaseUpdate, CaseUpdate.author_officer_id, "update"),
        (Source.MESSAGE, Message, Message.officer_id, "message"),
    )
    for source, table, author_id, name in written:
        if not ids.get(source):
            continue
        rows = await db.exec(
            select(table, col(Officer.name))
            .outerjoin(Officer, col(Officer.id) == col(author_id))
            .where(col(table.id).in_(ids[source]))
        )
        for row, author in rows.all():
            found[(source, row.id)] = {name: row, "author": author or ""}
    if ids.get(Source.UPDATE_REQUEST):
        wanted = col(UpdateRequest.id).in_(ids[Source.UPDATE_REQUEST])
        asked = await db.exec(select(UpdateRequest).where(wanted))
        for request in asked.all():
            found[(Source.UPDATE_REQUEST, request.id)] = {"update_request": request}  # type: ignore[index]
    if ids.get(Source.REVIEW_REQUEST):
        reviews = await db.exec(
            select(ReviewRequest, col(Decision.decision))
            .join(Decision, col(Decision.id) == col(ReviewRequest.decision_id))
            .where(col(ReviewRequest.id).in_(ids[Source.REVIEW_REQUEST]))
        )
        for review, decision in reviews.all():
            found[(Source.REVIEW_REQUEST, review.id)] = {"review": review, "decision": decision}  # type: ignore[index]
    return found
