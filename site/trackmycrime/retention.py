"""`tmc retention run`: remove personal data of crimes closed longer than the force's period.

What stays is anonymous: the crime's offence and dates, the statuses and times of updates,
the direction and times of messages, property categories and states, feedback ratings, and
Victims' Code entitlements, so that a force's statistics and compliance figures still add up.
The audit log is kept as it is: it records who did what, and has its own legal retention.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from . import audit, audit_actions
from .models import (
    CaseUpdate,
    Crime,
    Decision,
    Feedback,
    Force,
    Handover,
    Hearing,
    Message,
    OutboxMessage,
    Party,
    PersonalStatement,
    PropertyItem,
    ReceivedText,
    ReceivedTextStatus,
    ReviewRequest,
    UpdateRequest,
    WebSession,
    utcnow,
)

# The key of the PostgreSQL advisory lock held by whichever worker is removing data ("tmcR").
RETENTION_LOCK_KEY = 0x746D6352


UNMATCHED_TEXT_DAYS = 90  # the setting's default (TMC_UNMATCHED_TEXT_DAYS)


@dataclass(frozen=True)
class RetentionResult:
    crimes: int
    parties: int
    unmatched_texts: int = 0


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
        await db.exec(delete(WebSession).where(col(WebSession.party_id).in_(party_ids)))
        await db.exec(delete(OutboxMessage).where(col(OutboxMessage.party_id).in_(party_ids)))
        await db.exec(delete(ReceivedText).where(col(ReceivedText.party_id).in_(party_ids)))
        await db.exec(
            update(Party)
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
                # An officer's free text about the person ("moved out; spoke to her on...").
                portal_override_reason="",
                account_deleted_at=now,
                updated_at=now,
            )
        )
    await db.exec(update(Message).where(col(Message.crime_id) == crime.id).values(body=""))
    await db.exec(update(CaseUpdate).where(col(CaseUpdate.crime_id) == crime.id).values(text=""))
    await db.exec(update(Feedback).where(col(Feedback.crime_id) == crime.id).values(comment=""))
    await db.exec(update(UpdateRequest).where(col(UpdateRequest.crime_id) == crime.id).values(note=""))
    # Handover notes, review requests and decision reasons (issue 22) speak of the people too.
    await db.exec(update(Handover).where(col(Handover.crime_id) == crime.id).values(note=""))
    await db.exec(update(ReviewRequest).where(col(ReviewRequest.crime_id) == crime.id).values(reason=""))
    await db.exec(update(Decision).where(col(Decision.crime_id) == crime.id).values(reason=""))
    await db.exec(update(Hearing).where(col(Hearing.crime_id) == crime.id).values(outcome=""))
    await db.exec(
        update(PersonalStatement)
        .where(col(PersonalStatement.crime_id) == crime.id)
        .values(draft="", sent_text="")
    )
    # A description can identify its owner ("grey Raleigh bike, serial WTU123"); the category and
    # state stay for the statistics.
    await db.exec(
        update(PropertyItem)
        .where(col(PropertyItem.crime_id) == crime.id)
        .values(description="", value_pence=None)
    )
    crime.personal_data_removed_at = now
    db.add(crime)
    return len(party_ids)


async def remove_unmatched_texts(db: AsyncSession, now: dt.datetime, days: int) -> int:
    """Texts nobody could be matched to and no person routed, received more than `days` ago.

    They hold a phone number and what was written, perhaps by a victim; after this long nobody is
    going to route them, so they go (each force's count is audited)."""
    connection = await db.connection()
    removed = await connection.execute(
        delete(ReceivedText)
        .where(
            col(ReceivedText.status) == ReceivedTextStatus.UNMATCHED,
            col(ReceivedText.received_at) < now - dt.timedelta(days=days),
        )
        .returning(col(ReceivedText.force_id))
    )
    by_force: dict[int | None, int] = {}
    for force_id in removed.scalars().all():
        by_force[force_id] = by_force.get(force_id, 0) + 1
    for force_id, count in sorted(by_force.items(), key=lambda item: item[0] or 0):
        audit.record(
            db,
            None,
            audit_actions.RETENTION_REMOVE_UNMATCHED_TEXTS,
            force_id=force_id,
            actor_kind="system",
            detail=f"{count} unmatched texts removed {days} days after they arrived",
        )
    return sum(by_force.values())


async def run_retention(
    db: AsyncSession, now: dt.datetime | None = None, *, unmatched_text_days: int = UNMATCHED_TEXT_DAYS
) -> RetentionResult:
    now = now or utcnow()
    crimes = parties = 0
    for crime, force in await crimes_due_for_removal(db, now):
        parties += await remove_personal_data(db, crime, now)
        crimes += 1
        audit.record(
            db,
            None,
            audit_actions.RETENTION_REMOVE,
            force_id=force.id,
            crime_id=crime.id,
            actor_kind="system",
            detail=f"personal data removed {force.retention_days} days after closure",
        )
    texts = await remove_unmatched_texts(db, now, unmatched_text_days)
    return RetentionResult(crimes=crimes, parties=parties, unmatched_texts=texts)


async def run_retention_unless_running(
    db: AsyncSession, now: dt.datetime | None = None, *, unmatched_text_days: int = UNMATCHED_TEXT_DAYS
) -> RetentionResult | None:
    """run_retention, by one process at a time: None when another holds the lock (PostgreSQL).

    The lock is held until this transaction ends. SQLite runs one worker, and its writes queue anyway.
    """
    connection = await db.connection()
    if connection.dialect.name == "postgresql":
        taken = await db.exec(
            text("SELECT pg_try_advisory_xact_lock(:key)").bindparams(key=RETENTION_LOCK_KEY)
        )  # type: ignore[call-overload]
        if not taken.scalar_one():
            return None
    return await run_retention(db, now, unmatched_text_days=unmatched_text_days)
