"""Missing or damaged property: a victim sees their items and tells the officer more about one."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from tests.webclient import check_page, text_of
from trackmycrime.case_events.property import mark_parties_with_property
from trackmycrime.database import Database
from trackmycrime.models import Message, MessageDirection, Party, PropertyItem

from .victim_data import VictimCase, add_crime, add_party, make_victim_case, sign_in

pytestmark = pytest.mark.anyio


async def add_items(db: Database, case: VictimCase, *items: dict[str, Any]) -> list[PropertyItem]:
    """Items on the victim's crime, as the ingest API would store them, with the parties' flags kept."""
    async with db.transaction() as session:
        rows = [
            PropertyItem(crime_id=case.crime.id, rms_item_id=f"I-{number}", **item)
            for number, item in enumerate(items, start=1)
        ]
        session.add_all(rows)
        await session.flush()
        parties = list((await session.exec(select(Party).where(Party.crime_id == case.crime.id))).all())
        mark_parties_with_property(parties, rows)
        for party in parties:
            session.add(party)
    return rows


LAPTOP = {"description": "Silver laptop", "category": "Computers", "state": "missing", "value_pence": 89950}
RINGS = {"description": "Two gold rings", "state": "recovered", "value_pence": 30000}


def nav_links(page: Any) -> list[str]:
    return [a["href"] for a in page.select("nav.site-nav a")]


async def messages_stored(db: Database) -> list[Message]:
    async with db.session() as session:
        return list((await session.exec(select(Message).order_by(col(Message.id)))).all())


async def test_without_property_there_is_no_link_and_the_page_says_so(client, db):
    case = await make_victim_case(db)
    page = await sign_in(client, case)
    assert "/property" not in nav_links(page)

    page = await client.page("/property")

    assert text_of(page.h1) == "Missing or damaged property"
    assert "We have no record of any of your things for this crime." in text_of(page.main)
    assert page.select_one('main a[href="/case#send-message"]')


async def test_the_victim_sees_their_items_and_those_in_common_but_not_another_victims(client, db):
    case = await make_victim_case(db)
    async with db.transaction() as session:
        other_victim = await add_party(session, case.crime, surname="Price", email="price@example.org")
    await add_items(
        db,
        case,
        LAPTOP,
        {**RINGS, "owner_party_id": case.party.id},
        {"description": "Mountain bike", "state": "missing", "owner_party_id": other_victim.id},
    )
    page = await sign_in(client, case)
    assert nav_links(page)[:3] == ["/case", "/property", "/support"]

    page = await client.page("/property")

    assert [text_of(h) for h in page.select("main h2")][:2] == ["Silver laptop", "Two gold rings"]
    assert "Mountain bike" not in text_of(page.main)
    laptop_text = text_of(page.select("section.property-item")[0])
    assert "Missing" in laptop_text and "Computers" in laptop_text and "£899.50" in laptop_text
    rings_text = text_of(page.select("section.property-item")[1])
    assert "Recovered by the police" in rings_text and "£300" in rings_text
    assert page.select_one('nav a[aria-current="page"]')["href"] == "/property"


async def test_a_witness_sees_no_property(client, db):
    case = await make_victim_case(db, role="witness")
    await add_items(db, case, LAPTOP)

    page = await sign_in(client, case)

    assert "/property" not in nav_links(page)
    assert "We have no record of any of your things" in text_of((await client.page("/property")).main)


async def test_telling_the_officer_about_an_item_reaches_them_as_an_unread_message_tied_to_it(client, db):
    case = await make_victim_case(db)
    [laptop] = await add_items(db, case, LAPTOP)
    await sign_in(client, case)

    page = await client.submit(f"/property/{laptop.id}/messages", {f"details-{laptop.id}": " Serial C02XK1 "})

    assert text_of(page.h1) == "Missing or damaged property"
    assert "Your message about this item has been sent" in text_of(page.select_one(f"#item-{laptop.id}"))
    assert "Serial C02XK1" in text_of(page.select_one(f"#item-{laptop.id}"))
    [message] = await messages_stored(db)
    assert (message.body, message.property_item_id, message.direction, message.read_at) == (
        "Serial C02XK1",
        laptop.id,
        MessageDirection.FROM_PARTY,
        None,
    )
    assert message.party_id == case.party.id
    thread = (await client.page("/case")).select_one("#case-timeline")
    about = thread.select_one(".thread__about a")
    assert text_of(about) == "About your property: Silver laptop"
    assert about["href"] == f"/property#item-{laptop.id}"


async def test_with_htmx_only_the_item_is_swapped_and_the_news_announced(client, db):
    case = await make_victim_case(db)
    [laptop, _rings] = await add_items(db, case, LAPTOP, RINGS)
    await sign_in(client, case)

    response = await client.post(
        f"/property/{laptop.id}/messages",
        {f"details-{laptop.id}": "Found the receipt"},
        htmx=True,
        expect=200,
    )

    fragment = check_page(response.text, fragment=True)
    [section] = fragment.select("section.property-item")
    assert section["id"] == f"item-{laptop.id}"
    assert "Your message about this item has been sent" in text_of(section)
    assert section.select_one(f"#field-details-{laptop.id}").get_text() == ""
    announcer = fragment.select_one("#announcer")
    assert announcer["hx-swap-oob"] == "innerHTML"
    assert text_of(announcer) == "Your message about Silver laptop has been sent."
    assert not fragment.select("h1")


@pytest.mark.parametrize(
    ("details", "error"),
    [("", "Enter your message"), ("x" * 2001, "Your message is too long: use up to 2,000 characters")],
)
async def test_an_empty_or_too_long_message_is_refused_next_to_the_field_and_kept(client, db, details, error):
    case = await make_victim_case(db)
    [laptop, rings] = await add_items(db, case, LAPTOP, RINGS)
    await sign_in(client, case)
    field = f"details-{laptop.id}"

    page = await client.submit(f"/property/{laptop.id}/messages", {field: details}, expect=400)

    assert text_of(page.title).startswith("Error: Missing or damaged property")
    assert [text_of(a) for a in page.select(".error-summary a")] == [error]
    assert page.select_one(".error-summary a")["href"] == f"#field-{field}"
    assert page.select_one(f"#field-{field}").get_text() == details
    assert error in text_of(page.select_one(f"#field-{field}-error"))
    assert not page.select_one(f"#field-details-{rings.id}-error")
    response = await client.post(f"/property/{laptop.id}/messages", {field: details}, htmx=True, expect=400)
    assert error in response.text and "error-summary" in response.text
    assert await messages_stored(db) == []


async def test_items_of_other_victims_and_crimes_cannot_be_written_about(client, db):
    case = await make_victim_case(db)
    async with db.transaction() as session:
        other_victim = await add_party(session, case.crime, surname="Price", email="price@example.org")
        other_crime = await add_crime(session, case.force, case.officer, reference="AS-2026-000999")
    [_mine, theirs] = await add_items(db, case, LAPTOP, {**RINGS, "owner_party_id": other_victim.id})
    elsewhere = await add_items(db, VictimCase(case.force, case.officer, other_crime, case.party), LAPTOP)
    await sign_in(client, case)

    for item_id in (theirs.id, elsewhere[0].id, 999999, "abc"):
        await client.post(f"/property/{item_id}/messages", {f"details-{item_id}": "Mine?"}, expect=404)
    assert await messages_stored(db) == []


async def test_property_messages_count_towards_the_hourly_limit(client, db):
    case = await make_victim_case(db)
    [laptop] = await add_items(db, case, LAPTOP)
    await sign_in(client, case)
    for number in range(20):
        await client.post("/case/messages", {"message": f"Message {number}"}, expect=303)

    page = await client.submit(
        f"/property/{laptop.id}/messages", {f"details-{laptop.id}": "One too many"}, expect=400
    )

    assert "sent lots of messages" in text_of(page.select_one(".error-summary"))
    assert len(await messages_stored(db)) == 20


async def test_the_property_pages_need_a_signed_in_victim_and_a_csrf_token(client, db):
    case = await make_victim_case(db)
    [laptop] = await add_items(db, case, LAPTOP)
    response = await client.get("/property", expect=303)
    assert response.headers["location"].startswith("/sign-in")
    await sign_in(client, case)
    await client.post(
        f"/property/{laptop.id}/messages", {f"details-{laptop.id}": "Hi"}, csrf=False, expect=403
    )
    assert await messages_stored(db) == []
