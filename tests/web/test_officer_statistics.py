"""Force statistics: the figures for a period, the accessible chart and the CSV download."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from tests.webclient import text_of
from trackmycrime.models import Entitlement, Feedback, Message, MessageDirection, Party, WebSession, utcnow

from .officer_world import days_ago, world_crime, world_party

pytestmark = pytest.mark.anyio


def figures(page) -> dict[str, str]:
    table = page.select_one("table#figures")
    return {text_of(row.th): text_of(row.td) for row in table.select("tbody tr")}


async def add_activity(db, world) -> None:
    """In the last 30 days: 2 parties messaged, replies after 2 and 4 hours, 4 feedbacks, 2 entitlements."""
    async with db.transaction() as session:
        start = days_ago(10)

        def message(party: Party, hours: float, direction: str) -> Message:
            return Message(
                crime_id=party.crime_id,
                party_id=party.id,
                direction=direction,
                body="x",
                created_at=start + dt.timedelta(hours=hours),
            )

        session.add(message(world.victim, 0, MessageDirection.FROM_PARTY))
        session.add(message(world.victim, 1, MessageDirection.FROM_PARTY))  # the same wait, counted once
        session.add(message(world.victim, 2, MessageDirection.TO_PARTY))
        session.add(message(world.witness, 5, MessageDirection.FROM_PARTY))
        session.add(message(world.witness, 9, MessageDirection.TO_PARTY))
        session.add(message(world.other_party, 0, MessageDirection.FROM_PARTY))  # another force
        for rating in (5, 4, 2, 5):
            session.add(
                Feedback(crime_id=world.crime.id, party_id=world.victim.id, rating=rating, created_at=start)
            )
        session.add(Feedback(crime_id=world.other_crime.id, rating=1, created_at=start))
        session.add(
            WebSession(
                token_hash="a" * 64,
                party_id=world.victim.id,
                csrf_token="c",
                created_at=start,
                last_seen_at=start,
                expires_at=start,
            )
        )
        for key, met in (("on-time", days_ago(6)), ("late", days_ago(1))):
            session.add(
                Entitlement(
                    force_id=world.force.id,
                    crime_id=world.crime.id,
                    party_id=world.victim.id,
                    event="charged",
                    event_key=key,
                    event_at=days_ago(8),
                    due_at=days_ago(3),
                    met_at=met,
                )
            )
        crime = await world_crime(session, world.force, "AS-2026-000321", world.oic)
        newcomer = await world_party(session, crime, "P1", "Nia", "Bell")
        newcomer.invited_at, newcomer.registered_at = days_ago(3), days_ago(2)


async def test_the_figures_for_the_last_30_days(supervisor, db, world):
    await add_activity(db, world)
    page = await supervisor.page("/officer/statistics")
    assert text_of(page.h1) == "Force statistics"
    shown = figures(page)
    assert shown["Victims and witnesses invited"] == "1"
    assert shown["Registered"] == "1"
    assert shown["Active (signed in during the period)"] == "1"
    # Two waits answered (2 and 4 hours), one message of the world's still waiting.
    assert shown["Messages from victims and witnesses"] == "4"
    assert shown["Messages from officers"] == "2"
    assert shown["Median time to an officer’s reply"] == "3 hours"
    assert shown["Victims' Code updates given on time"] == "50.0% (1 of 2)"
    assert shown["Satisfied with the service (rated 4 or 5 out of 5)"] == "75.0% (3 of 4)"


async def test_a_period_with_nothing_in_it(supervisor, db, world):
    await add_activity(db, world)
    page = await supervisor.page("/officer/statistics?period=last-7-days")
    shown = figures(page)
    assert shown["Messages from officers"] == "0"
    assert shown["Median time to an officer’s reply"] == "No replies in this period"
    assert shown["Satisfied with the service (rated 4 or 5 out of 5)"] == "–"


async def test_the_chart_is_an_accessible_svg_with_the_table_as_its_text(supervisor, db, world):
    await add_activity(db, world)
    page = await supervisor.page("/officer/statistics")
    svg = page.select_one("svg.chart")
    assert svg["role"] == "img"
    assert svg["aria-labelledby"] == "chart-title chart-desc"
    assert text_of(svg.select_one("title#chart-title")).startswith("Take-up and messages")
    assert "Messages from officers: 2." in text_of(svg.select_one("desc#chart-desc"))
    assert len(svg.select("rect")) == 5
    assert not svg.select("[style]")
    widths = [int(rect["width"]) for rect in svg.select("rect")]
    assert widths == [75, 75, 75, 300, 150]


async def test_a_custom_period_and_its_errors(supervisor, world):
    today = utcnow().date()
    page = await supervisor.page(
        f"/officer/statistics?period=custom&from-day=1&from-month=1&from-year=2026"
        f"&to-day={today.day}&to-month={today.month}&to-year={today.year}"
    )
    assert "1 January 2026 to" in text_of(page.select_one("#figures-heading"))
    page = await supervisor.page(
        "/officer/statistics?period=custom&from-day=5&from-month=5&from-year=2026&to-day=1&to-month=5&to-year=2026"
    )
    assert [text_of(a) for a in page.select(".error-summary a")] == [
        "The end date must be the same as or after the start date"
    ]
    assert page.select_one(".error-summary a")["href"] == "#field-to-day"
    assert not page.select_one("table#figures")
    page = await supervisor.page(
        "/officer/statistics?period=custom&from-day=1&from-month=1&from-year=3000&to-day=x"
    )
    assert "The start date must be today or in the past" in text_of(page.select_one(".error-summary"))


async def test_the_csv_download_has_the_same_figures(supervisor, db, world):
    await add_activity(db, world)
    page = await supervisor.page("/officer/statistics?period=last-90-days")
    link = page.select_one('a[href^="/officer/statistics.csv"]')
    assert link["href"] == "/officer/statistics.csv?period=last-90-days"
    response = await supervisor.get(link["href"])
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="trackmycrime-statistics-'
    )
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["figure", "value", "number"]
    by_label = {row[0]: row for row in rows[1:]}
    assert by_label["Messages from victims and witnesses"][2] == "4"
    assert by_label["Median time to an officer’s reply"][2] == "3.0"
    assert by_label["Satisfied with the service (rated 4 or 5 out of 5)"][2] == "75.0"


async def test_a_csv_for_bad_dates_goes_back_to_the_page(supervisor):
    response = await supervisor.get("/officer/statistics.csv?period=custom&from-day=99", expect=303)
    assert response.headers["location"].startswith("/officer/statistics?")
