"""The officer inbox: what needs attention, most urgent first, counts, filters, search, queries."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from tests.webclient import text_of
from trackmycrime.models import AuditEvent, CaseUpdate, Entitlement, Message, MessageDirection, utcnow

from .officer_world import days_ago, sign_in_as, world_crime, world_party

pytestmark = pytest.mark.anyio


def rows(page) -> list[str]:
    return [text_of(row) for row in page.select("main table tbody tr")]


def references(page) -> list[str]:
    return [text_of(a) for a in page.select("main table tbody tr td:first-child a")]


async def owe(db, world, crime, party, due_days_ago: float) -> None:
    async with db.transaction() as session:
        session.add(
            Entitlement(
                force_id=world.force.id,
                crime_id=crime.id,
                party_id=party.id,
                event="suspect_arrested",
                event_key=f"k{crime.id}-{due_days_ago}",
                event_at=days_ago(due_days_ago + 7),
                due_at=days_ago(due_days_ago),
            )
        )


async def test_an_unread_message_puts_the_case_in_the_inbox_with_counts(client, db, world):
    await sign_in_as(client, db, world.oic)
    page = await client.page("/officer")
    assert text_of(page.h1) == "Inbox: 1 case needs attention"
    assert text_of(page.title).startswith("Inbox: 1 case needs attention –")
    assert references(page) == ["AS-2026-000123"]
    assert "1 unread message" in rows(page)[0] and "Alex O'Brien" in rows(page)[0]
    nav_inbox = page.select_one('nav a[href="/officer"]')
    assert text_of(nav_inbox) == "Inbox 1 case needs attention"


async def test_nothing_to_do_says_so(client, db, world):
    await sign_in_as(client, db, world.colleague)
    page = await client.page("/officer")
    assert text_of(page.h1) == "Inbox: nothing needs attention"
    assert "Nothing needs your attention." in text_of(page.select_one("main"))
    assert not page.select_one("nav .nav-count")


async def test_the_most_urgent_come_first(client, db, world):
    async with db.transaction() as session:
        overdue = await world_crime(session, world.force, "AS-2026-000200", world.oic)
        overdue_party = await world_party(session, overdue, "P1", "Ben", "Ray")
        due_soon = await world_crime(session, world.force, "AS-2026-000300", world.oic)
        due_soon_party = await world_party(session, due_soon, "P1", "Cy", "Day")
        await world_crime(session, world.force, "AS-2026-000400", world.oic, created_days_ago=1)
        closed = await world_crime(session, world.force, "AS-2026-000500", world.oic, created_days_ago=1)
        closed.closed_at = utcnow()
    await owe(db, world, overdue, overdue_party, due_days_ago=3)
    await owe(db, world, due_soon, due_soon_party, due_days_ago=-0.2)
    await sign_in_as(client, db, world.oic)
    page = await client.page("/officer")
    assert references(page) == ["AS-2026-000200", "AS-2026-000123", "AS-2026-000300", "AS-2026-000400"]
    assert "Update overdue" in rows(page)[0] and "overdue by" in rows(page)[0]
    assert "Update due soon" in rows(page)[2]
    assert "Newly assigned" in rows(page)[3]
    assert text_of(page.h1) == "Inbox: 4 cases need attention"


async def test_a_new_case_stops_being_new_once_an_officer_has_written(client, db, world):
    async with db.transaction() as session:
        crime = await world_crime(session, world.force, "AS-2026-000400", world.oic, created_days_ago=1)
        session.add(
            CaseUpdate(
                crime_id=crime.id,
                text="I am your officer.",
                author_officer_id=world.oic.id,
                occurred_at=utcnow(),
            )
        )
    await sign_in_as(client, db, world.oic)
    assert "AS-2026-000400" not in references(await client.page("/officer"))


async def test_a_reassigned_case_is_new_for_its_new_officer(client, db, world):
    async with db.transaction() as session:
        crime = await world_crime(
            session, world.force, "AS-2026-000600", world.colleague, created_days_ago=60
        )
        session.add(
            CaseUpdate(
                crime_id=crime.id,
                text="Old news",
                author_officer_id=world.oic.id,
                occurred_at=days_ago(50),
                created_at=days_ago(50),
            )
        )
        session.add(
            AuditEvent(
                force_id=world.force.id,
                actor_kind="officer",
                action="crime.reassign",
                crime_id=crime.id,
                at=days_ago(1),
            )
        )
    await sign_in_as(client, db, world.colleague)
    page = await client.page("/officer")
    assert references(page) == ["AS-2026-000600"]
    assert "Newly assigned" in rows(page)[0]


async def test_my_team_shows_colleagues_cases_with_their_officer(client, db, world):
    await sign_in_as(client, db, world.colleague)
    page = await client.page("/officer?show=team")
    assert text_of(page.h1) == "Inbox: 1 case needs attention"
    assert references(page) == ["AS-2026-000123"]
    assert "PC Sam Jones" in rows(page)[0]
    assert page.select_one("#field-show-2")["checked"] is not None


async def test_another_teams_cases_never_appear(client, db, world):
    await sign_in_as(client, db, world.outsider)
    page = await client.page("/officer?show=team")
    assert references(page) == []


async def test_search_by_reference_or_surname_finds_only_crimes_the_officer_may_see(client, db, world):
    await sign_in_as(client, db, world.oic)
    page = await client.page("/officer?q=as/2026/000123")
    results = page.select("main table")[0]
    assert "1 crime matches" in text_of(results.caption)
    assert [text_of(a) for a in results.select("tbody a")] == ["AS-2026-000123"]
    page = await client.page("/officer?q=o%E2%80%99brien")
    assert [text_of(a) for a in page.select("main table")[0].select("tbody a")] == ["AS-2026-000123"]
    for hidden in ("Hart", "AS-2026-000999", "Khan", "NT-2026-000123"):
        page = await client.page(f"/officer?q={hidden}")
        assert "No crimes you can see match" in text_of(page.select_one("main"))


async def test_a_supervisor_searches_the_whole_force(client, db, world):
    await sign_in_as(client, db, world.supervisor)
    page = await client.page("/officer?q=hart")
    assert [text_of(a) for a in page.select("main table")[0].select("tbody a")] == ["AS-2026-000999"]
    page = await client.page("/officer?q=khan")
    assert "No crimes you can see match" in text_of(page.select_one("main"))


async def test_odd_filters_and_searches_are_harmless(client, db, world):
    await sign_in_as(client, db, world.oic)
    for query in ("show=everything", "q=%25", "q=_", "q=" + "x" * 500, "q=%27%3B--"):
        await client.page(f"/officer?{query}")


class QueryCounter:
    def __init__(self, engine) -> None:
        self.count = 0
        self.engine = engine.sync_engine

    def __enter__(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args: object) -> None:
        self.count += 1


async def _queries_for_inbox(client, db) -> int:
    with QueryCounter(db.engine) as counter:
        await client.page("/officer?show=team&q=o%27brien")
    return counter.count


async def test_the_inbox_takes_a_fixed_number_of_queries(client, db, world):
    await sign_in_as(client, db, world.oic)
    few = await _queries_for_inbox(client, db)
    async with db.transaction() as session:
        for number in range(12):
            crime = await world_crime(session, world.force, f"AS-2026-1{number:05d}", world.colleague)
            party = await world_party(session, crime, "P1", "Ann", f"Adams{number}")
            session.add(
                Message(
                    crime_id=crime.id, party_id=party.id, direction=MessageDirection.FROM_PARTY, body="Hello"
                )
            )
    many = await _queries_for_inbox(client, db)
    assert many == few
