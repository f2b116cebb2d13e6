"""The database engine, sessions and transactions, for SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

import hashlib
import logging
import time
import weakref
from collections import namedtuple
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.base import instance_state
from sqlalchemy.orm.instrumentation import manager_of_class
from sqlalchemy.sql.expression import Executable
from sqlalchemy.util import greenlet_spawn
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
    # PostgreSQL's md5(text), for the case page's digest (victim/queries.py, case_page_digest).
    dbapi_connection.create_function("md5", 1, _md5, deterministic=True)


def _md5(text: str | None) -> str | None:
    return None if text is None else hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


# The site's queries are small and index-backed; when PostgreSQL over-estimates an officer's
# caseload it starts parallel workers, which cost 1-200 ms to launch against 0.2 ms for the query
# itself (bench/README.md, "Queries"). A report that wants parallelism can SET LOCAL it back.
POSTGRES_SETTINGS = {"max_parallel_workers_per_gather": "0"}


# Connections each process keeps open to PostgreSQL (TMC_DB_POOL_SIZE). Sized so that a burst never
# opens overflow connections: one opened and closed per request cost 0.7 ms of CPU under 16
# concurrent requests (bench/README.md, "Server speed"). A request that finds them all in use waits.
DEFAULT_POOL_SIZE = 20


def create_engine(
    database_url: str, *, pre_ping: bool = True, pool_size: int = DEFAULT_POOL_SIZE
) -> AsyncEngine:
    url = async_url(database_url)
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=30,
        connect_args={"server_settings": POSTGRES_SETTINGS},
    )
    if pre_ping:
        event.listen(engine.sync_engine, "checkout", _refuse_closed_connection)
    return engine


def _refuse_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Hand out no pooled connection that PostgreSQL has closed (a restart, pg_terminate_backend).

    The server says so on the socket, and asyncpg marks the connection closed as soon as the event
    loop reads it, so this needs no round trip. SQLAlchemy's pool_pre_ping sent three (BEGIN, a
    ping, ROLLBACK) at every check-out: 12 % of the CPU of the cheapest signed-in request
    (bench/README.md, "Server speed"). The pool throws a refused connection away and takes another.
    """
    if dbapi_connection._connection.is_closed():
        raise DisconnectionError("the server closed this connection")


class Database:
    """Owns the engine and hands out sessions; one per process."""

    def __init__(
        self, database_url: str, *, pre_ping: bool = True, pool_size: int = DEFAULT_POOL_SIZE
    ) -> None:
        """pre_ping=False leaves out the check that a pooled connection is still open, for callers
        that retry failed queries themselves (the alert worker); pool_size: the PostgreSQL
        connections kept open; no more are ever opened."""
        self.url = database_url
        self.engine = create_engine(database_url, pre_ping=pre_ping, pool_size=pool_size)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        # Each statement on its own, with no BEGIN before and ROLLBACK after: two round trips fewer
        # for a page that only reads (bench/README.md, "Server speed"). The same connection pool.
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._reads = async_sessionmaker(self._autocommit, class_=AsyncSession, expire_on_commit=False)

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
    async def reading_connection(self) -> AsyncIterator[AsyncConnection]:
        """A connection for Core statements, each standing alone as in reading(), with no ORM
        session to set up and tear down: pooled_reading's, with SQLAlchemy's Connection around it."""
        async with self.pooled_reading() as reading:
            yield await reading.connection()

    @asynccontextmanager
    async def pooled_reading(self) -> AsyncIterator[PooledReading]:
        """A pooled connection for a request that reads, each statement standing alone, with
        SQLAlchemy's Connection and an ORM session put around it only when first asked for
        (PooledReading): the signed-in check on every page, and a page answered from the memo,
        need neither."""
        reading = await PooledReading.check_out(self._autocommit)
        try:
            yield reading
        finally:
            await reading.close()

    @asynccontextmanager
    async def session_on(self, connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
        """An ORM session on a connection already taken from the pool (see reading_connection).

        A session that was never used (no transaction begun, no object in it: a page that reads
        with Core, or answers from the memo) has nothing to close, and is left to go: closing it
        costs a task and a greenlet switch, about 0.02 ms of the cheapest signed-in request's 0.4
        (bench/README.md, "The session check sent to asyncpg itself"). A used one is closed as
        `async with` would close it.
        """
        session = AsyncSession(bind=connection, expire_on_commit=False)
        try:
            yield session
        finally:
            await _close_if_used(session)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed together, or not at all."""
        async with self._sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


async def _close_if_used(session: AsyncSession) -> None:
    sync = session.sync_session
    if sync.in_transaction() or len(sync.identity_map) or sync.new or sync.deleted:
        await session.__aexit__(None, None, None)


class PooledReading:
    """A connection from the engine's pool for a request that reads, each statement standing alone
    (autocommit): Database.pooled_reading.

    On PostgreSQL it is checked out of the pool with no SQLAlchemy Connection around it, and run()
    sends its statements to asyncpg itself: the signed-in check, and a page answered from the memo,
    need nothing more. Anything else asks for `await reading.connection()` (SQLAlchemy's
    AsyncConnection, in autocommit, on the same pooled connection) or `await reading.session()`
    (an ORM session on that), each made when first asked for. The check-out and return cost about
    0.016 ms of CPU against 0.052 ms through AsyncConnection (bench/README.md, "The pooled
    connection without SQLAlchemy's Connection"). On SQLite it is an AsyncConnection from the start.
    """

    def __init__(self, engine: AsyncEngine, pooled: Any, connection: AsyncConnection | None) -> None:
        self.engine = engine  # in autocommit (Database._autocommit)
        self.dialect = engine.dialect
        self._pooled = pooled  # the pool's connection, until a Connection is put around it
        self._connection = connection
        self._session: AsyncSession | None = None

    @classmethod
    async def check_out(cls, engine: AsyncEngine) -> PooledReading:
        if engine.dialect.driver != "asyncpg":
            return cls(engine, None, await engine.connect())
        return cls(engine, await greenlet_spawn(_raw_connection, engine.sync_engine), None)

    @property
    def bare(self) -> Any | None:
        """The pool's (adapted) asyncpg connection while no Connection is around it, else None."""
        if self._connection is not None or self._pooled is None:
            return None
        return self._pooled.dbapi_connection

    async def connection(self) -> AsyncConnection:
        if self._connection is None:
            sync = await greenlet_spawn(Connection, self.engine.sync_engine, self._pooled)
            self._connection, self._pooled = AsyncConnection(self.engine, sync), None
        return self._connection

    async def session(self) -> AsyncSession:
        if self._session is None:
            self._session = AsyncSession(bind=await self.connection(), expire_on_commit=False)
        return self._session

    async def close(self) -> None:
        """As Database.session_on and reading_connection close theirs: an unused session is left to go."""
        if self._session is not None:
            await _close_if_used(self._session)
        if self._connection is not None:
            await self._connection.close()
        elif self._pooled is not None:
            pooled, self._pooled = self._pooled, None
            adapted = pooled.dbapi_connection
            if adapted is not None and adapted._transaction is None:
                pooled.close()  # back to the pool: with no transaction to roll back, no round trip
            else:
                await greenlet_spawn(pooled.close)


def _raw_connection(engine: Engine) -> Any:
    """engine.raw_connection(), its errors raised as a Connection raises them (an outage as an
    OperationalError, is_outage)."""
    try:
        return engine.raw_connection()
    except engine.dialect.loaded_dbapi.Error as error:
        Connection._handle_dbapi_exception_noconnection(error, engine.dialect, engine)
        raise


_KEPT_CONNECTION = "trackmycrime.transaction_connection"


async def transaction_connection(db: AsyncSession) -> AsyncConnection:
    """db.connection(), kept for the rest of the session's transaction: asking the session again
    costs a greenlet and its transaction's checks, about as much as a small statement, and the
    records system's update runs some ten Core statements (bench/README.md, "Records-system ingest").
    """
    kept = db.info.get(_KEPT_CONNECTION)
    if kept is not None:
        transaction, connection = kept
        if transaction.is_active and transaction is db.sync_session.get_transaction():
            return cast(AsyncConnection, connection)
    connection = await db.connection()
    db.info[_KEPT_CONNECTION] = (db.sync_session.get_transaction(), connection)
    return connection


async def flush_pending(db: AsyncSession) -> None:
    """db.flush() before Core statements, without its greenlet when the session holds no change."""
    if db.new or db.dirty or db.deleted:
        await db.flush()


@dataclass(frozen=True)
class _DriverSql:
    """A statement compiled once for asyncpg: its SQL, its parameters' names in order ($1, $2...)
    with the bind processor SQLAlchemy applies to each (None where it applies none)."""

    sql: str
    parameter_names: tuple[str, ...]
    bind_processors: tuple[Callable[[Any], Any] | None, ...]
    types: tuple[Any, ...]
    column_names: tuple[str, ...]
    bound_values: dict[str, Any]  # the values given in the statement itself (a literal compared with)

    def arguments(self, parameters: dict[str, Any]) -> list[Any]:
        if self.bound_values:
            parameters = self.bound_values | parameters
        return [
            value if process is None or value is None else process(value)
            for name, process in zip(self.parameter_names, self.bind_processors, strict=True)
            for value in (parameters[name],)
        ]


_DRIVER_SQL: dict[tuple[Any, type[Dialect], tuple[str, ...], bool], _DriverSql | None] = {}
# The site passes some twenty statements, each built once; a caller that built one per call would
# otherwise grow the cache (and keep its statements) without end: past this, they go to SQLAlchemy.
DRIVER_SQL_LIMIT = 500
# The prepared statements sent to asyncpg on each connection, with their result processors.
_PREPARED: weakref.WeakKeyDictionary[Any, dict[str, _Prepared]] = weakref.WeakKeyDictionary()


def _driver_sql(statement: Any, dialect: Dialect, keys: tuple[str, ...], many: bool) -> _DriverSql | None:
    """The statement as SQLAlchemy sends it to asyncpg for parameters with these keys; None if
    SQLAlchemy does more than convert them one by one (values it computes itself, lists expanded
    into IN): the statement is then left to SQLAlchemy."""
    key = (statement, type(dialect), keys, many)
    if key not in _DRIVER_SQL:
        if len(_DRIVER_SQL) >= DRIVER_SQL_LIMIT:
            return None
        compiled: Any = statement.compile(dialect=dialect, column_keys=list(keys), for_executemany=many)
        names = tuple(compiled.positiontup or ())
        bound_values = {
            name: bind.value
            for bind, name in compiled.bind_names.items()
            if bind.callable is None and bind.value is not None and name not in keys
        }
        computed = compiled.insert_prefetch or compiled.update_prefetch or compiled.literal_execute_params
        expanding = any(bind.expanding for bind in compiled.binds.values())
        processors = tuple(compiled._bind_processors.get(name) for name in names)
        types = tuple(entry.type for entry in compiled._result_columns)
        column_names = tuple(entry.keyname for entry in compiled._result_columns)
        usable = not computed and not expanding and set(names) <= set(keys) | set(bound_values)
        found = _DriverSql(compiled.string, names, processors, types, column_names, bound_values)
        _DRIVER_SQL[key] = found if usable else None
    return _DRIVER_SQL[key]


async def first_row(
    connection: AsyncConnection | PooledReading, statement: Executable, parameters: dict[str, Any]
) -> Sequence[Any] | None:
    """`(await connection.execute(statement, parameters)).first()`, its columns in order (see run)."""
    rows = await run(connection, statement, parameters, first=True)
    return rows[0] if rows else None


async def all_rows(
    connection: AsyncConnection | PooledReading, statement: Executable, parameters: dict[str, Any]
) -> list[Any]:
    """`(await connection.execute(statement, parameters)).all()`, each row's columns in order (see run)."""
    return await run(connection, statement, parameters)


async def run(
    connection: AsyncConnection | PooledReading,
    statement: Executable,
    parameters: dict[str, Any] | list[dict[str, Any]],
    *,
    first: bool = False,
) -> list[Any]:
    """`connection.execute(statement, parameters)` and its rows (only the first if `first`; none
    for a list of parameters, executed as executemany), each row's columns in order.

    On PostgreSQL the statement goes to asyncpg itself, prepared once per connection, with
    SQLAlchemy's bind processors applied to the parameters and its result processors to the rows:
    the same values for a fraction of the CPU, as most of a small statement's CPU was SQLAlchemy's
    execution around the driver (bench/README.md, "The session check sent to asyncpg itself" and
    "Ingest statements sent to asyncpg itself"). The engine's before_cursor_execute listeners are
    told of it as of any statement (they count statements, tests/web/test_query_counts.py). The
    statement is compiled once and kept: give it one built once (at import), not one per call.

    On a connection in autocommit (Database.reading_connection, Database.pooled_reading), a
    statement asyncpg fails is sent again through SQLAlchemy, which translates the error and
    invalidates a broken connection as for any statement. In a transaction it is not sent again
    (the transaction has failed): the error is translated as SQLAlchemy translates it
    (IntegrityError and the like, with .orig), and asyncpg's transaction is begun first if
    SQLAlchemy has not yet begun it (it begins at the first statement), so that no statement of a
    transaction is ever kept on its own.
    """
    many = isinstance(parameters, list)
    sets = parameters if isinstance(parameters, list) else [parameters]
    if isinstance(connection, PooledReading):
        bare = connection.bare
        driver_sql = None
        if bare is not None and sets:
            driver_sql = _driver_sql(statement, connection.dialect, tuple(sets[0]), many)
        if bare is None or driver_sql is None:
            return await run(await connection.connection(), statement, parameters, first=first)
        dispatch, dialect = connection.engine.sync_engine.dispatch, connection.dialect
        try:
            return await _sent_to_asyncpg(bare, dispatch, None, driver_sql, dialect, sets, many, first)
        except Exception:  # noqa: BLE001 (sent again through SQLAlchemy, which raises it as always)
            sqlalchemy_connection = await connection.connection()
            return await _through_sqlalchemy(sqlalchemy_connection, statement, parameters, first, many)
    sync = connection.sync_connection
    usable = sync is not None and not sync.invalidated and not sync.closed
    adapted: Any = sync.connection.dbapi_connection if sync is not None and usable else None
    driver_sql = None
    if sync is not None and adapted is not None and sets and connection.dialect.driver == "asyncpg":
        if adapted.autocommit or sync.in_transaction():
            driver_sql = _driver_sql(statement, connection.dialect, tuple(sets[0]), many)
    if sync is None or driver_sql is None:
        return await _through_sqlalchemy(connection, statement, parameters, first, many)
    dialect = connection.dialect
    try:
        return await _sent_to_asyncpg(adapted, sync.dispatch, sync, driver_sql, dialect, sets, many, first)
    except _FailedInTransaction as failed:
        await _raise_as_sqlalchemy(sync, adapted, failed.error, driver_sql.sql, failed.arguments)
        raise  # not reached: it raises
    except Exception:  # noqa: BLE001 (in autocommit: sent again through SQLAlchemy, which raises it as always)
        return await _through_sqlalchemy(connection, statement, parameters, first, many)


class _FailedInTransaction(Exception):
    def __init__(self, error: Exception, arguments: Any) -> None:
        self.error, self.arguments = error, arguments


async def _sent_to_asyncpg(
    adapted: Any,
    dispatch: Any,
    sync: Connection | None,
    driver_sql: _DriverSql,
    dialect: Dialect,
    sets: list[dict[str, Any]],
    many: bool,
    first: bool,
) -> list[Any]:
    """run()'s statement sent to asyncpg on the adapted connection, in asyncpg's transaction if it
    is not in autocommit (begun here if not yet begun). An error in a transaction is raised as
    _FailedInTransaction (the caller translates it); one in autocommit as asyncpg's own."""
    each_arguments = [driver_sql.arguments(each) for each in sets]
    arguments: Any = each_arguments if many else each_arguments[0]
    for listener in dispatch.before_cursor_execute:
        listener(sync, None, driver_sql.sql, arguments if many else tuple(arguments), None, many)
    driver = adapted.driver_connection
    in_transaction = sync is not None and not adapted.autocommit
    try:
        async with adapted._execute_mutex:
            if in_transaction and adapted._transaction is None:
                await adapted._start_transaction()
            prepared = await _prepared_on(driver, driver_sql, dialect)
            if many:
                await prepared.statement.executemany(arguments)
                records = []
            elif first:
                found = await prepared.statement.fetchrow(*arguments)
                records = [] if found is None else [found]
            else:
                records = await prepared.statement.fetch(*arguments)
    except Exception as error:
        _PREPARED.pop(driver, None)
        if in_transaction:
            raise _FailedInTransaction(error, arguments) from error
        raise
    rows: list[Any] = []
    for record in records:
        values = list(record)
        for index, process in prepared.processors:
            values[index] = process(values[index])
        rows.append(prepared.row(values))
    return rows


async def _through_sqlalchemy(
    connection: AsyncConnection, statement: Executable, parameters: Any, first: bool, many: bool
) -> list[Any]:
    result = await connection.execute(statement, parameters)
    if many or not result.returns_rows:
        return []
    if first:
        row = result.first()
        return [row] if row is not None else []
    return list(result.all())


async def _raise_as_sqlalchemy(sync: Any, adapted: Any, error: Exception, sql: str, arguments: Any) -> None:
    """Raise asyncpg's error as SQLAlchemy raises it for a statement it sent: the adapter's DBAPI
    exception for it, wrapped by the Connection (IntegrityError..., a broken connection invalidated)."""
    try:
        adapted._handle_exception(error)
    except Exception as dbapi_error:  # noqa: BLE001 (raised again, translated, below)
        await greenlet_spawn(sync._handle_dbapi_exception, dbapi_error, sql, arguments, None, None)
    raise error  # not reached: both raise


@dataclass(frozen=True)
class _Prepared:
    """A statement prepared on one asyncpg connection, the result processor of each of its columns
    that has one, and its rows' class: columns by position and by name, as SQLAlchemy's rows."""

    statement: Any
    processors: list[tuple[int, Callable[..., Any]]]
    row: Callable[[list[Any]], Any]


async def _prepared_on(driver: Any, driver_sql: _DriverSql, dialect: Dialect) -> _Prepared:
    """The statement prepared on this asyncpg connection, once, with the result processors for its
    columns' types, given the types PostgreSQL says it returns."""
    prepared_here = _PREPARED.setdefault(driver, {})
    found = prepared_here.get(driver_sql.sql)
    if found is None:
        statement = await driver.prepare(driver_sql.sql)
        attributes = statement.get_attributes()
        oids = [attribute.type.oid for attribute in attributes]
        # A text() statement without .columns() has no column types: SQLAlchemy converts nothing.
        types = driver_sql.types or (None,) * len(oids)
        processors = [
            (index, process)
            for index, (type_, oid) in enumerate(zip(types, oids, strict=True))
            if type_ is not None and (process := type_._cached_result_processor(dialect, oid)) is not None
        ]
        names = driver_sql.column_names or tuple(attribute.name for attribute in attributes)
        row: Any = namedtuple("Row", names, rename=True)  # type: ignore[misc]
        found = prepared_here[driver_sql.sql] = _Prepared(statement, processors, row._make)
    return found


class Detached:
    """One model's columns in a Core statement's rows, made into detached model objects.

    Loading objects through an ORM session was half the CPU of the cheapest signed-in request
    (bench/README.md, "Server speed"); a Core row and objects filled in directly cost a fraction.
    The objects are as the ORM leaves them once its session has closed: detached, every column
    loaded. A row whose primary key is NULL (an outer join that found nothing) gives None.
    """

    def __init__(self, model: type, start: int) -> None:
        self.manager: Any = manager_of_class(model)
        mapper: Any = sa_inspect(model)
        self.keys: list[str] = [attribute.key for attribute in mapper.column_attrs]
        self.columns = [getattr(model, key) for key in self.keys]
        self.span = slice(start, start + len(self.keys))
        self.primary_key = start + self.keys.index(mapper.primary_key[0].key)
        self.mapper = mapper
        # Every attribute is a loaded column: make_transient_to_detached would expire nothing.
        self.nothing_to_expire = set(self.manager) <= set(self.keys)

    def make(self, row: Any) -> Any:
        if row[self.primary_key] is None:
            return None
        loaded = self.manager.new_instance()
        loaded.__dict__.update(zip(self.keys, row[self.span], strict=True))
        if self.nothing_to_expire and not self.manager.dispatch.expire:
            # make_transient_to_detached's work for a new object with every attribute loaded, less
            # the walk over its attributes for ones to expire (a third of the objects' CPU), and
            # less its _commit_all: a new object's state has nothing committed, pending, expired
            # or modified to clear (its values went into __dict__, past the instrumentation).
            instance_state(loaded).key = self.mapper.identity_key_from_primary_key((row[self.primary_key],))
        else:
            make_transient_to_detached(loaded)
        return loaded


def columns_loaded_as(*models: type) -> list[Detached]:
    """A Detached for each model, for a statement that selects their columns in this order:
    `select(*(column for model in loaders for column in model.columns))`."""
    loaders: list[Detached] = []
    start = 0
    for model in models:
        loaders.append(Detached(model, start))
        start += len(loaders[-1].keys)
    return loaders


# SQLSTATE classes of a server that is not there for now: connection exceptions (08), too many
# connections and other lack of resources (53), and shutting down or starting up (57P).
_UNAVAILABLE_SQLSTATES = ("08", "53", "57P")
# SQLite has no SQLSTATE; these are its words for a file that is busy or cannot be reached.
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk i/o error")
# How long a browser or records system should wait before trying again while the database is away.
OUTAGE_RETRY_AFTER_SECONDS = 30


def is_outage(error: BaseException) -> bool:
    """The database is unreachable, restarting or busy: worth a "try again later", not a fault of ours."""
    if isinstance(error, OSError | PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated or isinstance(error, InterfaceError):
        return True
    sqlstate = str(getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None) or "")
    if sqlstate:
        return sqlstate.startswith(_UNAVAILABLE_SQLSTATES)
    message = str(error.orig).lower()
    return isinstance(error, OperationalError) and any(words in message for words in _SQLITE_UNAVAILABLE)


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__


class TroubleLog:
    """A spell of database trouble, logged at WARNING once when it starts and once when it ends, with counts.

    `tmc serve` and `tmc worker` show warnings; a line per failed attempt would flood the log. A
    spell ends when recovered() is called, or with the next failure after `quiet_seconds` of none.
    """

    def __init__(self, logger: logging.Logger, doing: str, *, quiet_seconds: float = 60.0) -> None:
        self.logger = logger
        self.doing = doing
        self.quiet_seconds = quiet_seconds
        self.failures = 0
        self._started = self._last = 0.0

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        if self.failures and now - self._last > self.quiet_seconds:
            self.recovered(now=self._last)
        self._last = now
        self.failures += 1
        if self.failures == 1:
            self._started = now
            self.logger.warning(
                "%s: the database is unavailable (%s); trying again until it is back",
                self.doing,
                first_line(error),
            )

    def recovered(self, *, now: float | None = None) -> None:
        if not self.failures:
            return
        ended = time.monotonic() if now is None else now
        self.logger.warning(
            "%s: the database is back after %d failed %s over %.1fs",
            self.doing,
            self.failures,
            "attempt" if self.failures == 1 else "attempts",
            ended - self._started,
        )
        self.failures = 0
