"""Limits on guessing hold when the guesses arrive together, against a live server (issue 15).

Each limit counts an attempt, atomically, before the password, code or message is checked, so
of N requests sent at once at most the limit are checked; the right password inside a burst that
goes past the limit does not sign in. PostgreSQL only: there requests really overlap, where
SQLite takes one writer at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from sqlmodel import col, func, select

from tests.web.officer_world import PASSWORD, build_world
from tests.web.victim_data import make_victim_case
from tests.webclient import WebClient
from trackmycrime.database import Database
from trackmycrime.models import AuditEvent, Message, Officer, Throttle
from trackmycrime.officer.sign_in import ACCOUNT_ATTEMPTS, account_key
from trackmycrime.victim.lockout import LOCK_AFTER_FAILURES
from trackmycrime.victim.messages import MESSAGES_PER_HOUR

from .live_app import live_app

pytestmark = [pytest.mark.anyio, pytest.mark.postgresql_only]
__all__ = ["live_app"]

BURST = 40


async def counted(db: Database, key_like: str) -> int:
    async with db.session() as session:
        found = await session.exec(
            select(func.max(Throttle.attempts)).where(col(Throttle.key).like(key_like))
        )
        return found.one() or 0


async def until(condition: Callable[[], Awaitable[bool]]) -> None:
    """Wait (on a slow machine, as long as it takes) until the burst has done what the next step needs:
    a fixed sleep let the right password in before the wrong ones were counted when CI was busy."""
    async with asyncio.timeout(60):
        while not await condition():  # noqa: ASYNC110 - the condition is in another process's database
            await asyncio.sleep(0.01)


async def audited(db: Database, action: str) -> int:
    async with db.session() as session:
        return (
            await session.exec(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
            )
        ).one()


async def test_a_burst_of_victim_guesses_checks_at_most_the_limit(db: Database, live_app: str) -> None:
    case = await make_victim_case(db)
    async with WebClient.over_http(live_app) as client:
        await client.page("/sign-in")
        wrong = [client.post("/sign-in", case.sign_in_form(password=f"wrong {n}")) for n in range(BURST)]

        async def tries_used() -> bool:
            return await counted(db, "victim-sign-in:details:%") >= LOCK_AFTER_FAILURES

        async def right_one_once_the_burst_has_used_the_tries() -> object:
            await until(tries_used)
            return await client.post("/sign-in", case.sign_in_form())

        *answers, right = await asyncio.gather(*wrong, right_one_once_the_burst_has_used_the_tries())
        checked = [a for a in answers if a.status_code != 429]
        assert len(checked) <= LOCK_AFTER_FAILURES, "more guesses checked than the lock allows"
        assert right.status_code == 429, "the right password inside a burst past the limit signed in"
        assert await audited(db, "party.sign_in_failed") <= LOCK_AFTER_FAILURES
        assert await audited(db, "party.sign_in_locked") == 1
        later = await client.post("/sign-in", case.sign_in_form())
        assert later.status_code == 429 and client.http.cookies.get("tmc_session") is None


async def test_a_burst_of_officer_guesses_checks_at_most_the_limit(db: Database, live_app: str) -> None:
    world = await build_world(db)
    async with WebClient.over_http(live_app) as client:
        await client.page("/officer/sign-in")
        form = {"identifier": world.oic.email}
        wrong = [client.post("/officer/sign-in", {**form, "password": f"wrong {n}"}) for n in range(29)]

        async def tries_used_or_locked() -> bool:
            if await counted(db, account_key(world.oic)) >= ACCOUNT_ATTEMPTS:
                return True
            async with db.session() as session:
                officer = await session.get(Officer, world.oic.id)
                return officer is not None and officer.locked_until is not None

        async def right_one_once_the_burst_has_used_the_tries() -> object:
            await until(tries_used_or_locked)
            return await client.post("/officer/sign-in", {**form, "password": PASSWORD})

        *answers, right = await asyncio.gather(*wrong, right_one_once_the_burst_has_used_the_tries())
        assert right.status_code == 200, "the right password inside a burst past the lock got through"
        assert "officer_pending" not in str(client.http.cookies), "it reached the code step"
        assert await audited(db, "officer.sign_in") == 0
        assert await audited(db, "officer.sign_in_locked") == 1
        later = await client.post("/officer/sign-in", {**form, "password": PASSWORD})
        assert later.status_code == 200 and client.http.cookies.get("tmc_session") is None
    assert len(answers) > ACCOUNT_ATTEMPTS


async def test_a_burst_of_messages_stores_at_most_the_hourly_limit(db: Database, live_app: str) -> None:
    case = await make_victim_case(db)
    async with WebClient.over_http(live_app) as client:
        await client.page("/sign-in")
        signed_in = await client.post("/sign-in", case.sign_in_form())
        assert signed_in.status_code == 303
        await client.page("/case")
        token = await client.csrf_token()
        sends = [
            client.post("/case/messages", {"message": f"Message {n}", "csrf_token": token}) for n in range(60)
        ]
        await asyncio.gather(*sends)
    async with db.session() as session:
        stored = (await session.exec(select(func.count()).select_from(Message))).one()
    assert stored == MESSAGES_PER_HOUR
