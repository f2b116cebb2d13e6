"""Objects made from Core rows (database.Detached) are what the ORM would have loaded: the signed-in
check, "ask for an update" and the API key check use them instead of an ORM session (issue 24). Also
the helpers of Core statements run in an ORM session's transaction (the records system's updates)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError

from trackmycrime.auth import sessions
from trackmycrime.auth.tokens import sha256_hex
from trackmycrime.database import (
    columns_loaded_as,
    first_row,
    flush_pending,
    is_outage,
    transaction_connection,
)
from trackmycrime.models import Crime, Entitlement, Party, UpdateRequest, WebSession, utcnow
from trackmycrime.victim.queries import case_page_digest_column

from ..web.victim_data import add_crime, add_force, add_officer, add_party

pytestmark = pytest.mark.anyio


def column_values(loaded: object) -> dict[str, object]:
    return {attribute.key: getattr(loaded, attribute.key) for attribute in inspect(type(loaded)).column_attrs}


async def test_objects_from_core_rows_equal_the_orm_objects_and_are_detached(db):
    async with db.transaction() as session:
        force = await add_force(session)
        officer = await add_officer(session, force)
        crime = await add_crime(session, force, officer)
        party = await add_party(session, crime)
    loaders = columns_loaded_as(Party, Crime)
    statement = (
        select(*(column for loader in loaders for column in loader.columns))
        .join(Crime, Crime.id == Party.crime_id)  # type: ignore[arg-type]
        .where(Party.id == party.id)  # type: ignore[arg-type]
    )
    async with db.reading_connection() as connection:
        row = (await connection.execute(statement)).one()
    made_party, made_crime = (loader.make(row) for loader in loaders)
    async with db.session() as session:
        orm_party = await session.get(Party, party.id)
        orm_crime = await session.get(Crime, crime.id)
    assert column_values(made_party) == column_values(orm_party)
    assert column_values(made_crime) == column_values(orm_crime)
    assert inspect(made_party).detached and inspect(made_crime).detached
    assert (
        inspect(made_party).key == inspect(orm_party).key
        and inspect(made_crime).key == inspect(orm_crime).key
    )
    assert not inspect(made_party).modified and not inspect(made_party).committed_state
    assert not inspect(made_party).expired_attributes and not inspect(made_party).unloaded
    async with db.session() as session:  # added to a session, it is the existing row, never a new one
        session.add(made_party)
        assert inspect(made_party).persistent
        assert not session.new


async def test_a_row_an_outer_join_did_not_find_gives_none(db):
    async with db.transaction() as session:
        force = await add_force(session)
        crime = await add_crime(session, force, await add_officer(session, force))
        party = await add_party(session, crime)
        session.add(UpdateRequest(crime_id=crime.id, party_id=party.id, note="Any news?"))
    loaders = columns_loaded_as(UpdateRequest, Entitlement)
    statement = select(*(column for loader in loaders for column in loader.columns)).outerjoin(
        Entitlement,
        Entitlement.id == UpdateRequest.entitlement_id,  # type: ignore[arg-type]
    )
    async with db.reading_connection() as connection:
        row = (await connection.execute(statement)).one()
    request, entitlement = (loader.make(row) for loader in loaders)
    assert request.note == "Any news?" and entitlement is None


async def test_the_kept_connection_is_the_one_of_the_sessions_transaction_at_the_time(db):
    """transaction_connection() keeps the session's connection for its transaction only: after a
    commit or a rollback the session takes another, and a kept one would be closed."""
    async with db.session() as session:
        first = await transaction_connection(session)
        assert first.sync_connection is (await session.connection()).sync_connection
        assert await transaction_connection(session) is first
        await session.commit()
        second = await transaction_connection(session)
        assert second.sync_connection is (await session.connection()).sync_connection
        assert second.sync_connection is not first.sync_connection
        assert (await second.execute(select(1))).scalar() == 1
        await session.rollback()
        third = await transaction_connection(session)
        assert third.sync_connection is (await session.connection()).sync_connection
        assert third.sync_connection is not second.sync_connection


async def test_changes_held_by_the_session_are_flushed_before_core_statements(db):
    async with db.transaction() as session:
        force = await add_force(session)
        crime = await add_crime(session, force, await add_officer(session, force))
        party = await add_party(session, crime)
        crime.offence = "Theft of a bicycle"  # a change held by the session, not yet written
        await flush_pending(session)
        connection = await transaction_connection(session)
        offence = select(Crime.offence).where(Crime.id == crime.id)  # type: ignore[arg-type]
        assert (await connection.execute(offence)).scalar() == "Theft of a bicycle"
        request = UpdateRequest(crime_id=crime.id, party_id=party.id, note="Any news?")
        session.add(request)  # a new row held by the session
        await flush_pending(session)
        assert request.id is not None
        await flush_pending(session)  # nothing held: nothing to do


async def _a_party_on_a_crime(session: Any) -> tuple[Crime, Party]:
    force = await add_force(session)
    crime = await add_crime(session, force, await add_officer(session, force))
    return crime, await add_party(session, crime)


async def _signed_in_party_and_officer(db: Any) -> tuple[str, str]:
    """Token hashes of a party's session and an officer's, every column of their rows filled in."""
    async with db.transaction() as session:
        crime, party = await _a_party_on_a_crime(session)
        now = utcnow()
        hashes = sha256_hex("party session"), sha256_hex("officer session")
        whose = ((hashes[0], party.id, None), (hashes[1], None, crime.officer_in_charge_id))
        for token_hash, party_id, officer_id in whose:
            session.add(
                WebSession(
                    token_hash=token_hash,
                    party_id=party_id,
                    officer_id=officer_id,
                    csrf_token="csrf",
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + dt.timedelta(hours=1),
                    sso_expires_at=now + dt.timedelta(minutes=5),
                )
            )
    return hashes


async def test_first_row_is_the_row_sqlalchemy_returns_and_on_postgresql_sqlalchemy_does_not_send_it(
    db, sent_by_sqlalchemy
):
    """The signed-in look-ups go to asyncpg itself on PostgreSQL (database.first_row): the values and
    their types are SQLAlchemy's (times in UTC with their zone, as its result processors leave them)."""
    party_hash, officer_hash = await _signed_in_party_and_officer(db)
    party_with_digest = sessions._party_session_with(case_page_digest_column, db.engine.dialect.name)
    looked_up = [
        (sessions._PARTY_SESSION, party_hash),
        (party_with_digest, party_hash),
        (sessions._OFFICER_SESSION, officer_hash),
        (sessions._PARTY_SESSION, sha256_hex("no such session")),
        (text("SELECT :token_hash AS echoed"), party_hash),  # plain SQL, no column types (a digest)
    ]
    expected = []
    async with db.reading_connection() as connection:
        for statement, token_hash in looked_up:
            row = (await connection.execute(statement, {"token_hash": token_hash})).first()
            expected.append(None if row is None else list(row))
    sent_by_sqlalchemy.clear()  # from here on
    for _visit in range(2):  # prepared on the first, kept for the second
        async with db.reading_connection() as connection:
            for (statement, token_hash), row in zip(looked_up, expected, strict=True):
                found = await first_row(connection, statement, {"token_hash": token_hash})
                assert (None if found is None else list(found)) == row
                assert [type(value) for value in found or ()] == [type(value) for value in row or ()]
    assert expected[1] and expected[1][0:3] == expected[0][0:3] and expected[1][-1] != expected[0][-1]
    assert any(isinstance(value, dt.datetime) and value.tzinfo is not None for value in expected[0])
    assert bool(sent_by_sqlalchemy) == db.is_sqlite, "on PostgreSQL asyncpg is sent the look-ups"


@pytest.mark.postgresql_only
async def test_first_row_on_a_connection_the_server_ended_fails_as_any_statement_does(db):
    """The error is SQLAlchemy's, as for a statement it sends, and the connection is invalidated."""
    party_hash, _officer_hash = await _signed_in_party_and_officer(db)
    async with db.reading_connection() as connection:
        assert await first_row(connection, sessions._PARTY_SESSION, {"token_hash": party_hash})
        pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar()
        async with db.reading_connection() as other:
            await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as failed:
            await first_row(connection, sessions._PARTY_SESSION, {"token_hash": party_hash})
        assert failed.value.connection_invalidated and is_outage(failed.value)
        assert connection.invalidated
    async with db.reading_connection() as connection:  # the pool opens another
        assert await first_row(connection, sessions._PARTY_SESSION, {"token_hash": party_hash})


async def test_a_session_on_a_taken_connection_is_closed_when_it_was_used(db):
    """Database.session_on leaves an unused session to go without closing it; a used one is closed:
    its objects detached, its transaction ended, and the connection is the page's again."""
    party_hash, _officer_hash = await _signed_in_party_and_officer(db)
    async with db.reading_connection() as connection:
        async with db.session_on(connection) as unused:
            pass
        assert not unused.in_transaction()
        async with db.session_on(connection) as used:
            statement = select(WebSession).where(WebSession.token_hash == party_hash)  # type: ignore[arg-type]
            web_session = await used.scalar(statement)
            assert used.in_transaction()
        assert inspect(web_session).detached and not used.in_transaction()
        assert not connection.in_transaction()
        assert await first_row(connection, sessions._PARTY_SESSION, {"token_hash": party_hash})


async def test_the_polls_numbers_go_through_first_row_with_the_values_written_in_it(db, sent_by_sqlalchemy):
    """The poll's numbers (victim/queries.py, current_activity) go to asyncpg itself on PostgreSQL
    (first_row), as SQLAlchemy gives them: the values its statement holds itself (the direction of
    the messages counted) are sent with the caller's."""
    from trackmycrime.models import Message, MessageDirection
    from trackmycrime.victim.queries import Activity, _activity_statement, current_activity

    async with db.transaction() as session:
        crime, party = await _a_party_on_a_crime(session)
        now = utcnow()
        for direction, read_at in (
            (MessageDirection.FROM_PARTY, now),  # counted: the party's, read by the officer
            (MessageDirection.FROM_PARTY, None),
            (MessageDirection.TO_PARTY, now),
        ):
            ids = {"crime_id": crime.id, "party_id": party.id}
            session.add(Message(**ids, direction=direction, body="Hi", read_at=read_at))
    statement = _activity_statement(party.role)
    ids = {"party_id": party.id, "crime_id": crime.id}
    async with db.reading_connection() as connection:
        expected = list((await connection.execute(statement, ids)).one())
    sent_by_sqlalchemy.clear()  # from here on
    async with db.reading_connection() as connection, db.session_on(connection) as reading:
        assert await current_activity(reading, party) == Activity(*(int(value or 0) for value in expected))
    assert expected[2] == 1, "one message of the party's read by an officer"
    assert bool(sent_by_sqlalchemy) == db.is_sqlite


async def test_the_polls_numbers_in_the_session_look_up_are_those_read_on_their_own(db):
    """The poll's numbers come with the session's look-up (victim/queries.py, activity_marker_column):
    for a victim and for a witness on one crime, whatever the updates' audiences, they are the
    numbers current_activity reads on its own; an update for victims moves the victim's, not the
    witness's."""
    from tests.factories import add_message, add_update
    from trackmycrime.victim.queries import activity_marker_column, current_activity

    async with db.transaction() as session:
        crime, victim = await _a_party_on_a_crime(session)
        witness = await add_party(session, crime, role="witness", surname="Jones")
        for token, party in (("victim", victim), ("witness", witness)):
            session.add(
                WebSession(
                    token_hash=sha256_hex(token), party_id=party.id, csrf_token="t", expires_at=utcnow()
                )
            )
        add_update(session, crime, "For everyone")
        add_update(session, crime, "For the witness alone", audience="party", party=witness)
        add_message(session, victim, "Any news?", read=True)
    look_up = sessions._party_session_with(activity_marker_column, db.engine.dialect.name)

    async def markers() -> dict[str, tuple[str, str]]:
        found = {}
        async with db.reading_connection() as connection, db.session_on(connection) as reading:
            for token, party in (("victim", victim), ("witness", witness)):
                row = await first_row(connection, look_up, {"token_hash": sha256_hex(token)})
                assert row is not None
                found[token] = (row[-1], (await current_activity(reading, party)).marker())
        return found

    before = await markers()
    assert all(in_look_up == on_its_own for in_look_up, on_its_own in before.values()), before
    async with db.transaction() as session:
        add_update(session, crime, "For victims", audience="victims")
    after = await markers()
    assert all(in_look_up == on_its_own for in_look_up, on_its_own in after.values()), after
    assert after["victim"] != before["victim"] and after["witness"] == before["witness"]
