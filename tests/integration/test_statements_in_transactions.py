"""Statements of a transaction sent to asyncpg itself (database.run, first_row, all_rows: the records
system's updates, issue 24 item 4) behave as the same statements sent through SQLAlchemy: in the
transaction, with SQLAlchemy's values and SQLAlchemy's errors. On SQLite SQLAlchemy sends them."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError

from trackmycrime import database
from trackmycrime.database import all_rows, first_row, run, transaction_connection
from trackmycrime.models import AuditEvent, utcnow

pytestmark = pytest.mark.anyio

_AUDIT = cast(Any, AuditEvent).__table__
_INSERT = insert(_AUDIT)
_INSERT_RETURNING = insert(_AUDIT).returning(_AUDIT.c.id, _AUDIT.c.at)
_BY_ACTION = select(_AUDIT).where(_AUDIT.c.action == bindparam("action")).order_by(_AUDIT.c.id)
_COUNT = select(func.count()).select_from(_AUDIT).where(_AUDIT.c.action == bindparam("action"))


def audit_row(action: str, **values: Any) -> dict[str, Any]:
    row = dict(at=utcnow(), force_id=None, actor_kind="rms", actor_id=None, action=action, crime_id=None)
    return row | dict(party_id=None, ip_address="", detail="") | values


async def count_of(db: Any, action: str) -> int:
    async with db.reading_connection() as connection:
        row = await first_row(connection, _COUNT, {"action": action})
        return int(row[0]) if row else 0


class RolledBack(Exception):
    pass


async def test_writes_sent_first_in_a_transaction_are_rolled_back_with_it(db, sent_by_sqlalchemy):
    """The transaction is begun before the first statement goes to asyncpg (SQLAlchemy begins it
    lazily): a write is never kept on its own, in autocommit."""
    with pytest.raises(RolledBack):
        async with db.transaction() as session:
            connection = await transaction_connection(session)
            await run(connection, _INSERT, audit_row("raw write"))
            await run(connection, _INSERT, [audit_row("raw write"), audit_row("raw write")])
            assert await first_row(connection, _COUNT, {"action": "raw write"}) == (3,)
            raise RolledBack
    assert await count_of(db, "raw write") == 0
    async with db.transaction() as session:
        await run(await transaction_connection(session), _INSERT, audit_row("raw write"))
    assert await count_of(db, "raw write") == 1
    assert bool(sent_by_sqlalchemy) == db.is_sqlite, "on PostgreSQL asyncpg is sent the statements"


async def test_rows_are_those_sqlalchemy_returns(db, sent_by_sqlalchemy):
    """Values, their types (times in UTC with their zone) and columns by name, as SQLAlchemy's rows."""
    async with db.transaction() as session:
        connection = await transaction_connection(session)
        inserted = await first_row(connection, _INSERT_RETURNING, audit_row("returned"))
        await run(connection, _INSERT, [audit_row("returned", detail="second"), audit_row("returned")])
        found = await all_rows(connection, _BY_ACTION, {"action": "returned"})
        sent_before = len(sent_by_sqlalchemy)
        expected = (await connection.execute(_BY_ACTION, {"action": "returned"})).all()
        del sent_by_sqlalchemy[sent_before:]
    assert inserted is not None and inserted[0] == expected[0].id and inserted[1] == expected[0].at
    assert [list(row) for row in found] == [list(row) for row in expected]
    assert [list(map(type, row)) for row in found] == [list(map(type, row)) for row in expected]
    assert isinstance(found[0].at, dt.datetime) and found[0].at.tzinfo is not None
    assert [row.detail for row in found] == ["", "second", ""]
    assert bool(sent_by_sqlalchemy) == db.is_sqlite


async def test_a_unique_violation_is_sqlalchemys_integrity_error(db, sent_by_sqlalchemy):
    """The records system's requests are tried again on IntegrityError (ingest/routes.py,
    in_transaction): asyncpg's error is raised as SQLAlchemy raises it, with the driver's as .orig,
    and the failed transaction is not sent the statement again."""
    async with db.transaction() as session:
        taken = await first_row(await transaction_connection(session), _INSERT_RETURNING, audit_row("taken"))
    assert taken is not None
    with pytest.raises(IntegrityError) as failed:
        async with db.transaction() as session:
            connection = await transaction_connection(session)
            await run(connection, _INSERT, audit_row("collides"))
            await run(connection, _INSERT, audit_row("collides", id=taken[0]))
    assert failed.value.orig is not None
    assert await count_of(db, "collides") == 0
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            await run(await transaction_connection(session), _INSERT, [audit_row("many", id=taken[0])])
    assert bool(sent_by_sqlalchemy) == db.is_sqlite
    async with db.transaction() as session:  # the pooled connection is as good as before
        await run(await transaction_connection(session), _INSERT, audit_row("collides"))
    assert await count_of(db, "collides") == 1


async def test_statements_built_at_every_call_do_not_grow_the_kept_sql_without_end(db, monkeypatch):
    """Past the limit a new statement is sent by SQLAlchemy (with its own bounded cache), with the
    same answer, and nothing more is kept."""
    monkeypatch.setattr(database, "DRIVER_SQL_LIMIT", len(database._DRIVER_SQL) + 2)
    async with db.reading_connection() as connection:
        for n in range(5):
            built_now = select(func.count()).select_from(_AUDIT).where(_AUDIT.c.action == bindparam("action"))
            row = await first_row(connection, built_now, {"action": f"none-{n}"})
            assert row is not None and row[0] == 0
    assert len(database._DRIVER_SQL) <= database.DRIVER_SQL_LIMIT
