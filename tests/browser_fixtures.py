"""Browser fixtures: Debian's Chromium through Playwright, a live demo server, axe-core checks."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from trackmycrime.app import create_app
from trackmycrime.database import Database
from trackmycrime.demo.mail_catcher import MailCatcher, free_port
from trackmycrime.demo.runner import prepare_database
from trackmycrime.demo.seed import DemoLogins
from trackmycrime.notify.worker import BackgroundWorker
from trackmycrime.settings import Settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@dataclass
class LiveServer:
    url: str
    logins: DemoLogins
    mail: MailCatcher
    settings: Settings


def run_outside_event_loop(function: Any, *args: Any) -> Any:
    """asyncio.run in a thread of its own: Playwright's sync API keeps a loop in this one."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(function(*args))))
    thread.start()
    thread.join()
    if not result:
        raise RuntimeError(f"{function.__name__} failed; see the log above")
    return result[0]


async def _prepare(database_url: str) -> DemoLogins:
    database = Database(database_url)
    try:
        return await prepare_database(database)
    finally:
        await database.dispose()


def serve_in_a_thread(app: Any, port: int) -> tuple[uvicorn.Server, threading.Thread]:
    """Serve the app with uvicorn on 127.0.0.1:port in a background thread, once it answers."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server, thread
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError("the live server did not start")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo, seeded, served by uvicorn on a free port in a background thread (SQLite)."""
    catcher = MailCatcher()
    catcher.start()
    port = free_port()
    database_path: Path = tmp_path_factory.mktemp("live") / "live.sqlite3"
    settings = Settings(
        mode="demo",
        database_url=f"sqlite:///{database_path}",
        secret_key="live-server-secret-key-long-enough-for-checks",
        base_url=f"http://127.0.0.1:{port}",
        smtp_host=catcher.host,
        smtp_port=catcher.port,
        demo_mail_catcher=True,
    )
    logins = run_outside_event_loop(_prepare, settings.database_url)
    app = create_app(settings)
    app.state.mail_catcher = catcher
    server, thread = serve_in_a_thread(app, port)
    alerts = BackgroundWorker(settings.with_changes(worker_poll_seconds=0.2))  # as in `tmc demo`
    alerts.start()
    yield LiveServer(settings.base_url, logins, catcher, settings)
    alerts.stop()
    server.should_exit = True
    thread.join(timeout=10)
    catcher.stop()


@pytest.fixture
def js_off_page(browser: Any) -> Iterator[Any]:
    """A page in a browser context with JavaScript turned off (axe checks it through a mirror)."""
    from tests.axe import JS_OFF_PAGES

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    JS_OFF_PAGES.add(page)
    yield page
    JS_OFF_PAGES.discard(page)
    context.close()
