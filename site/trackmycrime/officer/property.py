"""Changing the state of an item of property: the owners are told as an update, like any other."""

from __future__ import annotations

from sqlmodel import col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import audit, audit_actions
from ..case_events.property import change_state, state_label_for_officers
from ..i18n import gettext as _
from ..models import Officer, PropertyItem, PropertyState
from ..pages import is_htmx
from ..victims_code.entitlements import refresh_entitlements
from .access import officer_page, path_id, visible_crime
from .case import force_of, load_crime_page, render_section, render_with_errors
from .forms import Errors, read_form
from .rendering import redirect


def state_problems(field: str, item: PropertyItem, chosen: str) -> Errors:
    if chosen not in PropertyState.ALL:
        return {field: _("Select the new state of %(item)s") % {"item": item.description}}
    if chosen == item.state:
        return {
            field: _("%(item)s is already recorded as %(state)s: select a different state")
            % {"item": item.description, "state": state_label_for_officers(item.state).lower()}
        }
    return {}


@officer_page()
async def change_item_state(request: Request) -> Response:
    officer: Officer = request.state.officer
    values = await read_form(request)
    async with request.app.state.db.transaction() as db:
        crime = await visible_crime(db, officer, path_id(request, "crime_id"))
        found = await db.exec(
            select(PropertyItem).where(
                col(PropertyItem.id) == path_id(request, "item_id"), col(PropertyItem.crime_id) == crime.id
            )
        )
        item = found.first()
        if item is None:
            raise HTTPException(404)
        field = f"state-{item.id}"
        chosen = values.get(field, "")
        errors = state_problems(field, item, chosen)
        if errors:
            page = await load_crime_page(db, officer, crime, rules=request.app.state.rules)
            return await render_with_errors(
                request,
                db,
                page,
                "officer/_property.html",
                _("There is a problem with the property"),
                errors=errors,
                form="property",
                values=values,
            )
        previous = item.state
        await change_state(
            db,
            force=await force_of(db, crime),
            crime=crime,
            item=item,
            new_state=chosen,
            officer_id=officer.id,
        )
        await refresh_entitlements(db, crime.id, request.app.state.rules)  # type: ignore[arg-type]
        audit.record(
            db,
            request,
            audit_actions.PROPERTY_STATE_CHANGED,
            force_id=crime.force_id,
            crime_id=crime.id,
            actor=officer,
            detail=f"item {item.rms_item_id}: {previous} -> {chosen}",
        )
        if not is_htmx(request):
            return redirect(
                f"/officer/crimes/{crime.id}#property-heading", done="property", item=item.id or 0
            )
        page = await load_crime_page(db, officer, crime, rules=request.app.state.rules)
        news = _("%(item)s is now recorded as %(state)s.") % {
            "item": item.description,
            "state": state_label_for_officers(chosen).lower(),
        }
        return await render_section(
            request, db, "officer/_property.html", page, news, done="property", done_item=item.id
        )


routes = [
    Route(
        "/officer/crimes/{crime_id}/property/{item_id}",
        change_item_state,
        methods=["POST"],
        name="officer_property_state",
    )
]
