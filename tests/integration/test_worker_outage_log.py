"""The worker says when the database goes away and when it is back, once each, at WARNING with counts."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest
from sqlalchemy.engine import make_url

from tests.worker_support import SmtpServer, make_people, queue_many, wait_until, worker_settings
from trackmycrime.database import Database
from trackmycrime.demo.mail_catcher import free_port
from trackmycrime.notify.worker import Worker

pytestmark = pytest.mark.anyio


class Doorway:
    """A TCP port in front of the real PostgreSQL: closed (nothing listens) until opened."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.port = free_port()
        self.target = (target_host, target_port)
        self._server: asyncio.Server | None = None

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._forward, "127.0.0.1", self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection(*self.target)

        async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError):
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            writer.close()

        await asyncio.gather(pump(reader, server_writer), pump(server_reader, writer))


@pytest.mark.postgresql_only  # a database server that is not there yet is a PostgreSQL matter
async def test_a_database_outage_is_logged_once_when_it_starts_and_once_when_it_ends(db, caplog):
    caplog.set_level(logging.INFO, logger="trackmycrime.notify")
    smtp = SmtpServer(keep_messages=False).up()
    people = await make_people(db, parties=2)
    ids = await queue_many(db, people, 20)
    real = make_url(db.url)
    doorway = Doorway(real.host or "127.0.0.1", real.port or 5432)
    through_doorway = real.set(port=doorway.port).render_as_string(hide_password=False)
    worker_database = Database(through_doorway, pre_ping=False)
    worker = Worker(worker_settings(through_doorway, smtp), worker_database, concurrency=4)
    running = asyncio.create_task(worker.run())
    try:
        await wait_until(lambda: worker.counts["database_errors"] >= 3, within=30, what="three failed tries")
        await doorway.open()
        await wait_until(lambda: worker.counts["sent"] == len(ids), within=30, what="every alert sent")
    finally:
        worker.stop()
        await running
        await worker_database.dispose()
        await doorway.close()
        smtp.down()

    about_the_database = [r for r in caplog.records if "database" in r.getMessage()]
    assert [r.levelname for r in about_the_database] == ["WARNING", "WARNING"]
    went, came_back = (r.getMessage() for r in about_the_database)
    assert "the database is unavailable" in went
    failures = worker.counts["database_errors"]
    assert f"the database is back after {failures} failed attempts" in came_back
