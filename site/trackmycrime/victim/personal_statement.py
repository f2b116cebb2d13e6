"""Victim Personal Statement page: write it, keep a draft, send it, or ask to make it in person."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import audit, audit_actions
from ..auth.sessions import party_required
from ..i18n import gettext as _
from ..models import Party
from ..pages import render
from ..personal_statements import (
    TEXT_MAX,
    StatementLocked,
    StatementState,
    StatementView,
    ask_to_make_in_person,
    in_person_message,
    may_make_statement,
    save_draft,
    send_statement,
    sent_message,
    statement_view,
)
from . import forms, messages

FIELD = "statement"
SEND, SAVE = "send", "save"
DONE = {"saved", "sent", "in-person"}


def _party(request: Request) -> Party:
    """The signed-in party, if the rules let them make a statement (victims, by the Code); else 404."""
    party: Party = request.state.party
    if not may_make_statement(request.app.state.rules, party):
        raise HTTPException(404)
    return party


def _page(
    request: Request, view: StatementView, form: forms.Form | None = None, *, refused: bool = False
) -> Response:
    form = form or forms.Form()
    statement = view.statement
    done = request.query_params.get("done", "")
    return render(
        request,
        "victim/personal_statement.html",
        {
            "crime": request.state.crime,
            "statement": statement,
            "state": view.state,
            "states": StatementState,
            "locked": view.locked,
            "first_hearing": view.first_hearing,
            "text": form.values.get(FIELD, statement.draft if statement else ""),
            "unsent_changes": bool(
                statement and statement.sent_at and statement.draft != statement.sent_text
            ),
            "errors": form.errors,
            "refused": refused,
            "done": done if done in DONE and form.is_valid else "",
            "text_limit": TEXT_MAX,
        },
        status_code=200 if form.is_valid and not refused else 400,
    )


def _done(request: Request, what: str) -> Response:
    url = request.app.url_path_for("victim_personal_statement")
    return RedirectResponse(f"{url}?done={what}", status_code=303)


@party_required
async def statement_page(request: Request) -> Response:
    party = _party(request)
    async with request.app.state.db.session() as db:
        view = await statement_view(db, party)
    return _page(request, view)


def _audit(request: Request, db: AsyncSession, party: Party, action: str, statement_id: int | None) -> None:
    audit.record(
        db,
        request,
        action,
        force_id=request.state.crime.force_id,
        crime_id=party.crime_id,
        party_id=party.id,
        actor=party,
        detail=f"personal_statement:{statement_id}",
    )


@party_required
async def save_or_send(request: Request) -> Response:
    """Keep it as a draft for later, or send it to the police, which tells the officers too."""
    party = _party(request)
    submitted = await forms.submitted(request)
    sending = submitted.get("action") == SEND
    form = forms.Form()
    text = forms.text(submitted, FIELD, multiline=True)
    form.values[FIELD] = text
    if len(text) > TEXT_MAX:
        form.error(FIELD, _("What you write must be {n} characters or fewer").format(n=f"{TEXT_MAX:,}"))
    elif sending and not text:
        form.error(FIELD, _("Write your statement before you send it"))

    async def change(db: AsyncSession) -> None:
        if sending:
            # Like any message: checked against the hourly limit, in the officers' thread and inbox.
            if await messages.store_message(request, db, form, FIELD, sent_message()) is not None:
                statement = await send_statement(db, party, text)
                _audit(request, db, party, audit_actions.PERSONAL_STATEMENT_SEND, statement.id)
        elif form.is_valid:
            statement = await save_draft(db, party, text)
            _audit(request, db, party, audit_actions.PERSONAL_STATEMENT_SAVE_DRAFT, statement.id)

    return await _change_statement(request, party, form, change, done="sent" if sending else "saved")


@party_required
async def ask_in_person(request: Request) -> Response:
    party = _party(request)
    form = forms.Form()

    async def change(db: AsyncSession) -> None:
        if await messages.store_message(request, db, form, FIELD, in_person_message()) is not None:
            statement = await ask_to_make_in_person(db, party)
            _audit(request, db, party, audit_actions.PERSONAL_STATEMENT_ASK_IN_PERSON, statement.id)

    return await _change_statement(request, party, form, change, done="in-person")


async def _change_statement(
    request: Request,
    party: Party,
    form: forms.Form,
    change: Callable[[AsyncSession], Awaitable[None]],
    *,
    done: str,
) -> Response:
    """Make the change in one transaction; answer the page with what is wrong (400), or go on to `done`."""
    try:
        async with request.app.state.db.transaction() as db:
            await change(db)
    except StatementLocked:
        return await _refused(request, party)
    if not form.is_valid:
        async with request.app.state.db.session() as db:
            return _page(request, await statement_view(db, party), form)
    return _done(request, done)


async def _refused(request: Request, party: Party) -> Response:
    """Too late to change it: the page as it now reads, saying why, and nothing changed."""
    async with request.app.state.db.session() as db:
        return _page(request, await statement_view(db, party), refused=True)
