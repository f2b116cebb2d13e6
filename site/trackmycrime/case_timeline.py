"""A crime's one timeline (issues 22 and 24), for the victim's and the officer's pages: which kinds of
entry to show, where a page starts (a keyset cursor), and the statement that reads one page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from sqlalchemy import BindParameter, Integer, Select, and_, bindparam, case, func, literal_column, or_
from sqlalchemy import select as sa_select
from sqlmodel import col

from .i18n import gettext as _
from .i18n import ngettext
from .models import CaseUpdate, UTCDateTime

PAGE_SIZE = 20

ALL = "all"
UPDATES = "updates"
MESSAGES = "messages"
HEARINGS = "hearings"
DECISIONS = "decisions"
REQUESTS = "requests"
KINDS = (UPDATES, MESSAGES, HEARINGS, DECISIONS, REQUESTS)
FILTERS = (ALL, *KINDS)

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_LATEST = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def chosen_filter(value: str | None) -> str:
    """The filter in `?show=`; anything else shows everything."""
    return value if value in FILTERS else ALL


def kinds_shown(show: str) -> list[str]:
    return list(KINDS) if show == ALL else [show]


def filter_labels() -> list[tuple[str, str]]:
    """Each filter and the words of its link."""
    return [
        (ALL, _("Everything")),
        (UPDATES, _("Updates")),
        (MESSAGES, _("Messages")),
        (HEARINGS, _("Court hearings")),
        (DECISIONS, _("Decisions")),
        (REQUESTS, _("Your requests")),
    ]


def showing_in_words(show: str, total: int) -> str:
    """What the timeline shows, said after each filter: "Showing messages only, 12 entries."."""
    what = {
        ALL: _("everything"),
        UPDATES: _("updates only"),
        MESSAGES: _("messages only"),
        HEARINGS: _("court hearings only"),
        DECISIONS: _("decisions only"),
        REQUESTS: _("your requests only"),
    }[show]
    return ngettext("Showing %(what)s, %(num)s entry.", "Showing %(what)s, %(num)s entries.", total) % {
        "what": what,
        "num": total,
    }


@dataclass(frozen=True)
class Cursor:
    """Where a page of the timeline starts: after the entry at this moment, from this table, with this id
    (a keyset: entries added meanwhile neither shift nor repeat the pages after it)."""

    occurred_at: dt.datetime
    source: int
    id: int

    @property
    def token(self) -> str:
        micros = (self.occurred_at - _EPOCH) // dt.timedelta(microseconds=1)
        return f"{micros}.{self.source}.{self.id}"

    @classmethod
    def from_token(cls, token: str | None) -> Cursor | None:
        """The cursor in `?before=`, or None for anything that is not one (the newest page is shown)."""
        parts = (token or "")[:60].split(".")
        if len(parts) != 3 or not all(part.isascii() and part.isdigit() and len(part) < 19 for part in parts):
            return None
        micros, source, entry_id = (int(part) for part in parts)
        try:
            occurred_at = _EPOCH + dt.timedelta(microseconds=micros)
        except OverflowError:
            return None
        # Ids are 32-bit integers in PostgreSQL: a larger one would be refused, not merely not found.
        if occurred_at > _LATEST or source > 9 or entry_id >= 2**31:
            return None
        return cls(occurred_at, source, entry_id)

    @classmethod
    def newest(cls) -> Cursor:
        """Before every entry: the first page."""
        return cls(_LATEST, 0, 0)


class Source:
    """Which table an entry comes from; ties on the same moment are ordered by it, then by id."""

    UPDATE = 1
    MESSAGE = 2
    UPDATE_REQUEST = 3
    REVIEW_REQUEST = 4


def kind_of_update() -> Any:
    """The filter an update belongs to: hearings and decisions are updates with an event."""
    return case(
        (col(CaseUpdate.event).like("hearing%"), literal_column(f"'{HEARINGS}'")),
        (col(CaseUpdate.event).like("decision%"), literal_column(f"'{DECISIONS}'")),
        else_=literal_column(f"'{UPDATES}'"),
    )


def kind_column(kind: str) -> Any:
    return literal_column(f"'{kind}'")


def source_column(source: int) -> Any:
    return literal_column(str(source), Integer())


_KINDS: BindParameter[Any] = bindparam("kinds", expanding=True)
_BEFORE_AT = bindparam("before_at", type_=UTCDateTime())
_BEFORE_SOURCE: BindParameter[int] = bindparam("before_source")
_BEFORE_ID: BindParameter[int] = bindparam("before_id")
_LIMIT: BindParameter[int] = bindparam("limit")


def page_statement(entry: Any) -> Select[Any]:
    """A page of `entry` (a union with occurred_at, source, id and kind), newest first, after a cursor
    (a keyset, not an OFFSET), each row ending with how many entries the filter chooses on every page."""
    before = or_(
        entry.c.occurred_at < _BEFORE_AT,
        and_(entry.c.occurred_at == _BEFORE_AT, entry.c.source < _BEFORE_SOURCE),
        and_(entry.c.occurred_at == _BEFORE_AT, entry.c.source == _BEFORE_SOURCE, entry.c.id < _BEFORE_ID),
    )
    total = sa_select(func.count()).select_from(entry).where(entry.c.kind.in_(_KINDS)).scalar_subquery()
    return (
        sa_select(*entry.c, total)
        .where(entry.c.kind.in_(_KINDS), before)
        .order_by(entry.c.occurred_at.desc(), entry.c.source.desc(), entry.c.id.desc())
        .limit(_LIMIT)
    )


def count_statement(entry: Any) -> Select[Any]:
    """How many entries the filter chooses, for a page after the last (which has no rows to carry it)."""
    return sa_select(func.count()).select_from(entry).where(entry.c.kind.in_(_KINDS))


def page_parameters(show: str, before: Cursor | None, page_size: int) -> dict[str, Any]:
    start = before or Cursor.newest()
    return {
        "kinds": kinds_shown(show),
        "before_at": start.occurred_at,
        "before_source": start.source,
        "before_id": start.id,
        "limit": page_size + 1,
    }


def query_string(show: str, before: str | None = None) -> str:
    """The query string of a page of the timeline (?show=messages&before=...), without defaults."""
    parameters = {"show": show} if show != ALL else {}
    if before:
        parameters["before"] = before
    return urlencode(parameters)


def chosen_page(query: Any, current_url: str | None = None) -> tuple[str, Cursor | None]:
    """The filter and cursor in a URL's query (?show=messages&before=...). An htmx request made from
    the page (a form sent, a poll) carries neither: then those of the page it came from (HX-Current-URL),
    so that what it swaps in shows what a reload would."""
    if "show" not in query and "before" not in query and current_url:
        query = parse_qs(urlsplit(current_url[:2000]).query)
        query = {name: values[0] for name, values in query.items()}
    return chosen_filter(query.get("show")), Cursor.from_token(query.get("before"))
