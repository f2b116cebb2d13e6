"""Who may read an update: everyone on the crime, only its victims, or one party; nobody once withdrawn."""

from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from .models import Audience, CaseUpdate, Party, PartyRole


def is_visible_to(update: CaseUpdate, party: Party) -> bool:
    if update.crime_id != party.crime_id or update.withdrawn_at is not None:
        return False
    if update.audience == Audience.ALL:
        return True
    if update.audience == Audience.VICTIMS:
        return party.role == PartyRole.VICTIM
    return update.audience == Audience.PARTY and update.party_id == party.id


def visible_to_party_clause(party: Party) -> ColumnElement[bool]:
    """The same rule as is_visible_to, as a WHERE clause for a party's timeline query."""
    allowed: list[ColumnElement[bool]] = [col(CaseUpdate.audience) == Audience.ALL]
    if party.role == PartyRole.VICTIM:
        allowed.append(col(CaseUpdate.audience) == Audience.VICTIMS)
    allowed.append((col(CaseUpdate.audience) == Audience.PARTY) & (col(CaseUpdate.party_id) == party.id))
    same_crime = col(CaseUpdate.crime_id) == party.crime_id
    return same_crime & col(CaseUpdate.withdrawn_at).is_(None) & or_(*allowed)
