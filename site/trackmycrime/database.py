"""The database engine, sessions and transactions, for SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from .settings import SettingsError


def async_url(database_url: str) -> str:
    """Pick our own async driver for plain sqlite:/// and postgresql:// URLs."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return url.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise SettingsError(f"Unsupported database {backend!r}: use sqlite:/// or postgresql://.")


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# The site's queries are small and index-backed; when PostgreSQL over-estimates an officer's
# caseload it starts parallel workers, which cost 1-200 ms to launch against 0.2 ms for the query
# itself (bench/README.md, "Queries"). A report that wants parallelism can SET LOCAL it back.
POSTGRES_SETTINGS = {"max_parallel_workers_per_gather": "0"}


def create_engine(database_url: str, *, pre_ping: bool = True) -> AsyncEngine:
    url = async_url(database_url)
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(
        url,
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=pre_ping,
        connect_args={"server_settings": POSTGRES_SETTINGS},
    )


class Database:
    """Owns the engine and hands out sessions; one per process."""

    def __init__(self, database_url: str, *, pre_ping: bool = True) -> None:
        """pre_ping=False saves a round trip per query for callers that retry failed queries
        themselves (the alert worker); others get a checked connection every time."""
        self.url = database_url
        self.engine = create_engine(database_url, pre_ping=pre_ping)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        # Each statement on its own, with no BEGIN before and ROLLBACK after: two round trips fewer
        # for a page that only reads (bench/README.md, "Server speed"). The same connection pool.
        autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._reads = async_sessionmaker(autocommit, class_=AsyncSession, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.engine)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session for reading; nothing is committed."""
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A session for a request that reads: every statement stands alone, as in autocommit.

        On PostgreSQL (read committed) each statement already sees the latest committed data, so
        reads see what they would in a transaction; a write made here is kept at once, alone.
        """
        async with self._reads() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed together, or not at all."""
        async with self._sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
