"""An officer offers the portal to one party the force's rules exclude, with a recorded reason (issue 12)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import audit, audit_actions
from ..eligibility import exclusion_reason
from ..i18n import gettext as _
from ..models import Officer, utcnow
from .access import officer_page
from .case import force_of, load_crime_page, render_crime_page
from .forms import read_form
from .parties import crime_and_party
from .rendering import redirect

REASON_MAX = 500


@officer_page()
async def offer_portal(request: Request) -> Response:
    officer: Officer = request.state.officer
    form = await read_form(request)
    async with request.app.state.db.transaction() as db:
        crime, party = await crime_and_party(db, officer, request)
        anchor = f"/officer/crimes/{crime.id}#party-{party.id}-heading"
        if exclusion_reason(await force_of(db, crime), crime, party) is None:
            return redirect(anchor)
        field = f"portal_reason_{party.id}"
        reason = form.get(field, "").strip()
        problem = None
        if not reason:
            problem = _("Enter the reason to offer them the portal")
        elif len(reason) > REASON_MAX:
            problem = _("The reason must be {n} characters or fewer").format(n=REASON_MAX)
        if problem:
            page = await load_crime_page(db, officer, crime, rules=request.app.state.rules)
            return await render_crime_page(
                request,
                db,
                page,
                errors={field: problem},
                form="portal_override",
                party_id=party.id,
                values=form,
            )
        party.portal_override_reason = reason
        party.portal_override_at = utcnow()
        party.portal_override_by_id = officer.id
        db.add(party)
        audit.record(
            db,
            request,
            audit_actions.PARTY_PORTAL_OVERRIDE,
            force_id=crime.force_id,
            crime_id=crime.id,
            party_id=party.id,
            actor=officer,
            # Who and when only: the reason is free text about the person, kept on the party and
            # removed with their other personal data at the end of retention (the audit log is
            # append-only, so nothing could remove it from here).
        )
        return redirect(anchor)


routes = [
    Route(
        "/officer/crimes/{crime_id}/parties/{party_id}/portal-override",
        offer_portal,
        methods=["POST"],
        name="officer_portal_override",
    ),
]
