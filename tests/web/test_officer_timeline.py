"""The officer's crime page shows the crime's one timeline (issues 22 and 24): updates, every party's
messages and requests newest first, filtered by kind with plain links, a page at a time."""

from __future__ import annotations

import pytest

from tests.webclient import text_of
from trackmycrime.models import CaseUpdate, Message, MessageDirection, UpdateRequest
from trackmycrime.officer.timeline import PAGE_SIZE

from .officer_world import days_ago, sign_in_as

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("timeline_entries")]


@pytest.fixture
async def timeline_entries(db, world) -> None:
    """A message to the witness, an update request and another crime's update, for the timeline."""
    async with db.transaction() as session:
        session.add(
            Message(
                crime_id=world.crime.id,
                party_id=world.witness.id,
                direction=MessageDirection.TO_PARTY,
                officer_id=world.oic.id,
                body="Can you come in on Monday?",
                created_at=days_ago(3),
            )
        )
        session.add(
            UpdateRequest(crime_id=world.crime.id, party_id=world.victim.id, requested_at=days_ago(2))
        )
        session.add(
            CaseUpdate(
                crime_id=world.outsider_crime.id, text="Another crime's update.", occurred_at=days_ago(1)
            )
        )


def titles(page) -> list[str]:
    return [text_of(h3) for h3 in page.select("#updates-timeline .timeline__title")]


async def test_every_kind_is_in_one_list_newest_first(client, db, world):
    await sign_in_as(client, db, world.oic)
    page = await client.page(f"/officer/crimes/{world.crime.id}")
    assert titles(page) == [
        "Message from Alex O'Brien",
        "Alex O'Brien asked for an update",
        "Message to Sam Taylor",
        "Crime recorded",
    ]
    assert "Another crime's update." not in text_of(page.select_one("#updates-timeline"))
    assert text_of(page.select_one("#timeline-showing")) == "4 entries, newest first."


@pytest.mark.parametrize(
    ("show", "expected"),
    [
        ("messages", ["Message from Alex O'Brien", "Message to Sam Taylor"]),
        ("requests", ["Alex O'Brien asked for an update"]),
        ("updates", ["Crime recorded"]),
        ("hearings", []),
    ],
)
async def test_each_filter_is_a_plain_link(client, db, world, show, expected):
    await sign_in_as(client, db, world.oic)
    page = await client.page(f"/officer/crimes/{world.crime.id}")
    link = next(a for a in page.select(".timeline-filter a") if f"show={show}" in a["href"])
    filtered = await client.page(link["href"])
    assert titles(filtered) == expected
    assert filtered.select_one(".timeline-filter a[aria-current]")["href"] == link["href"]


async def test_pages_of_the_timeline_lose_and_repeat_nothing(client, db, world):
    async with db.transaction() as session:
        for number in range(45):  # pairs on the same moment: ties broken by kind, then id
            moment = days_ago(10 + number // 2)
            session.add(CaseUpdate(crime_id=world.crime.id, text=f"Update {number}", occurred_at=moment))
    await sign_in_as(client, db, world.oic)
    page = await client.page(f"/officer/crimes/{world.crime.id}?show=updates")
    seen: list[str] = []
    while True:
        shown = [li["id"] for li in page.select("#updates-timeline li.timeline__item")]
        assert len(shown) <= PAGE_SIZE
        seen += shown
        more = page.select_one("#timeline-more a")
        if more is None:
            break
        page = await client.page(more["href"])
    assert len(seen) == len(set(seen)) == 46, "every update once: the 45 and the crime recorded"


async def test_a_filter_with_htmx_swaps_the_timeline_in_place_and_without_it_is_the_page(client, db, world):
    await sign_in_as(client, db, world.oic)
    page = await client.page(f"/officer/crimes/{world.crime.id}")
    link = next(a for a in page.select(".timeline-filter a") if "show=messages" in a["href"])
    assert link["hx-push-url"] == f"/officer/crimes/{world.crime.id}?show=messages"
    fragment = await client.page(link["hx-get"], htmx=True)
    assert titles(fragment) == ["Message from Alex O'Brien", "Message to Sam Taylor"]
    assert fragment.select_one("#updates-heading").has_attr("data-focus-after-swap")
    assert text_of(fragment.select_one("#announcer")) == "2 entries, newest first."
    response = await client.get(link["hx-get"], expect=303)
    assert response.headers["location"] == f"/officer/crimes/{world.crime.id}?show=messages#updates-timeline"
    await sign_in_as(client, db, world.outsider)
    await client.get(link["hx-get"], htmx=True, expect=404)
