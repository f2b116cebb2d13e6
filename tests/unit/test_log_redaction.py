"""Invitation and reset tokens never reach the access log."""

from __future__ import annotations

import logging

import pytest

from trackmycrime.app import create_app
from trackmycrime.settings import Settings


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/register/eyJwIjo3fQ.aBcD-12_x", "/register/[token]"),
        ("/reset-password/eyJwIjo3fQ.aBcD?lang=cy", "/reset-password/[token]?lang=cy"),
        ("/register", "/register"),
        ("/case", "/case"),
    ],
)
def test_the_access_log_shows_token_paths_without_the_token(tmp_path, caplog, path, logged):
    create_app(Settings(mode="test", database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}"))
    access = logging.getLogger("uvicorn.access")
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        # The call uvicorn's access logger makes for each request.
        access.info('%s - "%s %s HTTP/%s" %d', "203.0.113.7:51000", "GET", path, "1.1", 200)
    assert f'"GET {logged} HTTP/1.1" 200' in caplog.text
    assert "eyJ" not in caplog.text
