"""Support and advice, reached from the navigation, with JavaScript on and off, in Chromium."""

from playwright.sync_api import expect

from .victim_pages import check_page, new_victim, sign_in


def open_support(page, live_server) -> None:
    case = new_victim(live_server)
    sign_in(page, live_server, case)
    page.get_by_role("navigation", name="Your account").get_by_role("link", name="Support and advice").click()
    expect(page.locator("h1")).to_have_text("Support and advice")


def test_support_and_advice_with_javascript(page, live_server):
    open_support(page, live_server)
    expect(page.get_by_role("heading", name="Demoshire Victim Care")).to_be_visible()
    expect(page.get_by_role("link", name="08 08 16 89 111")).to_have_attribute("href", "tel:08081689111")
    expect(page.get_by_role("heading", name="If you do not get your rights")).to_be_visible()
    check_page(page, "support and advice")


def test_support_and_advice_without_javascript(js_off_page, live_server):
    open_support(js_off_page, live_server)
    expect(js_off_page.get_by_role("heading", name="Your rights under the Victims' Code")).to_be_visible()
    check_page(js_off_page, "support and advice")
