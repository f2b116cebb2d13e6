"""Issue 20 in a real browser: a Welsh speaker invited in Welsh registers in Welsh, and the switch
works with JavaScript off."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.browser.victim_pages import check_page, in_live_database, new_victim, sign_in
from trackmycrime.ingest.crimes import invite_parties
from trackmycrime.models import Force, Party


def invite(live_server, case) -> None:
    async def queue(session) -> None:
        party = await session.get(Party, case.party.id)
        party.invited_at = None  # as the records system has just sent them
        force = await session.get(Force, case.force.id)
        assert await invite_parties(session, force, [party]) == [party]

    in_live_database(live_server, queue)


def mail_to(live_server, address: str, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for mail in live_server.mail.messages:
            if address in mail.recipients:
                return mail
        time.sleep(0.1)
    raise AssertionError(f"no email reached {address}")


def test_a_welsh_speaker_is_invited_in_welsh_and_registers_in_welsh(page, live_server):
    case = new_victim(live_server, registered=False, surname="Pritchard", preferred_language="cy")
    invite(live_server, case)
    mail = mail_to(live_server, case.party.email)
    assert "wedi gofyn i chi ddefnyddio TrackMyCrime" in mail.text
    assert "Dim ond unwaith y mae'r ddolen hon yn gweithio" in mail.text
    link = re.search(r"http://\S+/register/\S+", mail.text).group(0)

    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator("h1")).to_have_text("Cadarnhewch eich manylion")
    check_page(page, "Welsh invitation: confirm details")
    page.get_by_label("Cyfenw").fill("Prichard")
    born = case.party.date_of_birth
    for label, value in (("Diwrnod", born.day), ("Mis", born.month), ("Blwyddyn", born.year)):
        page.get_by_label(label, exact=True).fill(str(value))
    page.get_by_role("button", name="Parhau").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary")).to_contain_text("Nid y cyfenw neu'r dyddiad geni")
    check_page(page, "Welsh invitation: details that do not match")
    page.get_by_label("Cyfenw").fill("Pritchard")
    page.get_by_role("button", name="Parhau").click()
    expect(page.locator("h1")).to_have_text("Creu cyfrinair")
    page.get_by_label("Cyfrinair", exact=True).fill("fy nghyfrinair hir fy hun")
    page.get_by_role("button", name="Creu cyfrif").click()
    page.wait_for_url("**/case?welcome=1")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator(".notification--success")).to_contain_text("Rydych chi wedi cofrestru")
    expect(page.locator("h1")).to_have_text("Eich achos")
    check_page(page, "Welsh case page after registering")


def test_the_switch_works_without_javascript_and_is_remembered(js_off_page, live_server):
    page = js_off_page
    page.goto(live_server.url + "/sign-in")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator("h1")).to_have_text("Mewngofnodi")
    page.goto(live_server.url + "/accessibility")
    expect(page.locator("h1")).to_have_text("Datganiad hygyrchedd ar gyfer TrackMyCrime")
    switch = page.locator("nav.language-switch")
    expect(switch.locator('a[hreflang="en"]')).to_have_attribute("lang", "en")
    expect(switch.locator('[aria-current="true"]')).to_have_attribute("lang", "cy")
    check_page(page, "Welsh accessibility statement, without JavaScript")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_the_idle_countdown_and_character_count_count_in_welsh(page, live_server):
    welsh = new_victim(live_server, preferred_language="cy")
    page.clock.install()
    sign_in(page, live_server, welsh)
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    page.locator("#field-message").fill("Helo")
    page.clock.run_for(500)
    expect(page.locator("#field-message-count")).to_have_text("Mae gennych 1,996 nod ar ôl")
    page.clock.run_for("17:01")
    countdown = page.locator("[data-idle-countdown]")
    expect(countdown).to_have_text(re.compile(r"^\(1 munud \d+ eiliad\)$"))
    page.clock.run_for("01:00")
    expect(countdown).to_have_text(re.compile(r"^\(\d+ eiliad\)$"))
    page.get_by_role("button", name="Aros wedi mewngofnodi").click()
    expect(page.locator("#idle-warning")).to_be_hidden()


def polish_seconds(n: int) -> str:
    if n == 1:
        return "sekunda"
    return "sekundy" if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14) else "sekund"


def test_the_idle_countdown_uses_polish_plural_forms(page, live_server):
    polish = new_victim(live_server, preferred_language="pl")
    page.clock.install()
    sign_in(page, live_server, polish)
    page.clock.run_for("17:01")
    countdown = page.locator("[data-idle-countdown]")
    expect(countdown).to_have_text(re.compile(r"^\(1 minuta "))
    page.clock.run_for("00:45")
    words_seen = set()
    for _second in range(30):
        text = countdown.text_content()
        page.clock.run_for(1000)
        if text == "(1 minuta)":
            continue
        shown = re.fullmatch(r"\((?:1 minuta )?(\d+) (sekund[ay]?)\)", text)
        assert shown, text
        assert shown.group(2) == polish_seconds(int(shown.group(1))), text
        words_seen.add(shown.group(2))
    assert {"sekundy", "sekund"} <= words_seen
