"""Password hashing runs off the event loop, a limited number at once, so a burst cannot starve the site."""

import threading
import time

import anyio
import pytest

from trackmycrime.auth import passwords

pytestmark = pytest.mark.anyio


class CountingHasher:
    """Stands in for argon2: notes how many hashes run at the same moment."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()

    def hash(self, password: str) -> str:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.02)
        with self.lock:
            self.running -= 1
        return "hashed:" + password


async def test_a_burst_of_hashes_runs_a_few_at_a_time_and_the_loop_stays_free():
    hasher = CountingHasher()
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await anyio.sleep(0.005)

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(tick)
        async with anyio.create_task_group() as burst:
            for n in range(6):
                burst.start_soon(passwords.hash_password, hasher, f"password {n}")
        tasks.cancel_scope.cancel()
    assert 1 <= hasher.most <= passwords.HASHES_AT_ONCE
    assert ticks >= 6 * 0.02 / passwords.HASHES_AT_ONCE / 0.005 / 3, "the event loop kept running meanwhile"


def test_production_hashing_is_argon2id_at_or_above_owasps_minimum():
    hasher = passwords.PRODUCTION_HASHER
    assert hasher.type.name == "ID"
    assert hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2
