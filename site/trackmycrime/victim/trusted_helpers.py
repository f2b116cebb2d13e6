"""A victim or witness adds and removes their trusted helpers; what a signed-in helper may not do."""

from __future__ import annotations

import functools

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from .. import trusted_helpers
from ..auth.sessions import Endpoint, client_address, party_required
from ..models import Crime, Force, Party
from ..pages import redirect_to, render
from . import forms
from .helper_form import read_helper_form

PREFIX = "helper_"


def not_for_helpers(endpoint: Endpoint) -> Endpoint:
    """Under party_required: a trusted helper may not change the account of the party they help."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        if getattr(request.state, "helper", None) is not None:
            return render(request, "victim/helper_refused.html", status_code=403)
        return await endpoint(request)

    return wrapper


def helpers_page(
    request: Request,
    helpers: list[Party],
    form: forms.Form | None = None,
    *,
    status_code: int = 200,
) -> Response:
    form = form or forms.Form()
    return render(
        request,
        "victim/helpers.html",
        {
            "helpers": helpers,
            "values": form.values,
            "errors": form.errors,
            "prefix": PREFIX,
            "may_add": len(helpers) < trusted_helpers.HELPERS_PER_PARTY,
            "helpers_per_party": trusted_helpers.HELPERS_PER_PARTY,
            "relationship_options": trusted_helpers.relationship_options(),
            "relationship_in_words": trusted_helpers.relationship_in_words,
            "helper_name": trusted_helpers.helper_name,
            "done": request.query_params.get("done", ""),
        },
        status_code=status_code,
    )


@party_required
@not_for_helpers
async def show_helpers(request: Request) -> Response:
    async with request.app.state.db.session() as db:
        helpers = await trusted_helpers.helpers_of(db, request.state.party)
    return helpers_page(request, helpers)


@party_required
@not_for_helpers
async def add_helper(request: Request) -> Response:
    party: Party = request.state.party
    crime: Crime = request.state.crime
    force: Force = request.state.force
    form, details = read_helper_form(await forms.submitted(request), PREFIX)
    async with request.app.state.db.transaction() as db:
        if details is not None:
            outcome = await trusted_helpers.add_helper(
                db,
                force=force,
                crime=crime,
                party=party,
                details=details,
                added_by=party,
                client_address=client_address(request),
            )
            if not isinstance(outcome, dict):
                return redirect_to(
                    request, "victim_helpers", query={"done": "added"}, fragment="helpers-heading"
                )
            form.errors.update({PREFIX + name: problem for name, problem in outcome.items()})
        helpers = await trusted_helpers.helpers_of(db, party)
    return helpers_page(request, helpers, form, status_code=400)


@party_required
@not_for_helpers
async def remove_helper(request: Request) -> Response:
    party: Party = request.state.party
    raw_id = forms.text(await forms.submitted(request), "helper_id")
    helper_id = int(raw_id) if raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 10 else 0
    async with request.app.state.db.transaction() as db:
        helper = await trusted_helpers.helper_of(db, party, helper_id)
        if helper is None:
            raise HTTPException(404)
        await trusted_helpers.remove_helper(
            db,
            crime=request.state.crime,
            helper=helper,
            removed_by=party,
            client_address=client_address(request),
        )
    return redirect_to(request, "victim_helpers", query={"done": "removed"}, fragment="helpers-heading")
