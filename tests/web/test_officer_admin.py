"""Force admins: officers, records-system API keys and force settings."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlmodel import select

from tests.webclient import WebClient, text_of
from trackmycrime.models import ApiKey, AuditEvent, Force, Officer, WebSession, utcnow

from .officer_world import sign_in_as, sign_in_with_form

pytestmark = pytest.mark.anyio


def errors_of(page) -> list[str]:
    return [text_of(a) for a in page.select(".error-summary a")]


NEW_OFFICER = {
    "name": "PC Dana Fox",
    "email": "Dana.Fox@AS.example",
    "shoulder_number": "5678",
    "role": "supervisor",
    "team": "East CID",
    "password": "a long and unusual password",
    "password_confirm": "a long and unusual password",
}


async def test_an_admin_adds_an_officer_who_can_then_sign_in(admin, app, db, world):
    await admin.page("/officer/admin/officers/new")
    page = await admin.submit("/officer/admin/officers", NEW_OFFICER)
    assert text_of(page.h1) == "PC Dana Fox"
    assert "Officer added" in text_of(page.select_one(".notification"))
    assert "dana.fox@as.example" in text_of(page.select_one(".summary-list"))
    async with WebClient(app) as browser:
        await sign_in_with_form(browser, "5678", NEW_OFFICER["password"])
        await must_replace_the_password(browser, NEW_OFFICER["password"])
    page = await admin.page("/officer/admin/officers")
    assert "PC Dana Fox" in text_of(page.select_one("table"))


async def test_adding_an_officer_checks_every_field_and_keeps_what_was_typed(admin, world):
    await admin.page("/officer/admin/officers/new")
    page = await admin.submit(
        "/officer/admin/officers",
        {
            "name": "",
            "email": "sam.jones@as.example",
            "shoulder_number": "1234",
            "role": "chief",
            "password": "short",
            "password_confirm": "short",
        },
    )
    assert errors_of(page) == [
        "Enter the officer's full name",
        "An officer with this email address already exists",
        "An officer with this shoulder number already exists",
        "Choose what the officer can do",
        "Password must be 10 characters or more",
    ]
    assert page.select_one("#field-email")["value"] == "sam.jones@as.example"
    assert not page.select_one("#field-password").get("value")
    page = await admin.submit(
        "/officer/admin/officers", {**NEW_OFFICER, "password_confirm": "something else"}
    )
    assert errors_of(page) == ["The passwords do not match. Enter the same password twice"]


async def test_resetting_a_password_ends_their_sessions_and_unlocks_them(admin, app, db, world):
    async with WebClient(app) as their_browser:
        await sign_in_with_form(their_browser, world.colleague.email)
        async with db.transaction() as session:
            (await session.get(Officer, world.colleague.id)).failed_sign_ins = 3
        await admin.page(f"/officer/admin/officers/{world.colleague.id}")
        page = await admin.submit(
            f"/officer/admin/officers/{world.colleague.id}/password",
            {"password": "a replacement password", "password_confirm": "a replacement password"},
        )
        assert "Password reset" in text_of(page.select_one(".notification"))
        response = await their_browser.get("/officer", expect=303)
        assert response.headers["location"] == "/officer/sign-in"
        await sign_in_with_form(their_browser, world.colleague.email, "a replacement password")
        await must_replace_the_password(their_browser, "a replacement password")


async def must_replace_the_password(browser: WebClient, given: str) -> None:
    """A password an admin chose must be replaced before any other page, then never again."""
    page = browser.last_page
    assert text_of(page.h1) == "Change your password"
    assert "Your password was set by an administrator" in text_of(page.select_one(".notification"))
    for path in ("/officer", "/officer/account", "/officer/two-factor"):
        response = await browser.get(path, expect=303)
        assert response.headers["location"] == "/officer/password"
    new_password = "only I know this one now"
    page = await browser.submit(
        "/officer/password",
        {"current_password": given, "password": new_password, "password_confirm": new_password},
    )
    assert text_of(page.h1) == "Your account"
    assert text_of((await browser.page("/officer")).h1).startswith("Inbox")
    assert not (await browser.page("/officer/password")).select(".notification")


async def test_show_password_without_javascript_does_not_reset_it(admin, db, world):
    await admin.page(f"/officer/admin/officers/{world.colleague.id}")
    page = await admin.submit(
        f"/officer/admin/officers/{world.colleague.id}/password",
        {"password": "a replacement password", "password_confirm": "", "show_password": "1"},
    )
    assert page.select_one("#field-password")["value"] == "a replacement password"
    async with db.session() as session:
        assert (await session.get(Officer, world.colleague.id)).password_hash == world.colleague.password_hash


async def test_disabling_an_officer_signs_them_out_and_stops_sign_in(admin, app, db, world):
    async with WebClient(app) as their_browser:
        await sign_in_with_form(their_browser, world.colleague.email)
        await admin.page(f"/officer/admin/officers/{world.colleague.id}")
        page = await admin.submit(f"/officer/admin/officers/{world.colleague.id}/disable", {})
        assert "Account disabled" in text_of(page.select_one(".notification"))
        await their_browser.get("/officer", expect=303)
        page = await sign_in_with_form(their_browser, world.colleague.email)
        assert page.select_one(".error-summary")
        page = await admin.submit(f"/officer/admin/officers/{world.colleague.id}/enable", {})
        assert "Account enabled" in text_of(page.select_one(".notification"))
        page = await sign_in_with_form(their_browser, world.colleague.email)
        assert text_of(page.h1).startswith("Inbox")


async def test_an_admin_cannot_disable_or_demote_themselves(admin, db, world):
    await admin.page(f"/officer/admin/officers/{world.admin.id}")
    page = await admin.submit(f"/officer/admin/officers/{world.admin.id}/disable", {})
    assert errors_of(page) == ["You cannot disable your own account. Ask another admin"]
    page = await admin.submit(
        f"/officer/admin/officers/{world.admin.id}/details", {"role": "officer", "team": ""}
    )
    assert errors_of(page) == ["You cannot change your own role. Ask another admin"]
    async with db.session() as session:
        me = await session.get(Officer, world.admin.id)
    assert me.disabled_at is None and me.role == "admin"


async def test_changing_a_role_signs_the_officer_out(admin, db, world):
    async with db.transaction() as session:
        session.add(
            WebSession(
                token_hash="x" * 64,
                officer_id=world.colleague.id,
                csrf_token="c",
                expires_at=utcnow().replace(year=utcnow().year + 1),
            )
        )
    await admin.page(f"/officer/admin/officers/{world.colleague.id}")
    page = await admin.submit(
        f"/officer/admin/officers/{world.colleague.id}/details", {"role": "supervisor", "team": "East CID"}
    )
    assert "Role and team saved" in text_of(page.select_one(".notification"))
    async with db.session() as session:
        colleague = await session.get(Officer, world.colleague.id)
        live = (
            await session.exec(
                select(WebSession).where(
                    WebSession.ended_at.is_(None), WebSession.officer_id == world.colleague.id
                )
            )
        ).all()
    assert (colleague.role, colleague.team, live) == ("supervisor", "East CID", [])


async def test_resetting_two_step_verification(admin, db, world):
    async with db.transaction() as session:
        (await session.get(Officer, world.colleague.id)).totp_secret = "JBSWY3DPEHPK3PXP"
    page = await admin.page(f"/officer/admin/officers/{world.colleague.id}")
    page = await admin.submit(f"/officer/admin/officers/{world.colleague.id}/two-factor", {})
    assert "Two-step verification reset" in text_of(page.select_one(".notification"))
    async with db.session() as session:
        assert (await session.get(Officer, world.colleague.id)).totp_secret is None


async def test_an_api_key_is_shown_once_works_and_can_be_revoked(admin, app, db, world):
    await admin.page("/officer/admin/api-keys")
    page = await admin.submit("/officer/admin/api-keys", {"label": "Niche RMS live"})
    assert text_of(page.h1) == "API key created"
    key = text_of(page.select_one(".panel code"))
    assert key.startswith("tmc_")
    async with db.session() as session:
        stored = (await session.exec(select(ApiKey).where(ApiKey.force_id == world.force.id))).one()
    assert key not in stored.key_hash
    page = await admin.page("/officer/admin/api-keys")
    assert key not in page.get_text()
    assert "Niche RMS live" in text_of(page.select_one("table")) and "In use" in text_of(
        page.select_one("table")
    )
    page = await admin.submit(f"/officer/admin/api-keys/{stored.id}/revoke", {})
    assert "Key revoked" in text_of(page.select_one(".notification"))
    assert "Revoked" in text_of(page.select_one("table"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as api:
        response = await api.get("/api/v1/crimes/AS-2026-000123", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401


async def test_an_api_key_names_the_agency_whose_system_uses_it(admin, db, world):
    await admin.page("/officer/admin/api-keys")
    await admin.submit("/officer/admin/api-keys", {"label": "WCU Bristol", "agency": "witness_care_unit"})
    async with db.session() as session:
        stored = (await session.exec(select(ApiKey).where(ApiKey.force_id == world.force.id))).one()
    assert stored.agency == "witness_care_unit"
    page = await admin.page("/officer/admin/api-keys")
    assert "Witness Care Unit" in text_of(page.select_one("table tbody tr"))

    page = await admin.submit("/officer/admin/api-keys", {"label": "Odd", "agency": "the press"})
    assert errors_of(page) == ["Choose whose system will use the key"]


async def test_an_api_key_needs_a_name(admin):
    await admin.page("/officer/admin/api-keys")
    page = await admin.submit("/officer/admin/api-keys", {"label": " "})
    assert errors_of(page) == ["Enter a name for the key"]


async def test_force_settings_are_checked_and_saved(admin, db, world):
    page = await admin.page("/officer/admin/force")
    assert page.select_one("#field-name")["value"] == "Avon and Somerset Police"
    values = {
        "name": "Avon & Somerset Constabulary",
        "non_emergency_phone": "101",
        "contact_email": "contact@as.example",
        "website": "https://www.as.example",
        "crime_ref_pattern": r"AS-\d{4}-\d{6}",
        "retention_days": "365",
        "unread_reminder_days": "5",
        "service-1-name": "Lighthouse Victim Care",
        "service-1-offers": "Help after any crime",
        "service-1-phone": "0800 123 4567",
        "service-1-website": "https://lighthouse.example",
        "service-1-hours": "Any time",
    }
    page = await admin.submit("/officer/admin/force", values)
    assert "Force settings saved" in text_of(page.select_one(".notification"))
    assert page.select_one("#field-service-2-name"), "room for one more service"
    async with db.session() as session:
        force = await session.get(Force, world.force.id)
    assert (force.name, force.retention_days, force.crime_ref_pattern) == (
        "Avon & Somerset Constabulary",
        365,
        r"AS-\d{4}-\d{6}",
    )
    assert json.loads(force.support_services_json)[0]["name"] == "Lighthouse Victim Care"
    async with db.session() as session:
        actions = (await session.exec(select(AuditEvent.action))).all()
    assert "force.settings" in actions


async def test_bad_force_settings_get_errors_and_change_nothing(admin, db, world):
    await admin.page("/officer/admin/force")
    page = await admin.submit(
        "/officer/admin/force",
        {
            "name": "",
            "non_emergency_phone": "101",
            "contact_email": "not an email",
            "website": "www.as.example",
            "crime_ref_pattern": "AS-(\\d{4}",
            "retention_days": "7",
            "unread_reminder_days": "x",
            "service-1-offers": "No name given",
            "service-1-website": "ftp://x",
        },
    )
    assert errors_of(page) == [
        "Enter the force name",
        "The retention period must be a whole number from 30 to 3650",
        "The reminder period must be a whole number from 1 to 60",
        "Enter an email address in the correct format, like contact@police.example",
        "Enter a website address that starts with https://",
        "The crime reference format is not a regular expression we can use: missing ): AS-(\\d{4}",
        "Enter the name of support service 1",
        "Enter a website address that starts with https://",
    ]
    assert page.select_one("#field-crime_ref_pattern")["value"] == "AS-(\\d{4}"
    assert page.select_one("#field-service-1-offers").get_text() == "No name given"
    async with db.session() as session:
        assert (await session.get(Force, world.force.id)).name == "Avon and Somerset Police"


async def test_an_admin_of_another_force_sees_only_their_own(client, db, world):
    await sign_in_as(client, db, world.other_admin)
    page = await client.page("/officer/admin/officers")
    assert "Max Admin" in text_of(page.select_one("table")) and "Sam Jones" not in text_of(
        page.select_one("table")
    )
    page = await client.page("/officer/admin/force")
    assert page.select_one("#field-name")["value"] == "Nottinghamshire Police"


async def test_a_crime_reference_format_needing_backtracking_is_refused_on_save(admin, db, world):
    page = await admin.page("/officer/admin/force")
    values = {
        field["name"]: field.get("value", "")
        for field in page.select("main form input[name]")
        if field["name"] != "csrf_token"
    }
    page = await admin.submit("/officer/admin/force", {**values, "crime_ref_pattern": r"(AS)-\d+-\1"})
    assert errors_of(page) == [
        r"The crime reference format is not a regular expression we can use: invalid escape sequence: \1"
    ]
    async with db.session() as session:
        assert (await session.get(Force, world.force.id)).crime_ref_pattern != r"(AS)-\d+-\1"


async def test_zero_width_and_direction_characters_are_removed_from_an_officer_name(admin, db, world):
    await admin.page("/officer/admin/officers/new")
    page = await admin.submit(
        "/officer/admin/officers", {**NEW_OFFICER, "name": "PC\u200b Dana\u202e Fox\u200f"}
    )
    assert text_of(page.h1) == "PC Dana Fox"
    async with db.session() as session:
        names = (await session.exec(select(Officer.name))).all()
    assert "PC Dana Fox" in names


async def test_the_alert_window_and_links_in_texts_are_force_settings(admin, db, world):
    page = await admin.page("/officer/admin/force")
    assert page.select_one("#field-alert_window_minutes")["value"] == "60"
    assert page.select_one("#field-links_in_texts-fieldset input[checked]")["value"] == "no"
    values = {
        name: page.select_one(f"#field-{name}")["value"]
        for name in (
            "name",
            "non_emergency_phone",
            "crime_ref_pattern",
            "retention_days",
            "unread_reminder_days",
        )
    }
    page = await admin.submit(
        "/officer/admin/force", {**values, "alert_window_minutes": "-1", "links_in_texts": "maybe"}
    )
    assert errors_of(page) == [
        "The time between alerts must be a whole number from 0 to 1440",
        "Select whether invitations by text may carry a link",
    ]
    await admin.submit(
        "/officer/admin/force", {**values, "alert_window_minutes": "15", "links_in_texts": "yes"}
    )
    async with db.session() as session:
        force = await session.get(Force, world.force.id)
    assert (force.alert_window_minutes, force.links_in_texts) == (15, True)


async def test_an_error_shows_beside_the_form_it_belongs_to_and_no_other(admin, world):
    officer_page = f"/officer/admin/officers/{world.oic.id}"
    await admin.page(officer_page)
    page = await admin.submit(f"{officer_page}/password", {"password": "short", "password_confirm": "short"})
    password_error = page.select_one("#field-password-error")
    assert password_error is not None and "10 characters" in text_of(password_error)
    assert page.select_one("#field-team-error") is None and page.select_one("#field-role-error") is None
    assert page.select_one("input[name=team]")["value"] == (world.oic.team or "")

    page = await admin.submit(f"{officer_page}/details", {"role": "emperor", "team": "West CID"})
    assert page.select_one("#field-role-error") is not None
    assert page.select_one("#field-password-error") is None
    assert page.select_one("input[name=team]")["value"] == "West CID"
