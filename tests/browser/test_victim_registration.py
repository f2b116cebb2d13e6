"""Registering in Chromium, with a code (no JavaScript) and from an invitation link (JavaScript on)."""

import re

from playwright.sync_api import expect

from trackmycrime.auth.links import invitation_url

from .victim_pages import check_page, fill_date, issue_code, new_victim


def test_registering_with_a_code_without_javascript(js_off_page, live_server):
    page = js_off_page
    case = new_victim(live_server, registered=False, surname="Okafor")
    code = issue_code(live_server, case)
    page.goto(live_server.url + "/register")
    check_page(page, "code form, empty")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page(page, "code form with errors")
    page.get_by_label("Crime reference number").fill(case.crime.reference)
    page.get_by_label("Registration code").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Confirm your details")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".error-summary")).to_contain_text("Enter your surname")
    check_page(page, "confirm details with errors")
    page.get_by_label("Surname").fill("okafor")
    fill_date(page, "date_of_birth", case.party.date_of_birth)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Create a password")
    check_page(page, "create a password, empty")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".error-summary")).to_contain_text("Password must be 10 characters or more")
    check_page(page, "create a password, too short")
    page.get_by_label("Password", exact=True).fill("four words i remember")
    page.get_by_role("button", name="Show password").click()
    expect(page.get_by_label("Password", exact=True)).to_have_value("four words i remember")
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("type", "text")
    page.get_by_label("Password", exact=True).press("Enter")
    page.wait_for_url("**/case?welcome=1")
    expect(page.locator(".notification--success")).to_contain_text("You have registered")
    check_page(page, "first visit after registering, without JavaScript")


def test_registering_from_the_invitation_link_with_javascript(page, live_server):
    case = new_victim(live_server, registered=False, surname="Kowalski")
    link = invitation_url(live_server.settings, case.party)
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Confirm your details")
    check_page(page, "invitation: confirm details")
    page.get_by_label("Surname").fill("Kowalska")
    fill_date(page, "date_of_birth", case.party.date_of_birth)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.get_by_label("Surname")).to_have_value("Kowalska")
    check_page(page, "invitation: details that do not match")
    page.get_by_label("Surname").fill("Kowalski")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Create a password")
    field = page.get_by_label("Password", exact=True)
    field.fill("my own long passphrase")
    page.get_by_role("button", name="Show password").click()
    expect(field).to_have_attribute("type", "text")
    expect(page.get_by_role("button", name="Hide password")).to_be_visible()
    check_page(page, "create a password, shown in place by JavaScript")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/case?welcome=1")
    page.goto(link)
    expect(page.locator("h1")).to_have_text("This link has expired or has already been used")
    check_page(page, "used invitation link")
