"""Security headers on every page (signed out, as a victim, as an officer); redirects stay on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.web.officer_world import build_world, sign_in_as
from tests.web.victim_data import make_victim_case, sign_in
from tests.webclient import WebClient
from trackmycrime.victim.quick_exit import EXIT_URL

from .routes import has_parameters, routes_with
from .test_csrf import APP_FOR_LISTING

pytestmark = pytest.mark.anyio

PLAIN_GETS = [p for p in routes_with(APP_FOR_LISTING, "GET") if not has_parameters(p)]
VICTIM_PAGES = ["/case", "/rights", "/support", "/preferences", "/feedback", "/delete-account", "/opt-out"]
OFFICER_PAGES = [
    "/officer",
    "/officer/account",
    "/officer/crimes",
    "/officer/admin",
    "/officer/admin/officers",
    "/officer/admin/force",
    "/officer/admin/audit",
]
EVIL = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
]
REDIRECT_PARAMETERS = ("next", "redirect", "return_to", "return", "url", "continue", "back")


def assert_security_headers(response) -> None:
    where = f"{response.request.method} {response.request.url.path}"
    csp = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, where
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    assert response.headers.get("x-content-type-options") == "nosniff", where
    assert response.headers.get("referrer-policy") == "no-referrer", where
    assert "camera=()" in response.headers.get("permissions-policy", ""), where
    # The icon, like the static files, is the same for everyone and may be cached.
    if not response.request.url.path.startswith("/static/") and response.request.url.path != "/favicon.ico":
        assert response.headers.get("cache-control") == "no-store", where


def assert_local(response) -> None:
    location = response.headers.get("location") or response.headers.get("hx-redirect")
    if location is None or (response.request.url.path == "/leave" and location == EXIT_URL):
        return  # the quick exit's one fixed, harmless page, whatever the request says
    parts = urlsplit(location)
    where = f"{response.request.url} -> {location}"
    assert not parts.scheme and not parts.netloc, where
    assert location.startswith("/") and not location.startswith(("//", "/\\")), where


def test_the_listing_covers_the_site():
    assert {"/", "/sign-in", "/officer/sign-in", "/case", "/officer/admin/audit"} <= set(PLAIN_GETS)


async def test_every_page_has_the_security_headers_and_never_fails_for_htmx(client):
    for path in PLAIN_GETS:
        response = await client.http.get(path)
        assert response.status_code < 500, path
        assert_security_headers(response)
        assert_local(response)
        response = await client.http.get(path, headers={"HX-Request": "true"})
        assert response.status_code < 500, f"{path}: {response.text[:500]}"
        assert_security_headers(response)


async def test_signed_in_victim_pages_have_the_security_headers(app, client, db):
    case = await make_victim_case(db)
    await client.page("/sign-in")
    await sign_in(client, case)
    for path in VICTIM_PAGES:
        response = await client.http.get(path)
        assert response.status_code == 200, path
        assert_security_headers(response)


async def test_signed_in_officer_pages_have_the_security_headers(client, db):
    world = await build_world(db)
    await sign_in_as(client, db, world.admin)
    for path in [*OFFICER_PAGES, f"/officer/crimes/{world.crime.id}"]:
        response = await client.http.get(path)
        assert response.status_code == 200, path
        assert_security_headers(response)


async def test_no_page_redirects_off_the_site(client):
    for path in PLAIN_GETS:
        for target in EVIL:
            query = {name: target for name in REDIRECT_PARAMETERS}
            response = await client.http.get(path, params=query)
            assert response.status_code < 500, path
            assert_local(response)


async def test_sign_in_forms_never_redirect_off_the_site(app, db):
    case = await make_victim_case(db)
    for target in EVIL:
        async with WebClient(app) as browser:
            await browser.page("/sign-in")
            form = {**case.sign_in_form(), **{name: target for name in REDIRECT_PARAMETERS}}
            response = await browser.post(f"/sign-in?next={target}", form)
            assert response.status_code == 303
            assert_local(response)
            assert response.headers["location"] == "/case"
        async with WebClient(app) as browser:
            await browser.page("/officer/sign-in")
            form = {"identifier": "nobody@police.example", "password": "wrong password here"}
            form.update({name: target for name in REDIRECT_PARAMETERS})
            response = await browser.post(f"/officer/sign-in?next={target}", form)
            assert response.status_code < 500
            assert_local(response)


@pytest.mark.parametrize("path", ["/case/", "/sign-in/", "/officer/", "/register/"])
async def test_redirects_use_the_configured_address_not_the_host_header(client, path):
    response = await client.http.get(path, headers={"Host": "evil.example"})
    assert response.status_code in (301, 302, 303, 307, 308)
    assert urlsplit(response.headers["location"]).netloc in ("", "testserver")
