"""The Victims' Code compliance export (issue 12): figures against a known set, names, access, audit."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlmodel import select

from tests.webclient import text_of
from trackmycrime.i18n import date_in_words
from trackmycrime.models import AuditEvent, Entitlement, utcnow
from trackmycrime.officer.periods import preset_period, today_in_london
from trackmycrime.victims_code import end_of_london_day, london_date, on_time_rate

from .officer_world import days_ago, sign_in_as

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("known_entitlements")]


@pytest.fixture
async def known_entitlements(db, world) -> None:
    """What is owed and when it was met, for the period's figures."""
    today_ends = end_of_london_day(london_date(utcnow()))
    known = [
        # (party, event, due, met, enhanced): on time, late, missed, not yet due, outside the period.
        (world.victim, "suspect_arrested", days_ago(5), days_ago(6), True),
        (world.victim, "charged", days_ago(5), days_ago(3), False),
        (world.witness, "court_date_set", days_ago(4), None, False),
        (world.victim, "update_requested", today_ends, None, False),
        (world.victim, "regular_contact", days_ago(45), None, False),
    ]
    async with db.transaction() as session:
        for number, (party, event, due, met, enhanced) in enumerate(known):
            session.add(
                Entitlement(
                    force_id=world.force.id,
                    crime_id=world.crime.id,
                    party_id=party.id,
                    event=event,
                    event_key=f"k{number}",
                    event_at=days_ago(10) if due > days_ago(30) else days_ago(50),
                    due_at=due,
                    met_at=met,
                    met_by="message" if met else "",
                    enhanced_rights=enhanced,
                )
            )
        session.add(
            Entitlement(
                force_id=world.other_force.id,
                crime_id=world.other_crime.id,
                party_id=world.other_party.id,
                event="charged",
                event_key="theirs",
                event_at=days_ago(10),
                due_at=days_ago(5),
            )
        )


def rows_of(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.text)))


async def test_the_csv_has_every_entitlement_due_in_the_period_without_names(client, db, world):
    await sign_in_as(client, db, world.supervisor)
    response = await client.get("/officer/compliance/export.csv?period=last-30-days")
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = rows_of(response)
    assert [(r["event"], r["outcome"]) for r in rows] == [
        ("suspect_arrested", "on_time"),
        ("charged", "late"),
        ("court_date_set", "missed"),
        ("update_requested", "not_yet_due"),
    ]
    assert {r["crime_reference"] for r in rows} == {"AS-2026-000123"}
    assert [r["party_role"] for r in rows] == ["victim", "victim", "witness", "victim"]
    assert [r["enhanced_rights"] for r in rows] == ["yes", "no", "no", "no"]
    assert rows[0]["met_by"] == "message" and rows[0]["met_at"].endswith("Z")
    assert "forenames" not in rows[0] and "O'Brien" not in response.text and "Alex" not in response.text


async def test_the_json_totals_match_the_on_time_rate(client, db, world):
    await sign_in_as(client, db, world.admin)
    document = (await client.get("/officer/compliance/export.json?period=last-30-days")).json()
    period = preset_period("last-30-days", today_in_london(utcnow()))
    async with db.session() as session:
        rate = await on_time_rate(session, world.force.id, period.start, period.end)
    assert (rate.on_time, rate.late, rate.missed) == (1, 1, 1)
    assert document["totals"] == {
        "entitlements": 4,
        "due": 3,
        "on_time": 1,
        "late": 1,
        "missed": 1,
        "not_yet_due": 1,
        "on_time_rate": round(1 / 3, 4),
    }
    assert document["names_included"] is False
    assert document["force"]["code"] == "AS"
    assert len(document["entitlements"]) == 4


async def test_names_only_when_an_admin_asks_and_the_export_is_audited(client, db, world):
    await sign_in_as(client, db, world.admin)
    rows = rows_of(await client.get("/officer/compliance/export.csv?period=last-30-days&include_names=yes"))
    assert (rows[0]["forenames"], rows[0]["surname"]) == ("Alex", "O'Brien")
    client.http.cookies.clear()
    await sign_in_as(client, db, world.supervisor)
    rows = rows_of(await client.get("/officer/compliance/export.csv?period=last-30-days&include_names=yes"))
    assert "forenames" not in rows[0]
    async with db.session() as session:
        details = (
            await session.exec(select(AuditEvent.detail).where(AuditEvent.action == "compliance.export"))
        ).all()
    assert sorted("names=yes" in d for d in details) == [False, True]


async def test_another_forces_admin_gets_none_of_ours_and_officers_get_nothing(client, db, world):
    await sign_in_as(client, db, world.other_admin)
    document = (await client.get("/officer/compliance/export.json?period=last-30-days")).json()
    assert [e["crime_reference"] for e in document["entitlements"]] == ["NT-2026-000123"]
    client.http.cookies.clear()
    await sign_in_as(client, db, world.oic)
    for url in ("/officer/compliance/export.csv", "/officer/compliance/export.json"):
        response = await client.http.get(url)
        assert response.status_code in (403, 404) and "AS-2026-000123" not in response.text


async def test_the_compliance_page_offers_the_download_for_the_period_shown(client, db, world):
    await sign_in_as(client, db, world.admin)
    page = await client.page("/officer/compliance?period=last-7-days")
    form = page.select_one('form[action="/officer/compliance/export"]')
    assert form.select_one('input[name="period"]')["value"] == "last-7-days"
    assert form.select_one('input[name="include_names"]')
    response = await client.get(
        "/officer/compliance/export?period=last-7-days&format=json", follow_redirects=True
    )
    assert response.json()["totals"]["due"] == 3
    client.http.cookies.clear()
    await sign_in_as(client, db, world.supervisor)
    page = await client.page("/officer/compliance")
    assert not page.select_one('input[name="include_names"]')
    assert "Download the data" in text_of(page.select_one("main"))


async def test_bad_dates_go_back_to_the_compliance_page_with_errors(client, db, world):
    await sign_in_as(client, db, world.supervisor)
    response = await client.get(
        "/officer/compliance/export.csv?period=custom&from-day=40&from-month=1&from-year=2026", expect=303
    )
    assert response.headers["location"].startswith("/officer/compliance?")


async def test_the_current_period_is_exported_to_date_and_marked_as_not_over(client, db, world):
    await sign_in_as(client, db, world.supervisor)
    today = today_in_london(utcnow())
    start = today - dt.timedelta(days=29)
    ends = today + dt.timedelta(days=60)  # e.g. the quarter we are in
    query = (
        f"period=custom&from-day={start.day}&from-month={start.month}&from-year={start.year}"
        f"&to-day={ends.day}&to-month={ends.month}&to-year={ends.year}"
    )
    response = await client.get(f"/officer/compliance/export.json?{query}")
    document = response.json()
    assert document["period"] == {
        "first_day": start.isoformat(),
        "last_day": today.isoformat(),
        "complete": False,
        "asked_last_day": ends.isoformat(),
    }
    assert document["totals"]["entitlements"] == 4 and document["totals"]["not_yet_due"] == 1
    assert response.headers["content-disposition"].endswith(f'-to-{today.isoformat()}-so-far.json"')
    page = await client.page(f"/officer/compliance?{query}")
    assert "This period is not over" in text_of(page.select_one("#period-incomplete"))
    assert f"{date_in_words(ends)}, so far" in text_of(page.select_one("main"))
    assert not page.select_one(".error-summary")


async def test_a_period_that_is_over_is_marked_complete(client, db, world):
    await sign_in_as(client, db, world.supervisor)
    query = "period=custom&from-day=1&from-month=1&from-year=2026&to-day=31&to-month=1&to-year=2026"
    response = await client.get(f"/officer/compliance/export.json?{query}")
    assert response.json()["period"]["complete"] is True
    assert response.headers["content-disposition"].endswith('-to-2026-01-31.json"')
    page = await client.page(f"/officer/compliance?{query}")
    assert not page.select_one("#period-incomplete")
