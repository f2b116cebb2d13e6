"""Quick exit as GOV.UK's "Exit this page" does it (issue 16), and controls that look like buttons
answering the keys buttons answer, in Chromium with JavaScript on and off."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser import officer_browsers

from .victim_pages import new_victim, sign_in

officer_cookies = officer_browsers.officer_cookies
officer_page = officer_browsers.officer_page

WEATHER = "https://www.bbc.co.uk/weather"


def somewhere_harmless(context: Any) -> None:
    """The exit page, served here (the test machine has no internet)."""
    context.route(
        "https://www.bbc.co.uk/**",
        lambda route: route.fulfill(body="<title>Weather</title><h1>Weather</h1>", content_type="text/html"),
    )


def assert_signed_out_after_back(page: Any, live_server: Any) -> None:
    page.go_back()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Your case")
    page.goto(live_server.url + "/case")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_three_shift_presses_sign_out_and_leave_in_the_same_tab(page, live_server):
    somewhere_harmless(page.context)
    case = new_victim(live_server)
    sign_in(page, live_server, case)
    page.goto(live_server.url + "/support")
    expect(page.locator("aside[aria-label='Quick exit'] [data-quick-exit-hint]")).to_have_text(
        "(or press Shift 3 times)"
    )

    page.goto(live_server.url + "/case")
    box = page.get_by_label("Your message")
    box.fill("")
    box.press_sequentially("Hi There, I Am OK")
    box.press("Escape")
    box.press("Shift")
    box.press("Shift")
    expect(box).to_have_value("Hi There, I Am OK")
    assert page.url.endswith("/case"), "typing capitals, Escape or two Shifts does not leave"

    page.wait_for_timeout(5100)  # the count starts again after 5 seconds
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(WEATHER)
    assert len(page.context.pages) == 1, "no new tab"
    page.wait_for_timeout(300)
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert "/case" not in page.url, "the case page was replaced in the history"


def test_the_link_signs_out_with_javascript_on(page, live_server):
    somewhere_harmless(page.context)
    sign_in(page, live_server, new_victim(live_server))
    page.get_by_role("link", name="Leave this site").click()
    page.wait_for_url(WEATHER)
    page.wait_for_timeout(300)
    assert_signed_out_after_back(page, live_server)


def test_the_link_signs_out_without_javascript(js_off_page, live_server):
    page = js_off_page
    somewhere_harmless(page.context)
    sign_in(page, live_server, new_victim(live_server))
    expect(page.locator("[data-quick-exit-hint]")).to_have_count(0)  # no shortcut, so not promised
    page.get_by_role("link", name="Leave this site").click()
    page.wait_for_url(WEATHER)
    assert_signed_out_after_back(page, live_server)


LISTEN = """() => {
  window.answered = false;
  const answer = (event) => { event.preventDefault(); window.answered = true; };
  document.activeElement.addEventListener('click', answer, { once: true });
}"""


def controls_that_ignore_enter_or_space(page: Any) -> list[str]:
    """Each control with role=button on the page that does not answer Enter and Space as a button does."""
    deaf = []
    for control in page.locator("[role=button]").all():
        for key in ("Enter", "Space"):
            control.focus()
            page.evaluate(LISTEN)
            page.keyboard.press(key)
            page.wait_for_timeout(50)
            if not page.evaluate("() => window.answered"):
                deaf.append(f"{page.url}: {control.inner_text()!r} ignores {key}")
    return deaf


def test_every_control_with_role_button_answers_enter_and_space(page, officer_page, live_server):
    page.goto(live_server.url + "/")
    problems = controls_that_ignore_enter_or_space(page)
    sign_in(page, live_server, new_victim(live_server))
    for path in ("/case", "/support", "/preferences"):
        page.goto(live_server.url + path)
        problems += controls_that_ignore_enter_or_space(page)
    admin = officer_page("admin")
    for path in ("/officer", "/officer/admin/officers", "/officer/admin"):
        admin.goto(live_server.url + path)
        problems += controls_that_ignore_enter_or_space(admin)
    assert not problems
