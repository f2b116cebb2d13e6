"""Officers told (issue 21): one email listing, by crime reference only, the messages, update
requests and updates due tomorrow on their crimes since their last one, as often as they chose."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .models import (
    Crime,
    Entitlement,
    Force,
    Message,
    MessageDirection,
    Officer,
    OfficerAlerts,
    OutboxMessage,
    UpdateRequest,
    utcnow,
)
from .notify.outbox import AlertKind, queue_alert

# The first digest looks back this far; later ones from the last.
FIRST_LOOK_BACK = dt.timedelta(days=1)
DUE_SOON = dt.timedelta(days=1)


@dataclass(frozen=True)
class DigestLine:
    """What happened on one crime: all an officer's digest may say about it."""

    reference: str
    messages: int = 0
    requests: int = 0
    due_soon: int = 0


def lines_to_context(lines: list[DigestLine]) -> dict[str, str]:
    return {"digest": json.dumps([[x.reference, x.messages, x.requests, x.due_soon] for x in lines])}


async def _last_digest(db: AsyncSession, officer: Officer) -> dt.datetime | None:
    query = select(func.max(OutboxMessage.created_at)).where(
        col(OutboxMessage.officer_id) == officer.id, col(OutboxMessage.kind) == AlertKind.OFFICER_DIGEST
    )
    return (await db.exec(query)).one()


async def news_for(
    db: AsyncSession, officer: Officer, since: dt.datetime, now: dt.datetime
) -> list[DigestLine]:
    """What arrived on crimes the officer is in charge of since `since`, by crime reference."""
    theirs = col(Crime.officer_in_charge_id) == officer.id
    counts: dict[str, dict[str, int]] = {}
    messages = (
        select(Crime.reference, func.count(col(Message.id)))
        .join(Crime, col(Crime.id) == col(Message.crime_id))
        .where(
            theirs,
            col(Message.direction) == MessageDirection.FROM_PARTY,
            col(Message.read_at).is_(None),
            col(Message.created_at) > since,
        )
        .group_by(col(Crime.reference))
    )
    requests = (
        select(Crime.reference, func.count(col(UpdateRequest.id)))
        .join(Crime, col(Crime.id) == col(UpdateRequest.crime_id))
        .where(theirs, col(UpdateRequest.requested_at) > since)
        .group_by(col(Crime.reference))
    )
    # Each owed update once: in the digest after it came within a day of being due.
    due_soon = (
        select(Crime.reference, func.count(col(Entitlement.id)))
        .join(Crime, col(Crime.id) == col(Entitlement.crime_id))
        .where(
            theirs,
            col(Entitlement.met_at).is_(None),
            col(Entitlement.due_at) > since + DUE_SOON,
            col(Entitlement.due_at) <= now + DUE_SOON,
        )
        .group_by(col(Crime.reference))
    )
    for name, query in (("messages", messages), ("requests", requests), ("due_soon", due_soon)):
        for reference, number in (await db.exec(query)).all():
            counts.setdefault(reference, {})[name] = number
    return [DigestLine(reference, **found) for reference, found in sorted(counts.items())]


async def queue_officer_digests(db: AsyncSession, now: dt.datetime | None = None) -> int:
    """Queue a digest for each officer whose chosen gap has passed and who has news; returns how many."""
    now = now or utcnow()
    officers = (
        await db.exec(
            select(Officer, Force)
            .join(Force, col(Force.id) == col(Officer.force_id))
            .where(col(Officer.disabled_at).is_(None), col(Officer.alert_frequency) != OfficerAlerts.NONE)
        )
    ).all()
    queued = 0
    for officer, force in officers:
        gap = dt.timedelta(minutes=OfficerAlerts.GAP_MINUTES.get(officer.alert_frequency, 60))
        last = await _last_digest(db, officer)
        if last is not None and now - last < gap:
            continue
        since = last or now - FIRST_LOOK_BACK
        lines = await news_for(db, officer, since, now)
        if not lines:
            continue
        rows = await queue_alert(
            db,
            force=force,
            kind=AlertKind.OFFICER_DIGEST,
            officer=officer,
            cause=f"digest:{since.isoformat()}",
            context=lines_to_context(lines),
        )
        queued += bool(rows)
    return queued
