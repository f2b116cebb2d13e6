"""Property recorded against a crime: who may see an item, and telling them when its state changes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..i18n import gettext as _
from ..models import (
    Audience,
    CaseUpdate,
    Crime,
    Force,
    Party,
    PartyRole,
    PropertyItem,
    PropertyState,
    utcnow,
)
from .updates import record_update


def state_label(state: str) -> str:
    """The state as a victim reads it."""
    return {
        PropertyState.MISSING: _("Missing"),
        PropertyState.DAMAGED: _("Damaged"),
        PropertyState.RECOVERED: _("Recovered by the police"),
        PropertyState.RETURNED: _("Returned to you"),
    }.get(state, state)


def state_label_for_officers(state: str) -> str:
    return {
        PropertyState.RETURNED: _("Returned to the owner"),
        PropertyState.RECOVERED: _("Recovered"),
    }.get(state) or state_label(state)


def value_in_pounds(pence: int | None) -> str:
    """£1,249.50; £80 for whole pounds; "" when no value was recorded."""
    if pence is None:
        return ""
    pounds, rest = divmod(pence, 100)
    return f"£{pounds:,}" if rest == 0 else f"£{pounds:,}.{rest:02d}"


def is_visible_to(item: PropertyItem, party: Party) -> bool:
    """Victims see their own items and those of the crime's victims in common; witnesses see none."""
    if party.role != PartyRole.VICTIM or item.crime_id != party.crime_id:
        return False
    return item.owner_party_id is None or item.owner_party_id == party.id


async def items_for_party(db: AsyncSession, party: Party) -> list[PropertyItem]:
    if party.role != PartyRole.VICTIM:
        return []
    found = await db.exec(
        select(PropertyItem)
        .where(
            col(PropertyItem.crime_id) == party.crime_id,
            or_(col(PropertyItem.owner_party_id).is_(None), col(PropertyItem.owner_party_id) == party.id),
        )
        .order_by(col(PropertyItem.id))
    )
    return list(found.all())


async def items_of_crime(db: AsyncSession, crime_id: int) -> list[PropertyItem]:
    found = await db.exec(
        select(PropertyItem).where(col(PropertyItem.crime_id) == crime_id).order_by(col(PropertyItem.id))
    )
    return list(found.all())


def mark_parties_with_property(parties: list[Party], items: list[PropertyItem]) -> None:
    """Keep each party's has_property flag, which decides whether their pages link to the property."""
    for party in parties:
        has_property = any(is_visible_to(item, party) for item in items)
        if party.has_property != has_property:
            party.has_property = has_property


async def change_state(
    db: AsyncSession,
    *,
    force: Force,
    crime: Crime,
    item: PropertyItem,
    new_state: str,
    officer_id: int | None = None,
    now: dt.datetime | None = None,
) -> CaseUpdate:
    """Record the item's new state and tell its owners as an update, alerted like any other.

    The caller refreshes the crime's Victims' Code entitlements once it has made all its changes.
    """
    now = now or utcnow()
    item.state = new_state
    item.state_changed_at = now
    item.updated_at = now
    db.add(item)
    return await record_update(
        db,
        force=force,
        crime=crime,
        text=_state_change_text(item),
        audience=Audience.PARTY if item.owner_party_id else Audience.VICTIMS,
        party_id=item.owner_party_id,
        author_id=officer_id,
        occurred_at=now,
        now=now,
    )


def _state_change_text(item: PropertyItem) -> str:
    # Stored with the update, as an officer's own words would be, so it reads the same later on.
    sentences = {
        PropertyState.MISSING: "We now have “{item}” recorded as missing.",
        PropertyState.DAMAGED: "We now have “{item}” recorded as damaged.",
        PropertyState.RECOVERED: "We have recovered “{item}”. Your officer will tell you how to get it back.",
        PropertyState.RETURNED: "“{item}” is now recorded as returned to you.",
    }
    return sentences[item.state].format(item=item.description) + " See your property page for details."
