"""Sessions: a new id at each sign-in; sign-out ends the session on the server; a new password ends all."""

from __future__ import annotations

import pytest

from tests.web.officer_world import PASSWORD as OFFICER_PASSWORD
from tests.web.officer_world import build_world, sign_in_with_form
from tests.web.victim_data import make_victim_case, sign_in
from tests.webclient import WebClient
from trackmycrime.auth.links import password_reset_url

pytestmark = pytest.mark.anyio

COOKIE = "tmc_session"  # tests serve plain http, so there is no __Host- prefix


def session_cookie(client: WebClient) -> str | None:
    return client.http.cookies.get(COOKIE)


def replay(client: WebClient, value: str) -> None:
    client.http.cookies.delete(COOKIE)
    client.http.cookies.set(COOKIE, value, domain="testserver.local")


async def test_a_victims_session_id_changes_at_sign_in_and_a_planted_one_is_useless(app, client, db):
    case = await make_victim_case(db)
    await client.page("/sign-in")
    # An attacker plants a session cookie in the victim's browser before they sign in.
    client.http.cookies.set(COOKIE, "planted-by-an-attacker", domain="testserver.local")
    await sign_in(client, case)
    first = session_cookie(client)
    assert first and first != "planted-by-an-attacker"
    async with WebClient(app) as attacker:
        attacker.http.cookies.set(COOKIE, "planted-by-an-attacker", domain="testserver.local")
        assert (await attacker.get("/case", expect=303)).headers["location"].startswith("/sign-in")
    # Signing in again in the same browser gives a new id and ends the old one.
    await sign_in(client, case)
    second = session_cookie(client)
    assert second and second != first
    async with WebClient(app) as attacker:
        attacker.http.cookies.set(COOKIE, first, domain="testserver.local")
        assert (await attacker.get("/case", expect=303)).headers["location"].startswith("/sign-in")


async def test_signing_out_ends_the_session_on_the_server(app, client, db):
    case = await make_victim_case(db)
    await client.page("/sign-in")
    await sign_in(client, case)
    stolen = session_cookie(client)
    assert stolen
    await client.page("/case")
    await client.submit("/sign-out", {})
    async with WebClient(app) as thief:
        thief.http.cookies.set(COOKIE, stolen, domain="testserver.local")
        response = await thief.get("/case", expect=303)
        assert response.headers["location"].startswith("/sign-in")


async def test_sign_out_everywhere_ends_every_browsers_session(app, client, db):
    case = await make_victim_case(db)
    async with WebClient(app) as phone:
        await phone.page("/sign-in")
        await sign_in(phone, case)
        await client.page("/sign-in")
        await sign_in(client, case)
        await client.page("/preferences")
        await client.submit("/sign-out-everywhere", {})
        assert (await phone.get("/case", expect=303)).headers["location"].startswith("/sign-in")
        assert (await client.get("/case", expect=303)).headers["location"].startswith("/sign-in")


async def test_a_password_reset_ends_every_victim_session(app, client, db, settings):
    case = await make_victim_case(db)
    async with WebClient(app) as other_device:
        await other_device.page("/sign-in")
        await sign_in(other_device, case)
        path = password_reset_url(settings, case.party).removeprefix(settings.base_url)
        await client.page(path)
        await client.post(path, {"password": "a brand new passphrase"}, expect=303)
        assert (await other_device.get("/case", expect=303)).headers["location"].startswith("/sign-in")


async def test_an_officers_session_id_changes_at_sign_in_and_a_password_change_ends_the_others(
    app, client, db
):
    world = await build_world(db)
    client.http.cookies.set(COOKIE, "planted-by-an-attacker", domain="testserver.local")
    await sign_in_with_form(client, world.oic.email)
    mine = session_cookie(client)
    assert mine and mine != "planted-by-an-attacker"
    async with WebClient(app) as other_device:
        await sign_in_with_form(other_device, world.oic.email)
        other = session_cookie(other_device)
        assert other and other != mine
        await client.page("/officer/password")
        new_password = "an entirely new officer passphrase"
        await client.post(
            "/officer/password",
            {
                "current_password": OFFICER_PASSWORD,
                "password": new_password,
                "password_confirm": new_password,
            },
            expect=303,
        )
        assert (await other_device.get("/officer", expect=303)).headers["location"] == "/officer/sign-in"
        # This browser carries on with a fresh session; the one it had before is dead too.
        assert session_cookie(client) != mine
        await client.page("/officer/account")
        replay(other_device, mine)
        assert (await other_device.get("/officer", expect=303)).headers["location"] == "/officer/sign-in"


async def test_an_officer_signing_out_ends_the_session_on_the_server(app, client, db):
    world = await build_world(db)
    await sign_in_with_form(client, world.oic.email)
    stolen = session_cookie(client)
    await client.page("/officer")
    await client.submit("/officer/sign-out", {})
    async with WebClient(app) as thief:
        thief.http.cookies.set(COOKIE, stolen, domain="testserver.local")
        assert (await thief.get("/officer", expect=303)).headers["location"] == "/officer/sign-in"


async def test_a_cookie_checked_before_is_refused_once_older_than_a_session_may_live(
    app, client, db, settings, monkeypatch
):
    """Session cookies whose signature was checked are kept (auth/sessions.py, CheckedCookies); a
    kept one must still expire with the session's absolute lifetime, as the signature check would."""
    import time

    from trackmycrime.auth import sessions

    case = await make_victim_case(db)
    await client.page("/sign-in")
    await sign_in(client, case)
    await client.page("/case")  # checked, and kept
    lifetime = settings.session_absolute_hours * 3600
    later = time.time() + lifetime + 60
    monkeypatch.setattr(sessions._checked_cookies, "clock", lambda: later)
    response = await client.get("/case", expect=303)
    assert response.headers["location"].startswith("/sign-in")


async def test_an_altered_copy_of_a_checked_cookie_is_refused(app, client, db):
    case = await make_victim_case(db)
    await client.page("/sign-in")
    await sign_in(client, case)
    signed = session_cookie(client)
    assert signed
    await client.page("/case")  # the real cookie is checked, and kept
    value, _dot, signature = signed.rpartition(".")
    for altered in (f"{value}.{signature[::-1]}", f"{value}x.{signature}", signed[:-1]):
        async with WebClient(app) as forger:
            replay(forger, altered)
            assert (await forger.get("/case", expect=303)).headers["location"].startswith("/sign-in")


def test_the_checked_cookies_kept_are_the_most_recently_used_and_no_more():
    from trackmycrime.auth.sessions import CheckedCookies
    from trackmycrime.auth.tokens import SESSION, Signer, sha256_hex

    signer = Signer("a-secret-key-for-this-test-only-0123456789")
    checked = CheckedCookies(entries=2)
    cookies = [signer.sign(SESSION, f"token {n}") for n in range(3)]
    for cookie in (cookies[0], cookies[1], cookies[0], cookies[2]):  # the first used again, then a third
        checked.token_hash("a-secret-key-for-this-test-only-0123456789", cookie, 3600)
    assert [signed for _key, signed in checked._checked] == [cookies[0], cookies[2]]
    assert checked.token_hash("another key", cookies[0], 3600) is None
    assert checked.token_hash("a-secret-key-for-this-test-only-0123456789", cookies[1], 3600) == sha256_hex(
        "token 1"
    )
