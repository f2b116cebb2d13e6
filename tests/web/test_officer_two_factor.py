"""Two-step verification: setting it up with a QR code or typed key, turning it off, requiring it."""

from __future__ import annotations

import base64
from urllib.parse import unquote

import pytest
from sqlmodel import select

from tests.webclient import text_of
from trackmycrime.models import AuditEvent, Officer, WebSession, utcnow
from trackmycrime.officer import totp

from .officer_world import PASSWORD, sign_in_as, sign_in_with_form

pytestmark = pytest.mark.anyio


def typed_key(page) -> str:
    return text_of(page.select_one(".secret-key code")).replace(" ", "")


async def test_setting_up_shows_a_qr_code_and_a_key_to_type(client, db, world):
    await sign_in_as(client, db, world.oic)
    page = await client.page("/officer/two-factor")
    assert text_of(page.h1) == "Two-step verification"
    image = page.select_one("main img")
    assert image["src"].startswith("data:image/svg+xml")
    assert "type the key" in image["alt"]
    svg = (
        unquote(image["src"].split(",", 1)[1])
        if "base64" not in image["src"]
        else base64.b64decode(image["src"].split(",", 1)[1]).decode()
    )
    assert svg.lstrip().startswith("<svg") or "<svg" in svg
    assert len(typed_key(page)) == 32


async def test_a_right_code_turns_it_on_and_renews_the_session(client, db, world):
    await sign_in_as(client, db, world.oic)
    page = await client.page("/officer/two-factor")
    secret = typed_key(page)
    old_cookie = client.http.cookies.get("tmc_session")
    page = await client.submit(
        "/officer/two-factor",
        {
            "enrolment_token": page.select_one('input[name="enrolment_token"]')["value"],
            "code": totp.code_at(secret, utcnow()),
        },
    )
    assert "Two-step verification is on" in text_of(page.select_one(".notification"))
    assert client.http.cookies.get("tmc_session") != old_cookie
    async with db.session() as session:
        assert (await session.get(Officer, world.oic.id)).totp_secret == secret
        live = (await session.exec(select(WebSession).where(WebSession.ended_at.is_(None)))).all()
    assert len(live) == 1


async def test_a_wrong_code_keeps_the_same_key(client, db, world):
    await sign_in_as(client, db, world.oic)
    page = await client.page("/officer/two-factor")
    secret = typed_key(page)
    wrong = "000000" if totp.code_at(secret, utcnow()) != "000000" else "999999"
    token = page.select_one('input[name="enrolment_token"]')["value"]
    page = await client.submit("/officer/two-factor", {"enrolment_token": token, "code": wrong})
    assert [text_of(a) for a in page.select(".error-summary a")] == [
        "The code is not correct. Enter the 6-digit code your app shows now"
    ]
    assert typed_key(page) == secret
    page = await client.submit("/officer/two-factor", {"enrolment_token": "forged", "code": "123456"})
    assert "Setting up took too long" in text_of(page.select_one(".error-summary"))


async def test_turning_it_off_needs_a_code(client, db, world):
    secret = totp.new_secret()
    async with db.transaction() as session:
        (await session.get(Officer, world.oic.id)).totp_secret = secret
    await sign_in_as(client, db, world.oic)
    page = await client.page("/officer/two-factor")
    assert "Two-step verification is on" in text_of(page.select_one("main"))
    page = await client.submit("/officer/two-factor/turn-off", {"code": ""})
    assert [text_of(a) for a in page.select(".error-summary a")] == [
        "Enter the code from your authenticator app"
    ]
    page = await client.submit("/officer/two-factor/turn-off", {"code": totp.code_at(secret, utcnow())})
    assert "Two-step verification is off" in text_of(page.select_one(".notification"))
    async with db.session() as session:
        assert (await session.get(Officer, world.oic.id)).totp_secret is None


async def test_in_production_an_officer_must_set_it_up_first(app, client, db, world):
    app.state.settings = app.state.settings.with_changes(mode="production")
    await sign_in_with_form(client, world.oic.email)
    response = await client.get("/officer", expect=303)
    assert response.headers["location"] == "/officer/two-factor"
    page = await client.page("/officer/two-factor")
    assert "You need to set up two-step verification" in text_of(page.select_one(".inset"))


async def test_wrong_codes_to_turn_it_off_are_limited_and_audited(client, db, world):
    secret = totp.new_secret()
    async with db.transaction() as session:
        (await session.get(Officer, world.oic.id)).totp_secret = secret
    await sign_in_as(client, db, world.oic)
    await client.page("/officer/two-factor")
    wrong = f"{(int(totp.code_at(secret, utcnow())) + 500_000) % 1_000_000:06d}"
    for _ in range(5):
        page = await client.submit("/officer/two-factor/turn-off", {"code": wrong})
        assert "The code is not correct" in text_of(page.select_one(".error-summary"))
    page = await client.submit("/officer/two-factor/turn-off", {"code": totp.code_at(secret, utcnow())})
    assert "You have tried too many times" in text_of(page.select_one(".error-summary"))
    async with db.session() as session:
        assert (await session.get(Officer, world.oic.id)).totp_secret == secret, "still on"
        actions = (
            await session.exec(select(AuditEvent.action).where(AuditEvent.actor_id == world.oic.id))
        ).all()
    assert actions.count("officer.two_factor_off_failed") == 5


async def test_wrong_current_passwords_are_limited_and_audited(client, db, world):
    await sign_in_as(client, db, world.oic)
    new = {"password": "a brand new long passphrase", "confirm_password": "a brand new long passphrase"}
    for _ in range(5):
        await client.page("/officer/password")
        page = await client.submit("/officer/password", {"current_password": "not it at all", **new})
        assert "Your current password is not correct" in text_of(page.select_one(".error-summary"))
    page = await client.submit("/officer/password", {"current_password": PASSWORD, **new})
    assert "You have tried too many times" in text_of(page.select_one(".error-summary"))
    async with db.session() as session:
        actions = (
            await session.exec(select(AuditEvent.action).where(AuditEvent.actor_id == world.oic.id))
        ).all()
    assert actions.count("officer.password_check_failed") == 5
    assert "officer.password_change" not in actions
