"""Alert floods (issue 16): at most one alert of a kind per person per window, one reminder for all unread."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from trackmycrime.models import Force, OutboxMessage, Party, utcnow
from trackmycrime.notify.outbox import AlertKind

from .officer_world import sign_in_as
from .test_read_receipts import add_updates, registered_days_ago, remind, reminders
from .victim_data import make_victim_case

pytestmark = pytest.mark.anyio


async def alerts_to(db, party_id) -> list[tuple[str, str]]:
    async with db.session() as session:
        rows = await session.exec(
            select(OutboxMessage).where(OutboxMessage.party_id == party_id).order_by(OutboxMessage.id)
        )
        return [(row.kind, row.channel) for row in rows]


async def set_window(db, force_id, minutes):
    async with db.transaction() as session:
        force = await session.get(Force, force_id)
        force.alert_window_minutes = minutes
        session.add(force)


async def busy_officer_session(client, world, updates=2):
    url = f"/officer/crimes/{world.crime.id}"
    await client.page(url)
    await client.post(
        f"{url}/parties/{world.victim.id}/messages", {f"reply-{world.victim.id}": "Thanks"}, expect=303
    )
    for number in range(updates):
        await client.post(
            f"{url}/updates", {"text": f"Update {number}", "audience": "all", "status": ""}, expect=303
        )
    await client.post(
        f"{url}/parties/{world.victim.id}/messages", {f"reply-{world.victim.id}": "One more"}, expect=303
    )


async def test_a_busy_officer_session_sends_one_alert_of_each_kind(client, db, world):
    await sign_in_as(client, db, world.oic)
    await busy_officer_session(client, world, updates=3)
    assert await alerts_to(db, world.victim.id) == [
        (AlertKind.NEW_MESSAGE, "email"),
        (AlertKind.UPDATE_WAITING, "email"),
    ]


async def test_a_window_of_zero_minutes_sends_an_alert_for_everything(client, db, world):
    await set_window(db, world.crime.force_id, 0)
    await sign_in_as(client, db, world.oic)
    await busy_officer_session(client, world, updates=2)
    kinds = [kind for kind, _channel in await alerts_to(db, world.victim.id)]
    assert kinds.count(AlertKind.UPDATE_WAITING) == 2 and kinds.count(AlertKind.NEW_MESSAGE) == 2


async def test_once_the_window_has_passed_the_next_update_alerts_again(client, db, world):
    await sign_in_as(client, db, world.oic)
    await busy_officer_session(client, world, updates=1)
    async with db.transaction() as session:  # the first alerts were sent 61 minutes ago
        for row in (await session.exec(select(OutboxMessage))).all():
            row.created_at = utcnow() - dt.timedelta(minutes=61)
            session.add(row)
    await busy_officer_session(client, world, updates=1)
    kinds = [kind for kind, _channel in await alerts_to(db, world.victim.id)]
    assert kinds.count(AlertKind.UPDATE_WAITING) == 2 and kinds.count(AlertKind.NEW_MESSAGE) == 2


async def test_eleven_unread_updates_get_one_reminder_by_each_channel(db, app):
    case = await make_victim_case(db, mobile="+447700900123")
    async with db.transaction() as session:
        party = await session.get(Party, case.party.id)
        party.alert_channel = "both"
        session.add(party)
    await registered_days_ago(db, case.party.id, 30)
    await add_updates(db, case, *((f"Update {n}", 10 - n * 0.5) for n in range(11)))
    assert await remind(db) == 1
    assert sorted(r.channel for r in await reminders(db)) == ["email", "sms"]
    assert await remind(db) == 0
    assert await remind(db, utcnow() + dt.timedelta(days=30)) == 0  # all eleven were covered


async def test_an_update_made_after_the_reminder_gets_its_own_reminder_when_due(db, app):
    case = await make_victim_case(db)
    await registered_days_ago(db, case.party.id, 30)
    await add_updates(db, case, ("Old", 9), ("Older", 10))
    assert await remind(db) == 1
    async with db.transaction() as session:  # the reminder went out 5 days ago
        for row in (await session.exec(select(OutboxMessage))).all():
            row.created_at = utcnow() - dt.timedelta(days=5)
            session.add(row)
    await add_updates(db, case, ("New", 4))
    assert await remind(db) == 1
    assert len(await reminders(db)) == 2
