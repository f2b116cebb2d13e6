"""Oversized bodies: a form over 64 KB gets a friendly 413 page; the API answers 413 problem+json."""

from __future__ import annotations

import json

import pytest

from tests.factories import make_api_key, make_force
from tests.webclient import check_page, text_of

from .routes import filled_in
from .test_csrf import FORM_POSTS

pytestmark = pytest.mark.anyio

TOO_LONG = "What you sent is too long"


async def test_every_form_refuses_a_body_over_64_kb_with_a_friendly_page(client):
    await client.page("/sign-in")
    for path in FORM_POSTS:
        response = await client.post(filled_in(path), {"text": "x" * 70_000})
        assert response.status_code == 413, path
        assert text_of(check_page(response.text).h1) == TOO_LONG
        response = await client.post(filled_in(path), {"text": "x" * 70_000}, htmx=True)
        assert response.status_code == 413 and TOO_LONG in response.text, path


async def test_a_form_just_under_the_limit_is_read(client):
    await client.page("/sign-in")
    response = await client.post("/sign-in", {"surname": "x" * 60_000})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "method, path",
    [("PUT", "/api/v1/crimes/AS-2026-000123"), ("POST", "/api/v1/crimes/AS-2026-000123/updates")],
)
async def test_the_api_refuses_a_body_over_its_limit_with_problem_json(client, db, method, path):
    async with db.transaction() as session:
        force = await make_force(session, code="AS")
        _key, key_text = await make_api_key(session, force)
    body = json.dumps({"offence": "x" * 300_000})
    response = await client.http.request(
        method,
        path,
        content=body,
        headers={"Authorization": f"Bearer {key_text}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 413
