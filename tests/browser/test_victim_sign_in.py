"""Victim sign-in in Chromium: by keyboard alone, with JavaScript on and off, axe-clean in every state."""

import datetime as dt
import re

from playwright.sync_api import expect

from .victim_pages import check_page, fill_date, focused, sign_in, tab_to


def test_sign_in_page_empty_and_with_errors_is_accessible(page, live_server):
    page.goto(live_server.url + "/sign-in")
    check_page(page, "empty sign-in form")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    assert page.evaluate("document.activeElement.classList.contains('error-summary')"), (
        "the summary takes focus"
    )
    check_page(page, "sign-in with every field missing")
    page.get_by_role("link", name="Enter your date of birth").click()
    assert focused(page) == "field-date_of_birth-day"


def test_sign_in_page_without_javascript_is_accessible_in_each_state(js_off_page, live_server):
    page = js_off_page
    page.goto(live_server.url + "/sign-in")
    check_page(page, "empty, without JavaScript")
    page.get_by_label("Surname").fill("Nobody")
    page.get_by_label("Crime reference number").fill("DP-2026-999999")
    fill_date(page, "date_of_birth", dt.date(1990, 1, 1))
    page.get_by_label("Password", exact=True).fill("not a real password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".error-summary")).to_contain_text("do not match what we have")
    expect(page.get_by_label("Surname")).to_have_value("Nobody")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    check_page(page, "details that match no one, without JavaScript")


def test_keyboard_only_sign_in_with_javascript(page, live_server):
    logins = live_server.logins
    page.goto(live_server.url + "/sign-in")
    tab_to(page, "field-surname")
    page.keyboard.type(logins.victim_surname)
    page.keyboard.press("Tab")
    assert focused(page) == "field-reference"
    page.keyboard.type(logins.victim_reference)
    for part, value in (("day", 29), ("month", 2), ("year", 1980)):
        page.keyboard.press("Tab")
        assert focused(page) == f"field-date_of_birth-{part}"
        page.keyboard.type(str(value))
    page.keyboard.press("Tab")
    assert focused(page) == "field-password"
    page.keyboard.type(logins.victim_password)
    page.keyboard.press("Tab")
    assert focused(page).startswith("Show")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("type", "text")
    expect(page.locator("[data-password-status]")).to_have_text("Your password is visible")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/case")
    expect(page.locator("h1")).to_have_text("Your case")


def test_keyboard_only_sign_in_without_javascript(js_off_page, live_server):
    page = js_off_page
    logins = live_server.logins
    page.goto(live_server.url + "/sign-in")
    tab_to(page, "field-surname")
    page.keyboard.type(logins.victim_surname)
    page.keyboard.press("Tab")
    page.keyboard.type(logins.victim_reference)
    for value in (29, 2, 1980):
        page.keyboard.press("Tab")
        page.keyboard.type(str(value))
    page.keyboard.press("Tab")
    page.keyboard.type(logins.victim_password)
    page.keyboard.press("Enter")  # the form's default button is "Sign in", not "Show password"
    page.wait_for_url("**/case")
    expect(page.locator("h1")).to_have_text("Your case")
    check_page(page, "case page, without JavaScript")


def test_show_password_works_without_javascript(js_off_page, live_server):
    page = js_off_page
    page.goto(live_server.url + "/sign-in")
    page.get_by_label("Surname").fill("O'Brien")
    page.get_by_label("Password", exact=True).fill("my secret words")
    page.get_by_role("button", name="Show password").click()
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("type", "text")
    expect(page.get_by_label("Password", exact=True)).to_have_value("my secret words")
    expect(page.get_by_label("Surname")).to_have_value("O'Brien")
    expect(page.locator(".error-summary")).to_have_count(0)
    page.get_by_role("button", name="Hide password").click()
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("type", "password")


def test_case_page_is_accessible_after_signing_in(page, live_server):
    sign_in(page, live_server)
    expect(page.locator("#case-timeline .timeline__item").first).to_be_visible()
    check_page(page, "demo victim's case page")
    page.get_by_role("link", name="Missing or damaged property").click()
    expect(page.locator("section.property-item")).to_have_count(3)
    check_page(page, "the demo victim's property")
    page.get_by_role("link", name="Alerts and account").click()
    check_page(page, "alerts and account")


def test_signed_in_pages_offer_a_quick_exit_without_javascript(js_off_page, live_server):
    page = js_off_page
    sign_in(page, live_server)
    exit_link = page.get_by_role("link", name=re.compile("^Leave this site"))
    # Without JavaScript the link signs out on the server first, then sends the browser on.
    expect(exit_link).to_have_attribute("href", "/leave")
    expect(exit_link).to_have_attribute("data-exit-url", "https://www.bbc.co.uk/weather")
    response = page.request.get(live_server.url + "/case")
    assert response.headers["cache-control"] == "no-store"
