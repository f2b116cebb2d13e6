"""Adding an update from the records system once, and telling the parties who should read it."""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..case_updates import is_visible_to
from ..models import Agency, Audience, CaseUpdate, Crime, Force, Party, utcnow
from ..notify.outbox import AlertKind, queue_alert
from ..statuses import status as status_of
from .schemas import UpdateIn, UpdateOut


class UpdateConflict(Exception):
    """The update id was used before for different content."""


class UnknownAudience(Exception):
    """The audience names a party the crime does not have."""


async def update_by_rms_id(db: AsyncSession, crime: Crime, rms_update_id: str) -> CaseUpdate | None:
    found = await db.exec(
        select(CaseUpdate).where(CaseUpdate.crime_id == crime.id, CaseUpdate.rms_update_id == rms_update_id)
    )
    return found.first()


async def add_update(
    db: AsyncSession, *, force: Force, crime: Crime, body: UpdateIn, agency: str = Agency.POLICE
) -> tuple[CaseUpdate, bool]:
    """The stored update and whether this call stored it; a repeat of a stored one changes nothing."""
    audience, party_id = await _audience(db, crime, body.audience)
    occurred_at = body.occurred_at or utcnow()
    existing = await update_by_rms_id(db, crime, body.rms_update_id)
    if existing is not None:
        if not _same_update(existing, body, audience, party_id):
            raise UpdateConflict(body.rms_update_id)
        return existing, False
    update = CaseUpdate(
        crime_id=crime.id,  # type: ignore[arg-type]
        rms_update_id=body.rms_update_id,
        status=body.status,
        text=body.text,
        audience=audience,
        party_id=party_id,
        occurred_at=occurred_at,
        agency=agency,
    )
    db.add(update)
    await db.flush()
    if body.status is not None:
        set_crime_status(crime, body.status, at=occurred_at)
        db.add(crime)
        await db.flush()
    await alert_parties_of_update(db, force, update)
    return update, True


async def record_case_event(
    db: AsyncSession,
    force: Force,
    crime: Crime,
    *,
    event: str,
    occurred_at: dt.datetime,
    hearing_id: int | None = None,
    agency: str = Agency.POLICE,
    text: str = "",
) -> tuple[CaseUpdate, list[Party]]:
    """A case event that is not a status (a hearing arranged, moved, ...): an update for everyone, alerted.

    Returns the update and the parties alerted. The caller refreshes the Victims' Code entitlements.
    """
    update = CaseUpdate(
        crime_id=crime.id,  # type: ignore[arg-type]
        event=event,
        hearing_id=hearing_id,
        agency=agency,
        text=text,
        audience=Audience.ALL,
        occurred_at=occurred_at,
        created_at=utcnow(),
    )
    db.add(update)
    await db.flush()
    return update, await alert_parties_of_update(db, force, update)


def set_crime_status(crime: Crime, new_status: str, *, at: dt.datetime) -> None:
    crime.status = new_status
    crime.updated_at = utcnow()
    if status_of(new_status).closes_crime:
        crime.closed_at = crime.closed_at or at
    else:
        crime.closed_at = None


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


def update_alert_cause(update: CaseUpdate) -> str:
    """The outbox cause of an update's alerts (queue_alert's dedupe key holds it)."""
    return f"update:{update.id}"


def _may_be_alerted(party: Party) -> bool:
    return bool(party.password_hash) and party.opted_out_at is None and party.account_deleted_at is None


async def alert_parties_of_update(
    db: AsyncSession, force: Force, update: CaseUpdate, *, send_after: dt.datetime | None = None
) -> list[Party]:
    """Queue "an update is waiting" for each registered party who may read it, as they prefer.

    `send_after`: hold the alerts back until then (while an officer may still withdraw the update).
    """
    found = await db.exec(
        select(Party)
        .where(Party.crime_id == update.crime_id, col(Party.helps_party_id).is_(None))
        .order_by(col(Party.id))
    )
    alerted: list[Party] = []
    for party in found.all():
        if not _may_be_alerted(party) or not is_visible_to(update, party):
            continue
        await queue_alert(
            db,
            force=force,
            kind=AlertKind.UPDATE_WAITING,
            party=party,
            cause=update_alert_cause(update),
            context={"force_name": force.name},
            send_at=send_after,
        )
        alerted.append(party)
    return alerted


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
