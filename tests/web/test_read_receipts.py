"""Read receipts: when each party first read each update and message, and one reminder when unread."""

import datetime as dt
import json

import pytest
from sqlmodel import select

from tests.webclient import text_of
from trackmycrime.models import OutboxMessage, Party, UpdateRead, utcnow
from trackmycrime.notify.outbox import AlertKind
from trackmycrime.notify.worker import Worker
from trackmycrime.read_receipts import queue_unread_reminders

from .officer_world import sign_in_as
from .victim_data import add_message, add_party, add_update, make_victim_case, sign_in

pytestmark = pytest.mark.anyio


async def add_updates(db, case, *texts_and_ages, audience="all", party=None):
    async with db.transaction() as session:
        updates = [
            add_update(session, case.crime, text, days_ago=age, audience=audience, party=party)
            for text, age in texts_and_ages
        ]
        await session.flush()
        for update in updates:  # made when the update was, so the reminder clock starts then
            update.created_at = update.occurred_at
            session.add(update)
    return updates


async def reads(db, party_id):
    async with db.session() as session:
        rows = (await session.exec(select(UpdateRead).where(UpdateRead.party_id == party_id))).all()
    return {row.update_id: row.first_read_at for row in rows}


async def reminders(db):
    async with db.session() as session:
        return (
            await session.exec(select(OutboxMessage).where(OutboxMessage.kind == AlertKind.UNREAD_REMINDER))
        ).all()


async def remind(db, now=None):
    async with db.transaction() as session:
        return await queue_unread_reminders(session, now)


async def registered_days_ago(db, party_id, days):
    async with db.transaction() as session:
        party = await session.get(Party, party_id)
        party.registered_at = utcnow() - dt.timedelta(days=days)
        session.add(party)


async def test_opening_the_case_page_records_the_first_reading_of_what_the_party_can_see(client, db, app):
    case = await make_victim_case(db)
    async with db.transaction() as session:
        other = await add_party(session, case.crime, surname="Khan", email="k@example.org")
    [shared] = await add_updates(db, case, ("Seen by all", 2))
    [private] = await add_updates(db, case, ("Only for Khan", 1), audience="party", party=other)
    await sign_in(client, case)
    await client.page("/case")
    first = await reads(db, case.party.id)
    assert set(first) == {shared.id}
    await client.page("/case")
    assert await reads(db, case.party.id) == first  # the first reading is kept
    assert private.id not in await reads(db, other.id)


async def test_the_officer_sees_who_has_read_each_update_and_message(client, db, app):
    case = await make_victim_case(db)
    [update] = await add_updates(db, case, ("Statement taken", 1))
    async with db.transaction() as session:
        add_message(session, case.party, "We have your statement", officer=case.officer, days_ago=0.5)
    await sign_in_as(client, db, case.officer)
    page = await client.page(f"/officer/crimes/{case.crime.id}")
    assert "Not yet read by Alex O'Brien" in text_of(page.select_one(".read-receipts"))
    assert "Not yet read by Alex O'Brien" in text_of(page.select_one(".read-receipt"))

    await sign_in(client, case)
    await client.page("/case")
    await sign_in_as(client, db, case.officer)
    page = await client.page(f"/officer/crimes/{case.crime.id}")
    assert text_of(page.select_one(".read-receipts")).startswith("Read by Alex O'Brien on")
    assert text_of(page.select_one(".read-receipt")).startswith("Read by Alex O'Brien on")


async def test_an_update_left_unread_gets_exactly_one_reminder_without_case_detail(db, app):
    case = await make_victim_case(db, mobile="+447700900123")
    await registered_days_ago(db, case.party.id, 30)
    await add_updates(db, case, ("Suspect interviewed", 4), ("Forensics back", 1))
    assert await remind(db) == 1  # the force default is 3 days: only the older one
    [reminder] = await reminders(db)
    assert reminder.party_id == case.party.id and reminder.channel == "email"
    assert json.loads(reminder.context_json) == {"force_name": "Avon and Somerset Police"}
    assert "Suspect interviewed" not in reminder.context_json

    assert await remind(db) == 0
    async with db.transaction() as session:  # a new channel is still not a second reminder
        party = await session.get(Party, case.party.id)
        party.alert_channel = "both"
        session.add(party)
    assert await remind(db) == 0
    # The one reminder covered the recent update too: it was unread when the reminder went.
    assert await remind(db, utcnow() + dt.timedelta(days=3)) == 0
    assert [r.channel for r in await reminders(db)] == ["email"]


async def test_no_reminder_once_read_nor_for_those_who_cannot_be_alerted(client, db, app):
    case = await make_victim_case(db)
    async with db.transaction() as session:
        opted_out = await add_party(session, case.crime, surname="Out", email="out@example.org")
        opted_out.registered_at = utcnow() - dt.timedelta(days=30)
        opted_out.opted_out_at = utcnow()
        no_alerts = await add_party(session, case.crime, surname="Quiet", email="quiet@example.org")
        no_alerts.registered_at = utcnow() - dt.timedelta(days=30)
        no_alerts.alert_channel = "none"
        await add_party(session, case.crime, surname="New", email="new@example.org", password=None)
        await add_party(session, case.crime, surname="Late", email="late@example.org")  # registered now
        session.add_all([opted_out, no_alerts])
    await registered_days_ago(db, case.party.id, 30)
    await add_updates(db, case, ("Suspect interviewed", 5))
    await sign_in(client, case)
    await client.page("/case")
    assert await remind(db) == 0
    assert await reminders(db) == []


async def test_the_worker_queues_reminders_as_it_runs(db, app, settings):
    case = await make_victim_case(db)
    await registered_days_ago(db, case.party.id, 30)
    await add_updates(db, case, ("Suspect interviewed", 5))
    await Worker(settings, db).run(once=True)
    assert [r.party_id for r in await reminders(db)] == [case.party.id]
