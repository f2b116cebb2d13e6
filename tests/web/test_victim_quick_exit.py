"""Quick exit (issue 16): the link and the script's keepalive request both end the session."""

import pytest

from tests.webclient import text_of

from .victim_data import sign_in

pytestmark = pytest.mark.anyio

WEATHER = "https://www.bbc.co.uk/weather"


async def test_every_victim_page_offers_the_quick_exit_in_a_landmark(client, victim):
    page = await sign_in(client, victim)
    link = page.select_one("aside[aria-label='Quick exit'] a[data-quick-exit]")
    assert link["href"] == "/leave" and link["data-exit-url"] == WEATHER
    assert text_of(link).startswith("Leave this site")
    assert not link.select("[data-quick-exit-hint]"), "the shortcut is promised by the script"
    assert link["data-shortcut-hint"] == "(or press Shift 3 times)"


async def test_the_plain_link_signs_out_and_goes_somewhere_harmless(client, victim):
    await sign_in(client, victim)
    response = await client.get("/leave", expect=303)
    assert response.headers["location"] == WEATHER
    assert response.headers["cache-control"] == "no-store"
    await client.get("/case", expect=303)


async def test_the_keepalive_request_signs_out(client, victim):
    page = await sign_in(client, victim)
    await client.post(
        "/leave", {"csrf_token": page.select_one("input[name=csrf_token]")["value"]}, expect=204
    )
    await client.get("/case", expect=303)


async def test_leaving_without_being_signed_in_just_leaves(client):
    response = await client.get("/leave", expect=303)
    assert response.headers["location"] == WEATHER


async def test_the_site_has_an_icon(client):
    response = await client.get("/favicon.ico")
    assert response.headers["content-type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00" and b"PNG" in response.content[:40]
    assert "max-age" in response.headers["cache-control"]
    page = await client.page("/")
    assert page.select_one("link[rel=icon]")["href"] == "/favicon.ico"
