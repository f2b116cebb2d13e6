"""The app on the test's own database, served by uvicorn on a free port in a background thread.

For tests whose point is that requests really arrive together (rate limits, lockouts): the
in-process client runs each request on the test's event loop, a live server runs them as a
deployment does.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser_fixtures import serve_in_a_thread
from trackmycrime.app import create_app
from trackmycrime.demo.mail_catcher import free_port
from trackmycrime.settings import Settings


@pytest.fixture
def live_app(settings: Settings) -> Iterator[str]:
    """The base URL of the app served over HTTP, on the same database as `db`."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    app = create_app(settings.with_changes(base_url=base_url))
    server, thread = serve_in_a_thread(app, port)
    yield base_url
    server.should_exit = True
    thread.join(timeout=10)
