"""Sign-in checks the password with no database connection held, so a burst of sign-ins waiting for
the hasher cannot take the pool from the rest of the site (bench/README.md, "Sign-in cost").

Each test wraps the password functions the sign-in code calls and notes how many of the pool's
connections are checked out at that moment: it must be none, for a right password, a wrong one, an
unknown account and a password hashed again with today's parameters. The sign-in must still give
the same answers and record the same things.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from tests.webclient import text_of
from trackmycrime.auth.passwords import FAST_HASHER
from trackmycrime.database import Database
from trackmycrime.models import AuditEvent, Officer, Party
from trackmycrime.officer import sign_in as officer_sign_in
from trackmycrime.victim import sign_in as victim_sign_in

from .officer_world import build_world, sign_in_with_form
from .victim_data import sign_in

pytestmark = pytest.mark.anyio


class PoolWatch:
    """Wraps a module's verify_password and hash_password; notes the pool's checked-out count."""

    def __init__(self, db: Database, module: object, monkeypatch: pytest.MonkeyPatch) -> None:
        self.pool = db.engine.pool
        self.held: list[tuple[str, int]] = []
        for name in ("verify_password", "hash_password"):
            monkeypatch.setattr(module, name, self._watching(name, getattr(module, name)))

    def _watching(self, name, function):  # type: ignore[no-untyped-def]
        async def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.held.append((name, self.pool.checkedout()))
            return await function(*args, **kwargs)

        return watched

    def calls(self, name: str) -> int:
        return sum(1 for called, _held in self.held if called == name)

    def assert_no_connection_was_held(self) -> None:
        assert self.held, "the password was never checked"
        assert all(held == 0 for _name, held in self.held), f"connections checked out: {self.held}"


def a_stronger_hasher(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Today's parameters above those the stored hashes were made with: a sign-in hashes again."""
    stronger = type(FAST_HASHER)(time_cost=2, memory_cost=FAST_HASHER.memory_cost, parallelism=1)
    monkeypatch.setattr(app.state, "hasher", stronger)


async def test_victim_passwords_are_checked_and_rehashed_with_no_connection_held(
    app, client, db, victim, monkeypatch
):
    watch = PoolWatch(db, victim_sign_in, monkeypatch)
    a_stronger_hasher(app, monkeypatch)
    page = await sign_in(client, victim)
    assert text_of(page.h1) == "Your case"
    assert watch.calls("verify_password") == 1 and watch.calls("hash_password") == 1
    async with db.session() as session:
        party = await session.get(Party, victim.party.id)
        signed_in = (await session.exec(select(AuditEvent).where(AuditEvent.action == "party.sign_in"))).all()
    assert party.password_hash != victim.party.password_hash, "the new hash was stored"
    assert party.last_sign_in_at is not None and len(signed_in) == 1
    watch.assert_no_connection_was_held()


async def test_victim_wrong_details_are_checked_with_no_connection_held(client, db, victim, monkeypatch):
    watch = PoolWatch(db, victim_sign_in, monkeypatch)
    for form in (victim.sign_in_form(password="not the password"), victim.sign_in_form(surname="Nobody")):
        await client.page("/sign-in")
        page = await client.submit("/sign-in", form)
        assert "do not match what we have" in text_of(page.select_one(".error-summary"))
    async with db.session() as session:
        party = await session.get(Party, victim.party.id)
    assert party.failed_sign_ins == 1, "only the wrong password was on this account"
    assert watch.calls("verify_password") == 2
    watch.assert_no_connection_was_held()


async def test_officer_passwords_are_checked_and_rehashed_with_no_connection_held(
    app, client, db, monkeypatch
):
    world = await build_world(db)
    watch = PoolWatch(db, officer_sign_in, monkeypatch)
    a_stronger_hasher(app, monkeypatch)
    page = await sign_in_with_form(client, world.oic.email)
    assert text_of(page.h1).startswith("Inbox")
    assert watch.calls("hash_password") == 1
    async with db.session() as session:
        officer = await session.get(Officer, world.oic.id)
    assert officer.password_hash != world.oic.password_hash and officer.last_sign_in_at is not None
    watch.assert_no_connection_was_held()


async def test_officer_wrong_details_are_checked_with_no_connection_held(client, db, monkeypatch):
    world = await build_world(db)
    watch = PoolWatch(db, officer_sign_in, monkeypatch)
    for identifier, password in ((world.oic.email, "not the password"), ("nobody@as.example", "anything")):
        page = await sign_in_with_form(client, identifier, password)
        assert "Enter a correct email address" in text_of(page.select_one(".error-summary"))
    async with db.session() as session:
        officer = await session.get(Officer, world.oic.id)
        failed = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "officer.sign_in_failed"))
        ).all()
    assert officer.failed_sign_ins == 1 and len(failed) == 1
    assert watch.calls("verify_password") == 2
    watch.assert_no_connection_was_held()
