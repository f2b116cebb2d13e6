"""An officer records offering a victim the chance to make a Victim Personal Statement (Victims' Code)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import audit, audit_actions
from ..models import Officer
from ..personal_statements import may_make_statement, record_offer
from .access import officer_page, saved_id
from .forms import read_form
from .parties import crime_and_party
from .rendering import redirect


@officer_page()
async def offer_statement(request: Request) -> Response:
    officer: Officer = request.state.officer
    await read_form(request)
    async with request.app.state.db.transaction() as db:
        crime, party = await crime_and_party(db, officer, request)
        if not may_make_statement(request.app.state.rules, party):
            raise HTTPException(404)
        statement = await record_offer(db, party, officer, request.app.state.rules)
        audit.record(
            db,
            request,
            audit_actions.PERSONAL_STATEMENT_OFFER,
            force_id=crime.force_id,
            crime_id=crime.id,
            party_id=party.id,
            actor=officer,
            detail=f"personal_statement:{statement.id}",
        )
    url = request.app.url_path_for("officer_crime", crime_id=crime.id)
    return redirect(f"{url}#statement-{party.id}", done="statement_offered", party=saved_id(party))


routes = [
    Route(
        "/officer/crimes/{crime_id}/parties/{party_id}/personal-statement-offer",
        offer_statement,
        methods=["POST"],
        name="officer_offer_personal_statement",
    ),
]
