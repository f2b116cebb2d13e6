"""The migrations build the schema the models describe, and the database keeps the rules."""

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from trackmycrime.case_versions import CASE_ROW_TABLES
from trackmycrime.database import Database
from trackmycrime.migrations import upgrade_with_connection
from trackmycrime.models import CaseUpdate, Crime, Force, utcnow

pytestmark = pytest.mark.anyio


@pytest.fixture
async def migrated(database_url):
    """A database built by the migrations alone (not by create_all)."""
    database = Database(database_url)
    async with database.engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.drop_all)
        await connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        await connection.run_sync(upgrade_with_connection)
    yield database
    async with database.engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.drop_all)
        await connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        await connection.run_sync(SQLModel.metadata.create_all)
    await database.dispose()


async def test_migrations_match_the_models(migrated):
    def differences(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return compare_metadata(context, SQLModel.metadata)

    async with migrated.engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def _force(db, code):
    force = Force(code=code, name=f"Force {code}")
    db.add(force)
    await db.flush()
    return force


def _crime(force, reference_key="AS2026000123"):
    return Crime(
        force_id=force.id,
        reference=reference_key,
        reference_key=reference_key,
        offence="Burglary",
        reported_at=utcnow(),
    )


async def test_a_crime_reference_is_unique_within_its_force(migrated):
    async with migrated.transaction() as db:
        force_a, force_b = await _force(db, "AA"), await _force(db, "BB")
        db.add(_crime(force_a))
        db.add(_crime(force_b))  # the same reference in another force is a different crime
    with pytest.raises(IntegrityError):
        async with migrated.transaction() as db:
            db.add(_crime(force_a))


async def test_an_rms_update_id_is_unique_per_crime(migrated):
    async with migrated.transaction() as db:
        force = await _force(db, "CC")
        first, second = _crime(force, "C1"), _crime(force, "C2")
        db.add_all([first, second])
        await db.flush()
        when = dt.datetime(2026, 11, 21, 9, 30, tzinfo=dt.UTC)
        db.add(CaseUpdate(crime_id=first.id, rms_update_id="U-77", text="a", occurred_at=when))
        db.add(CaseUpdate(crime_id=second.id, rms_update_id="U-77", text="a", occurred_at=when))
    with pytest.raises(IntegrityError):
        async with migrated.transaction() as db:
            db.add(CaseUpdate(crime_id=first.id, rms_update_id="U-77", text="b", occurred_at=when))


async def test_foreign_keys_are_enforced(migrated):
    with pytest.raises(IntegrityError):
        async with migrated.transaction() as db:
            db.add(
                Crime(
                    force_id=999_999, reference="X", reference_key="X", offence="Theft", reported_at=utcnow()
                )
            )


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'wal.sqlite3'}")
    async with database.engine.connect() as connection:
        mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
        keys = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
    await database.dispose()
    assert (mode, keys) == ("wal", 1)


async def _triggers(database: Database) -> set[tuple[str, str]]:
    """Each trigger's name and definition (its table, events, the columns it watches), as the
    database lists them."""
    listing = {
        "postgresql": "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal",
        "sqlite": "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'",
    }
    async with database.engine.connect() as connection:
        rows = await connection.exec_driver_sql(listing[connection.dialect.name])
        return {(str(name), str(definition)) for name, definition in rows}


async def test_migrations_make_the_triggers_create_all_makes(migrated):
    """The case versions' triggers (case_versions.py) are made by create_all in tests and by the
    migrations in production: a table given a trigger in one and not the other would leave the
    memoised pages stale only where the tests cannot see it; so would a party column added to the
    model and not to the columns the migration's trigger watches."""
    made_by_migrations = await _triggers(migrated)
    async with migrated.engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.drop_all)
        await connection.run_sync(SQLModel.metadata.create_all)
    assert made_by_migrations == await _triggers(migrated)
    assert len(made_by_migrations) >= len(CASE_ROW_TABLES)
