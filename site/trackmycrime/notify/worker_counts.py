"""What the alert workers did, kept in the database so that `/metrics` shows the whole fleet.

Each worker counts in memory (sent, failed, retried, cancelled and held alerts, and leases it took
over from a worker that died) and adds its counts to the `worker_count` rows once per round, in one
transaction. If the database is away the counts wait for the next round; if the worker process dies
before a round ends, what it counted in that round is lost (at most one batch): these are figures
for dashboards and alerts, never the record of what was sent, which is the outbox itself.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from ..models import WorkerCount

COUNTS = WorkerCount.__table__  # type: ignore[attr-defined]

SENT = "sent"
FAILED = "failed"
RETRIED = "retried"
CANCELLED = "cancelled"
HELD = "held"
LEASE_TAKEN_OVER = "lease_taken_over"
ALERT_OUTCOMES = (SENT, FAILED, RETRIED, CANCELLED, HELD)


class WorkerCounts:
    """Counts not yet written, keyed by (what happened, channel)."""

    def __init__(self) -> None:
        self.unwritten: Counter[tuple[str, str]] = Counter()

    def add(self, name: str, channel: str, count: int = 1) -> None:
        if count:
            self.unwritten[(name, channel)] += count

    def add_each(self, name: str, by_channel: Counter[str]) -> None:
        for channel, count in by_channel.items():
            self.add(name, channel, count)

    async def write(self, engine: AsyncEngine) -> None:
        """Add what was counted to the shared totals (raises if the database is away; counts kept)."""
        if not self.unwritten:
            return
        pending = dict(self.unwritten)
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        async with engine.begin() as connection:
            for (name, channel), count in sorted(pending.items()):
                statement = insert(COUNTS).values(name=name, channel=channel, value=count)
                await connection.execute(
                    statement.on_conflict_do_update(
                        index_elements=[COUNTS.c.name, COUNTS.c.channel],
                        set_={"value": COUNTS.c.value + statement.excluded.value},
                    )
                )
        self.unwritten.subtract(pending)
        self.unwritten = +self.unwritten
