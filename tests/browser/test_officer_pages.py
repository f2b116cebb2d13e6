"""Every officer page, in each of its states, is axe-clean in Chromium and reflows at 320 px."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect

from tests.axe import assert_accessible
from tests.browser import officer_browsers

Visit = Callable[[Any, str], None]

# The signed-in officer browsers these tests use (fixtures).
officer_cookies = officer_browsers.officer_cookies
officer_page = officer_browsers.officer_page


def goto(path: str) -> Visit:
    return lambda page, url: page.goto(url + path)


def submit_form(path: str, fields: dict[str, str], button: str) -> Visit:
    def visit(page: Any, url: str) -> None:
        page.goto(url + path)
        for label, value in fields.items():
            page.get_by_label(label, exact=True).fill(value)
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.locator(".error-summary")).to_be_visible()

    return visit


def open_crime(reference: str, then: Callable[[Any], None] | None = None) -> Visit:
    def visit(page: Any, url: str) -> None:
        page.goto(url + "/officer/crimes")
        page.get_by_role("link", name=reference).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Crime {reference}")
        if then:
            then(page)

    return visit


def click(name: str, then_shows: str) -> Callable[[Any], None]:
    """Press a button, then wait for what it brings up, so axe never runs on a page mid-navigation."""

    def press(page: Any) -> None:
        page.get_by_role("button", name=name).first.click()
        expect(page.get_by_text(then_shows).first).to_be_visible()

    return press


def period_error(path: str) -> Visit:
    return goto(
        path + "?period=custom&from-day=31&from-month=2&from-year=2026&to-day=1&to-month=13&to-year=2026"
    )


PAGES: list[tuple[str, str, Visit]] = [
    ("officer", "inbox", goto("/officer")),
    ("officer", "inbox, my team", goto("/officer?show=team")),
    ("officer", "inbox, search results", goto("/officer?q=o%27brien")),
    ("officer", "inbox, no search results", goto("/officer?q=nobody-at-all")),
    ("officer", "two-step set-up", goto("/officer/two-factor")),
    (
        "officer",
        "two-step set-up with an error",
        submit_form(
            "/officer/two-factor",
            {"Enter the 6-digit code the app shows": "12"},
            "Turn on two-step verification",
        ),
    ),
    ("officer", "your account", goto("/officer/account")),
    (
        "officer",
        "change password with errors",
        submit_form("/officer/password", {"Current password": "wrong"}, "Change password"),
    ),
    ("admin", "inbox with nothing to do", goto("/officer")),
    ("supervisor", "all crimes", goto("/officer/crimes")),
    ("supervisor", "all crimes, filtered to none", goto("/officer/crimes?status=court_date_set")),
    ("supervisor", "crime page with unregistered people", open_crime("DP-2026-001012")),
    (
        "supervisor",
        "invitation sent",
        open_crime("DP-2026-001012", click("Send the invitation again", "Invitation sent to")),
    ),
    (
        "supervisor",
        "registration code shown once",
        open_crime("DP-2026-001012", click("Give a registration code", "Their registration code is")),
    ),
    ("supervisor", "closed crime", open_crime("DP-2026-000789")),
    ("supervisor", "Victims' Code compliance", goto("/officer/compliance")),
    ("supervisor", "compliance with date errors", period_error("/officer/compliance")),
    ("supervisor", "statistics", goto("/officer/statistics")),
    ("supervisor", "statistics for 12 months", goto("/officer/statistics?period=last-12-months")),
    ("supervisor", "statistics with date errors", period_error("/officer/statistics")),
    ("admin", "admin", goto("/officer/admin")),
    ("admin", "officers", goto("/officer/admin/officers")),
    ("admin", "add an officer", goto("/officer/admin/officers/new")),
    ("admin", "add an officer with errors", submit_form("/officer/admin/officers/new", {}, "Add officer")),
    (
        "admin",
        "an officer",
        lambda page, url: (
            page.goto(url + "/officer/admin/officers"),
            page.get_by_role("link", name="DC Lee Evans").click(),
            expect(page.get_by_role("heading", level=1)).to_have_text("DC Lee Evans"),
        ),
    ),
    (
        "admin",
        "own account with an error",
        lambda page, url: (
            page.goto(url + "/officer/admin/officers"),
            page.get_by_role("link", name="Jo Admin").click(),
            page.get_by_role("radio", name="Officer", exact=True).check(),
            page.get_by_role("button", name="Save role and team").click(),
            expect(page.locator(".error-summary")).to_be_visible(),
        ),
    ),
    ("admin", "API keys", goto("/officer/admin/api-keys")),
    ("admin", "API keys with an error", submit_form("/officer/admin/api-keys", {}, "Create key")),
    (
        "admin",
        "API key created",
        lambda page, url: (
            page.goto(url + "/officer/admin/api-keys"),
            page.get_by_label("Name for the key").fill(f"Test key {uuid.uuid4().hex[:6]}"),
            page.get_by_role("button", name="Create key").click(),
            expect(page.get_by_role("heading", level=1)).to_have_text("API key created"),
        ),
    ),
    ("admin", "force settings", goto("/officer/admin/force")),
    (
        "admin",
        "force settings with errors",
        submit_form(
            "/officer/admin/force", {"Force name": "", "Crime reference format": "(unclosed"}, "Save settings"
        ),
    ),
]


@pytest.mark.parametrize(("role", "state", "visit"), PAGES, ids=[f"{r}: {s}" for r, s, _v in PAGES])
def test_officer_page_is_accessible(officer_page, live_server, role, state, visit):
    page = officer_page(role)
    visit(page, live_server.url)
    assert_accessible(page, state)


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("officer", "/officer"),
        ("supervisor", "/officer/crimes/1"),
        ("supervisor", "/officer/statistics"),
        ("admin", "/officer/admin/force"),
        ("supervisor", "/officer/compliance"),
        ("supervisor", "/officer/crimes"),
        ("admin", "/officer/admin/officers"),
        ("admin", "/officer/admin/api-keys"),
    ],
)
def test_officer_pages_reflow_at_320_pixels(officer_page, live_server, role, path):
    page = officer_page(role, width=320)
    page.goto(live_server.url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page, "at 320px")


def test_two_step_verification_from_set_up_to_signing_in_with_a_code(officer_page, browser, live_server):
    """An admin adds an officer; they replace the password the admin chose, set up two-step
    verification, then sign in with a code."""
    admin = officer_page("admin")
    email = f"new.{uuid.uuid4().hex[:8]}@demoshire-police.example"
    password = "a long password for the new officer"
    admin.goto(live_server.url + "/officer/admin/officers/new")
    admin.get_by_label("Full name").fill("PC Robin Page")
    admin.get_by_label("Force email address").fill(email)
    admin.get_by_role("radio", name="Officer", exact=True).check()
    admin.get_by_label("Password", exact=True).fill(password)
    admin.get_by_label("Enter the password again").fill(password)
    admin.get_by_role("button", name="Add officer").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("PC Robin Page")

    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(live_server.url + "/officer/sign-in")
        page.get_by_label("Email address or shoulder number").fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
        assert_accessible(page, "password set by an admin must be changed")
        page.get_by_label("Current password").fill(password)
        password = "the new officer's own password"
        page.get_by_label("New password", exact=True).fill(password)
        page.get_by_label("Enter the new password again").fill(password)
        page.get_by_role("button", name="Change password").last.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
        page.goto(live_server.url + "/officer/two-factor")
        secret = page.locator(".secret-key code").inner_text().replace(" ", "")
        page.get_by_label("Enter the 6-digit code the app shows").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Turn on two-step verification").click()
        expect(page.locator(".notification")).to_contain_text("Two-step verification is on")
        assert_accessible(page, "two-step verification on")
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/officer/sign-in?signed_out=1")

        page.goto(live_server.url + "/officer/sign-in")
        page.get_by_label("Email address or shoulder number").fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Enter the code from your authenticator app"
        )
        assert_accessible(page, "code page")
        page.get_by_label("Enter the code from your authenticator app").fill("12345")
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".error-summary")).to_contain_text("The code must be 6 digits")
        assert_accessible(page, "code page with an error")
        page.get_by_label("Enter the code from your authenticator app").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Inbox")
    finally:
        context.close()
