"""The main journeys by keyboard alone, with JavaScript on and off: at every stop the focus indicator
shows and is never hidden behind anything, such as the sticky "Leave this site" bar (WCAG 2.4.7, 2.4.11).

Victim: sign in, read an update, send a message, change alert choices. Officer: reply to a victim."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import officer_browsers
from tests.browser.victim_pages import new_victim

officer_cookies = officer_browsers.officer_cookies
officer_page = officer_browsers.officer_page

JS = pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])

# What is wrong with the focus, or "": an indicator (a solid outline at least 2 px wide, or the
# yellow highlight) on an element at least partly on screen and not wholly covered by anything.
FOCUS_PROBLEM = """() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) { return "nothing has focus"; }
  const name = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + " (" + (e.textContent || e.name || "").trim().slice(0, 40) + ")";
  const style = getComputedStyle(e);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2
    && !/transparent|rgba\\(.*, 0\\)$/.test(style.outlineColor);
  const highlighted = style.backgroundColor === "rgb(255, 221, 0)";
  if (!outlined && !highlighted) { return name + " shows no focus indicator"; }
  const box = e.getBoundingClientRect();
  const left = Math.max(box.left, 0), right = Math.min(box.right, innerWidth);
  const top = Math.max(box.top, 0), bottom = Math.min(box.bottom, innerHeight);
  if (right <= left || bottom <= top) { return name + " is off screen"; }
  let cover = null;
  for (const i of [1, 2, 3]) {
    for (const j of [1, 2, 3]) {
      const hit = document.elementFromPoint(left + (right - left) * i / 4, top + (bottom - top) * j / 4);
      if (hit && (hit === e || e.contains(hit))) { return ""; }
      cover = cover || hit;
    }
  }
  const what = cover ? cover.tagName.toLowerCase() + "." + cover.className : "nothing";
  return name + " is hidden behind " + what;
}"""


def press(page: Any, key: str) -> None:
    """Press a key that moves focus, and check where the focus went."""
    assert press_and_check(page, key) is not None, f"{page.url}: {key} took the focus off the page"


def focus_on(page: Any, selector: str, key: str = "Tab", limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until the element matching `selector` has focus, checking every stop."""
    for _ in range(limit):
        press(page, key)
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"{key} never reached {selector} on {page.url}")


def every_stop_forwards_and_back(page: Any) -> int:
    """Tab from the top to the last stop, then Shift+Tab back to the first, checking every stop."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("window.scrollTo(0, 0)")
    stops: list[str] = []
    for _ in range(150):
        here = press_and_check(page, "Tab")
        if here is None or (stops and here == stops[0]):
            break
        stops.append(here)
    for _ in range(len(stops) + 2):
        if press_and_check(page, "Shift+Tab") == stops[0]:
            return len(stops)
    raise AssertionError(f"Shift+Tab never came back to the first stop on {page.url}")


def press_and_check(page: Any, key: str) -> str | None:
    """Press a key, check the focus if it is on the page; what has it (None: focus has left the page)."""
    page.keyboard.press(key)
    here = page.evaluate("document.activeElement === document.body ? null : document.activeElement.outerHTML")
    if here is not None:
        problem = page.evaluate(FOCUS_PROBLEM)
        assert not problem, f"{page.url}: after {key}: {problem}"
    return here


def type_into(page: Any, selector: str, text: str) -> None:
    focus_on(page, selector)
    page.keyboard.type(text)


@pytest.fixture
def open_page(request: pytest.FixtureRequest) -> Any:
    """open_page(js) -> a fresh page, with JavaScript on or off."""
    return lambda js: request.getfixturevalue("page" if js else "js_off_page")


@JS
def test_victim_signs_in_reads_an_update_sends_a_message_and_changes_alerts_by_keyboard(
    open_page, live_server, js
):
    page = open_page(js)
    case = new_victim(live_server)
    born = case.party.date_of_birth
    assert born is not None
    page.goto(live_server.url + "/sign-in")
    type_into(page, "#field-surname", case.party.surname)
    type_into(page, "#field-reference", case.crime.reference)
    for part, value in (("day", born.day), ("month", born.month), ("year", born.year)):
        type_into(page, f"#field-date_of_birth-{part}", str(value))
    type_into(page, "#field-password", case.password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/case")

    # Reading an update: every stop of the case page, on a phone, where the quick exit bar stays on top.
    page.set_viewport_size({"width": 320, "height": 640})
    expect(page.locator("#case-timeline .timeline__item").first).to_contain_text(
        "Your crime has been recorded."
    )
    assert every_stop_forwards_and_back(page) > 5

    type_into(page, "#field-message", "Sent by keyboard.")
    press(page, "Tab")
    assert page.evaluate("document.activeElement.id") == "send-message-button"
    page.keyboard.press("Enter")
    expect(page.locator("#case-timeline .thread__body")).to_have_text(["Sent by keyboard."])
    if js:
        expect(page.locator("#announcer")).to_have_text("Your message has been sent.")
    else:
        expect(page.locator("#send-message .notification")).to_contain_text("Your message has been sent")

    focus_on(page, "a[href='/preferences']", key="Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/preferences")
    changed = [change_choice(page, "alert_channel"), change_choice(page, "update_interval")]
    focus_on(page, "form[action='/preferences'] button")
    page.keyboard.press("Enter")
    expect(page.locator(".notification--success")).to_contain_text("Your alert choices have been saved")
    for choice in changed:
        expect(page.locator(f"#{choice}")).to_be_checked()


def change_choice(page: Any, name: str) -> str:
    """Tab into a group of radios and choose the next one with an arrow key; the id of the new choice."""
    focus_on(page, f"input[name={name}]")
    before = page.evaluate("document.activeElement.id")
    press(page, "ArrowDown")
    after = page.evaluate("document.activeElement.id")
    assert after != before and page.locator(f"#{after}").is_checked()
    return after


@JS
def test_officer_replies_to_a_victim_by_keyboard(officer_page, live_server, js):
    case = new_victim(live_server)
    page = officer_page("officer", js=js)
    page.goto(f"{live_server.url}/officer/crimes/{case.crime.id}")
    assert every_stop_forwards_and_back(page) > 5
    party = case.party.id
    type_into(page, f"#field-reply-{party}", "Replied by keyboard.")
    press(page, "Tab")
    assert page.evaluate("document.activeElement.id") == f"send-reply-{party}"
    page.keyboard.press("Enter")
    conversation = page.locator(f"#conversation-{party}")
    expect(conversation.locator(".thread")).to_contain_text("Replied by keyboard.")
    expect(conversation.locator(".notification")).to_contain_text("Your reply has been sent")


def test_focus_shows_in_forced_colours_too(page, live_server):
    """Windows contrast themes replace every colour, so a focus shown only by a yellow background vanishes."""
    page.emulate_media(forced_colors="active")
    page.goto(live_server.url + "/sign-in")
    assert every_stop_forwards_and_back(page) > 5
