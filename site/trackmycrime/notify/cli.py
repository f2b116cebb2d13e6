"""`tmc worker [--once] [--concurrency N]`: the alert sender, stopped cleanly by SIGTERM or Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from collections import Counter
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from ..command_line import check_database, fail, positive_number, settings_or_fail
from ..settings import Settings


def register(commands: Any) -> None:
    worker = commands.add_parser("worker", help="send alerts (email and text messages) from the outbox")
    worker.add_argument("--once", action="store_true", help="send what is due now, then stop")
    worker.add_argument(
        "--concurrency",
        type=positive_number,
        default=None,
        help="messages this worker sends at the same time (default: TMC_WORKER_CONCURRENCY, 4)",
    )
    worker.set_defaults(run=cmd_worker)


def cmd_worker(args: argparse.Namespace) -> None:
    from ..settings import SettingsError
    from .sms_sender import SmsSender

    settings = settings_or_fail()
    try:
        settings.check_for_production()  # invitation and reset links are signed with the secret key
        SmsSender.from_settings(settings)
    except (SettingsError, ValueError) as error:
        fail(str(error))
    check_database(settings)
    if not asyncio.run(_has_outbox(settings)):
        fail("the database has no outbox table yet: run `tmc db upgrade` first")
    from ..operations.request_log import configure_logging

    configure_logging(settings.log_format, "tmc worker")
    try:
        counts = asyncio.run(run_worker(settings, once=args.once, concurrency=args.concurrency))
    except (SQLAlchemyError, OSError) as error:  # only --once gives up on the database
        fail(f"the database failed: {str(error).splitlines()[0] if str(error) else type(error).__name__}")
    summary = ", ".join(f"{counts[k]} {k}" for k in ("sent", "retried", "failed", "cancelled"))
    print(f"tmc worker: stopped ({summary}).", flush=True)


async def _has_outbox(settings: Settings) -> bool:
    from sqlalchemy import inspect

    from ..database import Database

    database = Database(settings.database_url)
    try:
        async with database.engine.connect() as connection:
            return await connection.run_sync(lambda sync: inspect(sync).has_table("outbox"))
    finally:
        await database.dispose()


async def run_worker(settings: Settings, *, once: bool, concurrency: int | None) -> Counter[str]:
    from ..database import Database
    from .worker import Worker

    # The worker retries by itself; a connection for each send in flight, the claim and the texts poll.
    sends = concurrency or settings.worker_concurrency
    database = Database(settings.database_url, pre_ping=False, pool_size=sends + 4)
    worker = Worker(settings, database, concurrency=concurrency)
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, worker.stop)
    log = logging.getLogger("trackmycrime.notify")
    log.info(
        "started: %d at a time; email %s; texts %s",
        worker.concurrency,
        f"via {worker.email.description}" if worker.email else "held (no TMC_SMTP_HOST)",
        f"via {worker.sms.description}"
        if worker.sms
        else "held (no TMC_SMS_API_KEY and TMC_SMS_TEMPLATE_ID)",
    )
    try:
        return await worker.run(once=once)
    finally:
        for signal_number in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signal_number)
        await database.dispose()
