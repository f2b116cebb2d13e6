"""Adding an update from the records system once, and telling the parties who should read it."""

from __future__ import annotations

from typing import NamedTuple

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..case_events.alerts import alert_parties_of_update, parties_of_crime, update_alert_cause
from ..case_events.updates import record_case_event, record_update, set_crime_status
from ..models import Agency, Audience, CaseUpdate, Crime, Force, Party, utcnow
from .schemas import UpdateIn, UpdateOut

# Kept importable from here for the records system's other modules.
__all__ = [
    "UnknownAudience",
    "UpdateConflict",
    "add_update",
    "alert_parties_of_update",
    "record_case_event",
    "set_crime_status",
    "update_alert_cause",
    "update_by_rms_id",
    "update_view",
]


class UpdateConflict(Exception):
    """The update id was used before for different content."""


class UnknownAudience(Exception):
    """The audience names a party the crime does not have."""


async def update_by_rms_id(db: AsyncSession, crime: Crime, rms_update_id: str) -> CaseUpdate | None:
    found = await db.exec(
        select(CaseUpdate).where(CaseUpdate.crime_id == crime.id, CaseUpdate.rms_update_id == rms_update_id)
    )
    return found.first()


class StoredUpdate(NamedTuple):
    update: CaseUpdate
    created: bool
    parties: list[Party]
    """The crime's parties (parties_of_crime()) when this call stored the update, else empty."""


async def add_update(
    db: AsyncSession, *, force: Force, crime: Crime, body: UpdateIn, agency: str = Agency.POLICE
) -> StoredUpdate:
    """The stored update and whether this call stored it; a repeat of a stored one changes nothing."""
    audience, party_id = await _audience(db, crime, body.audience)
    occurred_at = body.occurred_at or utcnow()
    existing = await update_by_rms_id(db, crime, body.rms_update_id)
    if existing is not None:
        if not _same_update(existing, body, audience, party_id):
            raise UpdateConflict(body.rms_update_id)
        return StoredUpdate(existing, False, [])
    parties = await parties_of_crime(db, crime.id)  # type: ignore[arg-type]
    update = await record_update(
        db,
        force=force,
        crime=crime,
        text=body.text,
        status=body.status,
        audience=audience,
        party_id=party_id,
        occurred_at=occurred_at,
        rms_update_id=body.rms_update_id,
        agency=agency,
        parties=parties,
    )
    return StoredUpdate(update, True, parties)


async def _audience(db: AsyncSession, crime: Crime, audience: str) -> tuple[str, int | None]:
    if audience in (Audience.ALL, Audience.VICTIMS):
        return audience, None
    found = await db.exec(select(Party.id).where(Party.crime_id == crime.id, Party.rms_party_id == audience))
    party_id = found.first()
    if party_id is None:
        raise UnknownAudience(audience)
    return Audience.PARTY, party_id


def _same_update(stored: CaseUpdate, body: UpdateIn, audience: str, party_id: int | None) -> bool:
    same_time = body.occurred_at is None or body.occurred_at == stored.occurred_at
    return (
        stored.status == body.status
        and stored.text == body.text
        and stored.audience == audience
        and stored.party_id == party_id
        and same_time
    )


def update_view(update: CaseUpdate, audience_party_id: str | None = None) -> UpdateOut:
    return UpdateOut(
        rms_update_id=update.rms_update_id,
        status=update.status,
        text=update.text,
        audience=audience_party_id
        if update.audience == Audience.PARTY and audience_party_id
        else update.audience,
        occurred_at=update.occurred_at,
        created_at=update.created_at,
    )
