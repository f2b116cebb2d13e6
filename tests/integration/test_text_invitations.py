"""Invitations by text (issue 21): a party with a mobile and no email gets a one-time code, no link."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from tests.web.test_ingest import REFERENCE, crime_body, rms, victim_body  # noqa: F401 - fixture
from tests.webclient import text_of
from tests.worker_support import worker_settings
from trackmycrime.models import Force, OutboxMessage, OutboxStatus, Party
from trackmycrime.notify.outbox import AlertKind
from trackmycrime.notify.worker import send_due_alerts

pytestmark = pytest.mark.anyio
CODE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2})\b")


def gateway(db, notify):
    return worker_settings(db.url).with_changes(
        sms_api_url=notify.url, sms_api_key=notify.api_key, sms_template_id=notify.template_id
    )


async def mobile_only_victim(rms):  # noqa: F811
    response = await rms.put_crime(crime_body(parties=[victim_body(email=None)]))
    assert response.status_code in (200, 201), response.text


async def invitations(db) -> list[OutboxMessage]:
    async with db.session() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == AlertKind.INVITATION)
        return list((await session.exec(query)).all())


async def test_a_party_with_only_a_mobile_is_texted_a_code_that_registers_them(client, db, rms, notify):  # noqa: F811
    await mobile_only_victim(rms)
    [row] = await invitations(db)
    assert (row.channel, row.recipient) == ("sms", "+447700900123")
    async with db.session() as session:
        party = (await session.exec(select(Party))).one()
    assert party.alert_channel == "sms", "later alerts go where the invitation went"

    await send_due_alerts(gateway(db, notify), db)
    [text] = [sent["content"]["body"] for sent in notify.sent]
    assert "portal.example" in text and "http" not in text, "the site's name, but no link"
    assert REFERENCE in text, "the text names the crime reference needed to register (issue 16)"
    assert "Burglary" not in text
    [code] = CODE.findall(text)
    [row] = await invitations(db)
    assert row.status == OutboxStatus.SENT

    page = await client.submit("/register", {"reference": REFERENCE, "code": code})
    assert text_of(page.h1) == "Confirm your details"


async def test_a_force_may_allow_a_link_to_the_code_page(db, rms, notify):  # noqa: F811
    async with db.transaction() as session:
        force = await session.get(Force, rms.force.id)
        force.links_in_texts = True
        session.add(force)
    await mobile_only_victim(rms)
    await send_due_alerts(gateway(db, notify), db)
    [text] = [sent["content"]["body"] for sent in notify.sent]
    assert "https://portal.example/register" in text and CODE.search(text)


async def test_a_party_who_registered_before_the_text_went_is_not_sent_a_code(db, rms, notify):  # noqa: F811
    await mobile_only_victim(rms)
    async with db.transaction() as session:
        party = (await session.exec(select(Party))).one()
        party.password_hash = "$argon2id$registered"
        session.add(party)
    await send_due_alerts(gateway(db, notify), db)
    assert notify.sent == []
    [row] = await invitations(db)
    assert row.status == OutboxStatus.CANCELLED


async def test_a_party_with_neither_email_nor_mobile_gets_no_invitation(db, rms):  # noqa: F811
    await rms.put_crime(crime_body(parties=[victim_body(email=None, mobile=None)]))
    assert await invitations(db) == []
    async with db.session() as session:
        party = (await session.exec(select(Party))).one()
    assert party.invited_at is None
