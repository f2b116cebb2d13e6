"""Read receipts: when each party first saw each update, and one reminder for the updates left unread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Exists, and_, exists, literal, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .case_updates import visible_to_party_clause
from .models import (
    AlertChannel,
    Audience,
    CaseUpdate,
    Crime,
    Force,
    OutboxMessage,
    Party,
    PartyRole,
    UpdateRead,
    UTCDateTime,
    utcnow,
)
from .notify.outbox import AlertKind, queue_alert

REMINDER_CAUSE = "reminder:{update_id}"
# Reminders are looked for at most this many at a time, so one pass stays short.
REMINDERS_PER_PASS = 500


async def mark_updates_read(db: AsyncSession, party: Party, now: dt.datetime | None = None) -> None:
    """Record the first reading of every update the party can see and had not read: one statement."""
    unread = (
        select(
            col(CaseUpdate.id),
            literal(party.id),
            literal(now or utcnow(), UTCDateTime()),
        )
        .where(visible_to_party_clause(party))
        .where(
            ~exists().where(
                col(UpdateRead.update_id) == col(CaseUpdate.id), col(UpdateRead.party_id) == party.id
            )
        )
    )
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(UpdateRead)
        .from_select(["update_id", "party_id", "first_read_at"], unread)
        .on_conflict_do_nothing()  # two tabs loading the page at once
    )
    await db.exec(statement)


async def reads_on_crime(db: AsyncSession, crime_id: int) -> dict[tuple[int, int], dt.datetime]:
    """(update id, party id) -> when that party first read that update, for one crime."""
    rows = (
        await db.exec(
            select(UpdateRead.update_id, UpdateRead.party_id, UpdateRead.first_read_at)
            .join(CaseUpdate, col(CaseUpdate.id) == col(UpdateRead.update_id))
            .where(col(CaseUpdate.crime_id) == crime_id)
        )
    ).all()
    return {(update_id, party_id): read_at for update_id, party_id, read_at in rows}


def _reminded_since_made() -> Exists:
    """A reminder queued for this party after the update was made: it covered this update too."""
    return exists().where(
        col(OutboxMessage.party_id) == col(Party.id),
        col(OutboxMessage.kind) == AlertKind.UNREAD_REMINDER,
        col(OutboxMessage.created_at) >= col(CaseUpdate.created_at),
    )


async def updates_needing_reminders(
    db: AsyncSession, now: dt.datetime | None = None
) -> Sequence[tuple[CaseUpdate, Party, Force]]:
    """Updates a registered party has left unread for their force's reminder days, not yet reminded.

    Only updates made after the party registered count: they were alerted to those.
    """
    now = now or utcnow()
    forces = (
        await db.exec(select(Force.id, Force.unread_reminder_days).where(col(Force.unread_reminder_days) > 0))
    ).all()
    if not forces:
        return []
    old_enough = or_(
        *(
            and_(col(Force.id) == force_id, col(CaseUpdate.created_at) <= now - dt.timedelta(days=days))
            for force_id, days in forces
        )
    )
    visible = or_(
        col(CaseUpdate.audience) == Audience.ALL,
        and_(col(CaseUpdate.audience) == Audience.VICTIMS, col(Party.role) == PartyRole.VICTIM),
        and_(col(CaseUpdate.audience) == Audience.PARTY, col(CaseUpdate.party_id) == col(Party.id)),
    )
    query = (
        select(CaseUpdate, Party, Force)
        .join(Crime, col(Crime.id) == col(CaseUpdate.crime_id))
        .join(Force, col(Force.id) == col(Crime.force_id))
        .join(Party, col(Party.crime_id) == col(Crime.id))
        .where(
            visible,
            old_enough,
            col(Crime.personal_data_removed_at).is_(None),
            col(Party.registered_at).is_not(None),
            col(Party.password_hash).is_not(None),
            col(Party.opted_out_at).is_(None),
            col(Party.account_deleted_at).is_(None),
            col(Party.helps_party_id).is_(None),
            col(Party.alert_channel) != AlertChannel.NONE,
            col(CaseUpdate.created_at) >= col(Party.registered_at),
            ~exists().where(
                col(UpdateRead.update_id) == col(CaseUpdate.id), col(UpdateRead.party_id) == col(Party.id)
            ),
            ~_reminded_since_made(),
        )
        .order_by(col(CaseUpdate.created_at))
        .limit(REMINDERS_PER_PASS)
    )
    return (await db.exec(query)).all()


async def queue_unread_reminders(db: AsyncSession, now: dt.datetime | None = None) -> int:
    """Queue one reminder per party covering every update they left unread too long; returns how many.

    Eleven unread updates are one reminder, not eleven (issue 16).
    """
    newest: dict[int, tuple[CaseUpdate, Party, Force]] = {}
    for update, party, force in await updates_needing_reminders(db, now):
        newest[party.id] = (update, party, force)  # type: ignore[index]  # oldest first: the last wins
    queued = 0
    for update, party, force in newest.values():
        rows = await queue_alert(
            db,
            force=force,
            kind=AlertKind.UNREAD_REMINDER,
            party=party,
            cause=REMINDER_CAUSE.format(update_id=update.id),
            context={"force_name": force.name},
        )
        queued += bool(rows)
    return queued
