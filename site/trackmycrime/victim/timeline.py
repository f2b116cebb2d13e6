"""The case's one timeline (issues 22 and 24): which kinds of entry to show, and where a page starts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..i18n import gettext as _
from ..i18n import ngettext

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
