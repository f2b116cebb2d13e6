"""Officers told (issue 21): one email per chosen gap, listing crime references and counts, no more."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import delete, update
from sqlmodel import select

from tests.webclient import text_of
from trackmycrime.models import (
    AuditEvent,
    Entitlement,
    Message,
    MessageDirection,
    Officer,
    OutboxMessage,
    UpdateRequest,
    utcnow,
)
from trackmycrime.notify.messages import message_fields, render_email
from trackmycrime.notify.outbox import AlertKind
from trackmycrime.officer_digests import queue_officer_digests

from .officer_world import sign_in_as

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("quiet_start")]


@pytest.fixture
async def quiet_start(db, world) -> None:
    async with db.transaction() as session:  # a quiet start: nothing owed, everything read
        await session.exec(delete(Entitlement))
        await session.exec(update(Message).values(read_at=utcnow()))


async def victim_writes(db, world, body="Any news?", *, minutes_ago=1, read=False):
    async with db.transaction() as session:
        session.add(
            Message(
                crime_id=world.crime.id,
                party_id=world.victim.id,
                direction=MessageDirection.FROM_PARTY,
                body=body,
                created_at=utcnow() - dt.timedelta(minutes=minutes_ago),
                read_at=utcnow() if read else None,
            )
        )


async def digests(db) -> list[OutboxMessage]:
    async with db.session() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == AlertKind.OFFICER_DIGEST)
        return list((await session.exec(query.order_by(OutboxMessage.id))).all())


async def run(db, now=None) -> int:
    async with db.transaction() as session:
        return await queue_officer_digests(session, now)


async def choose(db, officer, frequency):
    async with db.transaction() as session:
        row = await session.get(Officer, officer.id)
        row.alert_frequency = frequency
        session.add(row)


async def age_digests(db, minutes):
    """As if `minutes` passed: every digest and message is that much older."""
    async with db.transaction() as session:
        for model in (OutboxMessage, Message):
            for row in (await session.exec(select(model))).all():
                row.created_at -= dt.timedelta(minutes=minutes)
                session.add(row)


async def test_the_officer_in_charge_gets_one_digest_naming_only_the_crime_reference(db, world, settings):
    await victim_writes(db, world, "The marmalade receipts are in the drawer")
    await victim_writes(db, world, "Also the shed key")
    async with db.transaction() as session:
        session.add(UpdateRequest(crime_id=world.crime.id, party_id=world.victim.id, note="Please call"))
        session.add(
            Entitlement(
                force_id=world.crime.force_id,
                crime_id=world.crime.id,
                party_id=world.victim.id,
                event="regular_contact",
                event_key="p1",
                event_at=utcnow() - dt.timedelta(days=27),
                due_at=utcnow() + dt.timedelta(hours=20),
            )
        )
    assert await run(db) == 1
    [row] = await digests(db)
    assert (row.officer_id, row.recipient) == (world.oic.id, world.oic.email)
    fields = message_fields(
        settings, row.kind, world.force, officer=world.oic, context=json.loads(row.context_json)
    )
    email = render_email(fields)
    assert "AS-2026-000123: 2 new messages. 1 request for an update. 1 update due within a day." in email.text
    assert "<li>AS-2026-000123: 2 new messages." in email.html
    for secret in ("marmalade", "shed", "Please call", "Burglary", "O'Brien", "Alex"):
        assert secret not in email.text + email.html + email.subject


async def test_at_most_one_digest_an_hour_and_the_next_has_only_what_is_new(db, world):
    await victim_writes(db, world, "First")
    assert await run(db) == 1
    await victim_writes(db, world, "Second", minutes_ago=0)
    assert await run(db) == 0, "within the hour"
    await age_digests(db, 61)
    assert await run(db) == 1
    assert [row.context_json for row in await digests(db)][
        -1
    ] == '{"digest": "[[\\"AS-2026-000123\\", 1, 0, 0]]"}'


async def test_a_daily_officer_waits_a_day_and_none_means_never(db, world):
    await choose(db, world.oic, "daily")
    await victim_writes(db, world)
    assert await run(db) == 1
    await victim_writes(db, world, minutes_ago=0)
    await age_digests(db, 61)
    assert await run(db) == 0
    await age_digests(db, 24 * 60)
    assert await run(db) == 1
    await choose(db, world.oic, "none")
    await victim_writes(db, world, minutes_ago=0)
    await age_digests(db, 48 * 60)
    assert await run(db) == 0


async def test_nothing_new_sends_nothing_and_read_messages_do_not_count(db, world):
    assert await run(db) == 0
    await victim_writes(db, world, "Already read", read=True)
    assert await run(db) == 0
    assert await digests(db) == []


async def test_the_officer_chooses_how_often_on_their_account_page(client, db, world):
    await sign_in_as(client, db, world.oic)
    page = await client.page("/officer/account")
    assert page.select_one("#field-alert_frequency-fieldset input[checked]")["value"] == "hourly"
    page = await client.submit("/officer/account/alerts", {"alert_frequency": "sometimes"})
    assert [text_of(a) for a in page.select(".error-summary a")] == ["Select how often we should email you"]
    assert text_of(page.select_one("title")).startswith("Error:")
    page = await client.submit("/officer/account/alerts", {"alert_frequency": "daily"})
    assert "Your email choice has been saved" in text_of(page.select_one(".notification"))
    assert page.select_one("#field-alert_frequency-fieldset input[checked]")["value"] == "daily"
    async with db.session() as session:
        assert (await session.get(Officer, world.oic.id)).alert_frequency == "daily"
        actions = (await session.exec(select(AuditEvent.action))).all()
    assert "officer.alert_frequency" in actions
