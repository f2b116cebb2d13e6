"""Adding an update from the records system once, and telling the parties who should read it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, cast

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..case_events.alerts import alert_parties_of_update, parties_and_their_recent_alerts, update_alert_cause
from ..case_events.updates import record_case_event, record_update, set_crime_status
from ..database import all_rows, transaction_connection
from ..models import Agency, Audience, CaseUpdate, Crime, Force, Party, saved_id, utcnow
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
    updates: list[CaseUpdate]
    """Every update of the crime, this one included, when this call stored it, else empty."""


_updates = cast(Any, CaseUpdate).__table__
_UPDATES_OF_CRIME = sa_select(_updates).where(_updates.c.crime_id == bindparam("crime_id"))


async def updates_of_crime(db: AsyncSession, crime_id: int) -> list[CaseUpdate]:
    """All the crime's updates as read-only rows with CaseUpdate's columns (not ORM objects)."""
    found = await all_rows(await transaction_connection(db), _UPDATES_OF_CRIME, {"crime_id": crime_id})
    return cast(list[CaseUpdate], found)


async def add_update(
    db: AsyncSession, *, force: Force, crime: Crime, body: UpdateIn, agency: str = Agency.POLICE
) -> StoredUpdate:
    """The stored update and whether this call stored it; a repeat of a stored one changes nothing.

    Reads the crime's updates once, for the repeat check and the Victims' Code refresh, and its
    parties with their recent alerts once (for a repeat only if its audience is one party), for
    the audience, the alerts and the refresh.
    """
    crime_id = saved_id(crime)
    updates = await updates_of_crime(db, crime_id)
    existing = next((u for u in updates if u.rms_update_id == body.rms_update_id), None)
    every_party: Sequence[Party] = ()
    alerted_lately: dict[int, set[str]] = {}
    if existing is None or body.audience not in (Audience.ALL, Audience.VICTIMS):
        every_party, alerted_lately = await parties_and_their_recent_alerts(db, force, crime_id)
    audience, party_id = _audience(every_party, body.audience)
    if existing is not None:
        if not _same_update(existing, body, audience, party_id):
            raise UpdateConflict(body.rms_update_id)
        return StoredUpdate(existing, False, [], [])
    parties = [party for party in every_party if party.helps_party_id is None]
    update = await record_update(
        db,
        force=force,
        crime=crime,
        text=body.text,
        status=body.status,
        audience=audience,
        party_id=party_id,
        occurred_at=body.occurred_at or utcnow(),
        rms_update_id=body.rms_update_id,
        agency=agency,
        parties=parties,
        alerted_lately=alerted_lately,
    )
    return StoredUpdate(update, True, parties, [*updates, update])


def _audience(every_party: Sequence[Party], audience: str) -> tuple[str, int | None]:
    if audience in (Audience.ALL, Audience.VICTIMS):
        return audience, None
    party_id = next((party.id for party in every_party if party.rms_party_id == audience), None)
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
