"""A crime's case_version (case_versions.py) moves on with every row of the case written, on both
databases, built by create_all or by the migrations, and no write is lost when many come at once."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import delete, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, col

from tests.web.victim_data import VictimCase, add_crime, add_message, add_party, add_update, make_victim_case
from trackmycrime.case_versions import CASE_ROW_TABLES
from trackmycrime.database import Database
from trackmycrime.models import Crime, Message, Party, UpdateRead, utcnow

pytestmark = pytest.mark.anyio

# Tables that lead to a crime or a party and have no trigger, each with the reason: the case page
# does not show them, or the digest reads them whole.
NOT_VERSIONED = {
    "handover": "the officer's record of a reassignment; the page shows the crime's officer",
    "contact_agreement": "agreed ways of contact: on the contact pages, not the case page",
    "feedback": "feedback on the service, not shown back",
    "outbox": "alerts waiting to be sent",
    "outside_contact": "the officer's note of contact outside the portal",
    "web_session": "sessions: the memo's key has the session in it",
    "received_text": "texts received, read by officers",
}


def test_every_table_of_a_case_has_the_trigger_or_a_reason_not_to():
    linked = {
        table.name
        for table in SQLModel.metadata.sorted_tables
        if any(key.column.table.name in ("crime", "party") for key in table.foreign_keys)
    }
    assert linked - set(NOT_VERSIONED) == set(CASE_ROW_TABLES)


async def version_of(db: Database, crime_id: int) -> int:
    async with db.reading() as session:
        return int(
            (await session.exec(sa_select(Crime.case_version).where(col(Crime.id) == crime_id))).one()[0]
        )  # type: ignore[call-overload]


async def another_case(db: Database, case: VictimCase) -> VictimCase:
    async with db.transaction() as session:
        crime = await add_crime(session, case.force, case.officer)
        party = await add_party(session, crime, surname="Other")
    return VictimCase(case.force, case.officer, crime, party)


async def test_each_write_to_a_case_moves_its_version_on_by_one_and_no_other_cases(db: Database):
    case = await make_victim_case(db)
    other = await another_case(db, case)
    table = Message.__table__
    async with db.transaction() as session:
        add_message(session, case.party, "Any news?")
    start, other_start = await version_of(db, case.crime.id), await version_of(db, other.crime.id)
    async with db.transaction() as session:
        row = (await session.exec(sa_select(table).where(table.c.party_id == case.party.id))).one()  # type: ignore[call-overload]
        await session.exec(update(table).where(table.c.id == row.id).values(read_at=utcnow()))  # type: ignore[call-overload]
    assert await version_of(db, case.crime.id) == start + 1, "an update of a row"
    async with db.transaction() as session:
        await session.exec(delete(table).where(table.c.id == row.id))  # type: ignore[call-overload]
    assert await version_of(db, case.crime.id) == start + 2, "a row deleted"
    async with db.transaction() as session:
        await session.exec(insert(table).values(**row._mapping))  # type: ignore[call-overload]
    assert await version_of(db, case.crime.id) == start + 3, "a row inserted"
    assert await version_of(db, other.crime.id) == other_start


async def test_a_table_linked_by_its_party_moves_the_partys_case(db: Database):
    """update_read has no crime_id: its crime is found through the party."""
    case = await make_victim_case(db)
    other = await another_case(db, case)
    async with db.transaction() as session:
        recorded = add_update(session, case.crime, "Recorded.")
        await session.flush()
    start, other_start = await version_of(db, case.crime.id), await version_of(db, other.crime.id)
    async with db.transaction() as session:
        session.add(UpdateRead(party_id=case.party.id, update_id=recorded.id))
    assert await version_of(db, case.crime.id) == start + 1
    async with db.transaction() as session:
        await session.exec(delete(UpdateRead).where(col(UpdateRead.party_id) == case.party.id))  # type: ignore[call-overload]
    assert await version_of(db, case.crime.id) == start + 2
    assert await version_of(db, other.crime.id) == other_start


async def test_a_partys_sign_in_bookkeeping_leaves_the_version_and_a_shown_change_moves_it(db: Database):
    """A party's row is written at every sign-in (when, and failed tries): that changes no page,
    so it must not cost every memoised page of the case a render."""
    case = await make_victim_case(db)
    start = await version_of(db, case.crime.id)
    where = col(Party.id) == case.party.id
    async with db.transaction() as session:
        await session.exec(update(Party).where(where).values(last_sign_in_at=utcnow(), failed_sign_ins=2))  # type: ignore[call-overload]
    assert await version_of(db, case.crime.id) == start
    async with db.transaction() as session:
        await session.exec(update(Party).where(where).values(surname="Okafor"))  # type: ignore[call-overload]
    assert await version_of(db, case.crime.id) == start + 1


async def test_writes_to_one_case_at_once_each_move_its_version(db: Database):
    """Each addition is made under the crime row's lock: none is lost to another at the same time
    (on PostgreSQL, many transactions really at once; on SQLite one after another)."""
    case = await make_victim_case(db)
    start = await version_of(db, case.crime.id)
    writers = 12

    async def write(number: int) -> None:
        async with db.transaction() as session:
            add_message(session, case.party, f"Message {number}")
            await session.flush()
            await asyncio.sleep(0.01)  # the transactions overlap, each holding its lock a while

    await asyncio.gather(*(write(number) for number in range(writers)))
    assert await version_of(db, case.crime.id) == start + writers
