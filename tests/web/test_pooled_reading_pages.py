"""Every page that reads on the session check's connection (Database.pooled_reading) gives it back to
the pool, and leaves it in no transaction, whichever way the page was answered: from the memo,
rendered, a poll with nothing new or something new, a fragment, a 404, a language switch, a session
touched. A connection kept would take the pool from every other request within a few visits."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, text, update

from tests.webclient import WebClient
from trackmycrime.app import create_app
from trackmycrime.database import Database
from trackmycrime.models import WebSession, utcnow

from .officer_world import sign_in_as
from .victim_data import add_message, add_update, make_victim_case, sign_in

pytestmark = pytest.mark.anyio


async def assert_given_back(db: Any, after: str) -> None:
    assert db.engine.pool.checkedout() == 0, f"a connection kept after {after}"
    if not db.is_sqlite:
        async with db.reading_connection() as connection:
            idle_in_transaction = text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state LIKE 'idle in transaction%'"
            )
            assert (await connection.execute(idle_in_transaction)).scalar() == 0, after


async def test_a_partys_pages_give_their_connection_back(client, db):
    case = await make_victim_case(db)
    page = await sign_in(client, case)
    poll = page.select_one("#case-poller")["hx-get"]
    visits = [
        ("/case", {}, 200),  # rendered and kept
        ("/case", {}, 200),  # from the memo
        ("/case?lang=cy", {}, 200),  # the party's language stored
        ("/case?lang=en", {}, 200),
        ("/case", {"htmx": True}, 200),  # not memoised
        ("/case/timeline?show=updates", {"htmx": True}, 200),
        ("/case/hearings/999999.ics", {}, 404),
        (poll, {"htmx": True}, 204),  # nothing new
    ]
    for url, options, status in visits:
        await client.get(url, expect=status, **options)
        await assert_given_back(db, url)
    async with db.transaction() as session:
        add_message(session, case.party, "We have news.", officer=case.officer, days_ago=0)
        add_update(session, case.crime, "We have spoken to a witness.", days_ago=0)
        # The session last seen a few minutes ago: the next page's check writes its new time.
        stale = WebSession.party_id == case.party.id  # type: ignore[arg-type]
        a_while_ago = utcnow() - dt.timedelta(minutes=5)
        await session.exec(update(WebSession).where(stale).values(last_seen_at=a_while_ago))  # type: ignore[call-overload]
    await client.get("/case", expect=200)
    await assert_given_back(db, "a page after the rows changed, its session touched")
    async with db.session() as session:
        touched = await session.scalar(select(WebSession.last_seen_at).where(stale))
    assert touched is not None and touched > a_while_ago
    await client.get(poll, htmx=True, expect=200)  # something new since the poll's page
    await assert_given_back(db, "a poll with something new")


async def test_an_officers_inbox_and_search_give_their_connection_back(client, db):
    case = await make_victim_case(db)
    await sign_in_as(client, db, case.officer)
    visits = [("/officer", 200), ("/officer", 200), ("/officer?q=Smith", 200), ("/officer/search?q=x", 303)]
    for url, status in visits:
        await client.get(url, expect=status)
        await assert_given_back(db, url)


@pytest.mark.postgresql_only
async def test_many_signed_in_requests_at_once_wait_for_a_small_pool_and_all_get_their_page(db, settings):
    """Forty-two case pages, polls and inboxes at once on a pool of two: each check-out waits for a
    connection another gives back (the pool's wait, in SQLAlchemy's greenlet), none is refused or
    kept, and each browser gets its own page."""
    case = await make_victim_case(db)
    small = Database(db.url, pool_size=2)
    try:
        async with (
            WebClient(create_app(settings, small)) as victim,
            WebClient(create_app(settings, small)) as officer,
        ):
            page = await sign_in(victim, case)
            poll = page.select_one("#case-poller")["hx-get"]
            await sign_in_as(officer, db, case.officer)
            asked = [
                (victim, "/case", {}, 200),
                (victim, poll, {"htmx": True}, 204),
                (officer, "/officer", {}, 200),
            ]
            responses = await asyncio.gather(
                *(
                    client.get(url, expect=status, **options)
                    for _ in range(14)
                    for client, url, options, status in asked
                )
            )
            cases = [response.text for response in responses if response.request.url.path == "/case"]
            assert len(cases) == 14 and all(case.crime.reference in text for text in cases)
            inboxes = [response.text for response in responses if response.request.url.path == "/officer"]
            assert len(inboxes) == 14 and all(case.crime.reference in text for text in inboxes)
            assert small.engine.pool.checkedout() == 0
    finally:
        await small.dispose()
