"""Sustained ingest: updates per second through the records-system API into PostgreSQL, alerts queued.

    python bench/ingest.py --database postgresql://postgres@127.0.0.1/test
    python bench/ingest.py --ceiling app --ceiling key --ceiling insert

Creates a throw-away database on that server (dropped at the end), a force with an API key and
crimes whose parties have registered, then has several concurrent senders POST updates through the
whole application (key check, validation, the update, one outbox row per alerted party, the audit
row, entitlements) in-process over ASGI, so the figure leaves out HTTP parsing and the network.

--ceiling MODE (repeatable) then sends the same requests, in the same process and database, to the
same address answered by less work, to show what the full update costs beyond it:
  app     the application answering without the database (middleware, routing, body read and
          validated, the JSON answer);
  key     only the API key check, in its transaction (BEGIN, one SELECT, COMMIT);
  insert  the key check and the update's row inserted (one Core INSERT), nothing else;
  rawkey  the key check in its transaction (BEGIN, the same SELECT, COMMIT) sent by asyncpg directly,
          on a connection of a plain asyncpg pool: no SQLAlchemy at execution time;
  raw     the statements of a full update that alerts two parties (as tests/web/test_ingest.py counts
          them), the site's own statements compiled once for asyncpg and sent as asyncpg prepared
          statements on such a connection, writing real rows: key check, crime lock, its updates,
          its parties with their recent alerts, the update, the crime, the alerts, the Victims' Code
          read and its new rows, the audit row. The rules deciding them (repeats, coalescing, what
          is owed) are not run: every update writes an alert and a new entitlement for each party.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event, func, insert, text
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, request_response

from trackmycrime import identity
from trackmycrime.app import create_app
from trackmycrime.auth import api_keys
from trackmycrime.auth.api_keys import bearer_key, create_api_key
from trackmycrime.auth.tokens import sha256_hex
from trackmycrime.case_events import alerts as case_alerts
from trackmycrime.case_events import updates as case_updates
from trackmycrime.database import Database, async_url, transaction_connection
from trackmycrime.ingest import crimes as ingest_crimes
from trackmycrime.ingest import routes as ingest_routes
from trackmycrime.ingest import updates as ingest_updates
from trackmycrime.ingest.request_checks import Caller, read_body
from trackmycrime.ingest.schemas import UpdateIn, UpdateOut
from trackmycrime.models import CaseUpdate, Crime, Entitlement, Force, OutboxMessage, Party, utcnow
from trackmycrime.settings import Settings
from trackmycrime.victims_code import entitlements as victims_code

BASE_URL = "http://bench"
CEILINGS = ("app", "key", "insert", "rawkey", "raw")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", default="postgresql://postgres@127.0.0.1/test", help="any database on the server"
    )
    parser.add_argument("--updates", type=int, default=3000, help="updates to send (default 3000)")
    parser.add_argument("--concurrency", type=int, default=8, help="senders at once (default 8)")
    parser.add_argument(
        "--crimes", type=int, default=200, help="crimes the updates are spread over (default 200)"
    )
    parser.add_argument("--parties", type=int, default=2, help="registered parties per crime (default 2)")
    parser.add_argument(
        "--ceiling",
        action="append",
        choices=CEILINGS,
        default=[],
        help="also measure this ceiling after the full update (repeatable): " + ", ".join(CEILINGS),
    )
    return parser.parse_args()


async def create_database(server_url: str) -> str:
    name = f"tmc_bench_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(async_url(server_url), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    # make_url keeps a ?host=/var/run/postgresql (a Unix socket) and any other query as they were.
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def drop_database(server_url: str, url: str) -> None:
    admin = create_async_engine(async_url(server_url), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    await admin.dispose()


def crime_reference(n: int) -> str:
    return f"BE-2026-{n:06d}"


async def prepare(db: Database, http: httpx.AsyncClient, crimes: int, parties: int) -> str:
    """A force, its key, and crimes whose parties have all registered; returns the key."""
    async with db.engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
    async with db.transaction() as session:
        force = Force(code="BE", name="Bench Police", crime_ref_pattern=r"BE-\d{4}-\d{6}")
        session.add(force)
        await session.flush()
        _api_key, key = await create_api_key(session, force_id=force.id, label="bench")  # type: ignore[arg-type]
    for n in range(crimes):
        await add_crime(http, key, n, parties)
    await register_parties(db)
    return key


async def add_crime(http: httpx.AsyncClient, key: str, n: int, parties: int) -> str:
    """Crime n and its parties, through the API; returns its reference."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    body = {
        "offence": "Burglary of a home",
        "status": "under_investigation",
        "reported_at": "2026-11-20T14:05:00Z",
        "officer_in_charge": {"email": f"oic{n % 20}@police.example", "name": f"PC Bench {n % 20}"},
        "parties": [
            {
                "rms_party_id": f"P{p}",
                "role": "victim",
                "surname": "Bench",
                "date_of_birth": "1980-02-29",
                "email": f"party{n}-{p}@example.org",
                "contact_consent": True,
            }
            for p in range(parties)
        ],
    }
    response = await http.put(
        f"/api/v1/crimes/{crime_reference(n)}", content=json.dumps(body), headers=headers
    )
    response.raise_for_status()
    return crime_reference(n)


async def register_parties(db: Database) -> None:
    async with db.transaction() as session:
        for party in (await session.exec(select(Party))).all():
            party.password_hash = "registered"
            session.add(party)


async def send_updates(
    http: httpx.AsyncClient, key: str, numbers: list[int], crimes: int, prefix: str = "U"
) -> int:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    stored = 0
    for n in numbers:
        body = {
            "rms_update_id": f"{prefix}-{n}",
            "text": "An officer has reviewed the CCTV.",
            "audience": "all",
        }
        response = await http.post(
            f"/api/v1/crimes/{crime_reference(n % crimes)}/updates", content=json.dumps(body), headers=headers
        )
        if response.status_code != 201:
            raise SystemExit(f"update {n}: {response.status_code} {response.text}")
        stored += 1
    return stored


# ---------------------------------------------------------------- ceilings: the same request, less work

Endpoint = Callable[[Request], Awaitable[Response]]


def _fixed_answer(given: UpdateIn) -> Response:
    now = utcnow()
    view = UpdateOut(
        rms_update_id=given.rms_update_id,
        status=given.status,
        text=given.text,
        audience=given.audience,
        occurred_at=given.occurred_at or now,
        created_at=now,
    )
    return ingest_routes.json_response(view, 201)


async def answer_without_database(request: Request) -> Response:
    """app: the body read and validated, a JSON answer; no database."""
    return _fixed_answer(UpdateIn.model_validate_json(await read_body(request)))


async def answer_after_key_check(request: Request) -> Response:
    """key: the API key checked in its transaction, as every ingest request does, then the answer."""
    body = await read_body(request)

    async def work(_db: AsyncSession, _caller: Caller) -> Response:
        return _fixed_answer(UpdateIn.model_validate_json(body))

    return await ingest_routes.answer(request, work)


def answer_after_insert(crime_ids: dict[str, int]) -> Endpoint:
    """insert: the key check, then only the update's row inserted (one Core statement, built once,
    on the transaction's connection, as the full update writes it)."""
    insert_update = insert(CaseUpdate.__table__)  # type: ignore[attr-defined]

    async def endpoint(request: Request) -> Response:
        body = await read_body(request)

        async def work(db: AsyncSession, _caller: Caller) -> Response:
            given = UpdateIn.model_validate_json(body)
            now = utcnow()
            row = {
                "crime_id": crime_ids[request.path_params["crime_reference"]],
                "rms_update_id": given.rms_update_id,
                "text": given.text,
                "status": given.status,
                "audience": given.audience,
                "occurred_at": as_bound(given.occurred_at) if given.occurred_at else now,
                "created_at": now,
                "agency": "police",
            }
            await (await transaction_connection(db)).execute(insert_update, row)
            return _fixed_answer(given)

        return await ingest_routes.answer(request, work)

    return endpoint


# ---------------------------------------------------------------- raw ceilings: asyncpg without SQLAlchemy


@dataclass(frozen=True)
class RawStatement:
    """One of the site's statements compiled once for PostgreSQL's asyncpg dialect: its SQL (with
    $n parameters) and the names of its parameters in that order, with the values it binds itself."""

    sql: str
    names: tuple[str, ...]
    bound: Mapping[str, Any]

    @classmethod
    def of(cls, statement: Any, columns: Sequence[str] | None = None, *, many: bool = False) -> RawStatement:
        compiled = statement.compile(dialect=asyncpg_dialect(), column_keys=columns, for_executemany=many)
        return cls(str(compiled), tuple(compiled.positiontup or ()), dict(compiled.params))

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        return [values[name] if name in values else self.bound[name] for name in self.names]


# The columns each write sets, as the site passes them (record_update(), alert_parties_of_update(),
# victims_code._sync(), ingest.routes.record_rms_update()).
UPDATE_COLUMNS = (
    "crime_id", "rms_update_id", "status", "text", "audience", "party_id", "author_officer_id",
    "occurred_at", "created_at", "status_before", "corrected_at", "withdrawn_at", "withdrawn_by_id",
    "event", "hearing_id", "agency",
)  # fmt: skip
ALERT_COLUMNS = (
    "force_id", "kind", "channel", "party_id", "officer_id", "recipient", "context_json", "dedupe_key",
    "status", "attempts", "next_attempt_at", "claimed_until", "last_error", "provider_reference",
    "created_at", "sent_at",
)  # fmt: skip
ENTITLEMENT_COLUMNS = (
    "force_id", "crime_id", "party_id", "event", "event_key", "event_at", "due_at", "met_at", "met_by",
    "enhanced_rights",
)  # fmt: skip
AUDIT_COLUMNS = (
    "at", "force_id", "actor_kind", "actor_id", "action", "crime_id", "party_id", "ip_address", "detail",
)  # fmt: skip


@dataclass(frozen=True)
class RawStatements:
    key: RawStatement
    crime: RawStatement
    updates: RawStatement
    parties: RawStatement
    insert_update: RawStatement
    update_crime: RawStatement
    insert_alerts: RawStatement
    entitlements: RawStatement
    insert_entitlements: RawStatement
    audit: RawStatement

    @classmethod
    def of_site(cls) -> RawStatements:
        """The statements the site builds once at import, for PostgreSQL."""
        return cls(
            key=RawStatement.of(api_keys._ACTIVE_KEY),
            crime=RawStatement.of(ingest_crimes._CRIME_ROW_LOCKED),
            updates=RawStatement.of(ingest_updates._UPDATES_OF_CRIME),
            parties=RawStatement.of(case_alerts._EVERY_PARTY_WITH_RECENT_ALERTS["postgresql"]),
            insert_update=RawStatement.of(case_updates._INSERT_UPDATE, UPDATE_COLUMNS),
            # A status update sets these three (crime_status_changes()).
            update_crime=RawStatement.of(case_updates._UPDATE_CRIME, ("status", "updated_at", "closed_at")),
            insert_alerts=RawStatement.of(case_alerts._INSERT_ALERTS["postgresql"], ALERT_COLUMNS, many=True),
            entitlements=RawStatement.of(victims_code._ENTITLEMENTS_AND_TELLINGS),
            insert_entitlements=RawStatement.of(
                victims_code._INSERT_ENTITLEMENTS, ENTITLEMENT_COLUMNS, many=True
            ),
            audit=RawStatement.of(ingest_routes._INSERT_AUDIT, AUDIT_COLUMNS),
        )

    def all(self) -> list[RawStatement]:
        return list(vars(self).values())


RAW_STATEMENTS_PER_UPDATE = 10  # tests/web/test_ingest.py, STATEMENTS_PER_UPDATE_ALERTING_TWO
raw_statements_sent = [0]  # SQLAlchemy's statement count does not see these


def as_bound(moment: dt.datetime) -> dt.datetime:
    """A datetime as the site's UTCDateTime columns bind it (naive UTC), which SQLAlchemy did for it."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


async def raw_update(
    connection: asyncpg.Connection, sql: RawStatements, request: Request, key: Any, given: UpdateIn
) -> None:
    """A full update's statements, in its order, with the values it would send."""
    now = as_bound(utcnow())
    chosen = {
        "the_force_id": key["force_id"],
        "the_reference_key": identity.reference_key(request.path_params["crime_reference"]),
    }
    crime = await connection.fetchrow(sql.crime.sql, *sql.crime.arguments(chosen))
    assert crime is not None
    crime_id = crime["id"]
    await connection.fetch(sql.updates.sql, *sql.updates.arguments({"crime_id": crime_id}))
    since = now - dt.timedelta(minutes=key["alert_window_minutes"])
    parties = await connection.fetch(
        sql.parties.sql, *sql.parties.arguments({"crime_id": crime_id, "since": since})
    )
    update = {
        "crime_id": crime_id, "rms_update_id": given.rms_update_id, "status": crime["status"],
        "text": given.text, "audience": given.audience, "party_id": None, "author_officer_id": None,
        "occurred_at": as_bound(given.occurred_at) if given.occurred_at else now, "created_at": now,
        "status_before": crime["status"],
        "corrected_at": None, "withdrawn_at": None, "withdrawn_by_id": None, "event": None,
        "hearing_id": None, "agency": key["agency"],
    }  # fmt: skip
    update_id = await connection.fetchval(sql.insert_update.sql, *sql.insert_update.arguments(update))
    crime_changes = {
        "status": crime["status"],
        "updated_at": now,
        "closed_at": None,
        "the_crime_id": crime_id,
    }
    await connection.execute(sql.update_crime.sql, *sql.update_crime.arguments(crime_changes))
    context_json = json.dumps({"force_name": key["name"]}, sort_keys=True)
    alerts = [
        {
            "force_id": key["force_id"],
            "kind": "update_waiting",
            "channel": "email",
            "party_id": party["id"],
            "officer_id": None,
            "recipient": party["email"],
            "context_json": context_json,
            "dedupe_key": f"update_waiting:update:{update_id}:party:{party['id']}:email",
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "claimed_until": None,
            "last_error": "",
            "provider_reference": "",
            "created_at": now,
            "sent_at": None,
        }  # fmt: skip
        for party in parties
    ]
    await connection.executemany(sql.insert_alerts.sql, [sql.insert_alerts.arguments(a) for a in alerts])
    await connection.fetch(sql.entitlements.sql, *sql.entitlements.arguments({"crime_id": crime_id}))
    owed = [
        {
            "force_id": key["force_id"],
            "crime_id": crime_id,
            "party_id": party["id"],
            "event": crime["status"],
            "event_key": str(update_id),
            "event_at": now,
            "due_at": now + dt.timedelta(days=1),
            "met_at": now,
            "met_by": "update",
            "enhanced_rights": party["enhanced_rights"],
        }  # fmt: skip
        for party in parties
    ]
    await connection.executemany(
        sql.insert_entitlements.sql, [sql.insert_entitlements.arguments(o) for o in owed]
    )
    audit = {
        "at": now, "force_id": key["force_id"], "actor_kind": "rms", "actor_id": None,
        "action": "update.add", "crime_id": crime_id, "party_id": None,
        "ip_address": request.client.host if request.client else "",
        "detail": f"api key {key['id']}: update {given.rms_update_id} stored",
    }  # fmt: skip
    await connection.fetchval(sql.audit.sql, *sql.audit.arguments(audit))


def answer_raw(pool: asyncpg.Pool, sql: RawStatements, *, full_update: bool) -> Endpoint:
    """rawkey (BEGIN, the key check, COMMIT) or raw (and a full update's statements) through asyncpg."""
    sent = RAW_STATEMENTS_PER_UPDATE if full_update else 1

    async def endpoint(request: Request) -> Response:
        given = UpdateIn.model_validate_json(await read_body(request))
        key_text = bearer_key(request.headers.get("authorization"))
        assert key_text is not None
        async with pool.acquire() as connection, connection.transaction():
            key = await connection.fetchrow(
                sql.key.sql, *sql.key.arguments({"key_hash": sha256_hex(key_text)})
            )
            assert key is not None, "the bench's key"
            if full_update:
                await raw_update(connection, sql, request, key, given)
        raw_statements_sent[0] += sent
        return _fixed_answer(given)

    return endpoint


def post_update_route(app: Starlette) -> Route:
    def walk(routes: list[BaseRoute]) -> Route | None:
        for route in routes:
            if isinstance(route, Route) and route.name == "api_post_update":
                return route
            found = walk(getattr(route, "routes", []))
            if found is not None:
                return found
        return None

    route = walk(app.routes)
    assert route is not None, "no api_post_update route"
    return route


async def measure(
    db: Database, http: httpx.AsyncClient, key: str, arguments: argparse.Namespace, prefix: str
) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds of this process (all, and in the kernel) and SQL statements sent."""
    numbers = list(range(arguments.updates))
    shares = [numbers[i :: arguments.concurrency] for i in range(arguments.concurrency)]
    statements = [0]

    def count_statement(*_arguments: object) -> None:
        statements[0] += 1

    event.listen(db.engine.sync_engine, "before_cursor_execute", count_statement)
    raw_started = raw_statements_sent[0]
    started, cpu_started, times_started = time.perf_counter(), time.process_time(), os.times()
    await asyncio.gather(*[send_updates(http, key, share, arguments.crimes, prefix) for share in shares])
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    kernel = os.times().system - times_started.system
    event.remove(db.engine.sync_engine, "before_cursor_execute", count_statement)
    return elapsed, cpu, kernel, statements[0] + raw_statements_sent[0] - raw_started


async def sql_of_an_alerting_status_update(
    db: Database, http: httpx.AsyncClient, key: str, crimes: int, parties: int
) -> list[str]:
    """The SQL the site sends for an update that changes the status of a new crime and alerts its
    parties (as tests/web/test_ingest.py counts it)."""
    sent: list[str] = []

    def note(_connection: object, _cursor: object, sql: str, *_rest: object) -> None:
        sent.append(sql)

    reference = await add_crime(http, key, crimes, parties)
    await register_parties(db)
    body = {"rms_update_id": "PROBE-1", "text": "Charged.", "status": "charged", "audience": "all"}
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    event.listen(db.engine.sync_engine, "before_cursor_execute", note)
    try:
        response = await http.post(
            f"/api/v1/crimes/{reference}/updates", content=json.dumps(body), headers=headers
        )
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", note)
    if response.status_code != 201:
        raise SystemExit(f"probe update: {response.status_code} {response.text}")
    return sent


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def table_row(name: str, requests: int, elapsed: float, cpu: float, kernel: float, statements: int) -> str:
    return (
        f"| {name} | {requests / elapsed:,.0f} | {1000 * cpu / requests:.2f} "
        f"| {1000 * kernel / requests:.2f} | {requests / cpu:,.0f} | {statements / requests:.1f} |"
    )


async def count(db: Database, query: object) -> int:
    async with db.session() as session:
        return int((await session.exec(query)).one())  # type: ignore[call-overload]


async def run(arguments: argparse.Namespace) -> None:
    url = await create_database(arguments.database)
    db = Database(url)
    settings = Settings(
        mode="test", database_url=url, secret_key=secrets.token_urlsafe(48), base_url=BASE_URL
    )
    try:
        app = create_app(settings, db)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, timeout=60) as http:
            key = await prepare(db, http, arguments.crimes, arguments.parties)
            alerts_before = await count(db, select(func.count()).select_from(OutboxMessage))
            elapsed, cpu, kernel, statements = await measure(db, http, key, arguments, "U")
            stored = (
                select(func.count()).select_from(CaseUpdate).where(col(CaseUpdate.rms_update_id).like("U-%"))
            )
            updates = await count(db, stored)
            alerts = await count(db, select(func.count()).select_from(OutboxMessage)) - alerts_before
            rows = [table_row("full update", updates, elapsed, cpu, kernel, statements)]
            if arguments.ceiling:
                async with db.session() as session:
                    crime_ids = {c.reference: c.id for c in (await session.exec(select(Crime))).all()}
                raw_sql = RawStatements.of_site()
                pool = await asyncpg.create_pool(
                    asyncpg_dsn(url), min_size=arguments.concurrency, max_size=arguments.concurrency
                )
                ceilings = {
                    "app": answer_without_database,
                    "key": answer_after_key_check,
                    "insert": answer_after_insert(crime_ids),  # type: ignore[arg-type]
                    "rawkey": answer_raw(pool, raw_sql, full_update=False),
                    "raw": answer_raw(pool, raw_sql, full_update=True),
                }
                route = post_update_route(app)
                site_endpoint = route.app
                try:
                    for name in arguments.ceiling:
                        route.app = request_response(ceilings[name])
                        measured = await measure(db, http, key, arguments, f"C{name}")
                        rows.append(table_row(f"ceiling: {name}", arguments.updates, *measured))
                finally:
                    route.app = site_endpoint
                    await pool.close()
                probe_sql = await sql_of_an_alerting_status_update(
                    db, http, key, arguments.crimes, arguments.parties
                )
                raw_rows = [
                    await count(db, select(func.count()).select_from(table).where(where))
                    for table, where in (
                        (CaseUpdate, col(CaseUpdate.rms_update_id).like("Craw-%")),
                        (OutboxMessage, col(OutboxMessage.kind) == "update_waiting"),
                        (Entitlement, col(Entitlement.met_by) == "update"),
                    )
                ]
        print(
            f"{updates} updates over {arguments.crimes} crimes with {arguments.concurrency} senders in "
            f"{elapsed:.2f} s: {updates / elapsed:,.0f} updates/s, {alerts} alerts queued "
            f"({alerts / elapsed:,.0f} alerts/s)"
        )
        # CPU time of this process (the application, and the senders, which are cheap) varies far less
        # than the rate when the machine is shared: it says what one core of a web process can carry.
        print(f"application CPU per update: {1000 * cpu / updates:.1f} ms", end=" ")
        print(f"(about {updates / cpu:,.0f} updates/s for each core given to web processes)")
        print(f"SQL statements per update: {statements / updates:.1f}")
        if arguments.ceiling:
            print()
            print("| requests | per s | CPU ms each | of which kernel | per s per core | statements |")
            print("|---|---|---|---|---|---|")
            print("\n".join(rows))
            same = sum(statement.sql in probe_sql for statement in raw_sql.all())
            print(
                f"\nraw and rawkey: {same} of their {len(raw_sql.all())} statements are, character for "
                f"character, ones the site sent (as the engine's listeners saw them, {len(probe_sql)} "
                "statements) for an update that changed a crime's status and alerted its two parties, "
                "sent after the rows above"
            )
            if "raw" in arguments.ceiling:
                print(
                    f"raw wrote {raw_rows[0]} updates (and an alert and an entitlement for each party of "
                    f"each); in the database after all the rows above: {raw_rows[1]} 'update waiting' "
                    f"alerts, {raw_rows[2]} entitlements met by an update"
                )
    finally:
        await db.dispose()
        await drop_database(arguments.database, url)


if __name__ == "__main__":
    asyncio.run(run(parse_arguments()))
