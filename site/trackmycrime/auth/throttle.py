"""Rate limits kept in the database, so they hold across processes, machines and concurrent requests.

`hit(key)` counts an attempt in a fixed window with one atomic statement and returns its number,
so that N requests arriving together get the numbers 1..N and a caller that counts *before* it
does the work (checks a password, stores a message) lets at most `limit` of them through:
`if await hit(...) > limit: refuse`. Keys look like "victim-sign-in:client:203.0.113.7" or
"reset:email:<sha256>".
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, delete, literal, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import Throttle, UTCDateTime, utcnow

_table = Throttle.__table__  # type: ignore[attr-defined]


async def attempts_in_window(db: AsyncSession, key: str, window: dt.timedelta) -> int:
    row = (await db.exec(select(Throttle).where(Throttle.key == key))).first()
    if row is None or row.window_started_at + window <= utcnow():
        return 0
    return row.attempts


async def is_limited(db: AsyncSession, key: str, *, limit: int, window: dt.timedelta) -> bool:
    """Whether the key has used up its window: a read only, for showing a state, never for a guard."""
    return await attempts_in_window(db, key, window) >= limit


async def hit(db: AsyncSession, key: str, *, window: dt.timedelta) -> int:
    """Count one attempt and return its number in the current window.

    One INSERT ... ON CONFLICT DO UPDATE ... RETURNING: the first attempt of two racing requests
    cannot fail on the primary key, and concurrent attempts each get a different number (the row
    stays locked until the caller's transaction ends, so callers should keep that short).
    """
    now = utcnow()
    expired = _table.c.window_started_at <= literal(now - window, UTCDateTime())
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(_table)
        .values(key=key, window_started_at=now, attempts=1)
        .on_conflict_do_update(
            index_elements=[_table.c.key],
            set_={
                "attempts": case((expired, 1), else_=_table.c.attempts + 1),
                "window_started_at": case(
                    (expired, literal(now, UTCDateTime())), else_=_table.c.window_started_at
                ),
            },
        )
        .returning(_table.c.attempts)
    )
    return int((await db.exec(statement)).scalar_one())


async def give_back(db: AsyncSession, key: str) -> None:
    """Uncount one attempt that turned out well (a right password), never below zero."""
    await db.exec(
        update(_table)
        .where(_table.c.key == key, _table.c.attempts > 0)
        .values(attempts=_table.c.attempts - 1)
    )


async def restart_window(db: AsyncSession, key: str) -> dt.datetime:
    """Start the key's window again now, keeping its count (a lock runs from the failure that set it)."""
    now = utcnow()
    await db.exec(
        update(_table).where(_table.c.key == key).values(window_started_at=literal(now, UTCDateTime()))
    )
    return now


async def reset(db: AsyncSession, key: str) -> None:
    await db.exec(delete(_table).where(_table.c.key == key))
