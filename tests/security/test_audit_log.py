"""The audit log is append-only from the application's side, and the main journeys write to it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import col, select

import trackmycrime
from tests.web.officer_world import build_world, sign_in_as, sign_in_with_form
from tests.webclient import WebClient
from trackmycrime.models import AuditEvent, Crime, utcnow
from trackmycrime.retention import run_retention

from .forms import fill, post_forms

pytestmark = pytest.mark.anyio

PACKAGE = Path(trackmycrime.__file__).parent
CHANGES_TO_THE_LOG = re.compile(
    r"(update|delete)\(\s*AuditEvent|audit_event\b.*\b(UPDATE|DELETE)|(UPDATE|DELETE FROM)\s+audit_event",
    re.I,
)


def test_no_code_in_the_package_updates_or_deletes_audit_rows():
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in PACKAGE.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if CHANGES_TO_THE_LOG.search(line)
    ]
    assert offenders == []


@pytest.fixture
def audit_changes(db):
    """Every UPDATE or DELETE statement on audit_event the app sends while the test runs."""
    seen: list[str] = []

    def watch(_conn, _cursor, statement, _parameters, _context, _many):
        if re.match(r"\s*(UPDATE|DELETE)\b", statement, re.I) and "audit_event" in statement.lower():
            seen.append(statement)

    engine = db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", watch)
    yield seen
    event.remove(engine, "before_cursor_execute", watch)


async def test_the_main_journeys_only_ever_add_to_the_log(app, client, db, audit_changes):
    world = await build_world(db)
    # A victim reads their case and sends a message.
    await sign_in_as(client, db, world.victim)
    await client.page("/case")
    await client.submit("/case/messages", {"message": "Any news?"})
    await client.submit("/sign-out", {})
    # An officer signs in, opens a crime, replies and posts an update.
    async with WebClient(app) as officer:
        await sign_in_with_form(officer, world.oic.email)
        crime_page = f"/officer/crimes/{world.crime.id}"
        page = await officer.page(crime_page)
        for form in post_forms(page):
            await officer.post(str(form["action"]), fill(form, "We have news for you."), follow=True)
            page = await officer.page(crime_page)
    # An admin reads and exports the log.
    async with WebClient(app) as admin:
        await sign_in_as(admin, db, world.admin)
        await admin.page("/officer/admin/audit")
        await admin.get("/officer/admin/audit.csv")
    # Retention removes a closed crime's personal data.
    async with db.transaction() as session:
        crime = await session.get(Crime, world.crime.id)
        crime.status, crime.closed_at = "closed", utcnow() - dt.timedelta(days=4000)
    async with db.transaction() as session:
        await run_retention(session)
    assert audit_changes == []
    async with db.session() as session:
        actions = set((await session.exec(select(col(AuditEvent.action)))).all())
    assert {"officer.sign_in", "crime.view", "audit.export", "retention.remove"} <= actions
    assert any(a.startswith("message.") for a in actions)
