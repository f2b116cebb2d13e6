"""CSRF: every state-changing form URL refuses a post without this browser's token, htmx included."""

from __future__ import annotations

import pytest

from tests.webclient import WebClient, text_of
from trackmycrime.app import create_app
from trackmycrime.auth.csrf import unmask
from trackmycrime.settings import Settings

from ..web.test_route_list import THROWAWAY_DATABASE
from .routes import filled_in, routes_with

pytestmark = pytest.mark.anyio

APP_FOR_LISTING = create_app(Settings(mode="demo", secret_key="x" * 40, database_url=THROWAWAY_DATABASE))  # type: ignore[arg-type]
FORM_POSTS = [path for path in routes_with(APP_FOR_LISTING, "POST") if not path.startswith("/api/")]
REFUSED = "Your form could not be sent"


def test_every_post_route_is_checked():
    assert len(FORM_POSTS) >= 30
    assert "/sign-in" in FORM_POSTS and "/officer/admin/force" in FORM_POSTS


async def another_browsers_token(app) -> str:
    async with WebClient(app) as other:
        return await other.csrf_token("/sign-in")


def assert_refused(response) -> None:
    assert response.status_code == 403, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    assert REFUSED in response.text


@pytest.mark.parametrize("path", FORM_POSTS)
async def test_a_post_without_a_token_or_with_another_browsers_token_is_refused(app, client, path):
    url = filled_in(path)
    await client.page("/sign-in")  # this browser now has its own CSRF cookie
    assert_refused(await client.post(url, {"text": "hello"}, csrf=False))
    stolen = await another_browsers_token(app)
    assert_refused(await client.post(url, {"text": "hello", "csrf_token": stolen}))
    assert_refused(await client.post(url, {"text": "hello", "csrf_token": "not-a-token"}))
    response = await client.http.post(
        url, data={"text": "hello"}, headers={"HX-Request": "true", "X-CSRF-Token": stolen}
    )
    assert_refused(response)
    response = await client.http.post(url, data={"text": "hello"}, headers={"HX-Request": "true"})
    assert_refused(response)


async def test_a_browser_with_no_cookie_yet_is_refused_even_with_a_token(app):
    stolen = await another_browsers_token(app)
    async with WebClient(app) as fresh:
        assert_refused(await fresh.post("/sign-in", {"csrf_token": stolen}))


async def test_the_refusal_page_is_a_friendly_page(client):
    await client.page("/sign-in")
    response = await client.post("/sign-in", {}, csrf=False)
    from tests.webclient import check_page

    page = check_page(response.text)
    assert text_of(page.h1) == REFUSED
    assert response.headers["cache-control"] == "no-store"


async def test_the_right_token_is_accepted_in_the_form_and_in_the_htmx_header(client):
    await client.page("/sign-in")
    token = await client.csrf_token()
    # Past the CSRF check, the sign-in form itself answers: with its own errors, not a refusal or a fault.
    response = await client.post("/sign-in", {"surname": "x"})
    assert response.status_code == 200
    assert "Enter your crime reference number" in response.text
    response = await client.http.post(
        "/sign-in", data={"surname": "x"}, headers={"HX-Request": "true", "X-CSRF-Token": token}
    )
    assert response.status_code == 200
    assert "Enter your crime reference number" in response.text


async def test_each_page_carries_the_token_masked_afresh(client):
    """Masked anew at each render (BREACH: a secret repeated in compressed pages can be guessed a
    byte at a time), standing for the same token, and accepted from either page."""
    tokens = []
    for _visit in range(3):
        page = await client.page("/sign-in")
        in_forms = {field["value"] for field in page.select('input[name="csrf_token"]')}
        assert len(in_forms) == 1, "one token on a page"
        tokens.append(in_forms.pop())
    assert len(set(tokens)) == 3
    assert len({unmask(token) for token in tokens}) == 1 and unmask(tokens[0])
    for token in tokens:
        response = await client.http.post("/sign-in", data={"surname": "x", "csrf_token": token})
        assert response.status_code == 200 and "Enter your crime reference number" in response.text
