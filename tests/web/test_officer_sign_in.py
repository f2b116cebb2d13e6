"""Officer sign-in: email or shoulder number, password, two-step codes, lockout and rate limits."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from tests.webclient import WebClient, text_of
from trackmycrime.auth.passwords import FAST_HASHER, PRODUCTION_HASHER
from trackmycrime.models import AuditEvent, Officer, WebSession, utcnow
from trackmycrime.officer import totp
from trackmycrime.officer.sign_in import CLIENT_ATTEMPTS

from .officer_world import PASSWORD, build_world, sign_in_with_form

pytestmark = pytest.mark.anyio

GENERIC = "Enter a correct email address or shoulder number and password"


async def test_the_sign_in_page_asks_for_email_or_shoulder_number_and_password(client):
    page = await client.page("/officer/sign-in")
    assert text_of(page.h1) == "Officer sign in"
    labels = [text_of(label) for label in page.select("main form label")]
    assert labels == ["Email address or shoulder number", "Password"]
    assert text_of(page.select_one("main form button[type=submit]:not([name])")) == "Sign in"
    assert page.select_one('a[href="/sign-in"]'), "victims are pointed to their own sign-in"


async def test_an_officer_signs_in_with_email_and_reaches_the_inbox(client, db):
    world = await build_world(db)
    page = await sign_in_with_form(client, "  Sam.Jones@AS.example ")
    assert text_of(page.h1).startswith("Inbox")
    async with db.session() as session:
        officer = await session.get(Officer, world.oic.id)
        assert officer.last_sign_in_at is not None
        sessions = (await session.exec(select(WebSession).where(WebSession.officer_id == world.oic.id))).all()
        assert len(sessions) == 1
        actions = (
            await session.exec(select(AuditEvent.action).where(AuditEvent.actor_id == world.oic.id))
        ).all()
        assert "officer.sign_in" in actions


async def test_an_officer_signs_in_with_a_shoulder_number_shared_with_another_force(client, db):
    world = await build_world(db)
    page = await sign_in_with_form(client, "1234")
    assert text_of(page.h1).startswith("Inbox")
    async with db.session() as session:
        signed_in = (
            await session.exec(select(WebSession.officer_id).where(WebSession.ended_at.is_(None)))
        ).all()
    assert signed_in == [world.oic.id]


@pytest.mark.parametrize(
    ("identifier", "password"),
    [("sam.jones@as.example", "wrong password here"), ("nobody@as.example", PASSWORD), ("9999", PASSWORD)],
)
async def test_wrong_details_get_one_generic_answer(client, db, identifier, password):
    await build_world(db)
    page = await sign_in_with_form(client, identifier, password)
    assert text_of(page.title).startswith("Error: Officer sign in")
    assert GENERIC in text_of(page.select_one(".error-summary"))
    assert page.select_one("#field-identifier")["value"] == identifier
    assert not page.select_one("#field-password").get("value")


async def test_empty_fields_say_what_to_enter(client, db):
    await client.page("/officer/sign-in")
    page = await client.submit("/officer/sign-in", {"identifier": "", "password": ""})
    errors = [text_of(a) for a in page.select(".error-summary a")]
    assert errors == ["Enter your email address or shoulder number", "Enter your password"]
    assert page.select_one(".error-summary a")["href"] == "#field-identifier"


async def test_show_password_without_javascript_keeps_what_was_typed(client, db):
    await client.page("/officer/sign-in")
    page = await client.submit(
        "/officer/sign-in", {"identifier": "sam", "password": "my secret", "show_password": "1"}
    )
    field = page.select_one("#field-password")
    assert field["type"] == "text" and field["value"] == "my secret"
    assert page.select_one("#field-identifier")["value"] == "sam"


async def test_five_wrong_passwords_lock_the_account_without_saying_so(client, db):
    world = await build_world(db)
    for _ in range(5):
        await sign_in_with_form(client, world.oic.email, "not the password")
    page = await sign_in_with_form(client, world.oic.email)
    assert GENERIC in text_of(page.select_one(".error-summary")), "even the right password waits out the lock"
    async with db.transaction() as session:
        officer = await session.get(Officer, world.oic.id)
        assert officer.locked_until > utcnow()
        officer.locked_until = utcnow() - dt.timedelta(seconds=1)
    page = await sign_in_with_form(client, world.oic.email)
    assert text_of(page.h1).startswith("Inbox")


async def test_too_many_failures_from_one_address_are_refused(client, db):
    await build_world(db)
    for _ in range(3):
        await sign_in_with_form(client, "sam.jones@as.example")  # successes do not count
    for number in range(CLIENT_ATTEMPTS):
        await sign_in_with_form(client, f"guess{number}@as.example", "whatever password")
    response = await client.post(
        "/officer/sign-in", {"identifier": "sam.jones@as.example", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "too many attempts" in response.text


async def test_a_disabled_officer_cannot_sign_in(client, db):
    world = await build_world(db)
    async with db.transaction() as session:
        (await session.get(Officer, world.oic.id)).disabled_at = utcnow()
    page = await sign_in_with_form(client, world.oic.email)
    assert GENERIC in text_of(page.select_one(".error-summary"))


async def test_an_old_password_hash_is_upgraded_at_sign_in(app, client, db, monkeypatch):
    world = await build_world(db)
    stronger = type(FAST_HASHER)(time_cost=2, memory_cost=FAST_HASHER.memory_cost, parallelism=1)
    monkeypatch.setattr(app.state, "hasher", stronger)
    await sign_in_with_form(client, world.oic.email)
    async with db.session() as session:
        officer = await session.get(Officer, world.oic.id)
    assert officer.password_hash != world.oic.password_hash
    assert not stronger.check_needs_rehash(officer.password_hash)
    assert PRODUCTION_HASHER  # production parameters are untouched by the test


async def test_signing_in_replaces_any_earlier_session_of_the_browser(client, db):
    world = await build_world(db)
    await sign_in_with_form(client, world.oic.email)
    first_cookie = client.http.cookies.get("tmc_session")
    await client.post(
        "/officer/sign-in", {"identifier": world.colleague.email, "password": PASSWORD}, expect=303
    )
    assert client.http.cookies.get("tmc_session") != first_cookie
    async with db.session() as session:
        live = (await session.exec(select(WebSession.officer_id).where(WebSession.ended_at.is_(None)))).all()
    assert live == [world.colleague.id]


async def test_sign_out_ends_the_session(client, db):
    world = await build_world(db)
    await sign_in_with_form(client, world.oic.email)
    cookie = client.http.cookies.get("tmc_session")
    page = await client.submit("/officer/sign-out", {})
    assert text_of(page.select_one(".notification")) == "You have been signed out"
    client.http.cookies.set("tmc_session", cookie)  # an old copy of the cookie is no use
    response = await client.get("/officer", expect=303)
    assert response.headers["location"] == "/officer/sign-in"


async def _enable_two_factor(db, officer_id: int) -> str:
    secret = totp.new_secret()
    async with db.transaction() as session:
        (await session.get(Officer, officer_id)).totp_secret = secret
    return secret


async def test_with_two_step_on_the_password_alone_is_not_enough(client, db):
    world = await build_world(db)
    secret = await _enable_two_factor(db, world.oic.id)
    page = await sign_in_with_form(client, world.oic.email)
    assert text_of(page.h1) == "Enter the code from your authenticator app"
    response = await client.get("/officer", expect=303)
    assert response.headers["location"] == "/officer/sign-in"
    page = await client.submit(
        "/officer/sign-in/code",
        {"code": "000000" if totp.code_at(secret, utcnow()) != "000000" else "111111"},
    )
    assert "The code is not correct" in text_of(page.select_one(".error-summary"))
    page = await client.submit("/officer/sign-in/code", {"code": totp.code_at(secret, utcnow())})
    assert text_of(page.h1).startswith("Inbox")


async def test_a_code_works_only_once(app, client, db):
    world = await build_world(db)
    secret = await _enable_two_factor(db, world.oic.id)
    code = totp.code_at(secret, utcnow())
    await sign_in_with_form(client, world.oic.email)
    await client.submit("/officer/sign-in/code", {"code": code})
    async with WebClient(app) as other_browser:
        await sign_in_with_form(other_browser, world.oic.email)
        page = await other_browser.submit("/officer/sign-in/code", {"code": code})
        assert "The code is not correct" in text_of(page.select_one(".error-summary"))


async def test_five_wrong_codes_lock_the_account(client, db):
    world = await build_world(db)
    secret = await _enable_two_factor(db, world.oic.id)
    wrong = "123456" if totp.code_at(secret, utcnow()) != "123456" else "654321"
    await sign_in_with_form(client, world.oic.email)
    for _ in range(4):
        await client.submit("/officer/sign-in/code", {"code": wrong})
    page = await client.submit("/officer/sign-in/code", {"code": wrong})
    assert text_of(page.h1) == "Officer sign in"
    assert "too many wrong codes" in text_of(page.select_one(".error-summary"))
    async with db.session() as session:
        assert (await session.get(Officer, world.oic.id)).locked_until > utcnow()


async def test_the_code_page_without_a_password_first_goes_back_to_sign_in(client, db):
    response = await client.get("/officer/sign-in/code", expect=303)
    assert response.headers["location"] == "/officer/sign-in"


async def test_signed_in_pages_warn_before_the_idle_timeout_and_can_keep_the_session(client, db):
    world = await build_world(db)
    await sign_in_with_form(client, world.oic.email)
    page = await client.page("/officer")
    dialog = page.select_one("dialog[data-idle-warning]")
    assert dialog["data-keep-alive-url"] == "/officer/keep-alive"
    assert dialog["data-sign-out-url"] == "/officer/sign-out"
    token = await client.csrf_token()
    response = await client.http.post("/officer/keep-alive", headers={"X-CSRF-Token": token})
    assert response.status_code == 204
    assert not (await client.page("/officer/sign-in")).select_one("dialog[data-idle-warning]")


@pytest.mark.parametrize("password", ["no account has this password", "anything at all"])
async def test_an_officer_with_no_password_cannot_sign_in_and_it_is_counted(client, db, password):
    """Officers the records system created have no password: the same answer as a wrong one."""
    world = await build_world(db)
    async with db.transaction() as session:
        officer = await session.get(Officer, world.oic.id)
        officer.password_hash = None
    page = await sign_in_with_form(client, "1234", password)
    assert GENERIC in text_of(page.select_one(".error-summary"))
    assert client.http.cookies.get("tmc_session") is None
    async with db.session() as session:
        officer = await session.get(Officer, world.oic.id)
        actions = (
            await session.exec(select(AuditEvent.action).where(AuditEvent.actor_id == world.oic.id))
        ).all()
    assert officer.failed_sign_ins == 1
    assert actions == ["officer.sign_in_failed"]


async def test_no_stored_password_never_verifies():
    from trackmycrime.auth.passwords import verify_password

    for stored in (None, ""):
        assert await verify_password(FAST_HASHER, stored, "no account has this password") == (False, False)


async def test_over_https_the_pending_two_step_cookie_is_deleted_as_a_browser_accepts(db):
    from tests.conftest import test_settings
    from trackmycrime.app import create_app

    world = await build_world(db)
    secret = await _enable_two_factor(db, world.oic.id)
    app = create_app(test_settings(db.url, base_url="https://testserver"), db)
    async with WebClient(app) as client:
        client.http.base_url = "https://testserver"
        await sign_in_with_form(client, world.oic.email)
        assert client.http.cookies.get("__Host-tmc_officer_pending")
        response = await client.post("/officer/sign-in/code", {"code": totp.code_at(secret, utcnow())})
    assert response.status_code == 303
    deleting = [
        c for c in response.headers.get_list("set-cookie") if c.startswith("__Host-tmc_officer_pending=")
    ]
    assert len(deleting) == 1
    assert "Max-Age=0" in deleting[0] and "Secure" in deleting[0] and "Path=/" in deleting[0]


async def test_wrong_passwords_for_a_shoulder_number_worn_in_two_forces_lock_neither_account(app, client, db):
    world = await build_world(db)
    for _ in range(5):
        page = await sign_in_with_form(client, "1234", "not the password")
        assert GENERIC in text_of(page.select_one(".error-summary"))
    page = await sign_in_with_form(client, "1234")
    assert GENERIC in text_of(page.select_one(".error-summary")), "the shoulder number waits out its count"
    async with db.session() as session:
        for officer_id in (world.oic.id, world.other_admin.id):
            assert (await session.get(Officer, officer_id)).locked_until is None
    async with WebClient(app) as browser:
        page = await sign_in_with_form(browser, world.oic.email)
        assert text_of(page.h1).startswith("Inbox")
