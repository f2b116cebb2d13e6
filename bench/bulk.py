"""Many crimes at once for the scale benchmarks: INSERT ... SELECT from generate_series on PostgreSQL.

Each background crime belongs to the bench force, has one registered victim, two updates, one
message, one Victims' Code entitlement, one audit event (a sign-in, or now and then a
reassignment) and a read receipt for each update. Most are closed (as in a real force's history, where a
year's open crimes are a small part of all it holds) and none belongs to the bench officer, so the
bench officer's inbox and the bench victim's case page show the same thing at any scale: only the
amount of data around them grows.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Column, Table, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel

from trackmycrime.database import Database

BACKGROUND_OFFICERS = 400
OPEN_ONE_IN = 30  # about 3% of the history is open
NOW = "(now() at time zone 'utc')"
SURNAMES = "(ARRAY['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Patel'])"


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def _default_sql(column: Column) -> str:  # type: ignore[type-arg]
    """A SQL value for a NOT NULL column that the bulk insert does not set itself."""
    default = column.default
    if default is None:
        raise RuntimeError(f"bulk load: say what to put in {column.table.name}.{column.name}")
    value = default.arg  # type: ignore[attr-defined]
    if callable(value):
        return NOW  # the models' only callable default is utcnow()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def insert_select(table: str, values: dict[str, str], source: str) -> str:
    """INSERT INTO table (...) SELECT ... FROM source, with every other NOT NULL column defaulted,
    so that a column added to the models later does not break the benchmark."""
    columns = dict(values)
    for column in _table(table).columns:
        if (
            column.name in columns
            or column.primary_key
            or column.nullable
            or column.server_default is not None
        ):
            continue
        columns[column.name] = _default_sql(column)
    names = ", ".join(f'"{name}"' for name in columns)
    # Built from the models and this file's constants only; no outside input reaches it.
    return f'INSERT INTO "{table}" ({names}) SELECT {", ".join(columns.values())} FROM {source}'  # noqa: S608


async def _max_id(connection: AsyncConnection, table: str) -> int:
    found = await connection.execute(text(f'SELECT coalesce(max(id), 0) FROM "{table}"'))  # noqa: S608
    return int(found.scalar_one())


async def _background_officers(connection: AsyncConnection, force_id: int) -> tuple[int, int]:
    """Officers of the force who hold the background crimes: (first id, how many)."""
    found = await connection.execute(
        text("SELECT min(id), count(*) FROM officer WHERE force_id = :force AND email LIKE 'bulk%'"),
        {"force": force_id},
    )
    first, count = found.one()
    if count:
        return int(first), int(count)
    start = await _max_id(connection, "officer")
    await connection.execute(
        text(
            insert_select(
                "officer",
                {
                    "force_id": ":force",
                    "email": "'bulk' || g || '@benchshire-police.example'",
                    "name": "'PC Bulk ' || g",
                    "shoulder_number": "'B' || g",
                    "team": "'Team ' || (g % 40)",
                    "password_hash": "''",
                },
                f"generate_series(1, {BACKGROUND_OFFICERS}) AS g",
            )
        ),
        {"force": force_id},
    )
    return start + 1, BACKGROUND_OFFICERS


async def add_background_crimes(
    database: Database, force_id: int, first: int, count: int, say: Callable[[str], None] = print
) -> None:
    """Crimes number `first` to `first + count - 1` (reference BK-0000001...), with their history."""
    started = time.perf_counter()
    async with database.engine.begin() as connection:
        officer, officers = await _background_officers(connection, force_id)
        crime_from = await _max_id(connection, "crime")
        last = first + count - 1
        is_open = f"(g % {OPEN_ONE_IN} = 0)"
        reported = f"({NOW} - make_interval(days => (g % 1800) + 1))"
        await connection.execute(
            text(
                insert_select(
                    "crime",
                    {
                        "force_id": ":force",
                        "reference": "'BK-' || lpad(g::text, 7, '0')",
                        "reference_key": "'BK' || lpad(g::text, 7, '0')",
                        "offence": "(ARRAY['Burglary of a home', 'Theft from a vehicle', 'Criminal damage', "
                        "'Assault', 'Theft of a bicycle'])[1 + g % 5]",
                        "status": f"CASE WHEN {is_open} THEN 'under_investigation' ELSE 'closed' END",
                        "reported_at": reported,
                        "officer_in_charge_id": f"{officer} + g % {officers}",
                        "closed_at": f"CASE WHEN {is_open} THEN NULL "
                        f"ELSE {reported} + interval '40 days' END",
                        "created_at": reported,
                        "updated_at": reported,
                    },
                    f"generate_series({first}, {last}) AS g",
                )
            ),
            {"force": force_id},
        )
        party_from = await _max_id(connection, "party")
        await connection.execute(
            text(
                insert_select(
                    "party",
                    {
                        "crime_id": "c.id",
                        "rms_party_id": "'P1'",
                        "forenames": "'Sam'",
                        "surname": f"{SURNAMES}[1 + c.id % 6] || c.id",
                        "surname_key": f"lower({SURNAMES}[1 + c.id % 6]) || c.id",
                        "date_of_birth": "date '1950-01-01' + (c.id % 20000)::int",
                        "email": "'party' || c.id || '@example.org'",
                        "password_hash": "'$argon2id$v=19$m=65536,t=3,p=2$bulk$not-a-real-hash'",
                        "registered_at": "c.reported_at + interval '2 days'",
                        "created_at": "c.reported_at",
                        "updated_at": "c.reported_at",
                    },
                    f"crime AS c WHERE c.id > {crime_from}",
                )
            )
        )
        await connection.execute(
            text(
                insert_select(
                    "case_update",
                    {
                        "crime_id": "c.id",
                        "rms_update_id": "'U-' || k",
                        "status": "CASE WHEN k = 1 THEN 'recorded' ELSE c.status END",
                        "text": "'Update ' || k || ' on crime ' || c.reference || ': an officer has reviewed "
                        "the evidence and the investigation continues.'",
                        "occurred_at": "c.reported_at + make_interval(days => 20 * (k - 1))",
                        "created_at": "c.reported_at + make_interval(days => 20 * (k - 1))",
                    },
                    f"crime AS c CROSS JOIN generate_series(1, 2) AS k WHERE c.id > {crime_from}",
                )
            )
        )
        await connection.execute(
            text(
                insert_select(
                    "message",
                    {
                        "crime_id": "p.crime_id",
                        "party_id": "p.id",
                        "direction": "'from_party'",
                        "body": "'Is there any news about my case?'",
                        "created_at": "p.created_at + interval '10 days'",
                        "read_at": "p.created_at + interval '11 days'",
                    },
                    f"party AS p WHERE p.id > {party_from}",
                )
            )
        )
        await connection.execute(
            text(
                insert_select(
                    "entitlement",
                    {
                        "force_id": ":force",
                        "crime_id": "p.crime_id",
                        "party_id": "p.id",
                        "event": "'regular_contact'",
                        "event_key": "'period:1'",
                        "event_at": "p.created_at",
                        "due_at": "p.created_at + interval '28 days'",
                        "met_at": "CASE WHEN c.closed_at IS NULL THEN NULL "
                        "ELSE p.created_at + interval '20 days' END",
                        "met_by": "CASE WHEN c.closed_at IS NULL THEN '' ELSE 'update' END",
                    },
                    f"party AS p JOIN crime AS c ON c.id = p.crime_id WHERE p.id > {party_from}",
                )
            ),
            {"force": force_id},
        )
        await connection.execute(
            text(
                insert_select(
                    "audit_event",
                    {
                        "at": "c.reported_at + interval '3 days'",
                        "force_id": ":force",
                        "actor_kind": "'party'",
                        "actor_id": "p.id",
                        "action": "CASE WHEN c.id % 50 = 0 THEN 'crime.reassign' ELSE 'party_signed_in' END",
                        "crime_id": "c.id",
                        "party_id": "p.id",
                        "ip_address": "'192.0.2.' || (c.id % 250)",
                    },
                    f"party AS p JOIN crime AS c ON c.id = p.crime_id WHERE p.id > {party_from}",
                )
            ),
            {"force": force_id},
        )
        if "update_read" in SQLModel.metadata.tables:  # read receipts: each victim has read each update
            await connection.execute(
                text(
                    insert_select(
                        "update_read",
                        {
                            "update_id": "u.id",
                            "party_id": "p.id",
                            "first_read_at": "u.occurred_at + interval '1 day'",
                        },
                        "party AS p JOIN case_update AS u ON u.crime_id = p.crime_id "
                        f"WHERE p.id > {party_from}",
                    )
                )
            )
    async with database.engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM ANALYZE"))
    say(f"  loaded crimes {first:,} to {last:,} in {time.perf_counter() - started:.0f} s")


async def count_crimes(database: Database) -> int:
    async with database.engine.connect() as connection:
        return int((await connection.execute(text("SELECT count(*) FROM crime"))).scalar_one())
