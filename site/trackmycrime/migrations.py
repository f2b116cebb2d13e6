"""Alembic driven from code: `tmc db upgrade`, and new revisions for developers."""

from __future__ import annotations

import sys

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from .paths import MIGRATIONS_DIR


def alembic_config(database_url: str, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_locations", str(MIGRATIONS_DIR / "versions"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")


def upgrade_with_connection(connection: Connection) -> None:
    """For an engine already open (tests, demo): `await conn.run_sync(upgrade_with_connection)`."""
    command.upgrade(alembic_config(str(connection.engine.url), connection), "head")


def new_revision(database_url: str, message: str, rev_id: str | None = None) -> None:
    command.revision(alembic_config(database_url), message=message, autogenerate=True, rev_id=rev_id)


if __name__ == "__main__":  # python -m trackmycrime.migrations revision "message"
    from .settings import load_settings

    if len(sys.argv) not in (3, 4) or sys.argv[1] != "revision":
        sys.exit('usage: python -m trackmycrime.migrations revision "what changed" [revision-id]')
    new_revision(load_settings().database_url, sys.argv[2], sys.argv[3] if len(sys.argv) == 4 else None)
