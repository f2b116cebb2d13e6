"""Officer journeys in Chromium, with JavaScript on (htmx swaps) and off (full pages): sign in,
reply to a victim, post an update. axe-core checks each state along the way."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.axe import assert_accessible
from tests.browser import officer_browsers
from tests.browser.officer_browsers import sign_in
from tests.browser_fixtures import run_outside_event_loop
from trackmycrime.database import Database
from trackmycrime.models import Crime, Message, MessageDirection, Party

BURGLARY = "DP-2026-000123"

# The signed-in officer browsers these tests use (fixtures).
officer_cookies = officer_browsers.officer_cookies
officer_page = officer_browsers.officer_page


def open_burglary(page, live_server) -> None:
    page.goto(live_server.url + "/officer?q=" + BURGLARY)
    page.get_by_role("link", name=BURGLARY).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Crime {BURGLARY}")


def alex_conversation(page):
    return page.locator("section.conversation").filter(
        has=page.get_by_role("heading", name="Alex O'Brien (victim)")
    )


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_sign_in_and_out(browser, live_server, js):
    context = browser.new_context(java_script_enabled=js)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/officer/sign-in")
        page.get_by_label("Email address or shoulder number").fill("1234")
        page.get_by_label("Password", exact=True).fill("not the password")
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.locator(".error-summary")).to_contain_text(
            "Enter a correct email address or shoulder number"
        )
        expect(page.get_by_label("Email address or shoulder number")).to_have_value("1234")
        if js:
            assert_accessible(page, "sign-in with an error")
        sign_in(page, live_server.url, "1234", live_server.logins.officer_password)
        expect(page.get_by_role("heading", level=1)).to_contain_text("Inbox")
        page.get_by_role("button", name="Sign out").click()
        expect(page.locator(".notification")).to_have_text("You have been signed out")
        page.goto(live_server.url + "/officer")
        expect(page.get_by_role("heading", level=1)).to_have_text("Officer sign in")
    finally:
        context.close()


def test_reply_with_javascript_swaps_the_thread_in_place(officer_page, live_server):
    page = officer_page("officer")
    open_burglary(page, live_server)
    assert_accessible(page, "crime page")
    url = page.url
    conversation = alex_conversation(page)
    reply = f"Thank you, the serial number has been passed on. Ref {uuid.uuid4().hex[:8]}"

    conversation.get_by_role("button", name="Send to Alex O'Brien").click()
    expect(conversation.locator(".error-summary")).to_contain_text("Enter your message")
    expect(conversation.locator(".error-summary")).to_be_focused()
    assert_accessible(page, "reply with an error, after the htmx swap")

    conversation.get_by_label("Reply to Alex O'Brien").fill(reply)
    conversation.get_by_role("button", name="Send to Alex O'Brien").click()
    expect(page.locator("#announcer")).to_have_text("Your reply to Alex O'Brien has been sent.")
    expect(conversation.locator(".thread")).to_contain_text(reply)
    expect(conversation.get_by_label("Reply to Alex O'Brien")).to_have_value("")
    expect(conversation.get_by_role("heading", name="Messages with Alex O'Brien")).to_be_focused()
    assert page.url == url, "the officer stays where they were"
    assert_accessible(page, "after a reply, swapped by htmx")


def test_reply_without_javascript_reloads_at_the_thread(officer_page, live_server):
    page = officer_page("officer", js=False)
    open_burglary(page, live_server)
    assert_accessible(page, "crime page without JavaScript")
    reply = f"We will call you tomorrow. Ref {uuid.uuid4().hex[:8]}"

    alex_conversation(page).get_by_role("button", name="Send to Alex O'Brien").click()
    expect(page).to_have_title(f"Error: Crime {BURGLARY} – TrackMyCrime – Demoshire Police")
    expect(page.locator(".error-summary")).to_contain_text("Enter your message")
    assert_accessible(page, "reply with an error, without JavaScript")

    alex_conversation(page).get_by_label("Reply to Alex O'Brien").fill(reply)
    alex_conversation(page).get_by_role("button", name="Send to Alex O'Brien").click()
    expect(alex_conversation(page).locator(".notification")).to_have_text("Your reply has been sent")
    expect(alex_conversation(page).locator(".thread")).to_contain_text(reply)
    assert "#conversation-" in page.url
    assert_accessible(page, "after a reply, without JavaScript")


def test_post_an_update_from_a_standard_text_with_javascript(officer_page, live_server):
    page = officer_page("officer")
    open_burglary(page, live_server)
    url = page.url

    page.get_by_role("button", name="Post update").click()
    expect(page.locator("#updates .error-summary")).to_contain_text("Enter the update")
    assert_accessible(page, "update with an error, after the htmx swap")

    page.get_by_label("Start from a standard update").select_option(label="Suspect interviewed")
    page.get_by_role("button", name="Use this text").click()
    text_box = page.get_by_label("Update", exact=True)
    expect(text_box).to_have_value(
        "A suspect has been interviewed under caution. We are now considering the evidence and will tell "
        "you what happens next."
    )
    marker = uuid.uuid4().hex[:8]
    text_box.fill(text_box.input_value() + f" Ref {marker}")
    page.get_by_label("Victims only").check()
    expect(page.get_by_label("Status")).to_have_value("suspect_interviewed")
    page.get_by_role("button", name="Post update").click()

    expect(page.locator("#announcer")).to_have_text("Your update has been posted.")
    first = page.locator(".timeline .timeline__item").first
    expect(first).to_contain_text(f"Ref {marker}")
    expect(first).to_contain_text("For: Victims only.")
    expect(page.locator("#crime-status")).to_have_text("Suspect interviewed")
    expect(page.get_by_label("Update", exact=True)).to_have_value("")
    assert page.url == url
    assert_accessible(page, "after posting an update, swapped by htmx")


def test_post_an_update_without_javascript(officer_page, live_server):
    page = officer_page("officer", js=False)
    open_burglary(page, live_server)
    page.get_by_label("Start from a standard update").select_option(label="No news yet")
    page.get_by_role("button", name="Use this text").click()
    text_box = page.get_by_label("Update", exact=True)
    expect(text_box).to_have_value(
        "There is no news about your case right now. The investigation goes on, and we will tell you "
        "more soon. If you have anything to add, send us a message."
    )
    marker = uuid.uuid4().hex[:8]
    text_box.fill(f"Still no news, sorry. Ref {marker}")
    page.get_by_label("Everyone on this crime").check()
    page.get_by_role("button", name="Post update").click()
    expect(page.locator("#updates .notification")).to_have_text("Your update has been posted")
    expect(page.locator(".timeline .timeline__item").first).to_contain_text(f"Ref {marker}")
    assert_accessible(page, "after posting an update, without JavaScript")


async def _message_from_alex(database_url: str, body: str) -> None:
    database = Database(database_url)
    try:
        async with database.transaction() as session:
            crime = (await session.exec(select(Crime).where(Crime.reference == BURGLARY))).one()
            alex = (
                await session.exec(
                    select(Party).where(Party.crime_id == crime.id, Party.surname == "O'Brien")
                )
            ).one()
            session.add(
                Message(crime_id=crime.id, party_id=alex.id, direction=MessageDirection.FROM_PARTY, body=body)
            )
    finally:
        await database.dispose()


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_mark_as_read(officer_page, live_server, js):
    body = f"Any news? Ref {uuid.uuid4().hex[:8]}"
    run_outside_event_loop(_message_from_alex, live_server.settings.database_url, body)
    page = officer_page("officer", js=js)
    open_burglary(page, live_server)
    conversation = alex_conversation(page)
    expect(conversation.locator(".thread__message", has_text=body)).to_contain_text("Unread")
    conversation.get_by_role("button", name="Mark as read").click()
    expect(alex_conversation(page).locator(".notification")).to_have_text("Messages marked as read")
    expect(alex_conversation(page).locator(".thread__message", has_text=body)).not_to_contain_text("Unread")
    if js:
        expect(page.locator("#announcer")).to_have_text("Messages from Alex O'Brien marked as read.")
    assert_accessible(page, "after marking messages read")
