"""Correcting and withdrawing a posted update (issue 16 item 11): history kept, alerts never leave."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from tests.webclient import check_page, text_of
from trackmycrime.models import (
    AuditEvent,
    CaseUpdate,
    Crime,
    OutboxMessage,
    OutboxStatus,
    UpdateCorrection,
    UpdateRead,
    utcnow,
)
from trackmycrime.notify.claim import claim_due

from .officer_world import sign_in_as
from .test_officer_case import crime_url

pytestmark = pytest.mark.anyio

TEXT = "A man has been charged with burglary."


async def post_update(client, world, text: str = TEXT, status: str = "charged") -> CaseUpdate:
    await client.page(crime_url(world))
    await client.post(
        f"{crime_url(world)}/updates", {"text": text, "audience": "all", "status": status}, expect=303
    )
    return await the_update(client.app_db, text)


async def the_update(db, text: str) -> CaseUpdate:
    async with db.session() as session:
        return (await session.exec(select(CaseUpdate).where(CaseUpdate.text == text))).one()


async def alerts_of(db) -> list[OutboxMessage]:
    async with db.session() as session:
        return list(
            (await session.exec(select(OutboxMessage).where(OutboxMessage.kind == "update_waiting"))).all()
        )


async def make_due_now(db) -> None:
    """As if the withdraw window had passed for the outbox: the worker may take the alerts."""
    async with db.transaction() as session:
        for row in (await session.exec(select(OutboxMessage))).all():
            row.next_attempt_at = utcnow() - dt.timedelta(seconds=1)
            session.add(row)


async def claim(db) -> list[int]:
    return [
        alert.id
        for alert in await claim_due(db.engine, channels=["email", "sms"], limit=10, lease_seconds=60)
    ]


@pytest.fixture
def attach_db(oic_client, db):
    oic_client.app_db = db
    return oic_client


async def test_a_posted_updates_alert_waits_and_withdrawing_cancels_it(attach_db, client, db, world):
    update = await post_update(attach_db, world)
    [alert] = await alerts_of(db)
    assert alert.party_id == world.victim.id
    assert alert.next_attempt_at > utcnow() + dt.timedelta(minutes=4), "held for the withdraw window"
    page = await client.page(crime_url(world))
    item = page.select_one(f"#update-{update.id}")
    assert item.select_one(f'form[action="{crime_url(world)}/updates/{update.id}/withdraw"]')

    page = await client.submit(f"{crime_url(world)}/updates/{update.id}/withdraw", {})
    assert "The update has been withdrawn. Nobody was alerted." in text_of(page.select_one("#updates"))
    assert "Withdrawn" in text_of(page.select_one(f"#update-{update.id} h3"))
    assert text_of(page.select_one("#crime-status")) == "Under investigation", "the status is put back"
    [alert] = await alerts_of(db)
    assert alert.status == OutboxStatus.CANCELLED
    await make_due_now(db)
    assert await claim(db) == [], "a withdrawn update's alert is never sent"

    client.http.cookies.clear()
    await sign_in_as(client, db, world.victim)
    case = text_of((await client.page("/case")).select_one("main"))
    assert TEXT not in case and "Your crime has been recorded." in case
    async with db.session() as session:
        actions = (await session.exec(select(AuditEvent.action))).all()
        crime = await session.get(Crime, world.crime.id)
    assert "crime.update_withdrawn" in actions and crime.status == "under_investigation"


async def test_once_a_worker_has_claimed_the_alert_it_cannot_be_withdrawn(attach_db, client, db, world):
    update = await post_update(attach_db, world)
    await make_due_now(db)
    assert len(await claim(db)) == 1
    page = await client.submit(f"{crime_url(world)}/updates/{update.id}/withdraw", {})
    message = "The alert about this update has gone out. You can correct it instead."
    assert text_of(page.title).startswith("Error:")
    assert text_of(page.select_one(".error-summary a")) == message
    assert page.select_one(".error-summary a")["href"] == f"#field-withdraw-{update.id}"
    assert message in text_of(page.select_one(f"#field-withdraw-{update.id}-error"))
    [alert] = await alerts_of(db)
    assert alert.status == OutboxStatus.SENDING
    assert (await the_update(db, TEXT)).withdrawn_at is None


async def test_too_late_or_already_read_is_refused_with_htmx_too(attach_db, client, db, world):
    update = await post_update(attach_db, world)
    async with db.transaction() as session:
        session.add(UpdateRead(update_id=update.id, party_id=world.victim.id))
    response = await client.post(f"{crime_url(world)}/updates/{update.id}/withdraw", {}, htmx=True)
    fragment = check_page(response.text, fragment=True)
    assert "Someone has already read this update" in text_of(fragment.select_one(".error-summary"))
    assert fragment.select_one(f"#field-withdraw-{update.id}-error")
    async with db.transaction() as session:
        row = await session.get(CaseUpdate, update.id)
        row.created_at = utcnow() - dt.timedelta(minutes=6)
        session.add(row)
    page = await client.page(crime_url(world))
    assert not page.select_one(f"#update-{update.id} form"), "no withdraw button once the window has passed"
    page = await client.submit(f"{crime_url(world)}/updates/{update.id}/withdraw", {})
    assert "It is too late to withdraw this update" in text_of(page.select_one(".error-summary"))
    [alert] = await alerts_of(db)
    assert alert.status == OutboxStatus.PENDING


async def test_correcting_keeps_the_history_and_tells_the_reader(attach_db, client, db, world):
    update = await post_update(attach_db, world)
    async with db.transaction() as session:
        session.add(UpdateRead(update_id=update.id, party_id=world.victim.id))
    url = f"{crime_url(world)}/updates/{update.id}/correct"
    page = await client.page(url)
    assert text_of(page.h1) == "Correct an update"
    assert page.select_one("#field-text").get_text() == TEXT
    page = await client.submit(url, {"text": "  "})
    assert [text_of(a) for a in page.select(".error-summary a")] == ["Enter the corrected update"]
    page = await client.submit(url, {"text": TEXT})
    assert "Change the text of the update" in text_of(page.select_one(".error-summary"))

    corrected = "A man has been charged with burglary and theft."
    page = await client.submit(url, {"text": corrected})
    item = page.select_one(f"#update-{update.id}")
    assert corrected in text_of(item) and "Corrected once: what it said before" in text_of(item)
    assert TEXT in text_of(item.select_one("details"))
    assert "Not yet read by Alex O'Brien" in text_of(item), "asked to read it again"
    async with db.session() as session:
        [history] = (await session.exec(select(UpdateCorrection))).all()
        actions = (await session.exec(select(AuditEvent.action))).all()
    assert (history.update_id, history.previous_text, history.officer_id) == (update.id, TEXT, world.oic.id)
    assert "crime.update_corrected" in actions

    client.http.cookies.clear()
    await sign_in_as(client, db, world.victim)
    case = (await client.page("/case")).select_one("main")
    entry = next(li for li in case.select(".timeline li") if corrected in text_of(li))
    assert "The police changed this update on" in text_of(entry)
    assert TEXT + "." not in text_of(case) and "burglary." not in text_of(case)


async def test_the_records_systems_updates_and_other_crimes_cannot_be_changed(client, db, world):
    async with db.session() as session:
        rms = (await session.exec(select(CaseUpdate).where(CaseUpdate.rms_update_id == "U-1"))).one()
    await sign_in_as(client, db, world.oic)
    await client.page(crime_url(world))
    assert (await client.http.get(f"{crime_url(world)}/updates/{rms.id}/correct")).status_code == 404
    assert (await client.post(f"{crime_url(world)}/updates/{rms.id}/withdraw", {})).status_code == 404
    client.http.cookies.clear()
    await sign_in_as(client, db, world.outsider)
    await client.page("/officer")
    assert (
        await client.post(f"{crime_url(world)}/updates/{rms.id}/correct", {"text": "x"})
    ).status_code == 404
