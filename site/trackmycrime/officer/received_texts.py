"""Supervisors route texts that no single victim or witness could have sent (issue 21)."""

from __future__ import annotations

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import audit, audit_actions
from ..i18n import gettext as _
from ..identity import reference_key, surname_key
from ..models import Crime, Officer, Party, ReceivedText, ReceivedTextStatus
from ..pages import redirect_to
from ..text_replies import route_received_text
from .access import officer_page, path_id
from .forms import Errors, read_form
from .rendering import render_page

SHOWN = 100


def _in_queue_of(officer: Officer):
    """The force's own texts, and those no force's party has the number of (one shared number)."""
    return or_(col(ReceivedText.force_id) == officer.force_id, col(ReceivedText.force_id).is_(None))


async def _waiting(db: AsyncSession, officer: Officer) -> list[ReceivedText]:
    query = (
        select(ReceivedText)
        .where(col(ReceivedText.status) == ReceivedTextStatus.UNMATCHED, _in_queue_of(officer))
        .order_by(col(ReceivedText.received_at), col(ReceivedText.id))
        .limit(SHOWN)
    )
    return list((await db.exec(query)).all())


async def _page(
    request: Request, db: AsyncSession, values: dict[str, str] | None = None, errors: Errors | None = None
) -> Response:
    context = {
        "texts": await _waiting(db, request.state.officer),
        "values": values or {},
        "errors": errors or {},
        "done": request.query_params.get("done", ""),
    }
    return await render_page(request, db, "officer/received_texts.html", context, status_code=200)


@officer_page("supervisor", "admin")
async def received_texts(request: Request) -> Response:
    async with request.app.state.db.session() as db:
        return await _page(request, db)


async def _party_named(
    db: AsyncSession, officer: Officer, reference: str, surname: str
) -> tuple[Crime | None, Party | None]:
    crime = (
        await db.exec(
            select(Crime).where(
                col(Crime.force_id) == officer.force_id, col(Crime.reference_key) == reference_key(reference)
            )
        )
    ).first()
    if crime is None:
        return None, None
    parties = (
        await db.exec(
            select(Party).where(
                col(Party.crime_id) == crime.id,
                col(Party.surname_key) == surname_key(surname),
                col(Party.account_deleted_at).is_(None),
                col(Party.helps_party_id).is_(None),
            )
        )
    ).all()
    return crime, parties[0] if len(parties) == 1 else None


@officer_page("supervisor", "admin")
async def route_text(request: Request) -> Response:
    officer: Officer = request.state.officer
    text_id = path_id(request, "text_id")
    values = await read_form(request)
    reference_field, surname_field = f"reference-{text_id}", f"surname-{text_id}"
    reference, surname = values.get(reference_field, "").strip(), values.get(surname_field, "").strip()
    async with request.app.state.db.transaction() as db:
        row = (
            await db.exec(select(ReceivedText).where(col(ReceivedText.id) == text_id, _in_queue_of(officer)))
        ).first()
        if row is None:
            raise HTTPException(404)
        if row.status != ReceivedTextStatus.UNMATCHED:
            return redirect_to(request, "officer_received_texts")  # someone else routed it first
        errors: Errors = {}
        if not reference:
            errors[reference_field] = _("Enter the crime reference number")
        if not surname:
            errors[surname_field] = _("Enter the surname of the person who sent the text")
        crime, party = (None, None)
        if not errors:
            crime, party = await _party_named(db, officer, reference, surname)
            if crime is None:
                errors[reference_field] = _("There is no crime with that reference in your force")
            elif party is None:
                errors[surname_field] = _("No one with that surname is on that crime")
        if errors or crime is None or party is None:
            return await _page(request, db, values, errors)
        message = await route_received_text(db, row, party, crime, officer)
        audit.record(
            db,
            request,
            audit_actions.RECEIVED_TEXT_ROUTE,
            force_id=crime.force_id,
            crime_id=crime.id,
            party_id=party.id,
            actor=officer,
            detail=f"message:{message.id}",
        )
        return redirect_to(request, "officer_received_texts", query={"done": "routed"})


routes = [
    Route("/officer/texts", received_texts, methods=["GET"], name="officer_received_texts"),
    Route("/officer/texts/{text_id}/route", route_text, methods=["POST"], name="officer_route_text"),
]
