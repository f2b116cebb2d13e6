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
  insert  the key check and the update's row inserted (one Core INSERT), nothing else.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx
from sqlalchemy import event, func, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, request_response

from trackmycrime.app import create_app
from trackmycrime.auth.api_keys import create_api_key
from trackmycrime.database import Database, async_url, transaction_connection
from trackmycrime.ingest import routes as ingest_routes
from trackmycrime.ingest.request_checks import Caller, read_body
from trackmycrime.ingest.schemas import UpdateIn, UpdateOut
from trackmycrime.models import CaseUpdate, Crime, Force, OutboxMessage, Party, utcnow
from trackmycrime.settings import Settings

BASE_URL = "http://bench"
CEILINGS = ("app", "key", "insert")


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
        help="also measure this ceiling after the full update (repeatable): app, key or insert",
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
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    for n in range(crimes):
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
    async with db.transaction() as session:
        for party in (await session.exec(select(Party))).all():
            party.password_hash = "registered"
            session.add(party)
    return key


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
                "occurred_at": given.occurred_at or now,
                "created_at": now,
                "agency": "police",
            }
            await (await transaction_connection(db)).execute(insert_update, row)
            return _fixed_answer(given)

        return await ingest_routes.answer(request, work)

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
    started, cpu_started, times_started = time.perf_counter(), time.process_time(), os.times()
    await asyncio.gather(*[send_updates(http, key, share, arguments.crimes, prefix) for share in shares])
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    kernel = os.times().system - times_started.system
    event.remove(db.engine.sync_engine, "before_cursor_execute", count_statement)
    return elapsed, cpu, kernel, statements[0]


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
                ceilings = {
                    "app": answer_without_database,
                    "key": answer_after_key_check,
                    "insert": answer_after_insert(crime_ids),  # type: ignore[arg-type]
                }
                route = post_update_route(app)
                for name in arguments.ceiling:
                    route.app = request_response(ceilings[name])
                    measured = await measure(db, http, key, arguments, f"C{name}")
                    rows.append(table_row(f"ceiling: {name}", arguments.updates, *measured))
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
    finally:
        await db.dispose()
        await drop_database(arguments.database, url)


if __name__ == "__main__":
    asyncio.run(run(parse_arguments()))
