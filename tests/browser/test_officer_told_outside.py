"""Recording how a person was told outside the portal, in Chromium with JavaScript on and off, by axe."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.axe import assert_accessible
from tests.browser import officer_browsers

officer_cookies = officer_browsers.officer_cookies
officer_page = officer_browsers.officer_page

REFERENCE = "DP-2026-001012"
WITNESS = "Sam Taylor"


@pytest.mark.parametrize("js", [True, False], ids=["javascript on", "javascript off"])
def test_an_officer_records_a_phone_call_by_keyboard_and_the_page_stays_accessible(
    officer_page, live_server, js
):
    page = officer_page("supervisor", js=js)
    page.goto(live_server.url + "/officer/crimes")
    page.get_by_role("link", name=REFERENCE).click()
    record = page.get_by_role("button", name=f"Record it for {WITNESS}")
    record.click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Select how you told them")
    expect(summary).to_contain_text("Enter what you told them")
    assert_accessible(page, f"told outside the portal, with errors (js {'on' if js else 'off'})")

    note = f"Rang to say we are looking at the bank records {uuid.uuid4().hex[:6]}."
    form = page.locator("form").filter(has=page.get_by_role("button", name=f"Record it for {WITNESS}"))
    form.get_by_role("radio", name="By phone").check()
    form.get_by_role("textbox", name="What you told them").fill(note)
    form.get_by_role("button", name=f"Record it for {WITNESS}").press("Enter")
    expect(page.get_by_text(note)).to_be_visible()
    expect(page.locator(".error-summary")).to_have_count(0)
    if js:
        expect(page.locator("#announcer")).to_have_text(f"Recorded how you told {WITNESS}.")
    assert_accessible(page, f"told outside the portal, recorded (js {'on' if js else 'off'})")
