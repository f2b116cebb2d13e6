"""Every header the middleware adds, exactly, on the answers where a cheaper layer could drop one: a
page memoised in pre-gzipped bytes, a first visit that gets both cookies, a 500 (sent from outside
the inner layers), a static file, and a response that sets a security header itself.

The expected lists were read from the middleware before it was made cheaper (issue 24); values that
change with each request (the request id, the CSRF cookie, lengths) are checked by their shape.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from starlette.responses import Response
from starlette.routing import Route

from trackmycrime.security_headers import CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY, set_headers

from .officer_world import sign_in_as
from .test_page_memo import case_with_history, primed

pytestmark = pytest.mark.anyio

SECURITY = [
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("permissions-policy", PERMISSIONS_POLICY),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
]
SUBRESOURCE = [
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-resource-policy", "same-origin"),
]
LANGUAGE_VARY = ("vary", "Cookie, Accept-Language")
REQUEST_ID = re.compile(r"[0-9a-f]{16}")


def headers_of(response: httpx.Response) -> list[tuple[str, str]]:
    """The response's headers in order, with the request id and lengths made comparable."""
    items = []
    for name, value in response.headers.multi_items():
        if name == "x-request-id" and REQUEST_ID.fullmatch(value):
            value = "<id>"
        elif name == "content-length":
            assert value.isdigit(), value
            value = "<length>"
        elif name == "set-cookie" and value.startswith("tmc_csrf="):
            value = re.sub(r"^tmc_csrf=[A-Za-z0-9_-]{20,};", "tmc_csrf=<token>;", value)
        items.append((name, value))
    return items


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
async def test_a_memoised_page_has_every_header(app, client, db, encoding):
    case = await case_with_history(db)
    await sign_in_as(client, db, case.party)
    await primed(app, client)
    hits = app.state.page_memo.hits
    response = await client.http.get("/case", headers={"Accept-Encoding": encoding})
    assert app.state.page_memo.hits == hits + 1
    start = [("content-length", "<length>"), ("content-type", "text/html; charset=utf-8")]
    if encoding == "gzip":
        start = [("content-encoding", "gzip"), ("vary", "Accept-Encoding"), *start]
    else:
        start.append(("vary", "Accept-Encoding"))
    assert headers_of(response) == [
        *start,
        ("content-language", "en"),
        LANGUAGE_VARY,
        *SECURITY,
        ("cache-control", "no-store"),
        ("x-request-id", "<id>"),
    ]


async def test_a_first_visit_in_another_language_gets_both_cookies_and_every_header(app):
    from tests.webclient import WebClient

    async with WebClient(app) as browser:
        response = await browser.http.get("/?lang=cy", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert headers_of(response) == [
        ("content-length", "<length>"),
        ("content-type", "text/html; charset=utf-8"),
        ("set-cookie", "tmc_csrf=<token>; Path=/; HttpOnly; SameSite=Lax"),
        ("vary", "Accept-Encoding"),
        ("content-encoding", "gzip"),
        ("content-language", "cy"),
        LANGUAGE_VARY,
        ("set-cookie", "tmc_lang=cy; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax"),
        *SECURITY,
        ("cache-control", "no-store"),
        ("x-request-id", "<id>"),
    ]


async def test_a_500_has_the_security_headers_and_its_request_id(app):
    async def broken(request: Any) -> Response:
        raise RuntimeError("a fault the site does not expect")

    app.router.routes.insert(0, Route("/broken-for-test", broken))
    app.middleware_stack = None  # built again, with the route
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        response = await browser.get("/broken-for-test", headers={"X-Request-ID": "fault-1"})
    assert response.status_code == 500
    assert "went wrong" in response.text.lower() or "problem" in response.text.lower()
    # Sent by Starlette's error layer, outside the language, gzip and CSRF layers: as before, none
    # of theirs, but every security header and the request id.
    assert headers_of(response) == [
        ("content-length", "<length>"),
        ("content-type", "text/html; charset=utf-8"),
        *SECURITY,
        ("cache-control", "no-store"),
        ("x-request-id", "fault-1"),
    ]


@pytest.mark.parametrize("kind", ["stylesheet", "script"])
async def test_a_stylesheet_or_script_has_the_headers_that_apply_to_it_and_keeps_its_own_caching(
    client, kind
):
    page = await client.http.get("/")
    pattern = r'href="(/static/[^"]+\.css)"' if kind == "stylesheet" else r'src="(/static/[^"]+\.js)"'
    found = re.search(pattern, page.text)
    assert found
    response = await client.http.get(found.group(1))
    names = [name for name, _value in headers_of(response)]
    # Never a document: a document's policies (CSP, framing, permissions, opener) do nothing on it.
    assert [item for item in headers_of(response) if item[0] in dict(SECURITY)] == SUBRESOURCE
    assert names.count("cache-control") == 1 and "no-store" not in response.headers["cache-control"]
    assert "content-language" not in names, "static files are in no language"


async def test_a_static_file_a_browser_can_show_as_a_document_keeps_every_security_header(client):
    response = await client.http.get("/favicon.ico")
    assert response.status_code == 200
    assert [item for item in headers_of(response) if item[0] in dict(SECURITY)] == SECURITY


def test_a_header_the_response_set_itself_is_replaced_not_doubled():
    message: dict[str, Any] = {
        "type": "http.response.start",
        "headers": [(b"x-frame-options", b"SAMEORIGIN"), (b"content-type", b"text/plain")],
    }
    set_headers(message, [(b"x-frame-options", b"DENY"), (b"cache-control", b"no-store")])
    assert message["headers"] == [
        (b"x-frame-options", b"DENY"),
        (b"content-type", b"text/plain"),
        (b"cache-control", b"no-store"),
    ]
    fresh: dict[str, Any] = {"type": "http.response.start", "headers": [(b"content-type", b"text/plain")]}
    set_headers(fresh, [(b"x-frame-options", b"DENY")])
    assert fresh["headers"] == [(b"content-type", b"text/plain"), (b"x-frame-options", b"DENY")]
