"""The property the records system lists on a crime: stored, corrected, and its changes told to victims."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ..case_events.property import change_state, items_of_crime, mark_parties_with_property
from ..models import Crime, Force, Party, PartyRole, PropertyItem, saved_id, utcnow
from .schemas import CrimeIn, PropertyItemIn, PropertyItemOut


class UnknownPropertyOwner(Exception):
    """Items whose owner_rms_party_id names no victim of the crime, by their index in the request."""

    def __init__(self, indexes: list[int]) -> None:
        super().__init__(indexes)
        self.indexes = indexes


def check_owners(body: CrimeIn, known_parties: list[Party]) -> None:
    """Refuse, before anything is written, items said to belong to someone who is not a victim."""
    roles = {party.rms_party_id: party.role for party in known_parties}
    roles.update({party.rms_party_id: party.role for party in body.parties})
    wrong = [
        index
        for index, item in enumerate(body.property or [])
        if item.owner_rms_party_id is not None and roles.get(item.owner_rms_party_id) != PartyRole.VICTIM
    ]
    if wrong:
        raise UnknownPropertyOwner(wrong)


async def upsert_property(
    db: AsyncSession, *, force: Force, crime: Crime, given: list[PropertyItemIn], parties: list[Party]
) -> tuple[list[PropertyItem], list[PropertyItem]]:
    """Store new items and correct known ones; an item whose state changed is told to its owners.

    Items not listed are kept, as parties are. Returns (new items, items whose state changed).
    """
    known = {item.rms_item_id: item for item in await items_of_crime(db, crime.id)}  # type: ignore[arg-type]
    party_ids = {party.rms_party_id: party.id for party in parties}
    new_items: list[PropertyItem] = []
    changed_state: list[tuple[PropertyItem, str]] = []
    for entry in given:
        owner_id = party_ids[entry.owner_rms_party_id] if entry.owner_rms_party_id else None
        item = known.get(entry.rms_item_id)
        if item is None:
            item = PropertyItem(
                crime_id=saved_id(crime),
                rms_item_id=entry.rms_item_id,
                description=entry.description,
                state=entry.state,
            )
            known[entry.rms_item_id] = item
            new_items.append(item)
        elif item.state != entry.state:
            changed_state.append((item, entry.state))
        item.description = entry.description
        item.category = entry.category
        item.value_pence = entry.value_pence
        item.owner_party_id = owner_id
        item.updated_at = utcnow()
        db.add(item)
    await db.flush()
    for item, new_state in changed_state:
        await change_state(db, force=force, crime=crime, item=item, new_state=new_state)
    mark_parties_with_property(parties, list(known.values()))
    return new_items, [item for item, _state in changed_state]


def property_view(items: list[PropertyItem], parties: list[Party]) -> list[PropertyItemOut]:
    rms_ids = {party.id: party.rms_party_id for party in parties}
    return [
        PropertyItemOut(
            rms_item_id=item.rms_item_id,
            description=item.description,
            category=item.category,
            state=item.state,
            value_pence=item.value_pence,
            owner_rms_party_id=rms_ids.get(item.owner_party_id) if item.owner_party_id else None,
            state_changed_at=item.state_changed_at,
        )
        for item in items
    ]
