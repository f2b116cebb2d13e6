"""Claiming due outbox rows for a worker, and recording what became of each one.

A claim marks rows `sending` with a lease (`claimed_until`) in one short transaction. On PostgreSQL
the rows are chosen with FOR UPDATE SKIP LOCKED, so workers on several machines never take the same
row; on SQLite the single UPDATE is atomic (one writer at a time), which suits its single worker.
A row whose lease has run out (its worker died between claiming and sending) is due again.
Outcomes are written only while the lease still holds: `claimed_until` is the fencing token, so a
worker that lost its lease cannot overwrite what another worker recorded.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Integer, String, Text, Update, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from ..models import OutboxMessage, OutboxStatus, UTCDateTime, utcnow

OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
LONGEST_RETRY_SECONDS = 3600.0


@dataclass(frozen=True)
class ClaimedAlert:
    """One outbox row this worker holds until `lease`."""

    id: int
    force_id: int
    kind: str
    channel: str
    party_id: int | None
    officer_id: int | None
    recipient: str
    context: dict[str, str]
    attempts: int
    created_at: dt.datetime
    lease: dt.datetime


def _alert(row: Any) -> ClaimedAlert:
    return ClaimedAlert(
        id=row.id,
        force_id=row.force_id,
        kind=row.kind,
        channel=row.channel,
        party_id=row.party_id,
        officer_id=row.officer_id,
        recipient=row.recipient,
        context=json.loads(row.context_json or "{}"),
        attempts=row.attempts,
        created_at=row.created_at,
        lease=row.claimed_until,
    )


def _claim_statement() -> Update:
    """Built once: what is due, claimed (abandoned rows were made due again just before)."""
    now = bindparam("now", type_=UTCDateTime())
    channels: BindParameter[Any] = bindparam("channels", expanding=True)
    limit = bindparam("limit", type_=Integer())
    due = (
        select(OUTBOX.c.id)
        .where(OUTBOX.c.status == OutboxStatus.PENDING, OUTBOX.c.next_attempt_at <= now)
        .where(OUTBOX.c.channel.in_(channels))
        .order_by(OUTBOX.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)  # left out by SQLite's compiler
    )
    return (
        update(OUTBOX)
        .where(OUTBOX.c.id.in_(select(due.subquery().c.id).scalar_subquery()))
        .values(
            status=OutboxStatus.SENDING,
            claimed_until=bindparam("lease", type_=UTCDateTime()),
            attempts=OUTBOX.c.attempts + 1,
        )
        .returning(*OUTBOX.c)
    )


TAKEN_OVER = "The worker that was sending this stopped before it finished; it was made due again."


def _take_over_statement() -> Update:
    """Built once: rows abandoned by a worker whose lease ran out (it died mid-send) become due now.

    Each row is changed once: a second worker doing the same waits for the first's row lock and then
    no longer matches, so every take-over is counted exactly once across the fleet.
    """
    now = bindparam("now", type_=UTCDateTime())
    return (
        update(OUTBOX)
        .where(OUTBOX.c.status == OutboxStatus.SENDING, OUTBOX.c.claimed_until < now)
        .where(OUTBOX.c.channel.in_(bindparam("channels", expanding=True)))
        .values(status=OutboxStatus.PENDING, claimed_until=None, next_attempt_at=now, last_error=TAKEN_OVER)
        .returning(OUTBOX.c.channel)
    )


def _finish_statement(**values: Any) -> Update:
    """Built once per outcome: the outcome is written only while we still hold the row."""
    return (
        update(OUTBOX)
        .where(
            OUTBOX.c.id == bindparam("alert_id", type_=Integer()),
            OUTBOX.c.status == OutboxStatus.SENDING,
            OUTBOX.c.claimed_until == bindparam("lease", type_=UTCDateTime()),
        )
        .values(claimed_until=None, **values)
    )


_CLAIM = _claim_statement()
_TAKE_OVER = _take_over_statement()
_SENT = _finish_statement(
    status=OutboxStatus.SENT,
    sent_at=bindparam("now", type_=UTCDateTime()),
    recipient=bindparam("recipient", type_=String()),
    provider_reference=bindparam("reference", type_=String()),
    last_error="",
)
_RETRY = _finish_statement(
    status=OutboxStatus.PENDING,
    next_attempt_at=bindparam("retry_at", type_=UTCDateTime()),
    last_error=bindparam("reason", type_=Text()),
)
_GIVEN_UP = _finish_statement(
    status=bindparam("status", type_=String()), last_error=bindparam("reason", type_=Text())
)
_RELEASE = _finish_statement(status=OutboxStatus.PENDING, attempts=OUTBOX.c.attempts - 1)


async def claim_due(
    engine: AsyncEngine,
    *,
    channels: Iterable[str],
    limit: int,
    lease_seconds: float,
    taken_over: Counter[str] | None = None,
) -> list[ClaimedAlert]:
    """Take up to `limit` due rows of these channels (and any abandoned ones); each claim is an attempt.

    Two single-statement transactions (abandoned rows made due, then the claim): pass an AUTOCOMMIT
    engine to save the BEGIN and COMMIT round trips. `taken_over` is given the abandoned rows made
    due, by channel.
    """
    channels = list(channels)
    if not channels or limit < 1:
        return []
    now = utcnow()
    async with engine.begin() as connection:
        abandoned = (await connection.execute(_TAKE_OVER, {"now": now, "channels": channels})).scalars().all()
    if taken_over is not None:
        taken_over.update(abandoned)
    parameters = {
        "now": now,
        "channels": channels,
        "limit": limit,
        "lease": now + dt.timedelta(seconds=lease_seconds),
    }
    async with engine.begin() as connection:
        rows = (await connection.execute(_CLAIM, parameters)).all()
    return sorted((_alert(row) for row in rows), key=lambda alert: alert.id)


async def _finish(engine: AsyncEngine, statement: Update, alert: ClaimedAlert, **parameters: Any) -> bool:
    """False when the lease was lost (another worker has the row now)."""
    async with engine.begin() as connection:
        result = await connection.execute(
            statement, {"alert_id": alert.id, "lease": alert.lease, **parameters}
        )
    return result.rowcount == 1


async def record_sent(engine: AsyncEngine, alert: ClaimedAlert, *, recipient: str, reference: str) -> bool:
    return await _finish(engine, _SENT, alert, now=utcnow(), recipient=recipient, reference=reference[:200])


async def record_retry(
    engine: AsyncEngine, alert: ClaimedAlert, *, reason: str, delay_seconds: float
) -> bool:
    retry_at = utcnow() + dt.timedelta(seconds=delay_seconds)
    return await _finish(engine, _RETRY, alert, retry_at=retry_at, reason=reason)


async def record_failed(engine: AsyncEngine, alert: ClaimedAlert, *, reason: str) -> bool:
    return await _finish(engine, _GIVEN_UP, alert, status=OutboxStatus.FAILED, reason=reason)


async def record_cancelled(engine: AsyncEngine, alert: ClaimedAlert, *, reason: str) -> bool:
    return await _finish(engine, _GIVEN_UP, alert, status=OutboxStatus.CANCELLED, reason=reason)


async def release(engine: AsyncEngine, alerts: Sequence[ClaimedAlert]) -> None:
    """Give back rows we claimed but did not try to send (stopping, or the channel paused)."""
    for alert in alerts:
        await _finish(engine, _RELEASE, alert)


async def hold_channels(engine: AsyncEngine, reasons: dict[str, str]) -> Counter[str]:
    """Park waiting rows of channels we cannot send on (no gateway configured): held, not dropped.

    Returns how many were held, by channel."""
    held: Counter[str] = Counter()
    async with engine.begin() as connection:
        for channel, reason in reasons.items():
            result = await connection.execute(
                update(OUTBOX)
                .where(OUTBOX.c.status == OutboxStatus.PENDING, OUTBOX.c.channel == channel)
                .values(status=OutboxStatus.HELD, last_error=reason)
            )
            if result.rowcount:
                held[channel] += result.rowcount
    return held


async def release_held(engine: AsyncEngine, channels: Iterable[str]) -> int:
    """Held rows of channels we can now send on become due again."""
    channels = list(channels)
    if not channels:
        return 0
    async with engine.begin() as connection:
        result = await connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.status == OutboxStatus.HELD, OUTBOX.c.channel.in_(channels))
            .values(status=OutboxStatus.PENDING, next_attempt_at=utcnow(), last_error="")
        )
    return result.rowcount


def retry_delay(attempts: int, first_delay: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter: about first_delay, 2x, 4x... up to an hour, never in step."""
    ceiling = min(LONGEST_RETRY_SECONDS, first_delay * 2 ** max(0, attempts - 1))
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)
