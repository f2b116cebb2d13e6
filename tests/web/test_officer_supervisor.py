"""Supervisors: all crimes of the force with filters and pages, and the Victims' Code dashboard."""

from __future__ import annotations

import pytest

from tests.webclient import text_of
from trackmycrime.models import Entitlement

from .officer_world import days_ago, world_crime

pytestmark = pytest.mark.anyio


def references(page) -> list[str]:
    return [text_of(a) for a in page.select("main table tbody td:first-child a")]


async def test_all_crimes_of_the_force_and_none_of_another(supervisor, world):
    page = await supervisor.page("/officer/crimes")
    assert text_of(page.h1) == "All crimes"
    assert sorted(references(page)) == ["AS-2026-000123", "AS-2026-000999"]
    assert "2 crimes, newest first" in text_of(page.select_one("caption"))


async def test_filters_by_status_officer_and_team(supervisor, db, world):
    async with db.transaction() as session:
        charged = await world_crime(session, world.force, "AS-2026-000777", world.colleague)
        charged.status = "charged"
    assert references(await supervisor.page("/officer/crimes?status=charged")) == ["AS-2026-000777"]
    assert references(await supervisor.page(f"/officer/crimes?officer={world.outsider.id}")) == [
        "AS-2026-000999"
    ]
    page = await supervisor.page("/officer/crimes?team=North+CID")
    assert sorted(references(page)) == ["AS-2026-000123", "AS-2026-000777"]
    assert page.select_one("#field-team option[selected]")["value"] == "North CID"
    assert (
        references(await supervisor.page(f"/officer/crimes?officer={world.other_admin.id}")) != []
    )  # ignored


async def test_pages_of_crimes(supervisor, db, world):
    async with db.transaction() as session:
        for number in range(30):
            await world_crime(
                session, world.force, f"AS-2026-5{number:05d}", world.oic, created_days_ago=number
            )
    page = await supervisor.page("/officer/crimes")
    assert len(references(page)) == 25
    assert "page 1 of 2" in text_of(page.select_one("caption"))
    assert page.select_one('a[rel="next"]')["href"] == "/officer/crimes?page=2"
    page = await supervisor.page("/officer/crimes?page=2")
    assert len(references(page)) == 7
    assert page.select_one('.pagination a[aria-current="page"]')["href"] == "/officer/crimes?page=2"
    page = await supervisor.page("/officer/crimes?page=99")
    assert "page 2 of 2" in text_of(page.select_one("caption"))


async def test_compliance_shows_on_time_rates_and_the_overdue_list(supervisor, db, world):
    async with db.transaction() as session:

        def owed(key: str, due: float, met: float | None) -> Entitlement:
            return Entitlement(
                force_id=world.force.id,
                crime_id=world.crime.id,
                party_id=world.victim.id,
                event="suspect_arrested",
                event_key=key,
                event_at=days_ago(due + 5),
                due_at=days_ago(due),
                met_at=days_ago(met) if met is not None else None,
            )

        session.add(owed("on-time", 10, 11))
        session.add(owed("late", 8, 6))
        session.add(owed("missed", 2, None))
    page = await supervisor.page("/officer/compliance")
    assert text_of(page.h1) == "Victims' Code compliance"
    assert "33% of updates were given on time (1 of 3)" in text_of(page.select_one(".lead"))
    tables = page.select("main table")
    team_row = text_of(tables[0].select_one("tbody tr"))
    assert team_row.startswith("North CID") and team_row.endswith("33%")
    assert text_of(tables[1].select_one("tbody tr")).startswith("PC Sam Jones")
    overdue = text_of(tables[2])
    assert "AS-2026-000123" in overdue and "Alex O'Brien" in overdue and "Suspect arrested" in overdue
    assert tables[2].select_one(f'a[href="/officer/crimes/{world.crime.id}#officer-heading"]')


async def test_compliance_for_a_chosen_period_and_bad_dates(supervisor, world):
    page = await supervisor.page("/officer/compliance?period=last-7-days")
    assert "No updates fell due in this period." in text_of(page.select_one(".lead"))
    page = await supervisor.page(
        "/officer/compliance?period=custom&from-day=31&from-month=2&from-year=2026&to-day=&to-month=&to-year="
    )
    assert text_of(page.title).startswith("Error: Victims' Code compliance")
    errors = [text_of(a) for a in page.select(".error-summary a")]
    assert errors == ["The start date must be a real date", "Enter the end date"]
    assert page.select_one(".error-summary a")["href"] == "#field-from-day"
    assert page.select_one("#field-from-day")["value"] == "31"
