"""An officer records that they told a party about their case by phone, in person or by letter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import audit, audit_actions
from ..i18n import gettext as _
from ..models import ContactMethod, Crime, Officer, Party, utcnow
from ..outside_contact import NOTE_MAX, agree_contact_method, record_outside_contact
from ..pages import is_htmx, redirect_to
from ..victims_code.working_days import end_of_london_day, london_date
from .access import officer_page
from .case import load_crime_page, render_section, render_with_errors
from .forms import Errors, date_from_parts, read_form
from .parties import crime_and_party
from .queries import party_name

SECTION = "officer/_outside_contact.html"


@dataclass(frozen=True)
class ToldForm:
    method: str
    note: str
    told_at: dt.datetime
    agreed: bool = False


def field_names(party_id: int) -> tuple[str, str, str]:
    """The form's field names for one party (the crime page has a form per party)."""
    return f"told_how_{party_id}", f"told_note_{party_id}", f"told_on_{party_id}"


def agreed_field(party_id: int) -> str:
    return f"told_agreed_{party_id}"


def parse_told(
    values: dict[str, str], party_id: int, crime: Crime, now: dt.datetime
) -> tuple[ToldForm | None, Errors]:
    how, note_field, when = field_names(party_id)
    errors: Errors = {}
    method = values.get(how, "")
    if method not in ContactMethod.ALL:
        errors[how] = _("Select how you told them")
    note = values.get(note_field, "").strip()
    if not note:
        errors[note_field] = _("Enter what you told them")
    elif len(note) > NOTE_MAX:
        errors[note_field] = _("The note must be {n} characters or fewer").format(n=f"{NOTE_MAX:,}")
    day, problem = date_from_parts(values, when)
    today = london_date(now)
    # Keyed by the day field, so that the error summary's link lands in the first box.
    date_error = f"{when}-day"
    if problem == "incomplete":
        errors[date_error] = _("The date must include a day, month and year")
    elif problem == "invalid":
        errors[date_error] = _("The date must be a real date")
    elif day is not None and day > today:
        errors[date_error] = _("The date must be today or in the past")
    elif day is not None and day < london_date(crime.reported_at):
        errors[date_error] = _("The date must be on or after the day the crime was reported")
    agreed = values.get(agreed_field(party_id)) == "yes"
    if agreed and method == ContactMethod.IN_PERSON:
        errors[agreed_field(party_id)] = _(
            "To agree a way to tell them from now on, choose by phone or by letter"
        )
    if errors:
        return None, errors
    # A day before today counts as told by the end of that day: on time for anything due then.
    told_at = now if day is None or day == today else end_of_london_day(day)
    return ToldForm(method, note, told_at, agreed), {}


async def _after(request: Request, db, officer: Officer, crime: Crime, party: Party) -> Response:
    if is_htmx(request):
        page = await load_crime_page(db, officer, crime, rules=request.app.state.rules)
        news = _("Recorded how you told {name}.").format(name=party_name(party))
        return await render_section(
            request, db, SECTION, page, news, party=party, done="told", done_party=party.id
        )
    return redirect_to(
        request,
        "officer_crime",
        query={"done": "told", "party": party.id or 0},
        fragment=f"told-{party.id}-heading",
        crime_id=crime.id,
    )


@officer_page()
async def record_told(request: Request) -> Response:
    officer: Officer = request.state.officer
    values = await read_form(request)
    async with request.app.state.db.transaction() as db:
        crime, party = await crime_and_party(db, officer, request)
        form, errors = parse_told(values, party.id or 0, crime, utcnow())
        if form is None:
            page = await load_crime_page(db, officer, crime, rules=request.app.state.rules)
            return await render_with_errors(
                request,
                db,
                page,
                SECTION,
                _("There is a problem with how you told {name}").format(name=party_name(party)),
                errors=errors,
                form="told",
                values=values,
                party_id=party.id,
                party=party,
            )
        await record_outside_contact(
            db,
            party=party,
            method=form.method,
            note=form.note,
            officer_id=officer.id,
            rules=request.app.state.rules,
            told_at=form.told_at,
        )
        if form.agreed:
            await agree_contact_method(db, party=party, method=form.method)
        audit.record(
            db,
            request,
            audit_actions.PARTY_TOLD_OUTSIDE_PORTAL,
            force_id=crime.force_id,
            crime_id=crime.id,
            party_id=party.id,
            actor=officer,
            detail=f"method={form.method}" + (" agreed" if form.agreed else ""),
        )
        return await _after(request, db, officer, crime, party)


routes = [
    Route(
        "/officer/crimes/{crime_id}/parties/{party_id}/told",
        record_told,
        methods=["POST"],
        name="officer_record_told",
    ),
]
