"""Recording an update on a crime's timeline, perhaps with a new status, and alerting who may read it.

The records system, an officer's update and a change in an item of property all record it here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from .. import audit, audit_actions
from ..models import Agency, Audience, CaseUpdate, Crime, Force, Officer, Party, saved_id, utcnow
from ..statuses import status as status_of
from .alerts import alert_parties_of_update


async def record_update(
    db: AsyncSession,
    *,
    force: Force,
    crime: Crime,
    text: str,
    status: str | None = None,
    audience: str = Audience.ALL,
    party_id: int | None = None,
    occurred_at: dt.datetime | None = None,
    rms_update_id: str | None = None,
    agency: str = Agency.POLICE,
    author: Officer | None = None,
    author_id: int | None = None,
    send_after: dt.datetime | None = None,
    client_address: str = "",
    now: dt.datetime | None = None,
    parties: Sequence[Party] | None = None,
) -> CaseUpdate:
    """Store the update, change the crime's status if it brings one, and alert those who may read it.

    An officer's update (`author`) is audited as theirs; `author_id` only names the officer on the update
    (the caller audits what they did). `send_after` holds the alerts back (while an officer may
    still withdraw the update). `parties`: parties_of_crime() of the crime, when the caller has read
    them. The caller refreshes the Victims' Code entitlements.
    """
    now = now or utcnow()
    update = CaseUpdate(
        crime_id=saved_id(crime),
        rms_update_id=rms_update_id,
        text=text,
        status=status,
        status_before=crime.status if status else None,
        audience=audience,
        party_id=party_id,
        agency=agency,
        author_officer_id=author.id if author else author_id,
        occurred_at=occurred_at or now,
        created_at=now,
    )
    db.add(update)
    if status:
        set_crime_status(crime, status, at=update.occurred_at)
    crime.updated_at = now
    db.add(crime)
    await db.flush()
    await alert_parties_of_update(db, force, update, send_after=send_after, parties=parties)
    if author is not None:
        audit.record(
            db,
            None,
            audit_actions.CRIME_UPDATE_POSTED,
            force_id=crime.force_id,
            crime_id=crime.id,
            party_id=party_id,
            actor=author,
            detail=f"status={status or ''} audience={audience}",
            client_address=client_address,
        )
    return update


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
        crime_id=saved_id(crime),
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
