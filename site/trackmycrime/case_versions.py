"""A crime's case_version: a number the database moves on whenever a row of the case changes.

The case page's digest (victim/queries.py) is of every row the page shows. Read row by row, the
parties and the crime's updates, messages, hearings, decisions, property and the rest were most of
the digest's time in the database, and grew with the case. Now each of those tables has a trigger
that adds one to its crime's case_version for every row inserted, changed or deleted (a party's
only when a column a page shows changed), and the digest reads that one column in their place
(bench/README.md, "A crime's version kept by triggers").

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

# The tables whose rows the case page shows, beside the crime, its force and its officers (which
# the digest reads whole, one row each, by index), and the column that leads to the crime. A table
# with only a party_id finds its crime through the party.
CASE_ROW_TABLES: dict[str, str] = {
    "party": "crime_id",
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

# Columns no page shows that change with nothing on a page changing (a sign-in's bookkeeping), or
# secrets with no business in a digest: the digests never read them, and a party's row written
# with only these changed does not move the version.
NOT_SHOWN = frozenset(
    {
        "password_hash",
        "registration_code_hash",
        "registration_code_lookup",
        "totp_secret",
        "failed_sign_ins",
        "locked_until",
        "last_sign_in_at",
    }
)

_MOVE = "UPDATE crime SET case_version = case_version + 1 WHERE id IN ({crimes})"
_CRIMES_OF = {
    "crime_id": "{row}.crime_id",
    "party_id": "SELECT crime_id FROM party WHERE id = {row}.party_id",
}


def _crimes(link: str, *rows: str) -> str:
    if link == "crime_id":
        return ", ".join(_CRIMES_OF[link].format(row=row) for row in rows)
    return " UNION ALL ".join(_CRIMES_OF[link].format(row=row) for row in rows)


def _postgresql(tables: dict[str, str], watched: dict[str, list[str]]) -> list[str]:
    """One function for each way to the crime, and a row trigger on each table. For an insert OLD
    is NULL, for a delete NEW is, so one statement serves all three. A table with watched columns
    has its updates in a trigger of their own, which fires only when one of those changed."""
    statements = []
    for link in sorted(set(tables.values())):
        statements.append(
            f"CREATE OR REPLACE FUNCTION case_version_by_{link}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n  {_MOVE.format(crimes=_crimes(link, 'OLD', 'NEW'))};\n  RETURN NULL;\nEND\n$$"
        )
    for table, link in tables.items():
        action = f"FOR EACH ROW EXECUTE FUNCTION case_version_by_{link}()"
        statements.append(f"DROP TRIGGER IF EXISTS case_version ON {table}")
        statements.append(f"DROP TRIGGER IF EXISTS case_version_shown ON {table}")
        columns = watched.get(table)
        if columns is None:
            statements.append(
                f"CREATE TRIGGER case_version AFTER INSERT OR UPDATE OR DELETE ON {table} {action}"
            )
            continue
        statements.append(f"CREATE TRIGGER case_version AFTER INSERT OR DELETE ON {table} {action}")
        old, new = (", ".join(f"{row}.{column}" for column in columns) for row in ("OLD", "NEW"))
        statements.append(
            f"CREATE TRIGGER case_version_shown AFTER UPDATE ON {table} "
            f"FOR EACH ROW WHEN (({old}) IS DISTINCT FROM ({new})) EXECUTE FUNCTION case_version_by_{link}()"
        )
    return statements


def _sqlite(tables: dict[str, str], watched: dict[str, list[str]]) -> list[str]:
    """SQLite has a trigger per event; each moves the version of the crime of the row it is given
    (an update of a table with watched columns only when one of them changed)."""
    statements = []
    for table, link in tables.items():
        for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            name = f"case_version_{table}_{event.lower()}"
            columns = watched.get(table) if event == "UPDATE" else None
            when = f"WHEN {' OR '.join(f'OLD.{c} IS NOT NEW.{c}' for c in columns)} " if columns else ""
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} {when}"
                f"BEGIN {_MOVE.format(crimes=_crimes(link, *rows))}; END"
            )
    return statements


def trigger_statements(dialect_name: str, tables: dict[str, str], watched: dict[str, list[str]]) -> list[str]:
    """The SQL that makes (or makes again) the triggers on `tables`, for this database; `watched`:
    for a table whose rows change with nothing shown changing, the columns that are shown."""
    builders = {"postgresql": _postgresql, "sqlite": _sqlite}
    return builders[dialect_name](tables, watched)


def make_triggers(connection: Any, tables: dict[str, str], watched: dict[str, list[str]]) -> None:
    """Run on a synchronous connection (alembic's op.get_bind(), or create_all's listener)."""
    for statement in trigger_statements(connection.dialect.name, tables, watched):
        connection.exec_driver_sql(statement)
