"""The officer inbox: their cases that need attention, most urgent first, and a search."""

from __future__ import annotations

from sqlmodel import col
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..i18n import gettext as _
from ..i18n import ngettext
from ..models import Crime, Officer, utcnow
from ..pages import redirect_to
from .access import mine_clause, officer_page, team_clause, visible_crimes_clause
from .deadlines import due_in_words
from .forms import query_value
from .queries import crime_with_reference, inbox_items, search_crime_ids
from .rendering import render_page

SCOPES = ("mine", "team")


def inbox_heading(count: int) -> str:
    if not count:
        return _("Inbox: nothing needs attention")
    return ngettext("Inbox: %(num)d case needs attention", "Inbox: %(num)d cases need attention", count) % {
        "num": count
    }


@officer_page()
async def inbox(request: Request) -> Response:
    officer: Officer = request.state.officer
    show = request.query_params.get("show", "mine")
    show = show if show in SCOPES else "mine"
    search = query_value(request, "q")
    now = utcnow()
    scope = mine_clause(officer) if show == "mine" else team_clause(officer)
    calendar = request.app.state.rules.calendar
    async with request.app.state.db.reading() as db:
        items = await inbox_items(db, scope, now, calendar)
        results = None
        if search:
            visible = visible_crimes_clause(officer)
            found = await search_crime_ids(db, visible, search)
            in_results = visible & col(Crime.id).in_(found)
            results = await inbox_items(
                db, in_results, now, calendar, only_needing_attention=False, crime_ids=found
            )
        return await render_page(
            request,
            db,
            "officer/inbox.html",
            {
                "heading": inbox_heading(len(items)),
                "items": items,
                "results": results,
                "show": show,
                "search": search,
                "now": now,
                "due_in_words": due_in_words(calendar),
                # The officer's own cases needing attention are the list itself: no second count.
                **({"inbox_count": len(items)} if show == "mine" else {}),
            },
        )


@officer_page()
async def search(request: Request) -> Response:
    """The search box in the header of every officer page: an exact crime reference opens the crime,
    anything else lists what matches in the inbox's search results."""
    text = query_value(request, "q")
    if not text:
        return redirect_to(request, "officer_inbox")
    async with request.app.state.db.reading() as db:
        crime_id = await crime_with_reference(db, visible_crimes_clause(request.state.officer), text)
    if crime_id is not None:
        return redirect_to(request, "officer_crime", crime_id=crime_id)
    return redirect_to(request, "officer_inbox", query={"q": text}, fragment="search-results")


routes = [
    Route("/officer", inbox, methods=["GET"], name="officer_inbox"),
    Route("/officer/search", search, methods=["GET"], name="officer_search"),
]
