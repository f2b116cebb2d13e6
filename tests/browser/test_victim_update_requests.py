"""'Ask for an update' and 'Your rights' in Chromium (issue 12), with JavaScript on and off."""

import re

from playwright.sync_api import expect

from .victim_pages import check_page, new_victim, sign_in


def test_asking_for_an_update_with_javascript_swaps_just_the_panel(page, live_server):
    case = new_victim(live_server)
    sign_in(page, live_server, case)
    panel = page.locator("#ask-for-update")
    panel.get_by_label("Anything you would like to know (optional)").fill("x" * 501)
    panel.get_by_role("button", name="Ask for an update").click()
    expect(panel.locator(".error-summary")).to_contain_text("Your note must be 500 characters or fewer")
    check_page(page, "over-long note refused (htmx)")
    url_before = page.url
    panel.get_by_label("Anything you would like to know (optional)").fill("Has anyone been arrested?")
    panel.get_by_role("button", name="Ask for an update").click()
    expect(panel.locator(".notification")).to_contain_text("Your request was received")
    expect(panel).to_contain_text("You can ask for an update again from")
    assert page.url == url_before, "htmx swapped the panel, no page load"
    check_page(page, "update requested (htmx)")


def test_asking_for_an_update_without_javascript(js_off_page, live_server):
    page = js_off_page
    case = new_victim(live_server)
    sign_in(page, live_server, case)
    page.get_by_role("button", name="Ask for an update").click()
    page.wait_for_url("**/case?asked=1#ask-for-update")
    expect(page.locator("#ask-for-update .notification")).to_contain_text("Your request was received")
    expect(page.locator("#case-summary")).to_contain_text("Due by")
    check_page(page, "update requested, without JavaScript")


def test_the_rights_page_from_the_case_page(page, live_server):
    case = new_victim(live_server)
    sign_in(page, live_server, case)
    page.locator("#ask-for-update").get_by_role("button", name="Ask for an update").click()
    expect(page.locator("#ask-for-update .notification")).to_be_visible()
    page.get_by_role("link", name="Your rights").click()
    expect(page).to_have_title(re.compile(r"^Your rights – TrackMyCrime"))
    expect(page.locator("#tracked ~ .table-wrapper tbody")).to_contain_text("Update requested")
    check_page(page, "rights page with things owed")


def test_the_rights_page_without_javascript(js_off_page, live_server):
    page = js_off_page
    case = new_victim(live_server)
    sign_in(page, live_server, case)
    page.goto(live_server.url + "/rights")
    expect(page.locator("main")).to_contain_text("No news is due to you right now")
    check_page(page, "rights page with nothing owed, without JavaScript")
