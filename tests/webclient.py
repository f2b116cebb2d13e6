"""A test client that reads pages as a person would: parsed, checked, forms submitted with CSRF.

Every page fetched is checked (notifications-admin's client_request habit): one h1, a <title>
that starts with it, unique ids, every input labelled, every form with an action and method.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from bs4 import BeautifulSoup, Tag

BASE_URL = "http://testserver"


class PageProblem(AssertionError):
    pass


def check_page(html: str, *, fragment: bool = False) -> BeautifulSoup:
    page = BeautifulSoup(html, "html.parser")
    ids = [element["id"] for element in page.find_all(id=True)]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise PageProblem(f"duplicate ids: {sorted(duplicates)}")
    for field in page.select("input, select, textarea"):
        if field.get("type") in ("hidden", "submit", "button"):
            continue
        field_id = field.get("id")
        if not field_id or not page.select_one(f'label[for="{field_id}"]'):
            if not field.get("aria-label"):
                raise PageProblem(f"unlabelled field: {field}")
    for form in page.find_all("form"):
        if not form.get("action") or not form.get("method"):
            raise PageProblem(f"form without action or method: {str(form)[:200]}")
        if form["method"].lower() == "post" and not form.select_one('input[name="csrf_token"]'):
            raise PageProblem(f"POST form without a CSRF token: {str(form)[:200]}")
    if not fragment:
        headings = page.find_all("h1")
        if len(headings) != 1:
            raise PageProblem(f"expected one h1, found {len(headings)}")
        title = " ".join(page.title.get_text().split()) if page.title else ""
        page_part = re.sub(r"^(Error|Gwall|Błąd): ", "", title).split(" – ")[0]  # 'Error:' in each language
        h1 = text_of(headings[0])
        if not title.endswith(" – TrackMyCrime") and " – TrackMyCrime – " not in title:
            raise PageProblem(f"title {title!r} is not in the form 'Page – TrackMyCrime – Force'")
        if page_part != h1:
            raise PageProblem(f"title {title!r} does not start with the h1 {h1!r}")
        if not page.html or not page.html.get("lang"):
            raise PageProblem("the html element has no lang attribute")
    return page


def text_of(element: Tag | None) -> str:
    return " ".join(element.get_text().split()) if element is not None else ""


class WebClient:
    """Wraps httpx against the ASGI app; keeps cookies like a browser."""

    def __init__(self, app: Any, *, client_ip: str = "127.0.0.1") -> None:
        transport = httpx.ASGITransport(app=app, client=(client_ip, 50000))
        self.http = httpx.AsyncClient(transport=transport, base_url=BASE_URL)
        self.last_page: BeautifulSoup | None = None

    @classmethod
    def over_http(cls, base_url: str) -> WebClient:
        """A client of a real server (tests/integration/live_app.py): requests really overlap."""
        client = cls.__new__(cls)
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
        client.http = httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120)
        client.last_page = None
        return client

    async def __aenter__(self) -> WebClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()

    async def get(self, url: str, *, expect: int = 200, htmx: bool = False, **kwargs: Any) -> httpx.Response:
        headers = {"HX-Request": "true"} if htmx else {}
        response = await self.http.get(url, headers=headers, **kwargs)
        assert response.status_code == expect, (
            f"GET {url}: expected {expect}, got {response.status_code}: {response.text[:500]}"
        )
        return response

    async def page(self, url: str, *, expect: int = 200, htmx: bool = False) -> BeautifulSoup:
        response = await self.get(url, expect=expect, htmx=htmx)
        self.last_page = check_page(response.text, fragment=htmx)
        return self.last_page

    async def csrf_token(self, url: str = "/") -> str:
        page = await self.page(url) if self.last_page is None else self.last_page
        field = page.select_one('input[name="csrf_token"]')
        if field is None:
            page = await self.page("/accessibility")
            field = page.select_one('input[name="csrf_token"]')
        if field is None:
            body = page.select_one("body")
            assert body is not None and body.get("hx-headers")
            import json

            return str(json.loads(str(body["hx-headers"]))["X-CSRF-Token"])
        return str(field["value"])

    async def post(
        self,
        url: str,
        data: dict[str, Any] | None = None,
        *,
        expect: int | None = None,
        csrf: bool = True,
        htmx: bool = False,
        follow: bool = False,
    ) -> httpx.Response:
        form = dict(data or {})
        if csrf and "csrf_token" not in form:
            form["csrf_token"] = await self.csrf_token()
        headers = {"HX-Request": "true"} if htmx else {}
        response = await self.http.post(url, data=form, headers=headers, follow_redirects=follow)
        if expect is not None:
            assert response.status_code == expect, (
                f"POST {url}: expected {expect}, got {response.status_code}: {response.text[:500]}"
            )
        return response

    async def submit(
        self, url: str, data: dict[str, Any], *, expect: int = 200, htmx: bool = False
    ) -> BeautifulSoup:
        """Post a form and read the page that results, following a redirect as a browser does."""
        response = await self.post(url, data, htmx=htmx, follow=True)
        assert response.status_code == expect, (
            f"POST {url}: expected {expect}, got {response.status_code}: {response.text[:500]}"
        )
        self.last_page = check_page(response.text, fragment=htmx)
        return self.last_page
