"""Missing or damaged property: the items recorded against the party's crime, and telling the officer more."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ..auth.sessions import party_required
from ..case_events.property import items_for_party, state_label, value_in_pounds
from ..forms import whole_number
from ..i18n import gettext as _
from ..models import Message, Party, PropertyItem
from ..pages import is_htmx, redirect_to, render
from . import forms, messages


def details_field(item: PropertyItem) -> str:
    return f"details-{item.id}"


async def _load(request: Request) -> tuple[list[PropertyItem], dict[int, list[Message]]]:
    """The party's items, and what the party has already told the officers about each."""
    party: Party = request.state.party
    async with request.app.state.db.session() as db:
        items = await items_for_party(db, party)
        found = await db.exec(
            select(Message)
            .where(col(Message.party_id) == party.id, col(Message.property_item_id).is_not(None))
            .order_by(col(Message.created_at), col(Message.id))
        )
        told: dict[int, list[Message]] = {}
        for message in found.all():
            told.setdefault(message.property_item_id, []).append(message)
    return items, told


def _context(
    request: Request, items: list[PropertyItem], told: dict[int, list[Message]], **extra: Any
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "crime": request.state.crime,
        "items": items,
        "told": told,
        "state_label": state_label,
        "value_in_pounds": value_in_pounds,
        "details_field": details_field,
        "message_limit": forms.MESSAGE_MAX,
        "errors": {},
        "values": {},
        "sent_item": None,
        "as_fragment": False,
        "announcement": "",
    }
    context.update(extra)
    return context


@party_required
async def property_page(request: Request) -> Response:
    items, told = await _load(request)
    sent = whole_number(request.query_params.get("sent", ""))
    return render(request, "victim/property.html", _context(request, items, told, sent_item=sent))


@party_required
async def tell_officer(request: Request) -> Response:
    """An addition or correction to one item, sent to the officers as a message tied to it."""
    item_id = whole_number(request.path_params["item_id"])
    submitted = await forms.submitted(request)
    form = forms.Form()
    async with request.app.state.db.transaction() as db:
        item = next((i for i in await items_for_party(db, request.state.party) if i.id == item_id), None)
        if item is None:
            raise HTTPException(404)
        field = details_field(item)
        body = messages.message_text(form, submitted, field)
        await messages.store_message(request, db, form, field, body, property_item_id=item.id)
    if form.is_valid and not is_htmx(request):
        return redirect_to(request, "victim_property", query={"sent": item.id}, fragment=f"item-{item.id}")
    items, told = await _load(request)
    item = next(i for i in items if i.id == item.id)
    context = _context(
        request,
        items,
        told,
        item=item,
        errors=form.errors,
        values=form.values if not form.is_valid else {},
        sent_item=item.id if form.is_valid else None,
        as_fragment=is_htmx(request),
        announcement=_("Your message about %(item)s has been sent.") % {"item": item.description}
        if form.is_valid
        else "",
    )
    return render(
        request, "victim/property.html", context, fragment="item", status_code=200 if form.is_valid else 400
    )
