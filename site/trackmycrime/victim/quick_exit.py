"""Quick exit ("Leave this site"): end the session on the server, then go somewhere harmless."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..auth.sessions import clear_session_cookie, end_current_session

#: Where the quick exit goes: a page that looks ordinary on a shared screen (as force sites do).
EXIT_URL = "https://www.bbc.co.uk/weather"


async def _end_session(request: Request, response: Response) -> Response:
    async with request.app.state.db.transaction() as db:
        await end_current_session(db, request)
    clear_session_cookie(request, response)
    return response


async def leave_by_link(request: Request) -> Response:
    """The plain link (JavaScript off): signs out, then sends the browser away.

    A GET that ends a session: the worst another site can do with it is sign someone out, and a
    person in danger must be able to leave with one click and no form.
    """
    return await _end_session(request, RedirectResponse(EXIT_URL, status_code=303))


async def leave_in_background(request: Request) -> Response:
    """The script's keepalive request, sent while the page is already on its way to EXIT_URL."""
    return await _end_session(request, Response(status_code=204))
