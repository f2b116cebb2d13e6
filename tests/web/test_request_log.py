"""Request ids and structured logs: one JSON object a line, and no personal data or token in any of them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from trackmycrime.auth.links import invitation_url, password_reset_url
from trackmycrime.operations.request_log import JsonFormatter, RequestIdFilter, TextFormatter, quiet_libraries

from .victim_data import make_victim_case, sign_in

pytestmark = pytest.mark.anyio


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the site logs while the test runs, formatted as TMC_LOG_FORMAT=json formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    quiet_libraries()  # as configure_logging does for `tmc serve`: the test client's httpx is one of them
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


async def test_a_request_id_is_made_or_kept_and_returned(client):
    made = await client.http.get("/accessibility")
    assert len(made.headers["x-request-id"]) == 16
    kept = await client.http.get("/accessibility", headers={"X-Request-ID": "lb-7f3a:42"})
    assert kept.headers["x-request-id"] == "lb-7f3a:42"
    unsafe = await client.http.get("/accessibility", headers={"X-Request-ID": "a b<script>"})
    assert unsafe.headers["x-request-id"] != "a b<script>"
    assert len(unsafe.headers["x-request-id"]) == 16


async def test_each_request_logs_one_json_line_with_id_route_status_and_duration(client, json_log):
    response = await client.http.get("/accessibility", headers={"X-Request-ID": "trace-123"})
    assert response.status_code == 200
    entries = [json.loads(line) for line in json_log.getvalue().splitlines()]
    access = [entry for entry in entries if entry["logger"] == "trackmycrime.access"]
    assert len(access) == 1
    assert access[0]["request_id"] == "trace-123"
    assert access[0]["route"] == "/accessibility"
    assert access[0]["status"] == 200
    assert access[0]["duration_ms"] >= 0


async def test_a_whole_victim_journey_logs_no_personal_data_and_no_token(app, client, db, json_log):
    case = await make_victim_case(db, surname="Vaughan-Pritchard", email="ceri.vp@example.org")
    settings = app.state.settings
    invitation = invitation_url(settings, case.party).removeprefix(settings.base_url)
    reset = password_reset_url(settings, case.party).removeprefix(settings.base_url)
    await client.http.get(invitation)  # already registered: "this link has expired", but still a request
    await client.get(reset)
    await sign_in(client, case)
    await client.page("/case")
    await client.post("/case/messages", {"message": "Someone came back to the house last night."})
    await client.post("/sign-in", case.sign_in_form(password="a wrong password, twice over"))
    await client.post("/forgotten-password", case.sign_in_form() | {"email": "ceri.vp@example.org"})
    log = json_log.getvalue()
    assert log.count("trackmycrime.access") >= 7
    for line in log.splitlines():
        json.loads(line)
    born = case.party.date_of_birth
    assert born is not None
    secrets = [
        "Vaughan-Pritchard",
        "ceri.vp@example.org",
        born.isoformat(),
        f"{born.day}/{born.month}/{born.year}",
        case.crime.reference,
        case.password,
        "came back to the house",
        invitation.rsplit("/", 1)[1],
        reset.rsplit("/", 1)[1],
    ]
    for secret in secrets:
        assert secret not in log, f"the log holds {secret!r}"
    assert "/register/{token}" in log and "/reset-password/{token}" in log


def test_text_format_stays_readable_and_names_the_request():
    record = logging.makeLogRecord(
        {
            "name": "trackmycrime.access",
            "msg": "GET /case 200 3.1ms",
            "levelno": 20,
            "levelname": "INFO",
            "request_id": "abc123",
        }
    )
    line = TextFormatter("tmc serve").format(record)
    assert line.endswith("tmc serve INFO trackmycrime.access: GET /case 200 3.1ms [request abc123]")
