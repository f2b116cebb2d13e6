"""Helpers for the alert sender's tests: an SMTP server that can fail on purpose, and outbox data."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import insert, select

from tests.factories import make_crime, make_force, make_officer, make_party
from trackmycrime.database import Database
from trackmycrime.demo.mail_catcher import free_port
from trackmycrime.models import Crime, Force, Officer, OutboxMessage, OutboxStatus, Party, utcnow
from trackmycrime.settings import Settings

TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-for-the-checks"
OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
MESSAGE_ID = re.compile(rb"^Message-ID: (<[^>\r\n]+>)", re.MULTILINE | re.IGNORECASE)


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if address in self.server.refused:
            return "550 5.1.1 Recipient address rejected: user unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        return self.server._arrived(envelope)


@dataclass
class SmtpServer:
    """A real aiosmtpd server on a fixed port: `.down()` / `.up()`, 451s on demand, counts by Message-ID."""

    host: str = "127.0.0.1"
    port: int = field(default_factory=free_port)
    refused: set[str] = field(default_factory=set)
    keep_messages: bool = True
    arrivals: Counter[str] = field(default_factory=Counter)
    arrival_times: dict[str, float] = field(default_factory=dict)
    raw: list[bytes] = field(default_factory=list)
    temporary_failures: int = 0
    _controller: Controller | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def up(self) -> SmtpServer:
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def _arrived(self, envelope: Any) -> str:
        with self._lock:
            if self.temporary_failures > 0:
                self.temporary_failures -= 1
                return "451 4.3.0 Try again later"
            found = MESSAGE_ID.search(envelope.content)
            message_id = found.group(1).decode() if found else ""
            self.arrivals[message_id] += 1
            self.arrival_times.setdefault(message_id, time.monotonic())
            if self.keep_messages:
                self.raw.append(envelope.content)
        return "250 Message accepted for delivery"

    @property
    def total(self) -> int:
        return sum(self.arrivals.values())

    @property
    def doubles(self) -> dict[str, int]:
        return {message_id: n for message_id, n in self.arrivals.items() if n > 1}

    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[misc]
            for raw in self.raw
        ]


def worker_environment(database_url: str, smtp: SmtpServer) -> dict[str, str]:
    """The environment for a `tmc worker` process sending to this server."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TMC_")}
    environment.update(
        TMC_MODE="test",
        TMC_DATABASE_URL=database_url,
        TMC_SMTP_HOST=smtp.host,
        TMC_SMTP_PORT=str(smtp.port),
        TMC_WORKER_POLL_SECONDS="0.1",
        TMC_MAIL_FROM="Testshire Police <alerts@police.example>",
    )
    return environment


def worker_settings(database_url: str, smtp: SmtpServer | None = None, **changes: object) -> Settings:
    """Fast retries and polls, so that failures and recoveries happen within a test."""
    settings = Settings(
        mode="test",
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        base_url="https://portal.example",
        smtp_host=smtp.host if smtp else "",
        smtp_port=smtp.port if smtp else 25,
        mail_from="Testshire Police <alerts@police.example>",
        worker_poll_seconds=0.02,
        worker_retry_seconds=0.05,
        worker_lease_seconds=30,
        worker_max_attempts=8,
    )
    return settings.with_changes(**changes) if changes else settings


@dataclass
class People:
    force: Force
    officer: Officer
    crime: Crime
    parties: list[Party]


async def make_people(database: Database, *, parties: int = 1, **party_fields: Any) -> People:
    """A force, an officer and a crime with `parties` victims (emails victim-N@example.org)."""
    async with database.transaction() as db:
        force = await make_force(db, code="TP", name="Testshire Police", non_emergency_phone="101")
        officer = await make_officer(
            db, force, email="pc.jones@police.example", name="PC Sam Jones", shoulder_number=None
        )
        crime = await make_crime(
            db,
            force,
            reference="TP-2026-000123",
            status="recorded",
            reported_at=utcnow(),
            officer_in_charge_id=officer.id,
        )
        created = []
        for number in range(parties):
            values = {
                "rms_party_id": f"P{number}",
                "forenames": "",
                "surname": "Doe",
                "date_of_birth": None,
                "email": f"victim-{number}@example.org",
                "mobile": "+447700900123",
                **party_fields,
            }
            created.append(await make_party(db, crime, **values))
    return People(force, officer, crime, created)


async def queue_many(
    database: Database, people: People, count: int, *, kind: str = "update_waiting", channel: str = "email"
) -> list[int]:
    """`count` due outbox rows spread over the parties, inserted in bulk; returns their ids."""
    now = utcnow()
    rows = [
        {
            "force_id": people.force.id,
            "kind": kind,
            "channel": channel,
            "party_id": people.parties[n % len(people.parties)].id,
            "recipient": people.parties[n % len(people.parties)].email,
            "context_json": "{}",
            "dedupe_key": f"{kind}:bulk:{n}:{channel}",
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "last_error": "",
            "provider_reference": "",
            "created_at": now,
        }
        for n in range(count)
    ]
    async with database.engine.begin() as connection:
        for start in range(0, count, 1000):
            await connection.execute(insert(OUTBOX), rows[start : start + 1000])
    async with database.engine.connect() as connection:
        ids = (await connection.execute(select(OUTBOX.c.id).where(OUTBOX.c.kind == kind))).scalars()
        return sorted(ids)


async def outbox_rows(database: Database) -> list[OutboxMessage]:
    from sqlmodel import select as select_models

    async with database.session() as db:
        return list((await db.exec(select_models(OutboxMessage).order_by(OutboxMessage.id))).all())


async def wait_until(condition: Callable[[], bool], within: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def expected_message_id(alert_id: int, force_code: str = "tp") -> str:
    return f"<outbox-{alert_id}.{force_code}@police.example>"


def seconds_since(moment: dt.datetime) -> float:
    return (utcnow() - moment).total_seconds()
