"""The database-kept rate-limit counter: every attempt counted once, even the racing first ones."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from trackmycrime.auth import throttle
from trackmycrime.database import Database

pytestmark = pytest.mark.anyio

WINDOW = dt.timedelta(minutes=15)


async def test_simultaneous_first_attempts_are_each_counted_with_their_own_number(db: Database) -> None:
    async def one_attempt() -> int:
        async with db.transaction() as session:
            return await throttle.hit(session, "test:race", window=WINDOW)

    numbers = await asyncio.gather(*[one_attempt() for _ in range(20)])

    assert sorted(numbers) == list(range(1, 21))


async def test_a_count_starts_again_when_its_window_has_passed(db: Database) -> None:
    async with db.transaction() as session:
        counts = [await throttle.hit(session, "test:window", window=WINDOW) for _ in range(3)]
        counts.append(await throttle.hit(session, "test:window", window=dt.timedelta(0)))
        await throttle.give_back(session, "test:window")
        await throttle.give_back(session, "test:window")
        counts.append(await throttle.hit(session, "test:window", window=WINDOW))
    assert counts == [1, 2, 3, 1, 1], "a count given back never goes below zero"
