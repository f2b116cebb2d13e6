"""Issue 12's officer pages in Chromium: an update request in the inbox, a party kept off the portal,
the compliance download form; axe-clean at 320 and 1280 px, with JavaScript on and off."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.axe import assert_accessible
from tests.browser import officer_browsers
from trackmycrime.models import Party

from .victim_pages import in_live_database, new_victim, sign_in

officer_cookies = officer_browsers.officer_cookies
officer_page = officer_browsers.officer_page


def both_widths(page: Any, state: str) -> None:
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page, f"{state} at {width}px")
        if width == 320:
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, state


def test_an_update_request_heads_the_officers_inbox(page, live_server, officer_page):
    case = new_victim(live_server)
    sign_in(page, live_server, case)
    panel = page.locator("#ask-for-update")
    panel.get_by_label("Anything you would like to know (optional)").fill("Has the CCTV been checked?")
    panel.get_by_role("button", name="Ask for an update").click()
    expect(panel.locator(".notification")).to_contain_text("Your request was received")
    officer = officer_page("officer")
    officer.goto(live_server.url + "/officer")
    first = officer.locator("main table tbody tr").first
    expect(first).to_contain_text(case.crime.reference)
    expect(first).to_contain_text("Asked for an update")
    expect(first).to_contain_text("Has the CCTV been checked?")
    both_widths(officer, "inbox with an update request")


def test_a_party_kept_off_the_portal_and_the_override_form(live_server, officer_page):
    case = new_victim(live_server, registered=False)

    async def flag(session: Any) -> None:
        party = await session.get(Party, case.party.id)
        party.shares_address_with_suspect = True

    in_live_database(live_server, flag)
    for js in (True, False):
        officer = officer_page("supervisor", js=js)
        officer.goto(f"{live_server.url}/officer/crimes/{case.crime.id}")
        section = officer.locator(f"section:has(#party-{case.party.id}-heading)")
        expect(section).to_contain_text("Not offered the portal.")
        expect(section.get_by_role("button", name="Send an invitation")).to_have_count(0)
        section.get_by_role("button", name="Offer the portal").click()
        expect(officer.locator(".error-summary")).to_contain_text("Enter the reason to offer them the portal")
        both_widths(officer, f"portal override refused (JavaScript {'on' if js else 'off'})")


def test_the_compliance_download_form(live_server, officer_page):
    for js in (True, False):
        admin = officer_page("admin", js=js)
        admin.goto(live_server.url + "/officer/compliance")
        form = admin.locator('form[action="/officer/compliance/export"]')
        expect(form.get_by_label("Include names")).to_be_visible()
        form.get_by_label("JSON (for other systems)").check()
        with admin.expect_download() as download:
            form.get_by_role("button", name="Download").click()
        assert download.value.suggested_filename.endswith(".json")
        both_widths(admin, f"compliance with the download form (JavaScript {'on' if js else 'off'})")
