"""Fixtures shared by every test: the app on each database, a web client, mail.

Each area adds its own in its conftest.py (the officer tests' world, the victim's case, a browser).

The database tests run once per backend named in TMC_TEST_DATABASES (default "sqlite,postgresql").
PostgreSQL is reached at TMC_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test);
each test session creates its own throw-away database there and drops it at the end.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from trackmycrime.app import create_app
from trackmycrime.database import Database, async_url
from trackmycrime.demo.mail_catcher import MailCatcher
from trackmycrime.settings import Settings

from .webclient import WebClient

BACKENDS = [
    b.strip() for b in os.environ.get("TMC_TEST_DATABASES", "sqlite,postgresql").split(",") if b.strip()
]
POSTGRES_URL = os.environ.get("TMC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-for-the-checks"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    deselect_sqlite_runs_of_postgresql_only_tests(config, items)
    sort_browser_tests_last(items)


def sort_browser_tests_last(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API leaves an event loop behind it."""

    def uses_browser(item: pytest.Item) -> bool:
        return bool(
            {"page", "browser", "live_server", "js_off_page"} & set(getattr(item, "fixturenames", ()))
        )

    for item in items:
        if uses_browser(item):
            item.add_marker(pytest.mark.browser)
    items.sort(key=uses_browser)


def deselect_sqlite_runs_of_postgresql_only_tests(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked postgresql_only exists only in the PostgreSQL run (not skipped on SQLite)."""
    on_sqlite = [
        item
        for item in items
        if item.get_closest_marker("postgresql_only")
        and getattr(getattr(item, "callspec", None), "params", {}).get("database_url") == "sqlite"
    ]
    if on_sqlite:
        config.hook.pytest_deselected(items=on_sqlite)
        items[:] = [item for item in items if item not in on_sqlite]


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


async def _create_postgres_database() -> str:
    name = f"tmc_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(async_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + name


async def _drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_async_engine(async_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty database for this test session, on each backend in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite3'}"
    elif request.param == "postgresql":
        url = asyncio.run(_create_postgres_database())
        yield url
        asyncio.run(_drop_postgres_database(url))
    else:
        raise ValueError(f"unknown backend in TMC_TEST_DATABASES: {request.param}")


@pytest.fixture(scope="session")
async def database(database_url: str, anyio_backend: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    async with database.engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
    yield database
    await database.dispose()


async def empty_all_tables(database: Database) -> None:
    async with database.engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            await connection.execute(table.delete())


@pytest.fixture
async def db(database: Database) -> AsyncIterator[Database]:
    """The database, emptied before each test."""
    await empty_all_tables(database)
    yield database


def test_settings(database_url: str, **changes: object) -> Settings:
    settings = Settings(
        mode="test", database_url=database_url, secret_key=TEST_SECRET_KEY, base_url="http://testserver"
    )
    return settings.with_changes(**changes) if changes else settings


@pytest.fixture
def settings(db: Database) -> Settings:
    return test_settings(db.url)


@pytest.fixture
def app(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    return create_app(settings, db)


@pytest.fixture
async def client(app) -> AsyncIterator[WebClient]:  # type: ignore[no-untyped-def]
    async with WebClient(app) as web_client:
        yield web_client


@pytest.fixture
def smtp_server() -> Iterator[MailCatcher]:
    """A real SMTP server in this process; read what it caught from .messages."""
    catcher = MailCatcher()
    catcher.start()
    yield catcher
    catcher.stop()


@pytest.fixture(scope="session")
def repository_root() -> Path:
    return Path(__file__).resolve().parents[1]
