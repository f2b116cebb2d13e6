"""Runs the demo: fresh database, seed, mail catcher, the site; Ctrl-C stops it all."""

from __future__ import annotations

import asyncio
import secrets
import socket
import tempfile
from pathlib import Path

import uvicorn
from sqlalchemy.ext.asyncio import AsyncConnection

from ..app import create_app
from ..auth.passwords import hasher_for
from ..database import Database
from ..migrations import upgrade_with_connection
from ..notify.worker import BackgroundWorker
from ..settings import Settings
from ..victims_code.rules import load_rules
from .mail_catcher import MailCatcher
from .seed import DemoLogins, seed_demo


async def prepare_database(database: Database) -> DemoLogins:
    async with database.engine.begin() as connection:
        await _migrate(connection)
    async with database.transaction() as db:
        return await seed_demo(db, hasher_for("demo"), load_rules())


async def _migrate(connection: AsyncConnection) -> None:
    await connection.run_sync(upgrade_with_connection)


def demo_settings(database_path: Path, port: int, catcher: MailCatcher) -> Settings:
    return Settings(
        mode="demo",
        database_url=f"sqlite:///{database_path}",
        secret_key=secrets.token_urlsafe(48),
        base_url=f"http://127.0.0.1:{port}",
        smtp_host=catcher.host,
        smtp_port=catcher.port,
        smtp_tls="none",
        mail_from="Demoshire Police <no-reply@demoshire-police.example>",
        demo_mail_catcher=True,
        worker_poll_seconds=0.2,
    )


def print_logins(logins: DemoLogins, base_url: str) -> None:
    dob = logins.victim_date_of_birth
    print(
        f"""
TrackMyCrime demo: {base_url}/   (Ctrl-C to stop; the demo's data is deleted when it stops)

Victim sign-in ({base_url}/sign-in)
  Surname:                 {logins.victim_surname}
  Crime reference number:  {logins.victim_reference}
  Date of birth:           {dob.day} {dob.month} {dob.year}  (day, month, year)
  Password:                {logins.victim_password}

Officer sign-in ({base_url}/officer/sign-in), password for all: {logins.officer_password}
  Officer:     {logins.officer_email}
  Supervisor:  {logins.supervisor_email}
  Admin:       {logins.admin_email}

Demo mailbox: {base_url}/demo/mail
""",
        flush=True,
    )


class PortInUse(Exception):
    """The demo's port is taken by another program."""


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, taken before anything is printed, so a busy port fails first and alone."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise PortInUse(
            f"port {port} is already in use ({error.strerror}): choose another with --port"
        ) from None
    listener.listen(2048)
    return listener


def run_demo(port: int = 8000, host: str = "127.0.0.1") -> None:
    listener = bind(host, port)
    with listener, tempfile.TemporaryDirectory(prefix="trackmycrime-demo-") as folder:
        catcher = MailCatcher()
        catcher.start()
        try:
            settings = demo_settings(Path(folder) / "demo.sqlite3", port, catcher)
            database = Database(settings.database_url)
            logins = asyncio.run(prepare_database(database))
            app = create_app(settings, database)
            app.state.mail_catcher = catcher
            print_logins(logins, settings.base_url)
            config = uvicorn.Config(
                app, host=host, port=port, log_level="warning", proxy_headers=False, server_header=False
            )
            # The alert sender runs alongside the site, so demo alerts land in the mail catcher.
            alerts = BackgroundWorker(settings)
            alerts.start()
            try:
                uvicorn.Server(config).run(sockets=[listener])
            except KeyboardInterrupt:
                pass  # uvicorn has already shut down gracefully and re-raises the Ctrl-C
            finally:
                alerts.stop()
        finally:
            catcher.stop()
        print("TrackMyCrime demo stopped.", flush=True)
