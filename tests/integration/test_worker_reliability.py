"""Never lost, never doubled: the worker across mail server outages, crashes, competition and restarts.

Each test counts arrivals at a real SMTP server by Message-ID (one per outbox row) and prints what it
saw, for the issue's record (run with -s to read the counts).
"""

from __future__ import annotations

import asyncio
import re
import sys
import time

import pytest
from sqlalchemy import text

from tests.worker_support import (
    SmtpServer,
    expected_message_id,
    make_people,
    outbox_rows,
    queue_many,
    wait_until,
    worker_environment,
    worker_settings,
)
from trackmycrime.database import Database
from trackmycrime.models import OutboxStatus
from trackmycrime.notify import claim
from trackmycrime.notify.worker import Worker

pytestmark = pytest.mark.anyio


def assert_each_arrived_once(smtp: SmtpServer, ids: list[int]) -> None:
    assert not smtp.doubles, f"sent twice: {smtp.doubles}"
    assert set(smtp.arrivals) == {expected_message_id(i) for i in ids}
    assert smtp.total == len(ids)


async def assert_all_recorded_sent(database: Database, ids: list[int]) -> list:
    rows = await outbox_rows(database)
    assert [r.id for r in rows] == ids
    assert {r.status for r in rows} == {OutboxStatus.SENT}
    assert all(r.provider_reference == expected_message_id(r.id) and r.claimed_until is None for r in rows)
    return rows


def report(name: str, **figures: object) -> None:
    print(f"\n[{name}] " + ", ".join(f"{k}={v}" for k, v in figures.items()))


async def test_mail_server_down_for_a_while_then_back_every_alert_arrives_once(db):
    smtp = SmtpServer()  # down to begin with: connections are refused
    people = await make_people(db, parties=10)
    ids = await queue_many(db, people, 300)
    worker = Worker(worker_settings(db.url, smtp, worker_max_attempts=50), db)
    running = asyncio.create_task(worker.run())
    try:
        await asyncio.sleep(1.0)
        assert smtp.total == 0
        smtp.up()
        await wait_until(lambda: smtp.total >= 100, what="the first alerts after the outage")
        smtp.temporary_failures = 40  # then it turns away 40 messages with 451s
        await wait_until(lambda: smtp.total == len(ids), within=60, what="every alert")
        await asyncio.sleep(0.2)
    finally:
        worker.stop()
        await running
        smtp.down()

    assert_each_arrived_once(smtp, ids)
    rows = await assert_all_recorded_sent(db, ids)
    retried = [r for r in rows if r.attempts > 1]
    assert retried, "some alerts should have needed more than one attempt"
    report(
        "smtp down then back",
        alerts=len(ids),
        arrived=smtp.total,
        doubles=len(smtp.doubles),
        alerts_retried=len(retried),
        most_attempts=max(r.attempts for r in rows),
        **{f"worker_{k}": v for k, v in worker.counts.items()},
    )


async def test_a_worker_killed_between_claiming_and_sending_is_covered_after_its_lease(db):
    smtp = SmtpServer().up()
    people = await make_people(db, parties=5)
    ids = await queue_many(db, people, 60)
    # The "crashed" worker claims 20 rows for 1.5 s, then never sends or records anything.
    abandoned = await claim.claim_due(db.engine, channels=["email"], limit=20, lease_seconds=1.5)
    abandoned_ids = {a.id for a in abandoned}
    claimed_at = time.monotonic()

    worker = Worker(worker_settings(db.url, smtp, worker_lease_seconds=5), db)
    running = asyncio.create_task(worker.run())
    try:
        await wait_until(lambda: smtp.total == 40, what="the alerts nobody had claimed")
        waited = time.monotonic() - claimed_at
        if waited < 1.2:  # the abandoned rows are not touched while their lease holds
            assert not {expected_message_id(i) for i in abandoned_ids} & set(smtp.arrivals)
        await wait_until(lambda: smtp.total == 60, what="the abandoned alerts, after the lease")
        await asyncio.sleep(0.2)
    finally:
        worker.stop()
        await running
        smtp.down()

    assert_each_arrived_once(smtp, ids)
    rows = await assert_all_recorded_sent(db, ids)
    assert {r.id for r in rows if r.attempts == 2} == abandoned_ids
    late = min(smtp.arrival_times[expected_message_id(i)] for i in abandoned_ids) - claimed_at
    assert late >= 1.0  # it waited for the lease (1.5 s from the claim), not sent at once
    report(
        "worker killed after claiming",
        alerts=len(ids),
        abandoned=len(abandoned_ids),
        arrived=smtp.total,
        doubles=len(smtp.doubles),
        first_abandoned_arrived_after=f"{late:.2f}s",
    )


async def _drain_with_worker_processes(database_url: str, smtp: SmtpServer, workers: int) -> list[int]:
    """`tmc worker --once` processes, as on several machines; returns how many each sent."""
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "trackmycrime",
            "worker",
            "--once",
            "--concurrency",
            "8",
            env=worker_environment(database_url, smtp),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        for _ in range(workers)
    ]
    outputs = [(await asyncio.wait_for(process.communicate(), 300))[0].decode() for process in processes]
    shares = []
    for process, output in zip(processes, outputs, strict=True):
        assert process.returncode == 0, output
        shares.append(int(re.search(r"stopped \((\d+) sent, 0 retried, 0 failed", output).group(1)))  # type: ignore[union-attr]
    return shares


@pytest.mark.postgresql_only  # several workers at once is for PostgreSQL (SKIP LOCKED); SQLite runs one
@pytest.mark.parametrize("workers", [2, 4])
async def test_several_workers_drain_5000_alerts_each_arriving_exactly_once(db, workers):
    smtp = SmtpServer(keep_messages=False).up()
    people = await make_people(db, parties=50)
    ids = await queue_many(db, people, 5000)
    started = time.monotonic()
    try:
        shares = await _drain_with_worker_processes(db.url, smtp, workers)
    finally:
        smtp.down()
    took = time.monotonic() - started

    assert_each_arrived_once(smtp, ids)
    rows = await outbox_rows(db)
    assert {r.status for r in rows} == {OutboxStatus.SENT} and {r.attempts for r in rows} == {1}
    assert sum(shares) == 5000
    assert sum(1 for share in shares if share) >= 2, f"the workers did not compete: {shares}"
    report(
        f"{workers} worker processes",
        alerts=len(ids),
        arrived=smtp.total,
        distinct_message_ids=len(smtp.arrivals),
        doubles=len(smtp.doubles),
        sent_per_worker=shares,
        seconds=f"{took:.1f}",
    )


async def _terminate_connections(database: Database) -> int:
    """What a database restart looks like to its clients: every other connection is cut."""
    async with database.engine.connect() as connection:
        result = await connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        return int(result.scalar_one())


@pytest.mark.postgresql_only  # a database server restart is a PostgreSQL matter
async def test_the_worker_reconnects_when_the_database_restarts_under_it(db):
    smtp = SmtpServer(keep_messages=False).up()
    people = await make_people(db, parties=20)
    ids = await queue_many(db, people, 1500)
    worker_database = Database(db.url, pre_ping=False)  # as `tmc worker` runs it
    worker = Worker(worker_settings(db.url, smtp, worker_lease_seconds=3), worker_database, concurrency=4)
    running = asyncio.create_task(worker.run())
    cut = 0
    try:
        for threshold in (200, 600, 1000):
            await wait_until(lambda threshold=threshold: smtp.total >= threshold, within=60, what="progress")
            cut += await _terminate_connections(db)
        await wait_until(lambda: smtp.total == len(ids), within=60, what="every alert")
        await wait_until(lambda: worker.counts["sent"] == len(ids), what="every outcome recorded")
    finally:
        worker.stop()
        await running
        await worker_database.dispose()
        smtp.down()

    assert cut >= 3
    assert worker.counts["database_errors"] >= 1  # it did lose its connections, and carried on
    assert_each_arrived_once(smtp, ids)
    await assert_all_recorded_sent(db, ids)
    report(
        "database restarted three times",
        alerts=len(ids),
        connections_cut=cut,
        arrived=smtp.total,
        doubles=len(smtp.doubles),
        **{f"worker_{k}": v for k, v in worker.counts.items()},
    )
