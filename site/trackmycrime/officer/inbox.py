"""The officer inbox: their cases that need attention, most urgent first, and a search."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..database import PooledReading
from ..i18n import gettext as _
from ..i18n import ngettext
from ..models import Crime, Officer, utcnow
from ..page_memo import PageMemo, memoise, memoised_response, next_change
from ..pages import is_htmx, redirect_to
from .access import mine_clause, officer_page, team_clause, visible_crimes_clause
from .deadlines import due_in_words
from .forms import query_value
from .queries import (
    NEW_CASE_DAYS,
    InboxItem,
    crime_with_reference,
    inbox_digest,
    inbox_digest_column,
    inbox_items,
    search_crime_ids,
)
from .rendering import render_page

SCOPES = ("mine", "team")


def inbox_heading(count: int) -> str:
    if not count:
        return _("Inbox: nothing needs attention")
    return ngettext("Inbox: %(num)d case needs attention", "Inbox: %(num)d cases need attention", count) % {
        "num": count
    }


def _memoised(request: Request) -> bool:
    # A search is rendered each time: what it can find is any crime the officer can see, and a
    # digest of the whole force cost far more than the page (bench/README.md, the inbox's digest).
    memo: PageMemo = request.app.state.page_memo
    return memo.enabled and not is_htmx(request) and not query_value(request, "q")


@officer_page(share_reading=True, added=inbox_digest_column, wanted=_memoised)
async def inbox(request: Request) -> Response:
    reading: PooledReading = request.state.reading
    # The digest comes with the session check (officer_required), except when that check had to
    # ask the officer's identity provider, which is rare: that request's page is rendered.
    if _memoised(request) and request.state.added_column is not None:
        return await _memoised_inbox(request, reading, request.app.state.page_memo)
    db = await reading.session()
    context = await _inbox_context(request, db, utcnow())
    return await render_page(request, db, "officer/inbox.html", context)


async def _memoised_inbox(request: Request, reading: PooledReading, memo: PageMemo) -> Response:
    """The inbox as last rendered for this key (page_memo.py), else rendered and kept, unless the
    rows changed while it was being read (its digest, asked again, differs). Nothing on it writes.

    The digest is computed in the session check's own statement (officer_required), so it is of the
    very rows the page is drawn from besides its lists: the officer's and the force's (the team it
    lists, the role's navigation, the force's name), read in the same snapshot. Asked in a statement
    of its own, it could be of rows changed since the check read them (a team move), and the page
    of the old ones kept under the key of the new. (The columns the digest leaves out, secrets and
    sign-in counters, case_versions.py's NOT_SHOWN, are on no officer page.)"""
    now = utcnow()
    digest: str = request.state.added_column
    key = memo.key(request, digest)
    page = memo.get(key, now)
    if page is None:
        db = await reading.session()
        context = await _inbox_context(request, db, now)
        response = await render_page(request, db, "officer/inbox.html", context)
        moments = _moments_the_inbox_changes(context["items"])
        page = memoise(bytes(response.body).decode(), next_change(now, moments))
        if await inbox_digest(db, request.state.officer) == digest:
            memo.put(key, page)
    return memoised_response(request, page)


def _moments_the_inbox_changes(items: list[InboxItem]) -> Iterator[dt.datetime]:
    """When the inbox changes with no row changing, besides London's midnight (next_change), when
    "due in N working days" and which updates are due soon move on: an update or an asked-for update
    falls overdue (the earliest of a crime's is the one shown), a case stops being newly assigned.
    The header's count is of the officer's own cases, which are on the list whenever it is."""
    for item in items:
        attention = item.attention
        yield from (asked.due_at for asked in attention.update_requests)
        if attention.earliest_due_at is not None:
            yield attention.earliest_due_at
        if attention.assigned_at is not None:
            yield attention.assigned_at + dt.timedelta(days=NEW_CASE_DAYS)


async def _inbox_context(request: Request, db: AsyncSession, now: dt.datetime) -> dict[str, Any]:
    officer: Officer = request.state.officer
    show = request.query_params.get("show", "mine")
    show = show if show in SCOPES else "mine"
    search = query_value(request, "q")
    scope = mine_clause(officer) if show == "mine" else team_clause(officer)
    calendar = request.app.state.rules.calendar
    items = await inbox_items(db, scope, now, calendar)
    results = None
    if search:
        visible = visible_crimes_clause(officer)
        found = await search_crime_ids(db, visible, search)
        in_results = visible & col(Crime.id).in_(found)
        results = await inbox_items(
            db, in_results, now, calendar, only_needing_attention=False, crime_ids=found
        )
    return {
        "heading": inbox_heading(len(items)),
        "items": items,
        "results": results,
        "show": show,
        "search": search,
        "now": now,
        "due_in_words": due_in_words(calendar),
        # The officer's own cases needing attention are the list itself: no second count.
        **({"inbox_count": len(items)} if show == "mine" else {}),
    }


@officer_page(share_reading=True)
async def search(request: Request) -> Response:
    """The search box in the header of every officer page: an exact crime reference opens the crime,
    anything else lists what matches in the inbox's search results."""
    text = query_value(request, "q")
    if not text:
        return redirect_to(request, "officer_inbox")
    db = await request.state.reading.session()
    crime_id = await crime_with_reference(db, visible_crimes_clause(request.state.officer), text)
    if crime_id is not None:
        return redirect_to(request, "officer_crime", crime_id=crime_id)
    return redirect_to(request, "officer_inbox", query={"q": text}, fragment="search-results")


routes = [
    Route("/officer", inbox, methods=["GET"], name="officer_inbox"),
    Route("/officer/search", search, methods=["GET"], name="officer_search"),
]
