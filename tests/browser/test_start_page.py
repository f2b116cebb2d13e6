"""The start page in real Chromium: axe-clean at 320 and 1280 px, with JavaScript on and off."""

import pytest

from tests.axe import assert_accessible


@pytest.mark.parametrize("width", [320, 1280])
def test_start_page_is_accessible_with_javascript(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Follow your crime report online"
    assert_accessible(page, f"at {width}px")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [320, 1280])
def test_start_page_is_accessible_without_javascript(js_off_page, live_server, width):
    js_off_page.set_viewport_size({"width": width, "height": 800})
    js_off_page.goto(live_server.url + "/")
    assert js_off_page.get_by_role("link", name="Sign in").first.is_visible()
    assert_accessible(js_off_page, f"at {width}px without JavaScript")


def test_skip_link_is_the_first_stop_for_a_keyboard_user(page, live_server):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_three_shift_presses_leave_the_site_and_escape_does_not(page, live_server):
    page.route(
        "https://www.bbc.co.uk/**",
        lambda route: route.fulfill(body="<title>Weather</title>weather", content_type="text/html"),
    )
    page.goto(live_server.url + "/")
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert page.url == live_server.url + "/"
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url("https://www.bbc.co.uk/weather")
