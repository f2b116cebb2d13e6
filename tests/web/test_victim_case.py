"""The case page: status, officer, next update, the one timeline; sending messages; live activity."""

import datetime as dt

import pytest
from sqlalchemy import event
from sqlmodel import select

from tests.webclient import text_of
from trackmycrime.i18n import date_in_words
from trackmycrime.models import AuditEvent, Entitlement, Message, Party, utcnow
from trackmycrime.page_memo import PageMemo

from .victim_data import add_message, add_party, add_update, make_victim_case, sign_in

pytestmark = pytest.mark.anyio


def summary(page):
    return {
        text_of(row.select_one("dt")): text_of(row.select_one("dd"))
        for row in page.select(".summary-list__row")
    }


async def test_the_case_page_says_where_things_stand(client, db, victim):
    page = await sign_in(client, victim)
    assert text_of(page.title) == "Your case – TrackMyCrime – Avon and Somerset Police"
    facts = summary(page)
    assert facts["Crime"] == "Burglary of a home"
    assert facts["Status"].startswith("Under investigation Officers are investigating the crime.")
    number = victim.officer.shoulder_number
    assert facts["Officer in charge"] == f"PC Sam Jones (shoulder number {number}), North CID"
    assert facts["Next update"] == "None due at the moment. You will be told when there is news."
    assert "There are no updates or messages yet" in text_of(page.select_one("#case-timeline"))
    help_text = text_of(page.select_one("main"))
    assert (
        "call 999" in help_text
        and f"call 101 and give your crime reference number, {victim.crime.reference}" in help_text
    )
    assert page.select_one('main a[href="/support"]')
    assert page.select_one('footer a[href="/feedback"]')
    assert page.select_one("[data-quick-exit]")
    assert page.select_one("body")["hx-history"] == "false"


async def test_the_next_update_due_is_the_earliest_one_not_yet_given(client, db, victim):
    now = utcnow()
    async with db.transaction() as session:
        for event_name, days, met in (
            ("regular_contact", 20, False),
            ("suspect_arrested", 3, False),
            ("recorded", 1, True),
        ):
            session.add(
                Entitlement(
                    force_id=victim.force.id,
                    crime_id=victim.crime.id,
                    party_id=victim.party.id,
                    event=event_name,
                    event_key=event_name,
                    event_at=now,
                    due_at=now + dt.timedelta(days=days),
                    met_at=now if met else None,
                )
            )
    page = await sign_in(client, victim)
    # The one due in 3 days, not the one in 20 days nor the one already given: breaks if the order flips.
    assert summary(page)["Next update"] == f"Due by {date_in_words(now + dt.timedelta(days=3))}"
    assert "late" not in summary(page)["Next update"]


async def test_a_late_update_is_admitted(client, db, victim):
    async with db.transaction() as session:
        session.add(
            Entitlement(
                force_id=victim.force.id,
                crime_id=victim.crime.id,
                party_id=victim.party.id,
                event="suspect_arrested",
                event_key="1",
                event_at=utcnow() - dt.timedelta(days=9),
                due_at=utcnow() - dt.timedelta(days=2),
            )
        )
    page = await sign_in(client, victim)
    assert "This update is late" in summary(page)["Next update"]


async def test_the_timeline_shows_updates_for_this_party_newest_first_with_dates_in_words(client, db, victim):
    async with db.transaction() as session:
        witness = await add_party(session, victim.crime, surname="Taylor", role="witness")
        other_crime_case = await make_victim_case_in(session, victim)
        add_update(session, victim.crime, "Recorded.", status="recorded", days_ago=10)
        add_update(session, victim.crime, "We are looking at CCTV.", days_ago=5, author=victim.officer)
        add_update(session, victim.crime, "For victims only.", audience="victims", days_ago=4)
        add_update(session, victim.crime, "For you alone.", audience="party", party=victim.party, days_ago=3)
        add_update(
            session, victim.crime, "For the witness alone.", audience="party", party=witness, days_ago=2
        )
        add_update(session, other_crime_case, "Another crime's news.", days_ago=1)
    page = await sign_in(client, victim)
    items = page.select("#case-timeline .timeline__item")
    texts = [text_of(item.select_one(".timeline__text")) for item in items]
    assert texts == ["For you alone.", "For victims only.", "We are looking at CCTV.", "Recorded."]
    assert text_of(items[-1].select_one("h3")) == "Crime recorded"
    author = f"From PC Sam Jones, police officer, shoulder number {victim.officer.shoulder_number}"
    assert text_of(items[2].select_one(".timeline__by")) == author
    date = items[-1].select_one("time")
    assert date["datetime"].startswith(str(utcnow().year)[:3])
    assert any(
        month in text_of(date)
        for month in (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        )
    )


async def make_victim_case_in(session, victim):
    from .victim_data import add_crime

    return await add_crime(session, victim.force, victim.officer)


async def test_a_witness_does_not_see_updates_meant_for_victims(client, db, victim):
    async with db.transaction() as session:
        witness = await add_party(session, victim.crime, surname="Taylor", role="witness")
        add_update(session, victim.crime, "For everyone.", days_ago=2)
        add_update(session, victim.crime, "For victims only.", audience="victims", days_ago=1)
    from .victim_data import VictimCase

    page = await sign_in(client, VictimCase(victim.force, victim.officer, victim.crime, witness))
    texts = [text_of(p) for p in page.select("#case-timeline .timeline__text")]
    assert texts == ["For everyone."]


async def test_the_thread_shows_only_this_partys_messages_and_marks_replies_read(client, db, victim):
    async with db.transaction() as session:
        other = await add_party(session, victim.crime, surname="Taylor")
        add_message(session, victim.party, "I found a receipt.", days_ago=3, read=True)
        add_message(session, victim.party, "Please bring it in.", officer=victim.officer, days_ago=2)
        add_message(session, victim.party, "Will do.", days_ago=1)
        add_message(session, other, "Someone else's message.", days_ago=1)
    page = await sign_in(client, victim)
    messages = page.select("#case-timeline .timeline__item--messages")
    bodies = [text_of(m.select_one(".thread__body")) for m in messages]
    assert bodies == ["Will do.", "Please bring it in.", "I found a receipt."], "newest first"
    assert "PC Sam Jones" in text_of(messages[1].select_one(".timeline__by"))
    assert text_of(messages[1].select_one(".tag")) == "New"
    assert text_of(messages[2].select_one(".thread__receipt")) == "Read by the police"
    assert text_of(messages[0].select_one(".thread__receipt")) == "Not read yet"
    async with db.session() as session:
        reply = (await session.exec(select(Message).where(Message.body == "Please bring it in."))).one()
        others = (await session.exec(select(Message).where(Message.party_id == other.id))).one()
    assert reply.read_at is not None, "read receipt: the officer can see the party has read it"
    assert others.read_at is None
    page = await client.page("/case")
    assert not page.select("#case-timeline .tag"), "no longer new once seen"


async def test_the_case_page_takes_the_same_few_queries_however_long_the_case(app, client, db, victim):
    app.state.page_memo = PageMemo(0)  # what rendering takes; test_query_counts.py counts a memoised page

    async def queries_for_case_page():
        statements = []

        def count(*args):
            statements.append(args[2])

        event.listen(db.engine.sync_engine, "before_cursor_execute", count)
        try:
            await client.page("/case")
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", count)
        return [
            s for s in statements if not s.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE"))
        ]

    await sign_in(client, victim)
    few = await queries_for_case_page()
    async with db.transaction() as session:
        for number in range(30):
            add_update(session, victim.crime, f"Update {number}", days_ago=number, author=victim.officer)
            add_message(session, victim.party, f"Reply {number}", officer=victim.officer, days_ago=number)
    many = await queries_for_case_page()
    assert len(many) <= len(few) + 2, "two extra: recording that the new updates and replies were read"
    assert len(many) <= 8


async def test_sending_a_message_without_javascript(client, db, victim):
    await sign_in(client, victim)
    response = await client.post(
        "/case/messages", {"message": "  Is there any news?\r\nThanks  "}, expect=303
    )
    assert response.headers["location"] == "/case?sent=1#send-message"
    page = await client.page(response.headers["location"])
    assert "Your message has been sent" in text_of(page.select_one("#send-message"))
    bodies = [text_of(m) for m in page.select("#case-timeline .thread__body")]
    assert bodies == ["Is there any news? Thanks"]
    async with db.session() as session:
        message = (await session.exec(select(Message))).one()
        audit_actions = [e.action for e in (await session.exec(select(AuditEvent))).all()]
    assert message.body == "Is there any news?\nThanks"
    assert message.direction == "from_party" and message.read_at is None
    assert message.party_id == victim.party.id and message.crime_id == victim.crime.id
    assert "message.send" in audit_actions


async def test_sending_a_message_with_htmx_swaps_only_the_form_and_updates_the_thread(client, db, victim):
    await sign_in(client, victim)
    response = await client.post("/case/messages", {"message": "Hello"}, htmx=True, expect=200)
    from tests.webclient import check_page

    fragment = check_page(response.text, fragment=True)
    form_region = fragment.select_one("#send-message")
    assert form_region.get("hx-swap-oob") is None, "the form is the swap target"
    assert form_region.select_one("textarea").get_text() == ""
    assert fragment.select_one("#case-timeline")["hx-swap-oob"] == "true"
    assert "Hello" in text_of(fragment.select_one("#case-timeline"))
    announcer = fragment.select_one("#announcer")
    assert announcer["hx-swap-oob"] == "innerHTML" and text_of(announcer) == "Your message has been sent."
    assert fragment.select_one("#case-poller")["hx-swap-oob"] == "true"
    assert not fragment.select("h1")


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("", "Enter your message"),
        ("   \r\n ", "Enter your message"),
        ("x" * 2001, "Your message is too long: use up to 2,000 characters"),
    ],
)
async def test_a_message_that_is_empty_or_too_long_is_refused_and_kept(client, db, victim, message, error):
    await sign_in(client, victim)
    page = await client.submit("/case/messages", {"message": message}, expect=400)
    assert text_of(page.title).startswith("Error: Your case")
    assert [text_of(a) for a in page.select(".error-summary a")] == [error]
    assert page.select_one(".error-summary a")["href"] == "#field-message"
    assert page.select_one("#field-message").get_text() == message.strip()
    assert page.select_one("#field-message-count")
    fragment_response = await client.post("/case/messages", {"message": message}, htmx=True, expect=400)
    assert error in fragment_response.text and "error-summary" in fragment_response.text
    async with db.session() as session:
        assert (await session.exec(select(Message))).all() == []


async def test_exactly_two_thousand_characters_is_allowed(client, db, victim):
    await sign_in(client, victim)
    await client.post("/case/messages", {"message": "y" * 2000}, expect=303)


async def test_the_character_limit_is_shown(client, victim):
    page = await sign_in(client, victim)
    assert text_of(page.select_one("#field-message-count")) == "You can enter up to 2,000 characters"
    assert page.select_one("#field-message").get("maxlength") is None, (
        "over-typing is allowed, then explained"
    )


async def test_sending_is_limited_per_hour(client, db, victim):
    await sign_in(client, victim)
    for number in range(20):
        await client.post("/case/messages", {"message": f"Message {number}"}, expect=303)
    page = await client.submit("/case/messages", {"message": "One too many"}, expect=400)
    assert "sent lots of messages" in text_of(page.select_one(".error-summary"))


async def test_polling_answers_no_content_when_nothing_is_new(client, db, victim):
    page = await sign_in(client, victim)
    poller = page.select_one("#case-poller")
    assert poller["hx-trigger"] == "every 30s"
    response = await client.get(poller["hx-get"], htmx=True, expect=204)
    assert response.text == ""


async def test_polling_brings_new_replies_and_updates_and_says_so(client, db, victim):
    page = await sign_in(client, victim)
    url = page.select_one("#case-poller")["hx-get"]
    async with db.transaction() as session:
        add_message(session, victim.party, "We have news.", officer=victim.officer, days_ago=0)
        add_update(session, victim.crime, "A man has been arrested.", status="suspect_arrested", days_ago=0)
    response = await client.get(url, htmx=True, expect=200)
    from tests.webclient import check_page

    fragment = check_page(response.text, fragment=True)
    assert text_of(fragment.select_one("#announcer")) == "1 new message from us. 1 new update."
    assert "We have news." in text_of(fragment.select_one("#case-timeline"))
    timeline = fragment.select_one("#case-timeline")
    assert "A man has been arrested." in text_of(timeline)
    assert text_of(timeline.select_one(".tag")) == "New"
    assert not fragment.select("form"), "polling never replaces the form being typed in"
    new_url = fragment.select_one("#case-poller")["hx-get"]
    assert new_url != url
    await client.get(new_url, htmx=True, expect=204)
    async with db.session() as session:
        reply = (await session.exec(select(Message))).one()
    assert reply.read_at is not None


async def test_polling_does_not_keep_an_idle_session_alive(client, db, victim):
    from trackmycrime.models import WebSession

    page = await sign_in(client, victim)
    url = page.select_one("#case-poller")["hx-get"]
    async with db.transaction() as session:
        web_session = (await session.exec(select(WebSession))).one()
        web_session.last_seen_at -= dt.timedelta(minutes=5)
        before = web_session.last_seen_at
        session.add(web_session)
    await client.get(url, htmx=True, expect=204)
    async with db.session() as session:
        assert (await session.exec(select(WebSession))).one().last_seen_at == before


async def test_polling_after_the_session_ends_sends_the_browser_to_sign_in(client, db, victim):
    page = await sign_in(client, victim)
    url = page.select_one("#case-poller")["hx-get"]
    await client.post("/sign-out", {}, expect=303)
    response = await client.get(url, htmx=True, expect=204)
    assert response.headers["hx-redirect"].startswith("/sign-in")


async def test_the_activity_address_without_htmx_goes_to_the_case_page(client, victim):
    await sign_in(client, victim)
    response = await client.get("/case/activity?seen=garbage", expect=303)
    assert response.headers["location"] == "/case"
    response = await client.get("/case/activity?seen=garbage", htmx=True, expect=200)
    assert "Your case page has been updated." in response.text


async def test_a_closed_case_invites_feedback_prominently(client, db, app):
    case = await make_victim_case(db)
    async with db.transaction() as session:
        from trackmycrime.models import Crime

        crime = await session.get(Crime, case.crime.id)
        crime.status = "closed"
        crime.closed_at = utcnow()
        session.add(crime)
    page = await sign_in(client, case)
    invitation = page.select_one('[aria-labelledby="feedback-invitation-title"]')
    assert text_of(invitation.select_one("h2")) == "Tell us how we did"
    assert invitation.select_one('a[href="/feedback"]')
    assert summary(page)["Next update"] == "None. The investigation has ended."


async def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in ("/case", "/preferences", "/feedback", "/opt-out", "/delete-account"):
        response = await client.get(url, expect=303)
        assert response.headers["location"] == "/sign-in"
    response = await client.post("/case/messages", {"message": "hi"}, expect=303)
    assert response.headers["location"] == "/sign-in"


async def test_the_party_row_is_not_changed_by_viewing(client, db, victim):
    await sign_in(client, victim)
    async with db.session() as session:
        before = (await session.get(Party, victim.party.id)).updated_at
    await client.page("/case")
    async with db.session() as session:
        assert (await session.get(Party, victim.party.id)).updated_at == before


async def test_zero_width_and_direction_characters_are_removed_from_a_message(client, db, victim):
    await sign_in(client, victim)
    typed = "Is\u200b there \u202eany\u202c news?\ufeff Ring\u2066 me\u2069"
    await client.post("/case/messages", {"message": typed}, expect=303)
    async with db.session() as session:
        message = (await session.exec(select(Message))).one()
    assert message.body == "Is there any news? Ring me"


async def test_every_signed_in_page_and_the_welcome_name_the_crime_reference(client, victim):
    await sign_in(client, victim)
    said = f"Crime reference {victim.crime.reference}"
    for url in ("/case", "/support", "/rights", "/preferences", "/feedback"):
        page = await client.page(url)
        assert text_of(page.select_one("header .site-header__reference")) == said, url
    welcome = text_of((await client.page("/case?welcome=1")).select_one(".notification--success"))
    assert f"Your crime reference number is {victim.crime.reference}" in welcome
