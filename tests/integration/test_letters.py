"""Letters (issue 21): a person with neither email nor mobile who agreed to contact is invited by post,
with a code, through Notify's letter API; a retry never posts twice; the officer sees it went."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import update
from sqlmodel import select

from tests.web.officer_world import sign_in_as
from tests.web.test_ingest import REFERENCE, crime_body, rms, victim_body  # noqa: F401 - fixture
from tests.webclient import text_of
from tests.worker_support import OUTBOX, worker_settings
from trackmycrime.models import Officer, OutboxMessage, OutboxStatus, Party, utcnow
from trackmycrime.notify.outbox import AlertKind
from trackmycrime.notify.worker import send_due_alerts

pytestmark = pytest.mark.anyio
CODE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2})\b")
ADDRESS = ["Flat 2", "1 High Street", "Anytown", "AB1 2CD"]


def post_office(db, notify):
    return worker_settings(db.url).with_changes(
        sms_api_url=notify.url, sms_api_key=notify.api_key, letter_template_id=notify.letter_template_id
    )


async def offline_victim(rms, **changes):  # noqa: F811
    body = victim_body(email=None, mobile=None, address=ADDRESS, **changes)
    return await rms.put_crime(crime_body(parties=[body]))


async def invitations(db) -> list[OutboxMessage]:
    async with db.session() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == AlertKind.INVITATION)
        return list((await session.exec(query)).all())


async def test_an_offline_victim_is_posted_a_code_that_registers_them(client, db, rms, notify):  # noqa: F811
    response = await offline_victim(rms)
    assert response.status_code in (200, 201), response.text
    assert response.json()["parties"][0]["address"] == ADDRESS
    [row] = await invitations(db)
    assert (row.channel, row.recipient) == ("letter", "Flat 2, 1 High Street, Anytown, AB1 2CD")

    await send_due_alerts(post_office(db, notify), db)
    [letter] = notify.letters
    assert letter["address"] == ADDRESS
    body = letter["content"]["body"]
    assert "portal.example" in body and "http" not in body
    assert REFERENCE in body, "the letter names the crime reference needed to register (issue 16)"
    assert "Burglary" not in body and "O'Brien" not in body
    [code] = CODE.findall(body)
    page = await client.submit("/register", {"reference": REFERENCE, "code": code})
    assert text_of(page.h1) == "Confirm your details"

    async with db.session() as session:
        officer = (await session.exec(select(Officer))).one()
        party = (await session.exec(select(Party))).one()
    await sign_in_as(client, db, officer)
    page = await client.page(f"/officer/crimes/{party.crime_id}")
    section = page.select_one(f"#party-{party.id}-heading").find_parent("section")
    assert "Invited by letter on" in text_of(section)
    assert "By letter on" in text_of(section)


async def test_no_letter_without_consent_and_a_bad_address_is_refused(db, rms):  # noqa: F811
    await offline_victim(rms, contact_consent=False)
    assert await invitations(db) == []
    response = await rms.put_crime(
        crime_body(parties=[victim_body(email=None, mobile=None, address=["1 High Street", "Nowhere"])])
    )
    assert response.status_code == 422
    assert "address" in response.text


async def test_a_letter_accepted_just_before_a_crash_is_not_posted_again(db, rms, notify):  # noqa: F811
    await offline_victim(rms)
    settings = post_office(db, notify)
    await send_due_alerts(settings, db)
    [row] = await invitations(db)
    async with db.engine.begin() as connection:  # as if the worker died before recording "sent"
        await connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == row.id)
            .values(status=OutboxStatus.SENDING, claimed_until=utcnow() - dt.timedelta(seconds=1))
        )
    await send_due_alerts(settings, db)
    [row] = await invitations(db)
    assert row.status == OutboxStatus.SENT and row.attempts == 2
    assert len(notify.letters) == 1
