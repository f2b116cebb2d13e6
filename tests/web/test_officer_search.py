"""The search box in the header of every officer page (issue 16): an exact reference opens the crime."""

from __future__ import annotations

import pytest

from tests.webclient import text_of

from .officer_world import sign_in_as

pytestmark = pytest.mark.anyio


async def test_every_officer_page_has_the_search_box(client, db, world):
    await sign_in_as(client, db, world.oic)
    for url in ("/officer", f"/officer/crimes/{world.crime.id}", "/officer/account"):
        page = await client.page(url)
        form = page.select_one("header form[role=search]")
        assert form["action"] == "/officer/search" and form["method"] == "get"
        assert text_of(form.select_one("label")) == "Crime reference or surname"


async def test_an_exact_reference_goes_straight_to_the_crime(client, db, world):
    await sign_in_as(client, db, world.oic)
    response = await client.get("/officer/search?q=as 2026 000123", expect=303)
    assert response.headers["location"] == f"/officer/crimes/{world.crime.id}"
    page = await client.page(response.headers["location"])
    assert text_of(page.h1) == "Crime AS-2026-000123"


async def test_a_surname_or_part_of_a_reference_lists_what_matches(client, db, world):
    await sign_in_as(client, db, world.oic)
    response = await client.get("/officer/search?q=O'Brien", expect=303)
    assert response.headers["location"] == "/officer?q=O%27Brien#search-results"
    page = await client.page(response.headers["location"])
    assert [text_of(a) for a in page.select("main table")[0].select("tbody a")] == ["AS-2026-000123"]
    response = await client.get("/officer/search?q=2026-0001", expect=303)
    assert response.headers["location"].startswith("/officer?q=")


async def test_another_forces_or_a_hidden_crime_is_not_found(client, db, world):
    await sign_in_as(client, db, world.oic)
    for reference in ("NT-2026-000123", "AS-2026-000999"):
        response = await client.get(f"/officer/search?q={reference}", expect=303)
        assert response.headers["location"].startswith("/officer?q="), reference
        page = await client.page(response.headers["location"])
        assert "No crimes you can see match" in text_of(page.select_one("main"))


async def test_an_empty_search_goes_to_the_inbox(client, db, world):
    await sign_in_as(client, db, world.oic)
    response = await client.get("/officer/search?q=", expect=303)
    assert response.headers["location"] == "/officer"
