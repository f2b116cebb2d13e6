"""Alerts per second from the outbox to an SMTP sink with 1, 2 and 4 workers on PostgreSQL, and the
delay from an ingest-like insert (an update and its alert, committed together) to the email's arrival.

    python bench/alerts.py [--alerts 5000] [--workers 1 2 4] [--concurrency 8] [--samples 40]

Creates a throw-away database on the PostgreSQL server (TMC_BENCH_POSTGRES_URL, default
postgresql://postgres@127.0.0.1:5432/test) and drops it at the end. The SMTP sink (aiosmtpd) and
every worker run in processes of their own, as `tmc worker` processes would.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import re
import statistics
import sys
import time
import uuid
from typing import Any

from sqlalchemy import delete, insert, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from trackmycrime.database import Database, async_url
from trackmycrime.models import CaseUpdate, Crime, Force, Officer, OutboxMessage, Party, utcnow
from trackmycrime.notify.outbox import AlertKind, queue_alert
from trackmycrime.notify.worker import Worker
from trackmycrime.settings import Settings

POSTGRES_SERVER = os.environ.get("TMC_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
MESSAGE_ID = re.compile(rb"^Message-ID: <outbox-(\d+)\.", re.MULTILINE | re.IGNORECASE)
BENCH_SECRET_KEY = "bench-secret-key-that-is-long-enough-for-the-checks"
OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]


# ---------------------------------------------------------------- the SMTP sink, in its own process


def run_sink(port: int, count: Any, arrivals: Any, ready: Any) -> None:
    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            found = MESSAGE_ID.search(envelope.content)
            with count.get_lock():
                count.value += 1
            if found:
                arrivals.put((int(found.group(1)), time.time()))
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


# ---------------------------------------------------------------- workers, each in its own process


def bench_settings(database_url: str, smtp_port: int, **changes: Any) -> Settings:
    return Settings(
        mode="test",
        database_url=database_url,
        secret_key=BENCH_SECRET_KEY,
        base_url="https://portal.example",
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        mail_from="Benchshire Police <alerts@police.example>",
    ).with_changes(**changes)


def run_worker(
    database_url: str, smtp_port: int, concurrency: int, once: bool, poll: float, go: Any, stop: Any
) -> None:
    async def main() -> None:
        database = Database(database_url, pre_ping=False)
        worker = Worker(
            bench_settings(database_url, smtp_port, worker_poll_seconds=poll),
            database,
            concurrency=concurrency,
        )
        async with database.engine.connect():
            pass  # connect before the clock starts
        go.wait()
        running = asyncio.create_task(worker.run(once=once))
        while not running.done():
            if stop.is_set():
                worker.stop()
            await asyncio.sleep(0.05)
        await running
        await database.dispose()

    asyncio.run(main())


# ---------------------------------------------------------------- data


async def create_database() -> str:
    name = f"tmc_bench_alerts_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(async_url(POSTGRES_SERVER), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    url = POSTGRES_SERVER.rsplit("/", 1)[0] + "/" + name
    database = Database(url)
    async with database.engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
    await database.dispose()
    return url


async def drop_database(url: str) -> None:
    admin = create_async_engine(async_url(POSTGRES_SERVER), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    await admin.dispose()


async def seed(database: Database, parties: int = 100) -> tuple[Force, Crime, list[Party]]:
    async with database.transaction() as db:
        force = Force(code="BP", name="Benchshire Police")
        db.add(force)
        await db.flush()
        officer = Officer(force_id=force.id, email="oic@police.example", name="PC Bench")  # type: ignore[arg-type]
        db.add(officer)
        await db.flush()
        crime = Crime(
            force_id=force.id,  # type: ignore[arg-type]
            reference="BP-2026-000001",
            reference_key="BP2026000001",
            offence="Burglary of a home",
            reported_at=utcnow(),
            officer_in_charge_id=officer.id,
        )
        db.add(crime)
        await db.flush()
        people = [
            Party(
                crime_id=crime.id,
                rms_party_id=f"P{n}",
                surname="Doe",
                surname_key="doe",
                email=f"v{n}@example.org",
            )  # type: ignore[arg-type]
            for n in range(parties)
        ]
        db.add_all(people)
        await db.flush()
    return force, crime, people


async def fill_outbox(database: Database, force: Force, parties: list[Party], count: int) -> None:
    now = utcnow()
    rows = [
        {
            "force_id": force.id,
            "kind": AlertKind.UPDATE_WAITING,
            "channel": "email",
            "party_id": parties[n % len(parties)].id,
            "recipient": parties[n % len(parties)].email,
            "context_json": "{}",
            "dedupe_key": f"bench:{uuid.uuid4().hex}",
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "last_error": "",
            "provider_reference": "",
            "created_at": now,
        }
        for n in range(count)
    ]
    async with database.engine.begin() as connection:
        await connection.execute(delete(OUTBOX))
        for start in range(0, count, 1000):
            await connection.execute(insert(OUTBOX), rows[start : start + 1000])
        await connection.execute(text("ANALYZE outbox"))


async def ingest_like_update(database: Database, force: Force, crime: Crime, party: Party, n: int) -> int:
    """What the ingest API does for one update: the update and its alert in one transaction."""
    async with database.transaction() as db:
        update = CaseUpdate(
            crime_id=crime.id, rms_update_id=f"bench-{n}", text="Update", occurred_at=utcnow()
        )  # type: ignore[arg-type]
        db.add(update)
        await db.flush()
        [row] = await queue_alert(
            db, force=force, kind=AlertKind.UPDATE_WAITING, party=party, cause=f"update:{update.id}"
        )
        return int(row.id)  # type: ignore[arg-type]


# ---------------------------------------------------------------- measurements


def start_workers(
    spawn: Any, url: str, port: int, workers: int, concurrency: int, *, once: bool, poll: float = 1.0
) -> tuple[list[Any], Any, Any]:
    go, stop = spawn.Event(), spawn.Event()
    processes = [
        spawn.Process(target=run_worker, args=(url, port, concurrency, once, poll, go, stop))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    time.sleep(2.5)  # let them import and connect
    return processes, go, stop


def throughput(
    spawn: Any,
    url: str,
    port: int,
    count: Any,
    arrivals: Any,
    workers: int,
    alerts: int,
    concurrency: int,
    data: Any,
) -> float:
    database = Database(url)
    asyncio.run(_fill(database, data, alerts))
    count.value = 0
    processes, go, _stop = start_workers(spawn, url, port, workers, concurrency, once=True)
    started = time.perf_counter()
    go.set()
    while count.value < alerts:
        if not any(p.is_alive() for p in processes) and count.value < alerts:
            raise RuntimeError(f"workers stopped with {count.value} of {alerts} alerts sent")
        time.sleep(0.005)
    took = time.perf_counter() - started
    for process in processes:
        process.join()
    while not arrivals.empty():
        arrivals.get()
    return alerts / took


async def _fill(database: Database, data: Any, alerts: int) -> None:
    force, _crime, parties = data
    await fill_outbox(database, force, parties, alerts)
    await database.dispose()


def latency(
    spawn: Any, url: str, port: int, arrivals: Any, samples: int, poll: float, data: Any
) -> list[float]:
    force, crime, parties = data
    processes, go, stop = start_workers(spawn, url, port, 1, 4, once=False, poll=poll)
    go.set()
    delays: list[float] = []

    async def measure() -> None:
        database = Database(url)
        for n in range(samples):
            await asyncio.sleep(0.05 + (n % 7) * poll / 7)  # land at different points of the poll cycle
            alert_id = await ingest_like_update(
                database, force, crime, parties[n % len(parties)], n + int(poll * 1e6)
            )
            committed = time.time()
            while True:
                arrived_id, arrived_at = await asyncio.to_thread(arrivals.get, True, 30)
                if arrived_id == alert_id:
                    delays.append(arrived_at - committed)
                    break
        await database.dispose()

    try:
        asyncio.run(measure())
    finally:
        stop.set()
        for process in processes:
            process.join()
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--alerts", type=int, default=5000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--concurrency", type=int, default=8, help="sends at once per worker")
    parser.add_argument("--samples", type=int, default=40, help="ingest-to-inbox delays to measure")
    arguments = parser.parse_args()

    spawn = multiprocessing.get_context("spawn")
    from trackmycrime.demo.mail_catcher import free_port

    port = free_port()
    count, arrivals, ready = spawn.Value("i", 0), spawn.Queue(), spawn.Event()
    sink = spawn.Process(target=run_sink, args=(port, count, arrivals, ready), daemon=True)
    sink.start()
    ready.wait(10)
    url = asyncio.run(create_database())
    try:
        data = asyncio.run(_seed(url))
        print(
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; {arguments.alerts} alerts per run"
        )
        for workers in arguments.workers:
            rate = throughput(
                spawn, url, port, count, arrivals, workers, arguments.alerts, arguments.concurrency, data
            )
            print(f"{workers} worker(s) x {arguments.concurrency} at once: {rate:,.0f} alerts/s", flush=True)
        for poll in (1.0, 0.1):
            delays = sorted(latency(spawn, url, port, arrivals, arguments.samples, poll, data))
            median, worst = statistics.median(delays) * 1000, delays[-1] * 1000
            p95 = delays[int(len(delays) * 0.95) - 1] * 1000
            print(
                f"ingest to inbox, 1 worker polling every {poll:g}s: median {median:.0f} ms, "
                f"95th percentile {p95:.0f} ms, worst {worst:.0f} ms ({len(delays)} alerts)",
                flush=True,
            )
    finally:
        asyncio.run(drop_database(url))
        sink.terminate()


async def _seed(url: str) -> Any:
    database = Database(url)
    try:
        return await seed(database)
    finally:
        await database.dispose()


if __name__ == "__main__":
    sys.exit(main())
