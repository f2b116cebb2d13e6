"""Posting an update on a crime: to everyone, to victims only or to one party, perhaps with a new status."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import statuses
from ..auth.sessions import client_address
from ..case_events.updates import record_update
from ..i18n import gettext as _
from ..models import Audience, CaseUpdate, Crime, Officer, Party, utcnow
from ..pages import is_htmx, redirect_to
from ..victims_code.entitlements import refresh_entitlements
from .access import officer_page, path_id, saved_id, visible_crime
from .case import force_of, load_crime_page, render_section, render_with_errors, withdraw_window
from .forms import Errors, read_form, whole_number
from .update_templates import template_by_key

MAX_UPDATE_LENGTH = 5000


@dataclass(frozen=True)
class UpdateForm:
    text: str
    audience: str
    party_id: int | None
    status: str | None


def parse_update(values: dict[str, str], parties: list[Party]) -> tuple[UpdateForm | None, Errors]:
    errors: Errors = {}
    text = values.get("text", "").strip()
    if not text:
        errors["text"] = _("Enter the update")
    elif len(text) > MAX_UPDATE_LENGTH:
        errors["text"] = _("The update must be 5,000 characters or fewer")
    audience, party_id = _audience(values.get("audience", ""), parties)
    if audience is None:
        errors["audience"] = _("Choose who the update is for")
    status = values.get("status", "").strip()
    if status and not statuses.is_known(status):
        errors["status"] = _("Choose a status from the list")
    if errors or audience is None:
        return None, errors
    return UpdateForm(text, audience, party_id, status or None), {}


def _audience(raw: str, parties: list[Party]) -> tuple[str | None, int | None]:
    if raw in (Audience.ALL, Audience.VICTIMS):
        return raw, None
    party_id = whole_number(raw.removeprefix("party-")) if raw.startswith("party-") else None
    if party_id is not None:
        if any(p.id == party_id and p.account_deleted_at is None for p in parties):
            return Audience.PARTY, party_id
    return None, None


async def post_update(
    db: AsyncSession, request: Request, officer: Officer, crime: Crime, form: UpdateForm
) -> CaseUpdate:
    """Store the update, change the status if asked, and tell those who may read it."""
    update = await record_update(
        db,
        force=await force_of(db, crime),
        crime=crime,
        text=form.text,
        status=form.status,
        audience=form.audience,
        party_id=form.party_id,
        author=officer,
        # The alerts wait while the update may still be withdrawn (case_events/update_corrections.py).
        send_after=utcnow() + withdraw_window(request),
        client_address=client_address(request),
    )
    await refresh_entitlements(db, saved_id(crime), request.app.state.rules)
    return update


@officer_page()
async def add_update(request: Request) -> Response:
    officer: Officer = request.state.officer
    values = await read_form(request)
    async with request.app.state.db.transaction() as db:
        crime = await visible_crime(db, officer, path_id(request, "crime_id"))
        page = await load_crime_page(db, officer, crime, rules=request.app.state.rules)
        form, errors = parse_update(values, page.parties)
        if form is None:
            return await render_with_errors(
                request,
                db,
                page,
                "officer/_updates.html",
                _("There is a problem with your update"),
                errors=errors,
                form="update",
                values=values,
            )
        await post_update(db, request, officer, crime, form)
        if is_htmx(request):
            page = await load_crime_page(db, officer, crime, rules=request.app.state.rules)
            return await render_section(
                request, db, "officer/_updates.html", page, _("Your update has been posted."), done="update"
            )
        return redirect_to(
            request, "officer_crime", query={"done": "update"}, fragment="updates-heading", crime_id=crime.id
        )


@officer_page()
async def update_form(request: Request) -> Response:
    """The update form filled in from a standard update (an htmx swap of the form alone)."""
    officer: Officer = request.state.officer
    crime_id = path_id(request, "crime_id")
    template = request.query_params.get("template", "")[:60]
    async with request.app.state.db.session() as db:
        crime = await visible_crime(db, officer, crime_id)
        if not is_htmx(request):
            return redirect_to(
                request,
                "officer_crime",
                query={"template": template},
                fragment="update-form",
                crime_id=crime_id,
            )
        page = await load_crime_page(db, officer, crime, rules=request.app.state.rules)
        chosen = template_by_key(template)
        news = _("The update has been filled in. Check the words before you post it.") if chosen else ""
        return await render_section(request, db, "officer/_update_form.html", page, news, form_only=True)


routes = [
    Route("/officer/crimes/{crime_id}/updates", add_update, methods=["POST"], name="officer_post_update"),
    Route("/officer/crimes/{crime_id}/update-form", update_form, methods=["GET"], name="officer_update_form"),
]
