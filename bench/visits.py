"""The hot requests, made in-process against the whole app, with every SQL statement they send.

Used by queries.py to EXPLAIN exactly what the pages run (not a hand-copied version of it).
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from benchkit import SECRET_KEY, BenchCase, cookie_header, session_cookie
from sqlalchemy import event, select

from trackmycrime.app import create_app
from trackmycrime.auth.api_keys import create_api_key
from trackmycrime.database import Database
from trackmycrime.models import Crime
from trackmycrime.settings import Settings

BASE_URL = "http://bench"


@dataclass
class Statement:
    sql: str
    parameters: Any


@dataclass
class Visit:
    name: str
    description: str
    statements: list[Statement] = field(default_factory=list)


@contextlib.contextmanager
def recording(database: Database) -> Iterator[list[Statement]]:
    """Every statement sent to the database while the block runs."""
    seen: list[Statement] = []

    def before_cursor_execute(
        _conn: Any, _cursor: Any, sql: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        seen.append(Statement(sql, parameters))

    event.listen(database.engine.sync_engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield seen
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", before_cursor_execute)


def app_for(database: Database) -> Any:
    settings = Settings(
        mode="production", database_url=database.url, secret_key=SECRET_KEY, base_url=BASE_URL
    )
    return create_app(settings, database)


def _csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


async def _expect(response: httpx.Response, status: int, what: str) -> httpx.Response:
    if response.status_code != status:
        raise RuntimeError(f"{what}: {response.status_code}, not {status}: {response.text[:300]}")
    return response


async def hot_visits(database: Database, case: BenchCase) -> list[Visit]:
    """Each hot request once to warm up, then again while recording its statements."""
    app = app_for(database)
    victim = await session_cookie(database, party_id=case.party_id)
    officer = await session_cookie(database, officer_id=case.officer_id)
    async with database.transaction() as session:
        _key, api_key = await create_api_key(session, force_id=case.force_id, label="bench")
    api = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
    transport = httpx.ASGITransport(app=app)
    run = uuid.uuid4().hex[:8]  # new update ids on a database kept from an earlier run
    visits: list[tuple[str, str, Callable[[httpx.AsyncClient, int], Awaitable[Any]]]] = []

    async def case_page(client: httpx.AsyncClient, _n: int) -> None:
        await _expect(await client.get("/case", headers={"Cookie": cookie_header(victim)}), 200, "/case")

    async def case_poll(client: httpx.AsyncClient, _n: int) -> None:
        page = await client.get("/case", headers={"Cookie": cookie_header(victim)})
        seen = re.search(r"seen=([0-9.]+)", page.text)
        marker = seen.group(1) if seen else ""
        headers = {"Cookie": cookie_header(victim), "HX-Request": "true"}
        await client.get(f"/case/activity?seen={marker}", headers=headers)

    async def sign_in(client: httpx.AsyncClient, _n: int) -> None:
        client.cookies.clear()
        page = await _expect(await client.get("/sign-in"), 200, "/sign-in")
        form = {
            "csrf_token": _csrf_token(page.text),
            "surname": case.surname,
            "reference": case.reference,
            "date_of_birth-day": str(case.born.day),
            "date_of_birth-month": str(case.born.month),
            "date_of_birth-year": str(case.born.year),
            "password": case.password,
        }
        await _expect(await client.post("/sign-in", data=form), 303, "POST /sign-in")

    async def inbox(client: httpx.AsyncClient, _n: int) -> None:
        await _expect(
            await client.get("/officer", headers={"Cookie": cookie_header(officer)}), 200, "/officer"
        )

    async def officer_crime(client: httpx.AsyncClient, _n: int) -> None:
        url = f"/officer/crimes/{case.crime_id}"
        await _expect(await client.get(url, headers={"Cookie": cookie_header(officer)}), 200, url)

    async def ingest(client: httpx.AsyncClient, n: int) -> None:
        reference = "BE-2026-900001"
        crime = {
            "offence": "Theft from a vehicle",
            "status": "under_investigation",
            "reported_at": "2026-01-20T14:05:00Z",
            "officer_in_charge": {"email": "sam.jones@benchshire-police.example", "name": "PC Sam Jones"},
            "parties": [
                {"rms_party_id": "P1", "role": "victim", "surname": "Hart", "date_of_birth": "1975-06-01"}
            ],
        }
        response = await client.put(f"/api/v1/crimes/{reference}", content=json.dumps(crime), headers=api)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"PUT crime: {response.status_code} {response.text[:300]}")
        update = {
            "rms_update_id": f"U-{run}-{n}",
            "text": "An officer has reviewed the CCTV.",
            "audience": "all",
        }
        await _expect(
            await client.post(f"/api/v1/crimes/{reference}/updates", content=json.dumps(update), headers=api),
            201,
            "POST update",
        )

    visits = [
        ("case_page", "GET /case: the signed-in victim's case page", case_page),
        (
            "case_poll",
            "GET /case then GET /case/activity (htmx polling, every 30 s per open page)",
            case_poll,
        ),
        ("sign_in", "GET /sign-in then POST /sign-in: the victim sign-in look-up", sign_in),
        ("officer_inbox", "GET /officer: the officer's inbox", inbox),
        ("officer_crime", "GET /officer/crimes/{id}: the officer's crime page", officer_crime),
        ("ingest", "PUT /api/v1/crimes/{ref} then POST .../updates: the records-system API", ingest),
    ]
    recorded = []
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        for n, (name, description, visit) in enumerate(visits):
            await visit(client, 2 * n)
            with recording(database) as statements:
                await visit(client, 2 * n + 1)
            recorded.append(Visit(name, description, list(statements)))
    return recorded


async def crime_id(database: Database, reference: str) -> int:
    async with database.session() as session:
        return int((await session.exec(select(Crime.id).where(Crime.reference == reference))).one())  # type: ignore[call-overload]
