"""An officer corrects an update they posted (a page of its own) or withdraws it while its alerts wait."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import audit, audit_actions
from ..case_events.update_corrections import CannotWithdraw, correct_update, may_be_changed, withdraw_update
from ..i18n import gettext as _
from ..models import CaseUpdate, Crime, Officer
from ..pages import is_htmx, redirect_to
from .access import officer_page, path_id, visible_crime
from .case import load_crime_page, render_section, render_with_errors, withdraw_window
from .forms import Errors, read_form
from .rendering import render_page
from .updates import MAX_UPDATE_LENGTH


async def crime_and_update(db: AsyncSession, officer: Officer, request: Request) -> tuple[Crime, CaseUpdate]:
    """The officer's crime and one of its updates that an officer posted and nobody withdrew; else 404."""
    crime = await visible_crime(db, officer, path_id(request, "crime_id"))
    found = await db.exec(
        select(CaseUpdate).where(
            col(CaseUpdate.id) == path_id(request, "update_id"), col(CaseUpdate.crime_id) == crime.id
        )
    )
    update = found.first()
    if update is None or not may_be_changed(update):
        raise HTTPException(404)
    return crime, update


def correction_problems(text: str, update: CaseUpdate) -> Errors:
    if not text:
        return {"text": _("Enter the corrected update")}
    if len(text) > MAX_UPDATE_LENGTH:
        return {"text": _("The update must be 5,000 characters or fewer")}
    if text == update.text.strip():
        return {"text": _("Change the text of the update, or go back without correcting it")}
    return {}


async def _correction_page(
    request: Request, db: AsyncSession, crime: Crime, update: CaseUpdate, text: str, errors: Errors
) -> Response:
    context = {"crime": crime, "update": update, "text": text, "errors": errors}
    return await render_page(request, db, "officer/correct_update.html", context)


@officer_page()
async def show_correction(request: Request) -> Response:
    officer: Officer = request.state.officer
    async with request.app.state.db.session() as db:
        crime, update = await crime_and_update(db, officer, request)
        return await _correction_page(request, db, crime, update, update.text, {})


@officer_page()
async def save_correction(request: Request) -> Response:
    officer: Officer = request.state.officer
    values = await read_form(request)
    text = values.get("text", "").strip()
    async with request.app.state.db.transaction() as db:
        crime, update = await crime_and_update(db, officer, request)
        errors = correction_problems(text, update)
        if errors:
            return await _correction_page(request, db, crime, update, values.get("text", ""), errors)
        await correct_update(
            db, update=update, officer_id=officer.id, text=text, rules=request.app.state.rules
        )
        audit.record(
            db,
            request,
            audit_actions.CRIME_UPDATE_CORRECTED,
            force_id=crime.force_id,
            crime_id=crime.id,
            party_id=update.party_id,
            actor=officer,
            detail=f"update={update.id}",
        )
    return redirect_to(
        request,
        "officer_crime",
        query={"done": "corrected"},
        fragment=f"update-{update.id}",
        crime_id=crime.id,
    )


@officer_page()
async def withdraw(request: Request) -> Response:
    officer: Officer = request.state.officer
    async with request.app.state.db.transaction() as db:
        crime, update = await crime_and_update(db, officer, request)
        field = f"withdraw-{update.id}"
        try:
            async with db.begin_nested():  # a refusal undoes only what the withdrawal tried
                cancelled = await withdraw_update(
                    db,
                    update=update,
                    officer_id=officer.id,
                    window=withdraw_window(request),
                    rules=request.app.state.rules,
                )
        except CannotWithdraw as refused:
            page = await load_crime_page(db, officer, crime, rules=request.app.state.rules)
            return await render_with_errors(
                request,
                db,
                page,
                "officer/_updates.html",
                _("The update was not withdrawn"),
                errors={field: str(refused)},
                form="withdraw",
                values={},
            )
        audit.record(
            db,
            request,
            audit_actions.CRIME_UPDATE_WITHDRAWN,
            force_id=crime.force_id,
            crime_id=crime.id,
            party_id=update.party_id,
            actor=officer,
            detail=f"update={update.id} alerts_cancelled={cancelled}",
        )
        if is_htmx(request):
            page = await load_crime_page(db, officer, crime, rules=request.app.state.rules)
            news = _("The update has been withdrawn. Nobody was alerted.")
            return await render_section(request, db, "officer/_updates.html", page, news, done="withdrawn")
    return redirect_to(
        request, "officer_crime", query={"done": "withdrawn"}, fragment="updates-heading", crime_id=crime.id
    )


routes = [
    Route(
        "/officer/crimes/{crime_id}/updates/{update_id}/correct",
        show_correction,
        methods=["GET"],
        name="officer_correct_update_form",
    ),
    Route(
        "/officer/crimes/{crime_id}/updates/{update_id}/correct",
        save_correction,
        methods=["POST"],
        name="officer_correct_update",
    ),
    Route(
        "/officer/crimes/{crime_id}/updates/{update_id}/withdraw",
        withdraw,
        methods=["POST"],
        name="officer_withdraw_update",
    ),
]
