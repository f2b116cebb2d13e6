"""Sustained ingest: updates per second through the records-system API into PostgreSQL, alerts queued.

    python bench/ingest.py --database postgresql://postgres@127.0.0.1/test

Creates a throw-away database on that server (dropped at the end), a force with an API key and
crimes whose parties have registered, then has several concurrent senders POST updates through the
whole application (key check, validation, the update, one outbox row per alerted party, the audit
row, entitlements) in-process over ASGI, so the figure leaves out HTTP parsing and the network.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import time
import uuid

import httpx
from sqlalchemy import event, func, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel, col, select

from trackmycrime.app import create_app
from trackmycrime.auth.api_keys import create_api_key
from trackmycrime.database import Database, async_url
from trackmycrime.models import CaseUpdate, Force, OutboxMessage, Party
from trackmycrime.settings import Settings

BASE_URL = "http://bench"


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
    return parser.parse_args()


async def create_database(server_url: str) -> str:
    name = f"tmc_bench_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(async_url(server_url), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


async def drop_database(server_url: str, url: str) -> None:
    admin = create_async_engine(async_url(server_url), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
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


async def send_updates(http: httpx.AsyncClient, key: str, numbers: list[int], crimes: int) -> int:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    stored = 0
    for n in numbers:
        body = {"rms_update_id": f"U-{n}", "text": "An officer has reviewed the CCTV.", "audience": "all"}
        response = await http.post(
            f"/api/v1/crimes/{crime_reference(n % crimes)}/updates", content=json.dumps(body), headers=headers
        )
        if response.status_code != 201:
            raise SystemExit(f"update {n}: {response.status_code} {response.text}")
        stored += 1
    return stored


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
            numbers = list(range(arguments.updates))
            shares = [numbers[i :: arguments.concurrency] for i in range(arguments.concurrency)]
            statements = [0]

            def count_statement(*_arguments: object) -> None:
                statements[0] += 1

            event.listen(db.engine.sync_engine, "before_cursor_execute", count_statement)
            started, cpu_started = time.perf_counter(), time.process_time()
            await asyncio.gather(*[send_updates(http, key, share, arguments.crimes) for share in shares])
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            event.remove(db.engine.sync_engine, "before_cursor_execute", count_statement)
        stored = (
            select(func.count()).select_from(CaseUpdate).where(col(CaseUpdate.rms_update_id).is_not(None))
        )
        updates = await count(db, stored)
        alerts = await count(db, select(func.count()).select_from(OutboxMessage)) - alerts_before
        print(
            f"{updates} updates over {arguments.crimes} crimes with {arguments.concurrency} senders in "
            f"{elapsed:.2f} s: {updates / elapsed:,.0f} updates/s, {alerts} alerts queued "
            f"({alerts / elapsed:,.0f} alerts/s)"
        )
        # CPU time of this process (the application, and the senders, which are cheap) varies far less
        # than the rate when the machine is shared: it says what one core of a web process can carry.
        print(f"application CPU per update: {1000 * cpu / updates:.1f} ms", end=" ")
        print(f"(about {updates / cpu:,.0f} updates/s for each core given to web processes)")
        print(f"SQL statements per update: {statements[0] / updates:.1f}")
    finally:
        await db.dispose()
        await drop_database(arguments.database, url)


if __name__ == "__main__":
    asyncio.run(run(parse_arguments()))
