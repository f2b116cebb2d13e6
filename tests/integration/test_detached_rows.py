"""Objects made from Core rows (database.Detached) are what the ORM would have loaded: the signed-in
check and "ask for an update" use them instead of an ORM session (issue 24)."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select

from trackmycrime.database import columns_loaded_as
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
