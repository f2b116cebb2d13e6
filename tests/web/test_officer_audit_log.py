"""The audit log viewer: force admins only, their force only, filters, pages and a CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlmodel import col, select

from tests.webclient import text_of
from trackmycrime.models import AuditEvent, utcnow

from .officer_world import sign_in_as

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("audit_events")]


@pytest.fixture
async def audit_events(db, world) -> None:
    """Audit events in this force and in the other one."""
    now = utcnow()
    async with db.transaction() as session:
        session.add_all(
            [
                AuditEvent(
                    at=now - dt.timedelta(days=10),
                    force_id=world.force.id,
                    actor_kind="officer",
                    actor_id=world.oic.id,
                    action="crime.view",
                    crime_id=world.crime.id,
                    ip_address="10.0.0.7",
                ),
                AuditEvent(
                    at=now - dt.timedelta(days=1),
                    force_id=world.force.id,
                    actor_kind="officer",
                    actor_id=world.outsider.id,
                    action="message.send",
                    crime_id=world.outsider_crime.id,
                    ip_address="10.0.0.8",
                    detail='=HYPERLINK("http://evil.example")',
                ),
                AuditEvent(
                    at=now - dt.timedelta(hours=1),
                    force_id=world.other_force.id,
                    actor_kind="officer",
                    actor_id=world.other_admin.id,
                    action="crime.view",
                    crime_id=world.other_crime.id,
                    ip_address="192.0.2.99",
                ),
            ]
        )


def table_rows(page) -> list[str]:
    return [text_of(row) for row in page.select("table tbody tr")]


async def test_only_admins_see_the_audit_log(client, db, world):
    for who in (world.oic, world.supervisor):
        await sign_in_as(client, db, who)
        await client.get("/officer/admin/audit", expect=403)
        await client.get("/officer/admin/audit.csv", expect=403)
    client.http.cookies.clear()
    response = await client.get("/officer/admin/audit", expect=303)
    assert response.headers["location"].startswith("/officer/sign-in")


async def test_an_admin_sees_their_forces_events_newest_first_and_never_another_forces(client, db, world):
    await sign_in_as(client, db, world.admin)
    home = await client.page("/officer/admin")
    assert home.select_one('a[href="/officer/admin/audit"]') is not None
    page = await client.page("/officer/admin/audit")
    assert text_of(page.h1) == "Audit log"
    rows = table_rows(page)
    assert len(rows) == 2
    assert "PC Kim Lo" in rows[0] and "message.send" in rows[0] and "AS-2026-000999" in rows[0]
    assert "PC Sam Jones" in rows[1] and "10.0.0.7" in rows[1]
    assert "192.0.2.99" not in str(page) and "NT-2026-000123" not in str(page)


async def test_filters_narrow_the_log_and_mistakes_are_explained(client, db, world):
    await sign_in_as(client, db, world.admin)
    page = await client.page("/officer/admin/audit?action=crime.view")
    assert len(table_rows(page)) == 1 and "10.0.0.7" in table_rows(page)[0]
    page = await client.page("/officer/admin/audit?reference=as 2026 000999")
    assert len(table_rows(page)) == 1 and "AS-2026-000999" in table_rows(page)[0]
    page = await client.page(f"/officer/admin/audit?actor=officer-{world.oic.id}")
    assert len(table_rows(page)) == 1 and "PC Sam Jones" in table_rows(page)[0]
    # Another force's officer is not a choice, so the filter is ignored rather than leaking anything.
    page = await client.page(f"/officer/admin/audit?actor=officer-{world.other_admin.id}")
    assert len(table_rows(page)) == 2
    five_days_ago = (utcnow() - dt.timedelta(days=5)).date()
    query = f"from-day={five_days_ago.day}&from-month={five_days_ago.month}&from-year={five_days_ago.year}"
    page = await client.page(f"/officer/admin/audit?{query}")
    assert len(table_rows(page)) == 1 and "message.send" in table_rows(page)[0]
    page = await client.page("/officer/admin/audit?from-day=31&from-month=2&from-year=2026&to-day=1")
    assert text_of(page.title).startswith("Error:")
    assert [text_of(a) for a in page.select(".error-summary a")] == [
        "The start date must be a real date",
        "The end date must include a day, month and year",
    ]
    await client.page("/officer/admin/audit?page=999&action=%00%3Cx%3E&reference=%F0%9F%92%A5")


async def test_pages_hold_fifty_entries(client, db, world):
    async with db.transaction() as session:
        session.add_all(
            AuditEvent(force_id=world.force.id, actor_kind="system", action="bulk.test", detail=f"n={n}")
            for n in range(60)
        )
    await sign_in_as(client, db, world.admin)
    first = await client.page("/officer/admin/audit?action=bulk.test")
    assert len(table_rows(first)) == 50
    next_link = first.select_one('.pagination a[rel="next"]')
    assert next_link is not None and "action=bulk.test" in next_link["href"]
    second = await client.page(str(next_link["href"]))
    assert len(table_rows(second)) == 10


async def test_the_csv_export_has_the_same_filters_is_spreadsheet_safe_and_is_itself_audited(
    client, db, world
):
    await sign_in_as(client, db, world.admin)
    response = await client.get("/officer/admin/audit.csv?actor=officer-" + str(world.outsider.id))
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["action"] for row in rows] == ["message.send"]
    assert rows[0]["crime_reference"] == "AS-2026-000999"
    assert rows[0]["detail"].startswith("'=")
    everything = list(csv.DictReader(io.StringIO((await client.get("/officer/admin/audit.csv")).text)))
    assert "192.0.2.99" not in {row["ip_address"] for row in everything}
    async with db.session() as session:
        exports = (
            await session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.action) == "audit.export")
                .order_by(col(AuditEvent.id))
            )
        ).all()
    assert len(exports) == 2
    assert all(e.force_id == world.force.id and e.actor_id == world.admin.id for e in exports)
    assert f"actor=officer-{world.outsider.id}" in exports[0].detail


async def test_rows_stored_under_an_older_action_name_show_and_filter_under_the_current_one(
    client, db, world
):
    """Issue 19 made the action names one style; rows written before keep their stored names."""
    async with db.transaction() as session:
        session.add(
            AuditEvent(
                at=utcnow() - dt.timedelta(hours=2),
                force_id=world.force.id,
                actor_kind="party",
                actor_id=world.victim.id,
                action="party_sent_message",
                crime_id=world.crime.id,
                party_id=world.victim.id,
                ip_address="10.0.0.9",
                detail="message:1",
            )
        )
    await sign_in_as(client, db, world.admin)
    page = await client.page("/officer/admin/audit")
    options = [option["value"] for option in page.select("select#field-action option")]
    assert "party_sent_message" not in options and options.count("message.send") == 1
    filtered = await client.page("/officer/admin/audit?action=message.send")
    rows = table_rows(filtered)
    assert len(rows) == 2 and all("message.send" in row for row in rows)
    assert not any("party_sent_message" in row for row in rows)
    exported = await client.get("/officer/admin/audit.csv?action=message.send", expect=200)
    actions = [row["action"] for row in csv.DictReader(io.StringIO(exported.text))]
    assert actions == ["message.send", "message.send"]
