"""Alerts per second from the outbox to an SMTP sink with 1, 2 and 4 workers on PostgreSQL, and the
delay from an ingest API call (an update for a registered victim) to the email's arrival.

    python bench/alerts.py [--alerts 5000] [--workers 1 2 4] [--concurrency 8] [--samples 40]

Creates a throw-away database on the PostgreSQL server (TMC_BENCH_POSTGRES_URL, default
postgresql://postgres@127.0.0.1:5432/test) and drops it at the end. The SMTP sink (aiosmtpd) and
every worker run in processes of their own, as `tmc worker` processes would; the ingest calls go
through the whole application in this process over ASGI (no HTTP parsing or network).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import statistics
import time
import uuid
from typing import Any

import httpx
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from trackmycrime.app import create_app
from trackmycrime.auth.api_keys import create_api_key
from trackmycrime.database import Database, async_url
from trackmycrime.demo.mail_catcher import free_port
from trackmycrime.models import Force, OutboxMessage, Party, utcnow
from trackmycrime.notify.outbox import AlertKind
from trackmycrime.notify.worker import Worker
from trackmycrime.settings import Settings

POSTGRES_SERVER = os.environ.get("TMC_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BENCH_SECRET_KEY = "bench-secret-key-that-is-long-enough-for-the-checks"
MESSAGE_ID = re.compile(rb"^Message-ID: <outbox-(\d+)\.", re.MULTILINE | re.IGNORECASE)
OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
REFERENCE = "BA-2026-000001"


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


def bench_settings(database_url: str, smtp_port: int = 25, **changes: Any) -> Settings:
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
    url: str, port: int, concurrency: int, once: bool, poll: float, signals: Any, results: Any
) -> None:
    go, stop = signals

    async def main() -> None:
        database = Database(url, pre_ping=False)  # as `tmc worker` runs it
        worker = Worker(
            bench_settings(url, port, worker_poll_seconds=poll), database, concurrency=concurrency
        )
        async with database.engine.connect():
            pass  # connect before the clock starts
        go.wait()
        cpu = time.process_time()
        running = asyncio.create_task(worker.run(once=once))
        while not running.done():
            if stop.is_set():
                worker.stop()
            await asyncio.sleep(0.05)
        await running
        results.put((worker.counts["sent"], time.process_time() - cpu))
        await database.dispose()

    asyncio.run(main())


def start_workers(
    spawn: Any, url: str, port: int, workers: int, concurrency: int, *, once: bool, poll: float = 1.0
):
    signals, results = (spawn.Event(), spawn.Event()), spawn.Queue()
    processes = [
        spawn.Process(target=run_worker, args=(url, port, concurrency, once, poll, signals, results))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    time.sleep(3)  # let them import and connect
    return processes, signals, results


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


async def seed(url: str, http: httpx.AsyncClient) -> str:
    """A force, its records-system key, and one crime with 50 registered victims (through the API)."""
    database = Database(url)
    try:
        async with database.transaction() as db:
            force = Force(code="BA", name="Benchshire Police", crime_ref_pattern=r"BA-\d{4}-\d{6}")
            db.add(force)
            await db.flush()
            _row, key = await create_api_key(db, force_id=force.id, label="bench")  # type: ignore[arg-type]
        parties = [
            {"rms_party_id": f"P{n}", "role": "victim", "surname": "Bench", "date_of_birth": "1980-02-29"}
            | {"email": f"victim{n}@example.org", "contact_consent": True}
            for n in range(50)
        ]
        crime = {
            "offence": "Burglary of a home",
            "status": "under_investigation",
            "reported_at": "2026-11-20T14:05:00Z",
            "officer_in_charge": {"email": "oic@police.example", "name": "PC Bench"},
            "parties": parties,
        }
        response = await http.put(
            f"/api/v1/crimes/{REFERENCE}", content=json.dumps(crime), headers=_headers(key)
        )
        response.raise_for_status()
        async with database.engine.begin() as connection:
            registered = {"password_hash": "registered"}  # no invitations: updates alert them instead
            await connection.execute(update(Party.__table__).values(**registered))  # type: ignore[attr-defined]
            await connection.execute(delete(OUTBOX))  # the invitations: not what we measure
        return key
    finally:
        await database.dispose()


def _headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


async def fill_outbox(url: str, count: int) -> None:
    database = Database(url)
    try:
        async with database.session() as db:
            force_id = (await db.exec(select(Force.id))).scalar_one()  # type: ignore[call-overload]
            parties = (await db.exec(select(Party.id, Party.email))).all()  # type: ignore[call-overload]
        now = utcnow()
        rows = [
            {
                "force_id": force_id,
                "kind": AlertKind.UPDATE_WAITING,
                "channel": "email",
                "party_id": parties[n % len(parties)][0],
                "recipient": parties[n % len(parties)][1],
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
    finally:
        await database.dispose()


# ---------------------------------------------------------------- measurements


def throughput(
    spawn: Any, url: str, sink: tuple[int, Any, Any], workers: int, alerts: int, concurrency: int
) -> str:
    port, count, arrivals = sink
    asyncio.run(fill_outbox(url, alerts))
    count.value = 0
    processes, (go, _stop), results = start_workers(spawn, url, port, workers, concurrency, once=True)
    started = time.perf_counter()
    go.set()
    while count.value < alerts:
        if not any(p.is_alive() for p in processes):
            raise RuntimeError(f"the workers stopped with {count.value} of {alerts} alerts sent")
        time.sleep(0.005)
    took = time.perf_counter() - started
    for process in processes:
        process.join()
    shares = [results.get() for _ in processes]
    while not arrivals.empty():
        arrivals.get()
    cpu_per_alert = sum(cpu for _sent, cpu in shares) / alerts
    return (
        f"{workers} worker(s), {concurrency} sends at once each: {alerts / took:,.0f} alerts/s "
        f"({alerts} in {took:.1f} s; sent {[sent for sent, _cpu in shares]}); "
        f"worker CPU {cpu_per_alert * 1000:.2f} ms per alert"
    )


def latency(
    spawn: Any, url: str, key: str, sink: tuple[int, Any, Any], samples: int, poll: float
) -> list[float]:
    port, _count, arrivals = sink
    processes, (go, stop), _results = start_workers(spawn, url, port, 1, 4, once=False, poll=poll)
    go.set()

    async def measure() -> list[float]:
        database = Database(url)
        app = create_app(bench_settings(url, port), database)
        delays = []
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
            for n in range(samples):
                await asyncio.sleep(0.05 + (n % 7) * poll / 7)  # land at different points of the poll cycle
                body = {
                    "rms_update_id": f"U-{poll}-{n}",
                    "text": "The CCTV has been reviewed.",
                    "audience": "P3",
                }
                response = await http.post(
                    f"/api/v1/crimes/{REFERENCE}/updates", content=json.dumps(body), headers=_headers(key)
                )
                answered = time.time()
                response.raise_for_status()
                async with database.session() as db:
                    alert_id = (
                        await db.exec(select(OUTBOX.c.id).order_by(OUTBOX.c.id.desc()).limit(1))
                    ).scalar_one()  # type: ignore[call-overload]
                while True:
                    arrived_id, arrived_at = await asyncio.to_thread(arrivals.get, True, 30)
                    if arrived_id == alert_id:
                        delays.append(arrived_at - answered)
                        break
        await database.dispose()
        return delays

    try:
        return asyncio.run(measure())
    finally:
        stop.set()
        for process in processes:
            process.join()


async def _seed(url: str) -> str:
    database = Database(url)
    app = create_app(bench_settings(url), database)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
            return await seed(url, http)
    finally:
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--alerts", type=int, default=5000, help="alerts per throughput run (default 5000)")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2, 4], help="worker counts (default 1 2 4)"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="sends at once per worker (default 8)")
    parser.add_argument(
        "--samples", type=int, default=40, help="ingest-to-inbox delays to measure (default 40)"
    )
    arguments = parser.parse_args()

    spawn = multiprocessing.get_context("spawn")
    port = free_port()
    count, arrivals, ready = spawn.Value("i", 0), spawn.Queue(), spawn.Event()
    sink_process = spawn.Process(target=run_sink, args=(port, count, arrivals, ready), daemon=True)
    sink_process.start()
    ready.wait(10)
    sink = (port, count, arrivals)
    url = asyncio.run(create_database())
    try:
        key = asyncio.run(_seed(url))
        print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start", flush=True)
        for workers in arguments.workers:
            print(throughput(spawn, url, sink, workers, arguments.alerts, arguments.concurrency), flush=True)
        for poll in (Settings.worker_poll_seconds, 0.1):  # the default, and a keen setting
            delays = sorted(latency(spawn, url, key, sink, arguments.samples, poll))
            median, worst = statistics.median(delays) * 1000, delays[-1] * 1000
            p95 = delays[max(0, int(len(delays) * 0.95) - 1)] * 1000
            print(
                f"ingest call to email arrival, one worker polling every {poll:g} s: median {median:.0f} ms, "
                f"95th percentile {p95:.0f} ms, worst {worst:.0f} ms ({len(delays)} updates)",
                flush=True,
            )
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
    finally:
        asyncio.run(drop_database(url))
        sink_process.terminate()


if __name__ == "__main__":
    main()
