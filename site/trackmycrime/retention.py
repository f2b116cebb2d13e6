"""`tmc retention run`: remove personal data of crimes closed longer than the force's period.

What stays is anonymous: the crime's offence and dates, the statuses and times of updates,
the direction and times of messages, property categories and states, feedback ratings, and
Victims' Code entitlements, so that a force's statistics and compliance figures still add up.
The audit log is kept as it is: it records who did what, and has its own legal retention.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .models import (
    CaseUpdate,
    Crime,
    Feedback,
    Force,
    Message,
    OutboxMessage,
    Party,
    PropertyItem,
    ReceivedText,
    UpdateRequest,
    WebSession,
    utcnow,
)


@dataclass(frozen=True)
class RetentionResult:
    crimes: int
    parties: int


async def crimes_due_for_removal(db: AsyncSession, now: dt.datetime) -> list[tuple[Crime, Force]]:
    rows = await db.exec(
        select(Crime, Force)
        .join(Force, col(Force.id) == col(Crime.force_id))
        .where(col(Crime.closed_at).is_not(None), col(Crime.personal_data_removed_at).is_(None))
    )
    return [
        (crime, force)
        for crime, force in rows.all()
        if crime.closed_at is not None and crime.closed_at + dt.timedelta(days=force.retention_days) <= now
    ]


async def remove_personal_data(db: AsyncSession, crime: Crime, now: dt.datetime) -> int:
    """Anonymise one crime's parties, messages, updates, property and feedback; returns the party count."""
    party_ids = list((await db.exec(select(Party.id).where(Party.crime_id == crime.id))).all())
    if party_ids:
        await db.exec(delete(WebSession).where(col(WebSession.party_id).in_(party_ids)))  # type: ignore[call-overload]
        await db.exec(delete(OutboxMessage).where(col(OutboxMessage.party_id).in_(party_ids)))  # type: ignore[call-overload]
        await db.exec(delete(ReceivedText).where(col(ReceivedText.party_id).in_(party_ids)))  # type: ignore[call-overload]
        await db.exec(
            update(Party)  # type: ignore[call-overload]
            .where(col(Party.id).in_(party_ids))
            .values(
                forenames="",
                surname="",
                surname_key="",
                date_of_birth=None,
                email="",
                mobile="",
                address="",
                password_hash=None,
                registration_code_hash=None,
                registration_code_expires_at=None,
                account_deleted_at=now,
                updated_at=now,
            )
        )
    await db.exec(update(Message).where(col(Message.crime_id) == crime.id).values(body=""))  # type: ignore[call-overload]
    await db.exec(update(CaseUpdate).where(col(CaseUpdate.crime_id) == crime.id).values(text=""))  # type: ignore[call-overload]
    await db.exec(update(Feedback).where(col(Feedback.crime_id) == crime.id).values(comment=""))  # type: ignore[call-overload]
    await db.exec(update(UpdateRequest).where(col(UpdateRequest.crime_id) == crime.id).values(note=""))  # type: ignore[call-overload]
    # A description can identify its owner ("grey Raleigh bike, serial WTU123"); the category and
    # state stay for the statistics.
    await db.exec(
        update(PropertyItem)  # type: ignore[call-overload]
        .where(col(PropertyItem.crime_id) == crime.id)
        .values(description="", value_pence=None)
    )
    crime.personal_data_removed_at = now
    db.add(crime)
    return len(party_ids)


async def run_retention(db: AsyncSession, now: dt.datetime | None = None) -> RetentionResult:
    now = now or utcnow()
    crimes = parties = 0
    for crime, force in await crimes_due_for_removal(db, now):
        parties += await remove_personal_data(db, crime, now)
        crimes += 1
        from .audit import record

        record(
            db,
            None,
            "retention.remove",
            force_id=force.id,
            crime_id=crime.id,
            actor_kind="system",
            detail=f"personal data removed {force.retention_days} days after closure",
        )
    return RetentionResult(crimes=crimes, parties=parties)
