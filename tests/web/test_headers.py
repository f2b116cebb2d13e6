"""Security and caching headers on every response."""

import pytest

pytestmark = pytest.mark.anyio

PAGES = ["/", "/accessibility", "/health", "/no-such-page"]


@pytest.mark.parametrize("url", PAGES)
async def test_security_headers_on_every_response(client, url):
    response = await client.http.get(url)
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "camera=()" in response.headers["permissions-policy"]
    assert response.headers["cache-control"] == "no-store"


async def test_no_hsts_on_plain_http_but_hsts_over_https(app, settings, db):
    from tests.webclient import WebClient
    from trackmycrime.app import create_app

    async with WebClient(app) as plain:
        assert "strict-transport-security" not in (await plain.http.get("/")).headers
    https_app = create_app(settings.with_changes(base_url="https://portal.example"), db)
    async with WebClient(https_app) as secure:
        response = await secure.http.get("/")
        assert response.headers["strict-transport-security"].startswith("max-age=")
        assert "__Host-tmc_csrf=" in response.headers["set-cookie"]
        assert "Secure" in response.headers["set-cookie"]


async def test_csrf_cookie_is_http_only_and_same_site(client):
    response = await client.http.get("/")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


async def test_static_files_are_fingerprinted_and_cached_for_a_year(client):
    page = await client.page("/")
    stylesheet = page.select_one('link[rel="stylesheet"]')["href"]
    assert stylesheet.startswith("/static/css/tmc.") and stylesheet.endswith(".css")
    response = await client.http.get(stylesheet, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["cache-control"]
    assert "immutable" in response.headers["cache-control"]
    assert response.headers["content-encoding"] == "gzip"
    again = await client.http.get(stylesheet, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


async def test_pages_use_no_inline_script_or_style(client):
    for url in ("/", "/accessibility", "/no-such-page"):
        response = await client.http.get(url)
        from bs4 import BeautifulSoup

        page = BeautifulSoup(response.text, "html.parser")
        assert all(script.get("src") for script in page.find_all("script"))
        assert not page.find_all("style")
        assert not page.select("[style]")
        assert not [tag for tag in page.find_all(True) if any(name.startswith("on") for name in tag.attrs)]


async def test_htmx_is_served_locally_and_configured_for_a_strict_csp(client):
    page = await client.page("/")
    sources = [script["src"] for script in page.find_all("script")]
    assert any(src.startswith("/static/vendor/htmx-2.0.11.") for src in sources)
    import json

    config = json.loads(page.select_one('meta[name="htmx-config"]')["content"])
    assert config["historyCacheSize"] == 0
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False


async def test_pages_are_compressed(client):
    response = await client.http.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
