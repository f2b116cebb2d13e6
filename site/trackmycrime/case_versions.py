"""A crime's case_version: a number the database moves on whenever a row of the case changes.

The case page's digest (victim/queries.py) is of every row the page shows. Read row by row, the
crime's updates, messages, hearings, decisions, property and the rest were most of the digest's
time in the database, and grew with the case. Now each of those tables has a trigger that adds one
to its crime's case_version for every row inserted, changed or deleted, and the digest reads that
one column in their place (bench/README.md, "A crime's version kept by triggers").

A trigger cannot be forgotten by a writer, as a call in each domain function could be: the ingest
API, retention, the officer's pages and the tests' own set-up all move it. The addition is made
under the crime row's lock, so two transactions writing to one case at once each add their one,
and the number never comes back to a value it had: a page memoised under one version is never
served for another state of the case.

Both databases have the triggers: the migration (db/versions/0016) makes them on a database that
is upgraded, and create_all (tests, benches) through the listener at the end of models.py.
"""

from __future__ import annotations

from typing import Any

# The tables whose rows the case page shows, beside the crime, its force, its parties and officers
# (which the digest reads whole: one row each, by index), and the column that leads to the crime.
# A table with only a party_id finds its crime through the party.
CASE_ROW_TABLES: dict[str, str] = {
    "case_update": "crime_id",
    "update_read": "party_id",
    "message": "crime_id",
    "hearing": "crime_id",
    "decision": "crime_id",
    "review_request": "crime_id",
    "property_item": "crime_id",
    "update_request": "crime_id",
    "entitlement": "crime_id",
    "personal_statement": "crime_id",
}

_MOVE = "UPDATE crime SET case_version = case_version + 1 WHERE id IN ({crimes})"
_CRIMES_OF = {
    "crime_id": "{row}.crime_id",
    "party_id": "SELECT crime_id FROM party WHERE id = {row}.party_id",
}


def _crimes(link: str, *rows: str) -> str:
    if link == "crime_id":
        return ", ".join(_CRIMES_OF[link].format(row=row) for row in rows)
    return " UNION ALL ".join(_CRIMES_OF[link].format(row=row) for row in rows)


def _postgresql(tables: dict[str, str]) -> list[str]:
    """One function for each way to the crime, and one row trigger on each table. For an insert OLD
    is NULL, for a delete NEW is, so one statement serves all three."""
    statements = []
    for link in sorted(set(tables.values())):
        statements.append(
            f"CREATE OR REPLACE FUNCTION case_version_by_{link}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n  {_MOVE.format(crimes=_crimes(link, 'OLD', 'NEW'))};\n  RETURN NULL;\nEND\n$$"
        )
    for table, link in tables.items():
        statements.append(f"DROP TRIGGER IF EXISTS case_version ON {table}")
        statements.append(
            f"CREATE TRIGGER case_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION case_version_by_{link}()"
        )
    return statements


def _sqlite(tables: dict[str, str]) -> list[str]:
    """SQLite has a trigger per event; each moves the version of the crime of the row it is given."""
    statements = []
    for table, link in tables.items():
        for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            name = f"case_version_{table}_{event.lower()}"
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                f"BEGIN {_MOVE.format(crimes=_crimes(link, *rows))}; END"
            )
    return statements


def trigger_statements(dialect_name: str, tables: dict[str, str] = CASE_ROW_TABLES) -> list[str]:
    """The SQL that makes (or makes again) the triggers on `tables`, for this database."""
    builders = {"postgresql": _postgresql, "sqlite": _sqlite}
    return builders[dialect_name](tables)


def make_triggers(connection: Any, tables: dict[str, str] = CASE_ROW_TABLES) -> None:
    """Run on a synchronous connection (alembic's op.get_bind(), or create_all's listener)."""
    for statement in trigger_statements(connection.dialect.name, tables):
        connection.exec_driver_sql(statement)
