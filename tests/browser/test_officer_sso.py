"""Single sign-on in Chromium: the sign-in page's link, the provider, the inbox, and the refusal page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import delete

from tests.axe import assert_accessible
from tests.browser_fixtures import run_outside_event_loop
from tests.oidc_server import CLIENT_ID, CLIENT_SECRET, OpenIdProvider
from trackmycrime.database import Database
from trackmycrime.forces import force_by_code
from trackmycrime.models import ForceSso
from trackmycrime.officer import sso


async def _set_up(database_url: str, issuer: str, secret_file: str) -> None:
    database = Database(database_url)
    try:
        async with database.transaction() as db:
            force = await force_by_code(db, "DEMO")
            await sso.configure(db, force, issuer=issuer, client_id=CLIENT_ID, client_secret_file=secret_file)
    finally:
        await database.dispose()


async def _take_down(database_url: str) -> None:
    database = Database(database_url)
    try:
        async with database.transaction() as db:
            await db.exec(delete(ForceSso))
    finally:
        await database.dispose()


@pytest.fixture
def force_sign_on(live_server: Any, tmp_path: Any) -> Iterator[OpenIdProvider]:
    """The demo force signs its officers on with a real OpenID Provider, for this test only."""
    provider = OpenIdProvider(portal=live_server.url)
    secret = tmp_path / "client-secret"
    secret.write_text(CLIENT_SECRET)
    database_url = live_server.settings.database_url
    run_outside_event_loop(_set_up, database_url, provider.issuer, str(secret))
    provider.add_account("sam", email=live_server.logins.officer_email, name="PC Sam Jones")
    provider.next_sign_in("sam", amr=("pwd", "mfa"))
    yield provider
    run_outside_event_loop(_take_down, database_url)
    provider.stop()


def test_an_officer_signs_in_and_out_with_their_force_account(browser, live_server, force_sign_on):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(live_server.url + "/officer/sign-in")
        link = page.get_by_role("link", name="Sign in with your force account")
        expect(link).to_be_visible()
        assert_accessible(page, "officer sign-in offering single sign-on")
        link.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Inbox")
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(force_sign_on.issuer + "/session/end**")  # signed out at the provider too

        force_sign_on.faults(tamper="admin@demoshire-police.example")
        page.goto(live_server.url + "/officer/sign-in")
        page.get_by_role("link", name="Sign in with your force account").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("You could not be signed in")
        assert_accessible(page, "single sign-on refused")
        page.get_by_role("link", name="Go to the officer sign-in page").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Officer sign in")
    finally:
        context.close()
