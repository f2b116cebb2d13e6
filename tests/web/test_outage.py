"""While the database is away, pages and the API say "try again later" (503); real faults stay 500."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.conftest import TEST_SECRET_KEY
from tests.security.test_headers_and_redirects import assert_security_headers
from tests.webclient import check_page, text_of
from trackmycrime.app import create_app
from trackmycrime.auth.tokens import SESSION, Signer, random_token
from trackmycrime.database import Database
from trackmycrime.ingest.openapi import openapi_document
from trackmycrime.settings import Settings

pytestmark = pytest.mark.anyio


def port_where_nothing_listens() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def down_database(kind: str, tmp_path) -> str:
    if kind == "postgresql":
        return f"postgresql://postgres@127.0.0.1:{port_where_nothing_listens()}/test"
    return f"sqlite:///{tmp_path / 'no-such-directory' / 'tmc.sqlite3'}"


@asynccontextmanager
async def client_for(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        mode="test", database_url=database_url, secret_key=TEST_SECRET_KEY, base_url="http://testserver"
    )
    database = Database(database_url)
    # raise_app_exceptions=False: read the 500 a browser would get instead of the test seeing the error.
    transport = httpx.ASGITransport(app=create_app(settings, database), raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await database.dispose()
        await asyncio.sleep(0.2)  # aiosqlite's thread for a connection that failed to open finishes


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
async def test_pages_say_the_service_will_be_back_while_the_database_is_down(kind, tmp_path, caplog):
    async with client_for(down_database(kind, tmp_path)) as browser:
        for url in ("/sign-in", "/officer/sign-in", "/sign-in"):
            response = await browser.get(url)
            assert response.status_code == 503, response.text[:300]
            assert response.headers["retry-after"] == "30"
            assert_security_headers(response)
            page = check_page(response.text)
            assert text_of(page.h1) == "Sorry, the service is unavailable"
            assert "will be back soon" in text_of(page.main)
            assert "call 999" in text_of(page.main)
        response = await browser.get("/sign-in", headers={"HX-Request": "true"})
        assert response.status_code == 503
    outage_lines = [r for r in caplog.records if "database is unavailable" in r.getMessage()]
    assert len(outage_lines) == 1 and outage_lines[0].levelno == logging.WARNING


_NO_CONNECTIONS_ROLE = """
DO $$ BEGIN
    CREATE ROLE tmc_no_connections LOGIN CONNECTION LIMIT 0;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$"""


@pytest.mark.postgresql_only
async def test_a_signed_in_page_while_the_server_takes_no_more_connections_is_an_outage(db):
    """PostgreSQL refusing a connection ("too many connections", SQLSTATE 53300) as a signed-in
    page takes one from the pool for its session check: "try again later", not a fault."""
    async with db.reading_connection() as connection:
        await connection.execute(text(_NO_CONNECTIONS_ROLE))
    refused = make_url(db.url).set(username="tmc_no_connections").render_as_string(hide_password=False)
    async with client_for(refused) as browser:
        browser.cookies.set("tmc_session", Signer(TEST_SECRET_KEY).sign(SESSION, random_token()))
        for url in ("/case", "/officer"):
            response = await browser.get(url)
            assert response.status_code == 503, (url, response.text[:300])
            assert text_of(check_page(response.text).h1) == "Sorry, the service is unavailable"


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
async def test_the_api_answers_503_with_retry_after_while_the_database_is_down(kind, tmp_path):
    async with client_for(down_database(kind, tmp_path)) as rms:
        api_key = {"Authorization": "Bearer k"}
        response = await rms.put("/api/v1/crimes/AS-1", json={"offence": "Burglary"}, headers=api_key)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "30"
    assert response.json()["status"] == 503
    assert "again later" in response.json()["detail"]
    assert_security_headers(response)
    documented = openapi_document("http://testserver")["paths"]["/api/v1/crimes/{crime_reference}"]["put"]
    assert "Retry-After" in documented["responses"]["503"]["headers"]


async def test_a_real_fault_is_still_a_500_and_carries_the_security_headers(tmp_path):
    """A database without its tables is a fault of the deployment, not an outage to wait out."""
    async with client_for(f"sqlite:///{tmp_path / 'empty.sqlite3'}") as browser:
        response = await browser.get("/sign-in")
        assert response.status_code == 500
        assert "retry-after" not in response.headers
        assert_security_headers(response)
        page = BeautifulSoup(response.text, "html.parser")
        assert text_of(page.h1) == "Sorry, there is a problem with the service"
        api = await browser.get("/api/v1/crimes/AS-2026-000123", headers={"Authorization": "Bearer k"})
        assert api.status_code == 500
        assert api.headers["content-type"] == "application/problem+json"
        assert_security_headers(api)
