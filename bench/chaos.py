"""Alerts through faults: four workers drain the outbox while the mail server stops, a worker is killed
and PostgreSQL drops every connection; prints how many alerts were lost, doubled and failed.

    python bench/chaos.py [--alerts 5000] [--workers 4] [--concurrency 8] [--within 300]

Creates a throw-away database on the PostgreSQL server (TMC_BENCH_POSTGRES_URL, default
postgresql://postgres@127.0.0.1:5432/test) and drops it at the end. The "PostgreSQL restart" ends
every connection to that database with pg_terminate_backend, which is what clients see of a restart;
the server itself is shared and is never restarted. The SMTP sink (aiosmtpd) and each worker run in
processes of their own, as `tmc worker` processes would. Bounded: it gives up after --within seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from alerts import MESSAGE_ID, _seed, bench_settings, create_database, drop_database, fill_outbox  # noqa: E402

from trackmycrime.database import Database  # noqa: E402
from trackmycrime.demo.mail_catcher import free_port  # noqa: E402
from trackmycrime.notify.worker import Worker  # noqa: E402

# Short enough that the faults are over in a bounded run, long enough to be realistic in kind.
LEASE_SECONDS = 5
RETRY_SECONDS = 1
MAIL_OUTAGE_SECONDS = 5.0


def run_worker(url: str, port: int, concurrency: int, stop: Any) -> None:
    async def main() -> None:
        database = Database(url, pre_ping=False)  # as `tmc worker` runs it
        settings = bench_settings(
            url,
            port,
            worker_poll_seconds=0.2,
            worker_lease_seconds=LEASE_SECONDS,
            worker_retry_seconds=RETRY_SECONDS,
            worker_max_attempts=50,
        )
        worker = Worker(settings, database, concurrency=concurrency)
        running = asyncio.create_task(worker.run())
        while not running.done():
            if stop.is_set():
                worker.stop()
            await asyncio.sleep(0.05)
        await running
        await database.dispose()

    asyncio.run(main())


def run_sink(port: int, journal: str, ready: Any) -> None:
    """An SMTP server that writes the outbox id of each email it accepts before it answers 250."""
    from aiosmtpd.controller import Controller

    written = os.open(journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT)

    class Keeper:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            found = MESSAGE_ID.search(envelope.content)
            os.write(written, f"{found.group(1).decode() if found else '?'}\n".encode())
            return "250 OK"

    controller = Controller(Keeper(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


class Sink:
    """The mail server, in a process of its own that can be killed and started again on its port.

    What it accepted is in a journal file (written before each 250), so killing it loses no count.
    """

    def __init__(self, spawn: Any, journal: Path) -> None:
        self.spawn = spawn
        self.port = free_port()
        self.journal = journal
        self.process: Any = None
        self.received: Counter[int] = Counter()

    def up(self) -> None:
        self.ready = self.spawn.Event()  # kept: the child reads it while it starts, however slowly
        self.process = self.spawn.Process(
            target=run_sink, args=(self.port, str(self.journal), self.ready), daemon=True
        )
        self.process.start()
        if not self.ready.wait(120):
            raise RuntimeError("the mail server did not start within 120 s")

    def down(self) -> None:
        self.process.kill()
        self.process.join()

    def collect(self) -> None:
        lines = self.journal.read_text().split()
        self.received = Counter(int(line) for line in lines if line.isdigit())


async def cut_every_connection(url: str) -> int:
    """What a PostgreSQL restart does to the workers: every connection to their database ends."""
    admin = Database(url)
    try:
        async with admin.engine.connect() as connection:
            ended = await connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            return int(ended.scalar_one())
    finally:
        await admin.dispose()


async def outcomes(url: str) -> dict[int, str]:
    """Each alert's status as the outbox records it."""
    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            rows = (await connection.execute(text("SELECT id, status FROM outbox"))).all()
    finally:
        await database.dispose()
    return {row_id: status for row_id, status in rows}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--alerts", type=int, default=5000, help="alerts in the outbox (default 5000)")
    parser.add_argument("--workers", type=int, default=4, help="worker processes (default 4)")
    parser.add_argument("--concurrency", type=int, default=8, help="sends at once per worker (default 8)")
    parser.add_argument("--within", type=float, default=300, help="give up after this many seconds")
    arguments = parser.parse_args()

    spawn = multiprocessing.get_context("spawn")
    folder = tempfile.TemporaryDirectory(prefix="tmc-chaos-")
    sink = Sink(spawn, Path(folder.name) / "accepted.txt")
    sink.up()
    url = asyncio.run(create_database())
    stop = spawn.Event()
    workers: list[Any] = []
    events: list[str] = []

    def start_worker() -> None:
        process = spawn.Process(target=run_worker, args=(url, sink.port, arguments.concurrency, stop))
        process.start()
        workers.append(process)

    def arrived() -> int:
        sink.collect()
        return len(sink.received)

    def note(event: str) -> None:
        events.append(f"{time.perf_counter() - started:6.1f} s  {arrived():5d} arrived  {event}")
        print(events[-1], flush=True)

    try:
        asyncio.run(_seed(url))
        asyncio.run(fill_outbox(url, arguments.alerts))
        print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start", flush=True)
        started = time.perf_counter()
        for _ in range(arguments.workers):
            start_worker()
        deadline = started + arguments.within
        faults = [
            (0.10, "mail server stopped"),
            (0.35, "worker killed (SIGKILL) mid-send; a new one started"),
            (0.60, "PostgreSQL connections all ended (as in a restart)"),
            (0.75, "PostgreSQL connections all ended again"),
        ]
        while time.perf_counter() < deadline:
            done = arrived()
            if faults and done >= faults[0][0] * arguments.alerts:
                _share, event = faults.pop(0)
                if event.startswith("mail"):
                    sink.down()
                    note(event)
                    time.sleep(MAIL_OUTAGE_SECONDS)
                    sink.up()
                    note(f"mail server started again after {MAIL_OUTAGE_SECONDS:g} s")
                elif event.startswith("worker"):
                    os.kill(workers[0].pid, signal.SIGKILL)
                    workers[0].join()
                    start_worker()
                    note(event)
                else:
                    ended = asyncio.run(cut_every_connection(url))
                    note(f"{event}: {ended} connections")
            statuses = Counter(asyncio.run(outcomes(url)).values())
            if statuses["pending"] + statuses["sending"] == 0 and not faults:
                break
            time.sleep(0.5)
        took = time.perf_counter() - started
        stop.set()
        for process in workers:
            process.join(30)
        time.sleep(0.5)
        sink.collect()
        recorded = asyncio.run(outcomes(url))
        statuses = Counter(recorded.values())
        # Lost: never reached the mail server, and not recorded as failed (which a person is told of).
        lost = [i for i, status in recorded.items() if sink.received[i] == 0 and status != "failed"]
        unfinished = statuses["pending"] + statuses["sending"]
        doubled = {i: n for i, n in sink.received.items() if n > 1}
        print(
            f"{arguments.alerts} alerts, {arguments.workers} workers x {arguments.concurrency} sends, "
            f"{took:.1f} s: lost {len(lost)}, doubled {len(doubled)} "
            f"(at most {arguments.concurrency} were in flight in the killed worker), "
            f"failed {statuses['failed']}; recorded sent {statuses['sent']}, unfinished {unfinished}, "
            f"emails received {sum(sink.received.values())}",
            flush=True,
        )
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
    finally:
        stop.set()
        for process in workers:
            if process.is_alive():
                process.kill()
        asyncio.run(drop_database(url))
        sink.down()
        folder.cleanup()


if __name__ == "__main__":
    main()
