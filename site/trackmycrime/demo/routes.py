"""Demo-only pages: the mailbox of the built-in mail catcher."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..forces import service_force
from ..pages import render
from .mail_catcher import CaughtMail


def _caught(request: Request) -> list[CaughtMail]:
    """Every email caught, oldest first: an email's number is its place here, and never changes."""
    catcher = getattr(request.app.state, "mail_catcher", None)
    return list(catcher.messages) if catcher else []


async def mailbox(request: Request) -> Response:
    newest_first = list(reversed(list(enumerate(_caught(request), start=1))))
    async with request.app.state.db.session() as db:
        request.state.force = await service_force(db)
    return render(request, "demo/mailbox.html", {"messages": newest_first})


async def mail_message(request: Request) -> Response:
    caught = _caught(request)
    number = request.path_params["number"]
    if not 1 <= number <= len(caught):
        return render(request, "errors/not_found.html", status_code=404)
    async with request.app.state.db.session() as db:
        request.state.force = await service_force(db)
    return render(request, "demo/mail_message.html", {"mail": caught[number - 1], "number": number})


routes = [
    Route("/demo/mail", mailbox, name="demo_mailbox"),
    Route("/demo/mail/{number:int}", mail_message, name="demo_mail_message"),
]
