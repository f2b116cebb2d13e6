"""Alerts, opting out, feedback, deleting the account, password reset and the idle timeout, in Chromium."""

import re

from playwright.sync_api import expect

from trackmycrime.auth.links import password_reset_url

from .victim_pages import check_page, new_victim, sign_in


def test_changing_alerts_and_opting_out_without_javascript(js_off_page, live_server):
    page = js_off_page
    case = new_victim(live_server, mobile="+447700900456")
    sign_in(page, live_server, case)
    page.get_by_role("link", name="Alerts and account").click()
    page.get_by_label("By email and text message").check()
    page.get_by_role("button", name="Save alert choices").click()
    expect(page.locator(".notification--success")).to_contain_text("Your alert choices have been saved")
    expect(page.get_by_label("By email and text message")).to_be_checked()
    check_page(page, "alert choices saved")
    page.get_by_role("link", name="Opt out of this service").click()
    check_page(page, "opt out confirmation")
    page.get_by_role("button", name="Opt out").click()
    expect(page.locator("main")).to_contain_text("You opted out of this service on")
    check_page(page, "opted out")
    page.get_by_role("button", name="Opt back in").click()
    expect(page.locator(".notification--success")).to_contain_text("You have opted back in")


def test_giving_feedback_with_javascript(page, live_server):
    case = new_victim(live_server)
    sign_in(page, live_server, case)
    page.get_by_role("link", name="Give feedback on this service").click()
    check_page(page, "feedback form")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator(".error-summary")).to_be_focused()
    check_page(page, "feedback with no rating")
    page.get_by_label("Satisfied", exact=True).check()
    page.get_by_label("How could we improve? (optional)").fill("More updates at weekends.")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator("h1")).to_have_text("Thank you for your feedback")
    check_page(page, "feedback sent")


def test_deleting_the_account(page, live_server):
    case = new_victim(live_server)
    sign_in(page, live_server, case)
    page.goto(live_server.url + "/preferences")
    page.get_by_role("link", name="Delete your account").click()
    check_page(page, "delete account confirmation")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("h1")).to_have_text("Your account has been deleted")
    check_page(page, "account deleted")
    page.goto(live_server.url + "/case")
    expect(page).to_have_url(re.compile(r"/sign-in$"))


def test_forgotten_password_and_reset_without_javascript(js_off_page, live_server):
    page = js_off_page
    case = new_victim(live_server)
    page.goto(live_server.url + "/sign-in")
    page.get_by_role("link", name="I have forgotten my password").click()
    check_page(page, "forgotten password form")
    page.get_by_role("button", name="Send reset link").click()
    check_page(page, "forgotten password with errors")
    page.get_by_label("Surname").fill(case.party.surname)
    page.get_by_label("Crime reference number").fill(case.crime.reference)
    page.get_by_label("Day").fill(str(case.party.date_of_birth.day))
    page.get_by_label("Month").fill(str(case.party.date_of_birth.month))
    page.get_by_label("Year").fill(str(case.party.date_of_birth.year))
    page.get_by_role("button", name="Send reset link").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    check_page(page, "reset requested")
    page.goto(password_reset_url(live_server.settings, case.party))
    check_page(page, "choose a new password")
    page.get_by_label("New password", exact=True).fill("a fresh long passphrase")
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url("**/case?password_changed=1")
    expect(page.locator(".notification--success")).to_contain_text("Your password has been changed")


def test_idle_warning_offers_to_stay_signed_in_then_signs_out(page, live_server):
    case = new_victim(live_server)
    page.clock.install()
    sign_in(page, live_server, case)
    dialog = page.locator("#idle-warning")
    expect(dialog).to_be_hidden()
    page.clock.run_for("17:01")
    expect(dialog).to_be_visible()
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()
    expect(page.get_by_role("dialog", name="You will be signed out soon")).to_be_visible()
    check_page(page, "idle warning shown")
    with page.expect_response("**/keep-alive") as kept:
        page.get_by_role("button", name="Stay signed in").click()
    assert kept.value.status == 204
    expect(dialog).to_be_hidden()
    page.clock.run_for("17:01")
    expect(dialog).to_be_visible()
    page.clock.run_for("02:00")
    page.wait_for_url("**/sign-in?signed_out=1")
    expect(page.locator(".notification")).to_contain_text("We signed you out because you did nothing for")
    page.goto(live_server.url + "/case")
    expect(page).to_have_url(re.compile(r"/sign-in$"))


def test_sign_out_everywhere(page, live_server):
    case = new_victim(live_server)
    sign_in(page, live_server, case)
    page.goto(live_server.url + "/preferences")
    page.get_by_role("button", name="Sign out everywhere").click()
    expect(page.locator("h1")).to_have_text("You have signed out")
    expect(page.locator("main")).to_contain_text("each phone or computer")
    check_page(page, "signed out everywhere")
