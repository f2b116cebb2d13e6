"""The case page in Chromium: sending a message by keyboard, live activity, errors; JS on and off."""

import re

from playwright.sync_api import expect

from .victim_pages import (
    add_history,
    check_page,
    focused,
    new_victim,
    officer_posts_update,
    officer_replies,
    sign_in,
    tab_to,
)


def test_sending_a_message_by_keyboard_with_javascript(page, live_server):
    case = new_victim(live_server)
    sign_in(page, live_server, case)
    check_page(page, "case page with no messages")
    tab_to(page, "field-message")
    page.keyboard.type("Is there any news?")
    page.keyboard.press("Tab")
    assert focused(page) == "send-message-button"
    url_before = page.url
    page.keyboard.press("Enter")
    expect(page.locator("#case-timeline .thread__body")).to_have_text(["Is there any news?"])
    expect(page.locator("#announcer")).to_have_text("Your message has been sent.")
    expect(page.locator("#field-message")).to_have_value("")
    assert page.url == url_before, "no page load: htmx swapped the form"
    expect(page.locator("#send-message .notification--success")).to_be_focused()
    check_page(page, "after sending a message with htmx")


def test_message_errors_with_javascript_focus_the_summary(page, live_server):
    case = new_victim(live_server)
    sign_in(page, live_server, case)
    page.get_by_role("button", name="Send message").click()
    summary = page.locator("#send-message .error-summary")
    expect(summary).to_contain_text("Enter your message")
    expect(summary).to_be_focused()
    check_page(page, "empty message refused (htmx)")
    page.get_by_role("link", name="Enter your message").click()
    expect(page.locator("#field-message")).to_be_focused()
    page.locator("#field-message").fill("x" * 2001)
    expect(page.locator("#field-message-count")).to_have_text("1 character too many")
    page.get_by_role("button", name="Send message").click()
    expect(summary).to_contain_text("Your message is too long: use up to 2,000 characters")
    expect(page.locator("#field-message")).to_have_value("x" * 2001)
    check_page(page, "over-long message refused (htmx)")


def test_a_refused_message_answers_400_and_htmx_swaps_in_the_error_summary(page, live_server):
    case = new_victim(live_server)
    sign_in(page, live_server, case)
    url_before = page.url
    with page.expect_response(lambda response: response.url.endswith("/case/messages")) as answer:
        page.get_by_role("button", name="Send message").click()
    assert answer.value.status == 400
    summary = page.locator("#send-message .error-summary")
    expect(summary).to_contain_text("Enter your message")
    expect(summary).to_be_focused()
    assert page.evaluate("document.activeElement !== document.body"), "focus is never left on <body>"
    assert page.url == url_before, "no page load: htmx swapped the refused form in"
    check_page(page, "empty message refused with 400 (htmx)")


def test_sending_a_message_without_javascript(js_off_page, live_server):
    page = js_off_page
    case = new_victim(live_server)
    sign_in(page, live_server, case)
    page.get_by_role("button", name="Send message").click()
    expect(page).to_have_title(re.compile(r"^Error: Your case"))
    expect(page.locator(".error-summary")).to_contain_text("Enter your message")
    check_page(page, "empty message refused, without JavaScript")
    tab_to(page, "field-message")
    page.keyboard.type("Sent without JavaScript.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/case?sent=1#send-message")
    expect(page.locator("#send-message .notification")).to_contain_text("Your message has been sent")
    expect(page.locator("#case-timeline .thread__body")).to_have_text(["Sent without JavaScript."])
    check_page(page, "message sent, without JavaScript")


def test_new_replies_and_updates_appear_and_are_announced_without_moving_focus(page, live_server):
    case = new_victim(live_server)
    page.clock.install()
    sign_in(page, live_server, case)
    page.locator("#field-message").fill("Half a thought")
    page.locator("#field-message").focus()
    page.clock.run_for(31_000)
    page.wait_for_timeout(300)
    expect(page.locator("#announcer")).to_have_text("")
    officer_replies(live_server, case, "We have arrested someone.")
    officer_posts_update(live_server, case, "A man has been arrested.", status="suspect_arrested")
    page.clock.run_for(31_000)
    expect(page.locator("#case-timeline .thread__body")).to_have_text(["We have arrested someone."])
    expect(page.locator("#announcer")).to_have_text("1 new message from us. 1 new update.")
    expect(page.locator("#case-timeline .timeline__item").first).to_contain_text("A man has been arrested.")
    assert focused(page) == "field-message", "polling never moves focus"
    expect(page.locator("#field-message")).to_have_value("Half a thought")
    check_page(page, "after new activity arrived by polling")


def test_polling_after_show_earlier_keeps_the_earlier_entries_and_offers_the_newest(page, live_server):
    case = new_victim(live_server)
    add_history(live_server, case, count=30)
    page.clock.install()
    sign_in(page, live_server, case)
    entries = page.locator("#timeline-entries > li")
    page.get_by_role("link", name="Show earlier entries").click()
    expect(page.locator("#announcer")).to_contain_text("earlier entries shown")
    shown = entries.count()
    assert shown > 20
    reading = focused(page)
    officer_posts_update(live_server, case, "A man has been arrested.", status="suspect_arrested")
    page.clock.run_for(31_000)
    expect(page.locator("#timeline-news")).to_contain_text("There are new entries.")
    expect(page.locator("#announcer")).to_have_text("1 new update.")
    expect(entries).to_have_count(shown)
    assert focused(page) == reading, "polling never moves focus"
    check_page(page, "new entries waiting below earlier entries")
    page.locator("#timeline-news").get_by_role("link", name="Show the newest entries").click()
    expect(page.locator("#updates")).to_be_focused()
    expect(entries.first).to_contain_text("A man has been arrested.")
    expect(page.locator("#timeline-news")).to_have_text("")
    check_page(page, "the newest entries after new entries were waiting")


def test_new_activity_shows_on_the_next_load_without_javascript(js_off_page, live_server):
    page = js_off_page
    case = new_victim(live_server)
    sign_in(page, live_server, case)
    officer_replies(live_server, case, "Please call me back.")
    page.reload()
    reply = page.locator("#case-timeline .timeline__item--messages").first
    expect(reply).to_contain_text("Please call me back.")
    expect(reply.locator(".tag")).to_have_text("New")
