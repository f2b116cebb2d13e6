"""The case's one timeline (issues 22 and 24): every kind of entry in one list newest first, filters by
kind that work without JavaScript, keyset pages ("Show earlier entries"), and who may see what."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from tests.webclient import check_page, text_of
from trackmycrime import case_timeline as timeline
from trackmycrime.models import (
    CaseUpdate,
    Decision,
    Message,
    ReviewRequest,
    UpdateRead,
    UpdateRequest,
    utcnow,
)

from .victim_data import VictimCase, add_crime, add_message, add_party, add_update, sign_in

pytestmark = pytest.mark.anyio


def ago(days: float) -> dt.datetime:
    return utcnow() - dt.timedelta(days=days)


def titles(page) -> list[str]:
    """What each entry is, without its "New" tag."""
    items = page.select("#timeline-entries > li")
    return [text_of(item.select_one(".timeline__title")).removesuffix(" New") for item in items]


def entry_ids(page) -> list[str]:
    return [item["id"] for item in page.select("#timeline-entries > li")]


async def one_of_each(session, case: VictimCase) -> None:
    """An entry of every kind, a day apart: the oldest is the crime recorded, the newest a review request."""
    crime, party = case.crime, case.party
    add_update(session, crime, "Recorded.", status="recorded", days_ago=7)
    add_message(session, party, "I found a receipt.", days_ago=6)
    session.add(UpdateRequest(crime_id=crime.id, party_id=party.id, note="Any news?", requested_at=ago(5)))
    session.add(
        CaseUpdate(crime_id=crime.id, event="hearing_listed", agency="witness_care_unit", occurred_at=ago(4))
    )
    add_message(session, party, "Please bring it in.", officer=case.officer, days_ago=3)
    decision = Decision(
        crime_id=crime.id,
        rms_decision_id="D-1",
        decision="no_further_action",
        reason="Not enough evidence.",
        decided_at=ago(2),
        agency="cps",
    )
    session.add(decision)
    await session.flush()
    session.add(
        CaseUpdate(
            crime_id=crime.id,
            event="decision_no_further_action",
            agency="cps",
            text="Not enough evidence.",
            occurred_at=ago(2),
        )
    )
    session.add(
        ReviewRequest(
            crime_id=crime.id,
            decision_id=decision.id,
            party_id=party.id,
            reason="I disagree.",
            requested_at=ago(1),
        )
    )


NEWEST_FIRST = [
    "You asked for a decision to be reviewed",
    "Decision: no one will be charged at the moment",
    "Message from the police",
    "Court hearing arranged",
    "You asked for an update",
    "Your message",
    "Crime recorded",
]


async def test_every_kind_of_entry_is_in_one_list_newest_first_naming_who_it_is_from(client, db, victim):
    async with db.transaction() as session:
        await one_of_each(session, victim)
    page = await sign_in(client, victim)
    assert titles(page) == NEWEST_FIRST
    moments = [time["datetime"] for time in page.select("#timeline-entries > li time")]
    assert moments == sorted(moments, reverse=True)
    bylines = [
        text_of(item.select_one(".timeline__by:last-of-type"))
        for item in page.select("#timeline-entries > li")
    ]
    assert bylines[0] == "From you"
    assert bylines[1] == "From Crown Prosecution Service"
    assert bylines[2].startswith("From PC Sam Jones, police officer")
    assert bylines[3] == "From Witness Care Unit"
    assert bylines[-1] == "From The police"
    assert text_of(page.select_one("#timeline-showing")) == "Showing everything, 7 entries. Newest first."


@pytest.mark.parametrize(
    ("show", "expected", "words"),
    [
        ("updates", ["Crime recorded"], "Showing updates only, 1 entry."),
        ("messages", ["Message from the police", "Your message"], "Showing messages only, 2 entries."),
        ("hearings", ["Court hearing arranged"], "Showing court hearings only, 1 entry."),
        ("decisions", ["Decision: no one will be charged at the moment"], "Showing decisions only, 1 entry."),
        (
            "requests",
            ["You asked for a decision to be reviewed", "You asked for an update"],
            "Showing your requests only, 2 entries.",
        ),
        ("all", NEWEST_FIRST, "Showing everything, 7 entries."),
        ("nonsense", NEWEST_FIRST, "Showing everything, 7 entries."),
    ],
)
async def test_each_filter_shows_its_kind_only_and_says_so_without_javascript(
    client, db, victim, show, expected, words
):
    async with db.transaction() as session:
        await one_of_each(session, victim)
    await sign_in(client, victim)
    page = await client.page(f"/case?show={show}")
    assert titles(page) == expected
    assert text_of(page.select_one("#timeline-showing")).startswith(words)
    [current] = page.select(".timeline-filter a[aria-current]")
    assert parse_qs(urlsplit(current["href"]).query).get("show", ["all"]) == [timeline.chosen_filter(show)]


async def test_a_filter_with_htmx_swaps_the_timeline_announces_it_and_keeps_polling_on_the_same_filter(
    client, db, victim
):
    async with db.transaction() as session:
        await one_of_each(session, victim)
    page = await sign_in(client, victim)
    link = next(a for a in page.select(".timeline-filter a") if text_of(a) == "Messages")
    assert link["href"] == "/case?show=messages#updates" and link["hx-push-url"] == "/case?show=messages"
    response = await client.get(link["hx-get"], htmx=True)
    fragment = check_page(response.text, fragment=True)
    swapped = fragment.select_one("#case-timeline")
    assert swapped["hx-swap-oob"] == "true"
    assert swapped.select_one("h2").has_attr("data-focus-after-swap"), "focus goes to the timeline's heading"
    assert titles(fragment) == ["Message from the police", "Your message"]
    assert text_of(fragment.select_one("#announcer")) == "Showing messages only, 2 entries."
    poller = fragment.select_one("#case-poller")["hx-get"]
    assert "show=messages" in poller
    full = await client.page("/case?show=messages")
    assert titles(full) == titles(fragment), "the same entries as a reload of the pushed URL"
    async with db.transaction() as session:
        add_message(session, victim.party, "We have news.", officer=victim.officer, days_ago=0)
        add_update(session, victim.crime, "Not a message.", days_ago=0)
    polled = check_page((await client.get(poller, htmx=True, expect=200)).text, fragment=True)
    assert titles(polled)[:1] == ["Message from the police"] and "We have news." in text_of(polled)
    assert "Not a message." not in text_of(polled), "polling keeps the filter"


async def test_the_timeline_without_htmx_is_the_case_page_at_the_same_filter_and_page(client, db, victim):
    await sign_in(client, victim)
    response = await client.get("/case/timeline?show=messages&before=1.2.3", expect=303)
    assert response.headers["location"] == "/case?show=messages&before=1.2.3#updates"


async def many_entries(db, case: VictimCase, count: int) -> None:
    """`count` entries in threes that share a moment (an update, a reply and a message from the party),
    so that pages must break ties."""
    async with db.transaction() as session:
        for number in range(count // 3):
            moment = ago(number + 1)
            for kind in range(3):
                if kind == 0:
                    session.add(
                        CaseUpdate(crime_id=case.crime.id, text=f"Update {number}", occurred_at=moment)
                    )
                else:
                    officer_id = case.officer.id if kind == 1 else None
                    direction = "to_party" if kind == 1 else "from_party"
                    session.add(
                        Message(
                            crime_id=case.crime.id,
                            party_id=case.party.id,
                            direction=direction,
                            officer_id=officer_id,
                            body=f"Message {number}.{kind}",
                            created_at=moment,
                            read_at=moment,
                        )
                    )


async def test_earlier_pages_without_javascript_lose_and_repeat_nothing_even_on_ties(client, db, victim):
    await many_entries(db, victim, 66)
    page = await sign_in(client, victim)
    seen: list[str] = []
    pages = 0
    while True:
        pages += 1
        shown = entry_ids(page)
        assert len(shown) <= timeline.PAGE_SIZE
        seen += shown
        more = page.select_one("#timeline-more a")
        if more is None:
            break
        assert more["href"].startswith("/case?before=")
        if pages == 1:
            async with db.transaction() as session:  # news meanwhile neither shifts nor repeats the pages
                add_update(session, victim.crime, "Arrived while reading.", days_ago=0)
        page = await client.page(more["href"])
        assert "These are earlier entries." in text_of(page.select_one("#case-timeline"))
    assert pages == 4
    assert len(seen) == len(set(seen)) == 66, "no entry lost or repeated"
    page = await client.page("/case")
    assert "Arrived while reading." in text_of(page.select_one("#timeline-entries > li"))


async def test_show_earlier_with_htmx_adds_the_next_entries_and_focuses_the_first(client, db, victim):
    await many_entries(db, victim, 30)
    page = await sign_in(client, victim)
    link = page.select_one("#timeline-more a")
    assert link["hx-target"] == "#timeline-entries" and link["hx-swap"] == "beforeend"
    fragment = check_page((await client.get(link["hx-get"], htmx=True)).text, fragment=True)
    added = fragment.select("body > li, li.timeline__item")
    assert len(added) == 10
    assert added[0].has_attr("data-focus-after-swap") and added[0]["tabindex"] == "-1"
    assert fragment.select_one("#timeline-more")["hx-swap-oob"] == "true"
    assert fragment.select_one("#timeline-more a") is None, "no more earlier entries"
    assert text_of(fragment.select_one("#announcer")) == "10 earlier entries shown."
    reload = await client.page(link["href"])
    assert [li["id"] for li in added] == entry_ids(reload), "the same entries as the page without JavaScript"
    assert not set(entry_ids(page)) & set(entry_ids(reload))


async def updates_read(db, case: VictimCase) -> set[int]:
    async with db.session() as session:
        found = await session.exec(select(UpdateRead.update_id).where(UpdateRead.party_id == case.party.id))
        return set(found.all())


async def test_after_show_earlier_a_poll_keeps_the_earlier_entries_and_says_something_is_new(
    client, db, victim
):
    await many_entries(db, victim, 30)
    page = await sign_in(client, victim)
    first_page = entry_ids(page)
    link = page.select_one("#timeline-more a")
    earlier = check_page((await client.get(link["hx-get"], htmx=True)).text, fragment=True)
    poller = earlier.select_one("#case-poller")
    assert poller["hx-swap-oob"] == "true" and "kept=1" in poller["hx-get"]
    async with db.transaction() as session:
        arrested = add_update(session, victim.crime, "Someone has been arrested.", days_ago=0)
    polled = check_page((await client.get(poller["hx-get"], htmx=True, expect=200)).text, fragment=True)
    assert polled.select_one("#case-timeline") is None, "the timeline with the earlier entries stays"
    assert polled.select_one("#timeline-entries") is None
    news = polled.select_one("#timeline-news")
    assert news["hx-swap-oob"] == "true" and "There are new entries." in text_of(news)
    newest = news.select_one("a")
    assert text_of(polled.select_one("#announcer")) == "1 new update."
    assert "kept=1" in polled.select_one("#case-poller")["hx-get"], "it keeps not swapping"
    assert arrested.id not in await updates_read(db, victim), "not shown, so not marked read"
    assert await client.get(polled.select_one("#case-poller")["hx-get"], htmx=True, expect=204)

    shown = check_page((await client.get(newest["hx-get"], htmx=True)).text, fragment=True)
    assert entry_ids(shown)[1:] == first_page[:-1], "the newest page again, the new update first"
    assert "Someone has been arrested." in text_of(shown.select("#timeline-entries > li")[0])
    assert not text_of(shown.select_one("#timeline-news")), "the news is gone once shown"
    assert "kept=1" not in shown.select_one("#case-poller")["hx-get"]
    reload = await client.page(newest["href"])
    assert entry_ids(reload) == entry_ids(shown), "the same as a reload of the pushed URL"
    assert arrested.id in await updates_read(db, victim), "read once shown"


async def test_a_party_sees_only_their_own_crimes_entries_and_none_meant_for_someone_else(client, db, victim):
    async with db.transaction() as session:
        witness = await add_party(session, victim.crime, surname="Taylor", role="witness")
        other_crime = await add_crime(session, victim.force, victim.officer)
        stranger = await add_party(session, other_crime, surname="Smith")
        add_update(session, victim.crime, "For everyone.", days_ago=6)
        add_update(session, victim.crime, "For victims only.", audience="victims", days_ago=5)
        add_update(
            session, victim.crime, "For the witness alone.", audience="party", party=witness, days_ago=4
        )
        add_update(session, other_crime, "Another crime's news.", days_ago=3)
        add_message(session, stranger, "Another crime's message.", officer=victim.officer, days_ago=2)
        add_message(session, witness, "The witness's message.", days_ago=2)
        session.add(
            UpdateRequest(
                crime_id=victim.crime.id, party_id=witness.id, note="Witness asks.", requested_at=ago(1)
            )
        )
        session.add(
            UpdateRequest(
                crime_id=other_crime.id, party_id=stranger.id, note="Stranger asks.", requested_at=ago(1)
            )
        )
    page = await sign_in(client, victim)
    words = text_of(page.select_one("#case-timeline"))
    assert "For everyone." in words and "For victims only." in words
    for private in ("witness alone", "Another crime", "The witness's", "Witness asks", "Stranger asks"):
        assert private not in words
    for show in timeline.FILTERS:
        assert "Another crime" not in text_of(
            (await client.page(f"/case?show={show}")).select_one("#case-timeline")
        )

    await client.post("/sign-out", {}, expect=303)
    as_witness = await sign_in(client, VictimCase(victim.force, victim.officer, victim.crime, witness))
    words = text_of(as_witness.select_one("#case-timeline"))
    assert (
        "For the witness alone." in words and "The witness's message." in words and "Witness asks." in words
    )
    assert "For victims only." not in words and "Another crime" not in words
    assert text_of(as_witness.select_one("#timeline-showing")).startswith("Showing everything, 4 entries.")


BAD_VALUES = [
    "",
    "-1",
    "-1.-1.-1",
    "0.0.0",
    "99999999999999999999999999.1.1",
    "999999999999999999.9.9",
    "253402300799999999.1.1",
    "1.1.99999999999",
    "1.1.2147483648",
    "1e9.1.1",
    "１.１.１",
    "a.b.c",
    "../../etc",
    "%00",
    "1.2.3.4",
    "x" * 5000,
    "' OR 1=1 --",
]


@pytest.mark.parametrize("value", BAD_VALUES)
async def test_any_value_of_the_new_parameters_is_answered_without_a_server_error(client, db, victim, value):
    await many_entries(db, victim, 3)
    await sign_in(client, victim)
    for url in (
        f"/case?show={value}&before={value}",
        f"/case?before={value}",
        f"/case/activity?seen=1.1.1.1&show={value}&before={value}",
    ):
        response = await client.http.get(url, headers={"HX-Request": "true"} if "activity" in url else {})
        assert response.status_code < 500, url
    for url in (f"/case/timeline?show={value}", f"/case/timeline?before={value}&show=messages"):
        await client.get(url, htmx=True)


async def test_sending_a_message_with_htmx_keeps_the_filter_of_the_page_it_was_sent_from(client, db, victim):
    async with db.transaction() as session:
        await one_of_each(session, victim)
    await sign_in(client, victim)
    await client.page("/case?show=updates")
    response = await client.http.post(
        "/case/messages",
        data={"message": "Thanks.", "csrf_token": await client.csrf_token("/case")},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/case?show=updates"},
    )
    fragment = check_page(response.text, fragment=True)
    assert titles(fragment) == ["Crime recorded"], "a reload of /case?show=updates shows the same"
    assert "show=updates" in fragment.select_one("#case-poller")["hx-get"]
