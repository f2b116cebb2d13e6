"""Objects made from Core rows (database.Detached) are what the ORM would have loaded: the signed-in
check, "ask for an update" and the API key check use them instead of an ORM session (issue 24). Also
the helpers of Core statements run in an ORM session's transaction (the records system's updates)."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select

from trackmycrime.database import columns_loaded_as, flush_pending, transaction_connection
from trackmycrime.models import Crime, Entitlement, Party, UpdateRequest

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
