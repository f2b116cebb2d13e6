"""Database.pooled_reading: a pooled connection for a request that reads, with SQLAlchemy's Connection
and an ORM session put around it only when first asked for (issue 24). It must answer as
reading_connection does, give its connection back to the pool however it is used, and fail as any
statement fails when the server has ended its connection."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, select, text, update
from sqlalchemy.exc import DBAPIError

from trackmycrime.auth import sessions
from trackmycrime.database import first_row, is_outage
from trackmycrime.models import WebSession, utcnow

from ..web.victim_data import add_crime, add_force, add_officer, add_party

pytestmark = pytest.mark.anyio


async def _signed_in_party(db: Any) -> str:
    async with db.transaction() as session:
        force = await add_force(session)
        party = await add_party(session, await add_crime(session, force, await add_officer(session, force)))
        expires_at = utcnow() + dt.timedelta(hours=1)
        ids = {"token_hash": "a-party-session", "party_id": party.id}
        session.add(WebSession(**ids, csrf_token="c", expires_at=expires_at))
    return "a-party-session"


class Connects:
    """Each Connection SQLAlchemy puts around a pooled connection while the block runs."""

    def __init__(self, db: Any) -> None:
        self.engine = db.engine.sync_engine
        self.seen: list[Any] = []

    def note(self, connection: Any) -> None:
        self.seen.append(connection)

    def __enter__(self) -> list[Any]:
        event.listen(self.engine, "engine_connect", self.note)
        return self.seen

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "engine_connect", self.note)


async def test_the_session_check_answers_as_on_a_connection_and_needs_no_sqlalchemy_connection(db):
    token_hash = await _signed_in_party(db)
    async with db.reading_connection() as connection:
        expected = (await connection.execute(sessions._PARTY_SESSION, {"token_hash": token_hash})).first()
    with Connects(db) as connects:
        async with db.pooled_reading() as reading:
            found = await first_row(reading, sessions._PARTY_SESSION, {"token_hash": token_hash})
    assert found is not None and expected is not None and list(found) == list(expected)
    assert [type(value) for value in found] == [type(value) for value in expected]
    # On PostgreSQL the statement went to asyncpg on the bare pooled connection; SQLite has no such path.
    assert len(connects) == (1 if db.is_sqlite else 0)
    assert db.engine.pool.checkedout() == 0


async def test_its_connection_and_session_are_made_once_on_the_same_pooled_connection(db):
    token_hash = await _signed_in_party(db)
    async with db.pooled_reading() as reading:
        await first_row(reading, sessions._PARTY_SESSION, {"token_hash": token_hash})
        connection = await reading.connection()
        assert await reading.connection() is connection
        session = await reading.session()
        assert await reading.session() is session
        by_token = select(WebSession).where(WebSession.token_hash == token_hash)  # type: ignore[arg-type]
        found = await session.scalar(by_token)
        assert found is not None and session.in_transaction()
        if not db.is_sqlite:
            pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar()
            assert await session.scalar(text("SELECT pg_backend_pid()")) == pid
        assert db.engine.pool.checkedout() == 1, "one pooled connection for all of it"
    assert not session.in_transaction(), "a used session is closed with the reading"
    assert db.engine.pool.checkedout() == 0


async def test_a_write_on_it_is_kept_at_once_as_in_autocommit(db):
    token_hash = await _signed_in_party(db)
    async with db.pooled_reading() as reading:
        connection = await reading.connection()
        by_token = WebSession.token_hash == token_hash  # type: ignore[arg-type]
        await connection.execute(update(WebSession).where(by_token).values(ended_at=utcnow()))
        async with db.reading_connection() as other:  # another connection sees it before this one closes
            ended_at = select(WebSession.ended_at).where(WebSession.token_hash == token_hash)  # type: ignore[arg-type]
            ended = (await other.execute(ended_at)).scalar()
        assert ended is not None
    assert db.engine.pool.checkedout() == 0


@pytest.mark.postgresql_only
async def test_a_statement_on_a_connection_the_server_ended_fails_as_any_statement_does(db):
    """The error is SQLAlchemy's, the pooled connection is thrown away, and the next reading works."""
    token_hash = await _signed_in_party(db)
    async with db.pooled_reading() as reading:
        assert await first_row(reading, sessions._PARTY_SESSION, {"token_hash": token_hash})
        pid = await first_row(reading, text("SELECT pg_backend_pid()"), {})
        assert pid is not None
        async with db.reading_connection() as other:
            await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid[0]})
        with pytest.raises(DBAPIError) as failed:
            await first_row(reading, sessions._PARTY_SESSION, {"token_hash": token_hash})
        assert failed.value.connection_invalidated and is_outage(failed.value)
    assert db.engine.pool.checkedout() == 0
    async with db.pooled_reading() as reading:  # the pool opens another
        assert await first_row(reading, sessions._PARTY_SESSION, {"token_hash": token_hash})
