"""Replies by text (issue 21): texts fetched from Notify's received-text-messages API reach the thread
of the one party with that number, once each; any other text waits for a supervisor to route it."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.web.officer_world import sign_in_as, world_party
from tests.webclient import text_of
from tests.worker_support import worker_settings
from trackmycrime.models import AuditEvent, Crime, Message, ReceivedText
from trackmycrime.notify.worker import send_due_alerts
from trackmycrime.text_replies import number_key

pytestmark = pytest.mark.anyio


async def collect(db, notify):
    settings = worker_settings(db.url).with_changes(
        sms_api_url=notify.url, sms_api_key=notify.api_key, sms_template_id=notify.template_id
    )
    await send_due_alerts(settings, db)


async def messages_from(db, party_id) -> list[str]:
    async with db.session() as session:
        query = select(Message).where(Message.party_id == party_id, Message.direction == "from_party")
        return [m.body for m in (await session.exec(query.order_by(Message.id))).all()]


async def received(db) -> list[ReceivedText]:
    async with db.session() as session:
        return list((await session.exec(select(ReceivedText).order_by(ReceivedText.id))).all())


def test_numbers_are_compared_however_they_were_written():
    assert {
        number_key(n) for n in ("+44 7700 900123", "07700 900123", "0044-7700-900123", "447700900123")
    } == {"447700900123"}


async def test_a_reply_from_a_known_mobile_reaches_the_officer_as_a_message(client, db, world, notify):
    notify.receive("447700900123", "Thanks. Do I need to come to court?")
    await collect(db, notify)
    assert (await messages_from(db, world.victim.id))[-1:] == ["Thanks. Do I need to come to court?"]
    [row] = await received(db)
    assert (row.status, row.party_id, row.force_id) == ("matched", world.victim.id, world.crime.force_id)
    async with db.session() as session:
        actions = (await session.exec(select(AuditEvent.action, AuditEvent.actor_kind))).all()
    assert ("message.send", "party") in actions

    await sign_in_as(client, db, world.oic)
    page = await client.page(f"/officer/crimes/{world.crime.id}")
    assert "Do I need to come to court?" in text_of(page.select_one("main"))


async def test_every_page_is_read_and_no_text_is_stored_twice(db, world, notify):
    notify.page_size = 2
    for number in range(5):
        notify.receive("07700900123", f"Text {number}")
    await collect(db, notify)
    await collect(db, notify)
    assert (await messages_from(db, world.victim.id))[-5:] == [f"Text {n}" for n in range(5)], "oldest first"
    notify.receive("07700900123", "Text 5")
    await collect(db, notify)
    assert len(await received(db)) == 6
    assert (await messages_from(db, world.victim.id))[-1] == "Text 5"


async def test_texts_from_unknown_or_shared_numbers_wait_for_a_supervisor(client, db, world, notify):
    async with db.transaction() as session:
        crime = await session.get(Crime, world.crime.id)
        await world_party(session, crime, "P9", "Chris", "Lane", mobile="+447700900999")
        await world_party(session, crime, "P10", "Dee", "Lane", mobile="07700 900999")
    notify.receive("447700900999", "Is this about the burglary?")
    await collect(db, notify)
    [row] = await received(db)
    assert (row.status, row.force_id, row.message_id) == ("unmatched", world.crime.force_id, None)

    await sign_in_as(client, db, world.oic)
    await client.get("/officer/texts", expect=403)  # an officer without the role does not see the queue

    await sign_in_as(client, db, world.other_admin)
    page = await client.page("/officer/texts")
    assert "Is this about the burglary?" not in page.get_text(), "another force's text"

    await sign_in_as(client, db, world.supervisor)
    page = await client.page("/officer/texts")
    assert "Is this about the burglary?" in text_of(page.select_one(".received-text"))
    url = f"/officer/texts/{row.id}/route"
    page = await client.submit(url, {f"reference-{row.id}": "AS-2026-000123", f"surname-{row.id}": "Lane"})
    assert [text_of(a) for a in page.select(".error-summary a")] == [
        "No one with that surname is on that crime"
    ]
    page = await client.submit(url, {f"reference-{row.id}": "AS-1999-000001", f"surname-{row.id}": ""})
    assert [text_of(a) for a in page.select(".error-summary a")] == [
        "Enter the surname of the person who sent the text"
    ]
    page = await client.submit(url, {f"reference-{row.id}": "as 2026 000123", f"surname-{row.id}": "O'Brien"})
    assert "The text is now in that person's messages" in text_of(page.select_one(".notification"))
    assert page.select(".received-text") == []
    assert (await messages_from(db, world.victim.id))[-1:] == ["Is this about the burglary?"]
    [row] = await received(db)
    assert (row.status, row.routed_by_id) == ("routed", world.supervisor.id)
