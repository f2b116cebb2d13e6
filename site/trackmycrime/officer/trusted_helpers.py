"""An officer adds or removes the trusted helper of a victim or witness, on the crime page."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import trusted_helpers
from ..auth.sessions import client_address
from ..i18n import gettext as _
from ..models import Crime, Officer, Party
from ..pages import is_htmx
from ..victim.helper_form import read_helper_form
from .access import officer_page, path_id
from .case import force_of, load_crime_page, render_section, render_with_errors
from .forms import read_form
from .parties import crime_and_party
from .queries import party_name
from .rendering import redirect

SECTION = "officer/_helpers.html"


def form_prefix(party_id: int | None) -> str:
    """The crime page has an add-a-helper form per party: their fields are told apart by this."""
    return f"helper_{party_id}_"


async def _after(
    request: Request, db: AsyncSession, officer: Officer, crime: Crime, party: Party, done: str, news: str
) -> Response:
    if is_htmx(request):
        page = await load_crime_page(db, officer, crime, rules=request.app.state.rules)
        return await render_section(
            request, db, SECTION, page, news, party=party, done=done, done_party=party.id
        )
    return redirect(f"/officer/crimes/{crime.id}#helpers-{party.id}-heading", done=done, party=party.id or 0)


@officer_page()
async def add_helper(request: Request) -> Response:
    officer: Officer = request.state.officer
    values = await read_form(request)
    async with request.app.state.db.transaction() as db:
        crime, party = await crime_and_party(db, officer, request)
        prefix = form_prefix(party.id)
        form, details = read_helper_form(values, prefix)
        outcome = None
        if details is not None:
            outcome = await trusted_helpers.add_helper(
                db,
                force=await force_of(db, crime),
                crime=crime,
                party=party,
                details=details,
                added_by=officer,
                client_address=client_address(request),
            )
            if isinstance(outcome, dict):
                form.errors.update({prefix + name: problem for name, problem in outcome.items()})
        if outcome is None or isinstance(outcome, dict):
            page = await load_crime_page(db, officer, crime, rules=request.app.state.rules)
            return await render_with_errors(
                request,
                db,
                page,
                SECTION,
                _("There is a problem with the helper for {name}").format(name=party_name(party)),
                errors=form.errors,
                form="helper",
                values=form.values,
                party_id=party.id,
                party=party,
            )
        news = _("{helper} was added as a helper and invited.").format(
            helper=trusted_helpers.helper_name(outcome)
        )
        return await _after(request, db, officer, crime, party, "helper_added", news)


@officer_page()
async def remove_helper(request: Request) -> Response:
    officer: Officer = request.state.officer
    async with request.app.state.db.transaction() as db:
        crime, party = await crime_and_party(db, officer, request)
        helper = await trusted_helpers.helper_of(db, party, path_id(request, "helper_id"))
        if helper is None:
            raise HTTPException(404)
        await trusted_helpers.remove_helper(
            db, crime=crime, helper=helper, removed_by=officer, client_address=client_address(request)
        )
        news = _("{helper} is no longer a helper.").format(helper=trusted_helpers.helper_name(helper))
        return await _after(request, db, officer, crime, party, "helper_removed", news)


routes = [
    Route(
        "/officer/crimes/{crime_id}/parties/{party_id}/helpers",
        add_helper,
        methods=["POST"],
        name="officer_add_helper",
    ),
    Route(
        "/officer/crimes/{crime_id}/parties/{party_id}/helpers/{helper_id}/remove",
        remove_helper,
        methods=["POST"],
        name="officer_remove_helper",
    ),
]
