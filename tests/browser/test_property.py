"""Missing or damaged property in Chromium, with JavaScript on (htmx swaps) and off (full pages):
the victim tells the officer more about an item; the officer changes an item's state and the
victim reads the news. axe-core checks each state along the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.axe import assert_accessible
from tests.browser import officer_browsers

from .victim_pages import add_property, check_page, new_victim, sign_in

officer_page = officer_browsers.officer_page
officer_cookies = officer_browsers.officer_cookies


def laptop_section(page):
    return page.locator("section.property-item").filter(has=page.get_by_role("heading", name="Silver laptop"))


def tell_the_officer_about_the_laptop(page, live_server, *, js: bool) -> None:
    case = new_victim(live_server)
    add_property(live_server, case)
    sign_in(page, live_server, case)
    page.get_by_role("link", name="Missing or damaged property").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Missing or damaged property")
    expect(laptop_section(page)).to_contain_text("£899")
    check_page(page, "property")

    laptop_section(page).get_by_role("button", name="Send to the officer about “Silver laptop”").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Enter your message")
    if js:
        expect(summary).to_be_focused()
    check_page(page, "property with an error")

    laptop_section(page).get_by_label("Tell the officer more on “Silver laptop”").fill("Serial C02XK1")
    laptop_section(page).get_by_role("button", name="Send to the officer about “Silver laptop”").click()
    expect(laptop_section(page).locator(".notification")).to_contain_text(
        "Your message about this item has been sent"
    )
    expect(laptop_section(page)).to_contain_text("Serial C02XK1")
    expect(page.locator(".error-summary")).to_have_count(0)
    if js:
        expect(page.locator("#announcer")).to_have_text("Your message about Silver laptop has been sent.")
    else:
        assert "sent=" in page.url
    check_page(page, "property message sent")


def test_telling_the_officer_about_an_item_with_javascript(page, live_server):
    tell_the_officer_about_the_laptop(page, live_server, js=True)


def test_telling_the_officer_about_an_item_without_javascript(js_off_page, live_server):
    tell_the_officer_about_the_laptop(js_off_page, live_server, js=False)


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_the_officer_records_an_item_as_recovered_and_the_victim_reads_it(
    officer_page, page, live_server, js
):
    case = new_victim(live_server)
    add_property(live_server, case)
    officer = officer_page("officer", js=js)
    officer.goto(f"{live_server.url}/officer/crimes/{case.crime.id}")
    section = officer.locator("#property")

    section.get_by_role("button", name="Change state of Silver laptop").click()
    expect(section.locator(".form-group--error")).to_contain_text(
        "Silver laptop is already recorded as missing"
    )
    expect(officer.locator(".error-summary")).to_contain_text("Silver laptop is already recorded as missing")
    assert_accessible(officer, "property state with an error")

    officer.locator("#property").get_by_label("New state of Silver laptop").select_option(label="Recovered")
    officer.locator("#property").get_by_role("button", name="Change state of Silver laptop").click()
    expect(officer.locator("#property .notification")).to_contain_text(
        "Silver laptop is now recorded as recovered"
    )
    assert_accessible(officer, "property state changed")

    sign_in(page, live_server, case)
    expect(page.locator("#case-timeline")).to_contain_text("We have recovered “Silver laptop”")
    page.get_by_role("link", name="Missing or damaged property").click()
    expect(laptop_section(page)).to_contain_text("Recovered by the police")
