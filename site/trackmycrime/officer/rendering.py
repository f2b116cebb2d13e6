"""Rendering officer pages: the inbox count in the navigation, fragments for htmx swaps."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..models import Officer, utcnow
from ..pages import is_htmx, render, render_html, title_element
from .access import mine_clause
from .queries import attention_count


async def render_page(
    request: Request,
    db: AsyncSession,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    fragment: str = "main",
    headers: dict[str, str] | None = None,
) -> Response:
    """A full officer page (with how many of their cases need attention), or its htmx fragment.

    A page that already knows the count (the inbox, showing the officer's own cases) passes it as
    `inbox_count`, and it is not worked out twice.
    """
    officer: Officer | None = getattr(request.state, "officer", None)
    context = context or {}
    extra: dict[str, Any] = {}
    if officer is not None and not is_htmx(request) and "inbox_count" not in context:
        extra["inbox_count"] = await attention_count(
            db, mine_clause(officer), utcnow(), request.app.state.rules.calendar
        )
    return render(
        request,
        template,
        {**extra, **context},
        status_code=status_code,
        fragment=fragment,
        headers=headers,
    )


def render_partial(
    request: Request, template: str, context: dict[str, Any], *, title: str = ""
) -> HTMLResponse:
    """A whole small template (a `_partial.html`) for an htmx swap; `title` becomes the page's title."""
    html = render_html(request, template, context)
    if title:
        html = title_element(title, getattr(request.state, "force", None)) + html
    return HTMLResponse(html)


def redirect(url: str, **query: str | int) -> RedirectResponse:
    """POST-redirect-GET; `query` says what just happened, for the page to confirm it."""
    anchor = ""
    if "#" in url:
        url, anchor = url.split("#", 1)
        anchor = "#" + anchor
    if query:
        url += "?" + urlencode(query)
    return RedirectResponse(url + anchor, status_code=303)
