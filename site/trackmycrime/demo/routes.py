"""Demo-only pages: the mailbox of the built-in mail catcher."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..forces import service_force
from ..pages import render


def _mailbox(request: Request) -> list:
    catcher = getattr(request.app.state, "mail_catcher", None)
    return list(reversed(catcher.messages)) if catcher else []


async def mailbox(request: Request) -> Response:
    async with request.app.state.db.session() as db:
        request.state.force = await service_force(db)
    return render(request, "demo/mailbox.html", {"messages": _mailbox(request)})


async def mail_message(request: Request) -> Response:
    messages = _mailbox(request)
    number = request.path_params["number"]
    if not 1 <= number <= len(messages):
        return render(request, "errors/not_found.html", status_code=404)
    async with request.app.state.db.session() as db:
        request.state.force = await service_force(db)
    return render(request, "demo/mail_message.html", {"mail": messages[number - 1], "number": number})


routes = [
    Route("/demo/mail", mailbox, name="demo_mailbox"),
    Route("/demo/mail/{number:int}", mail_message, name="demo_mail_message"),
]
