"""Rate limits kept in the database, so they hold across processes and machines.

`hit(key)` counts an attempt in a fixed window; `is_limited(key)` says whether the key has used
up its window. Keys look like "victim-sign-in:ip:203.0.113.7" or "reset:email:<sha256>".
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import Throttle, utcnow


async def attempts_in_window(db: AsyncSession, key: str, window: dt.timedelta) -> int:
    row = (await db.exec(select(Throttle).where(Throttle.key == key))).first()
    if row is None or row.window_started_at + window <= utcnow():
        return 0
    return row.attempts


async def is_limited(db: AsyncSession, key: str, *, limit: int, window: dt.timedelta) -> bool:
    return await attempts_in_window(db, key, window) >= limit


async def hit(db: AsyncSession, key: str, *, window: dt.timedelta) -> int:
    """Count one attempt and return the count in the current window (call inside a transaction)."""
    now = utcnow()
    row = (await db.exec(select(Throttle).where(Throttle.key == key).with_for_update())).first()
    if row is None:
        row = Throttle(key=key, window_started_at=now, attempts=0)
        db.add(row)
    elif row.window_started_at + window <= now:
        row.window_started_at, row.attempts = now, 0
    row.attempts += 1
    await db.flush()
    return row.attempts


async def reset(db: AsyncSession, key: str) -> None:
    await db.exec(delete(Throttle).where(Throttle.key == key))  # type: ignore[call-overload]
