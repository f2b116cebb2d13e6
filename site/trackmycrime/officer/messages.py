"""Replying to a party and marking their messages read."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import audit, audit_actions
from ..auth.sessions import client_address
from ..case_events.messages import mark_messages_read, send_officer_reply
from ..i18n import gettext as _
from ..models import Crime, Message, Officer, Party
from ..pages import is_htmx, redirect_to
from .access import officer_page
from .case import force_of, load_crime_page, render_section, render_with_errors
from .forms import Errors, read_form
from .parties import crime_and_party
from .queries import party_name

MAX_MESSAGE_LENGTH = 5000


def reply_problems(field: str, body: str) -> Errors:
    if not body.strip():
        return {field: _("Enter your message")}
    if len(body) > MAX_MESSAGE_LENGTH:
        return {field: _("Your message must be 5,000 characters or fewer")}
    return {}


async def send_reply(
    db: AsyncSession, request: Request, officer: Officer, crime: Crime, party: Party, body: str
) -> Message:
    return await send_officer_reply(
        db,
        force=await force_of(db, crime),
        officer=officer,
        crime=crime,
        party=party,
        body=body,
        rules=request.app.state.rules,
        client_address=client_address(request),
    )


async def _after(
    request: Request, db: AsyncSession, officer: Officer, crime: Crime, party: Party, done: str, news: str
) -> Response:
    if is_htmx(request):
        page = await load_crime_page(db, officer, crime, rules=request.app.state.rules)
        return await render_section(
            request,
            db,
            "officer/_conversation.html",
            page,
            news,
            conversation=page.conversation(party.id),
            done=done,
            done_party=party.id,
        )
    return redirect_to(
        request,
        "officer_crime",
        query={"done": done, "party": party.id or 0},
        fragment=f"conversation-{party.id}",
        crime_id=crime.id,
    )


@officer_page()
async def reply(request: Request) -> Response:
    officer: Officer = request.state.officer
    form = await read_form(request)
    async with request.app.state.db.transaction() as db:
        crime, party = await crime_and_party(db, officer, request)
        if party.account_deleted_at is not None:
            raise HTTPException(404)
        field = f"reply-{party.id}"
        body = form.get(field, "")
        errors = reply_problems(field, body)
        if errors:
            page = await load_crime_page(db, officer, crime, rules=request.app.state.rules)
            return await render_with_errors(
                request,
                db,
                page,
                "officer/_conversation.html",
                _("There is a problem with your message"),
                errors=errors,
                form="reply",
                values={field: body},
                party_id=party.id,
                conversation=page.conversation(party.id),
            )
        await send_reply(db, request, officer, crime, party, body)
        news = _("Your reply to {name} has been sent.").format(name=party_name(party))
        return await _after(request, db, officer, crime, party, "reply", news)


@officer_page()
async def mark_read(request: Request) -> Response:
    officer: Officer = request.state.officer
    async with request.app.state.db.transaction() as db:
        crime, party = await crime_and_party(db, officer, request)
        if await mark_messages_read(db, party):
            audit.record(
                db,
                request,
                audit_actions.MESSAGE_MARK_READ,
                force_id=crime.force_id,
                crime_id=crime.id,
                party_id=party.id,
                actor=officer,
            )
        news = _("Messages from {name} marked as read.").format(name=party_name(party))
        return await _after(request, db, officer, crime, party, "read", news)


routes = [
    Route(
        "/officer/crimes/{crime_id}/parties/{party_id}/messages",
        reply,
        methods=["POST"],
        name="officer_reply",
    ),
    Route(
        "/officer/crimes/{crime_id}/parties/{party_id}/read",
        mark_read,
        methods=["POST"],
        name="officer_mark_read",
    ),
]
