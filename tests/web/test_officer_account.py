"""An officer's own account: their details, and changing their password."""

from __future__ import annotations

import pytest

from tests.webclient import WebClient, text_of

from .officer_world import PASSWORD, sign_in_with_form

pytestmark = pytest.mark.anyio

NEW_PASSWORD = "marmalade kettle horizon"


async def test_the_account_page_shows_who_is_signed_in(client, world):
    await sign_in_with_form(client, world.oic.email)
    page = await client.page("/officer/account")
    details = text_of(page.select_one(".summary-list"))
    assert "PC Sam Jones" in details and "1234" in details and "North CID" in details
    assert page.select_one('a[href="/officer/password"]')
    assert page.select_one('nav a[href="/officer/account"]')


async def test_changing_the_password_signs_out_other_browsers(app, client, world):
    async with WebClient(app) as other_browser:
        await sign_in_with_form(other_browser, world.oic.email)
        await sign_in_with_form(client, world.oic.email)
        await client.page("/officer/password")
        page = await client.submit(
            "/officer/password",
            {"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
        )
        assert text_of(page.h1) == "Your account"
        assert "Your password has been changed" in text_of(page.select_one(".notification"))
        await client.page("/officer")  # still signed in here
        response = await other_browser.get("/officer", expect=303)
        assert response.headers["location"] == "/officer/sign-in"
        page = await sign_in_with_form(other_browser, world.oic.email, NEW_PASSWORD)
        assert text_of(page.h1).startswith("Inbox")


async def test_the_current_password_must_be_right_and_the_new_one_strong(client, world):
    await sign_in_with_form(client, world.oic.email)
    await client.page("/officer/password")
    page = await client.submit(
        "/officer/password",
        {"current_password": "not it", "password": "password", "password_confirm": "password"},
    )
    errors = [text_of(a) for a in page.select(".error-summary a")]
    assert errors == [
        "Your current password is not correct",
        "Password must be 10 characters or more",
    ]
    assert [a["href"] for a in page.select(".error-summary a")] == [
        "#field-current_password",
        "#field-password",
    ]
    assert not page.select_one("#field-current_password").get("value")
