"""Agreed contact on the Alerts and account page, with JavaScript on and off, in Chromium."""

from playwright.sync_api import expect

from .victim_pages import check_page, new_victim, sign_in


def choose_every_eight_weeks(page, live_server) -> None:
    case = new_victim(live_server)
    sign_in(page, live_server, case)
    page.get_by_role("link", name="Alerts and account").click()
    expect(page.get_by_label("Every 4 weeks")).to_be_checked()
    page.get_by_label("Every 8 weeks").check()
    page.get_by_role("button", name="Save alert choices").click()
    expect(page.locator(".notification--success")).to_contain_text("Your alert choices have been saved")
    expect(page.get_by_label("Every 8 weeks")).to_be_checked()
    expect(page.locator("#agreed-contact")).to_contain_text("You last changed these choices on")


def test_agreeing_how_often_with_javascript(page, live_server):
    choose_every_eight_weeks(page, live_server)
    check_page(page, "contact agreed")


def test_agreeing_how_often_without_javascript(js_off_page, live_server):
    choose_every_eight_weeks(js_off_page, live_server)
    check_page(js_off_page, "contact agreed")
