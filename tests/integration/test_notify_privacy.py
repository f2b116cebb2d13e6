"""No case detail in any alert: every kind, sent for real by email (headers, both parts), text and letter,
for a crime whose offence, update, message, reference and victim's date of birth are distinctive."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json

import pytest

from tests.factories import make_crime, make_force, make_officer, make_party
from tests.fake_notify import FakeNotify
from tests.worker_support import SmtpServer, outbox_rows, worker_settings
from trackmycrime.models import (
    AlertChannel,
    CaseUpdate,
    Message,
    MessageDirection,
    OutboxStatus,
    utcnow,
)
from trackmycrime.notify.outbox import LETTER_KINDS, AlertKind, queue_alert
from trackmycrime.notify.worker import send_due_alerts
from trackmycrime.officer_digests import DigestLine, lines_to_context

pytestmark = pytest.mark.anyio

OFFENCE = "Theft of a tangerine tandem bicycle from a greenhouse"
UPDATE_TEXT = "Zebedee Marchbanks was interviewed under caution at Lowbridge custody suite"
MESSAGE_BODY = "Please bring the marmalade receipts to the front counter"
REFERENCE = "DS-2026-004217"
BIRTH = dt.date(1971, 3, 17)
SECRETS = [
    OFFENCE,
    "tandem",
    UPDATE_TEXT,
    "Marchbanks",
    "under caution",
    MESSAGE_BODY,
    "marmalade",
    REFERENCE,
    "DS2026004217",
    "17 March 1971",
    "1971-03-17",
    "17/03/1971",
    "17.03.1971",
    "Perpetua",
    "Quartermain",
    "PC Sam Jones",
]


async def test_no_alert_of_any_kind_says_anything_about_the_case(db):
    smtp, notify = SmtpServer().up(), FakeNotify().start()
    try:
        await _crime_with_every_kind_of_alert(db)
        settings = worker_settings(db.url, smtp).with_changes(
            sms_api_url=notify.url,
            sms_api_key=notify.api_key,
            sms_template_id=notify.template_id,
            letter_template_id=notify.letter_template_id,
        )
        await send_due_alerts(settings, db)
    finally:
        smtp.down()
        notify.stop()

    rows = await outbox_rows(db)
    assert {r.status for r in rows} == {OutboxStatus.SENT}, [(r.kind, r.channel, r.last_error) for r in rows]
    assert len(smtp.raw) == len(AlertKind.FOR_PARTIES) + 3  # every kind to the victim, three to the officer
    assert len(notify.sent) == len(AlertKind.FOR_PARTIES)
    assert len(notify.letters) == len(LETTER_KINDS)  # letters too (issue 21)
    emails = [_readable(raw) for raw in smtp.raw]
    texts_and_letters = [json.dumps(text, ensure_ascii=False) for text in notify.sent + notify.letters]
    # The officer's digest names the crime reference (issue 21), and nothing else about the case.
    [digest] = [text for text in emails if "To: sam.jones@police.example" in text and REFERENCE in text]
    assert "1 new message" in digest
    for secret in SECRETS[:7] + SECRETS[9:]:
        assert secret.lower() not in digest.lower(), secret
    # Each invitation names the crime reference, which the person needs to sign in (issue 16, item 14),
    # and nothing else about the case.
    invitations = [text for text in emails + texts_and_letters if _is_invitation(text)]
    assert len(invitations) == 3, "one invitation each by email, text and letter"
    for invitation in invitations:
        assert REFERENCE in invitation, invitation[:200]
        for secret in SECRETS[:7] + SECRETS[8:]:
            assert secret.lower() not in invitation.lower(), secret
    everything = [text for text in emails + texts_and_letters if text != digest and not _is_invitation(text)]
    for secret in SECRETS:
        leaks = [text[:80] for text in everything if secret.lower() in text.lower()]
        assert not leaks, f"{secret!r} appears in {leaks}"
    for row in rows:
        for secret in SECRETS:
            allowed = row.kind == AlertKind.OFFICER_DIGEST and secret in (REFERENCE, "DS2026004217")
            assert allowed or secret not in row.context_json


def _is_invitation(text: str) -> bool:
    return "Create your account" in text or "registration code" in text.lower()


def _readable(raw: bytes) -> str:
    """Every header and both parts, decoded as a reader (or a leak) would see them."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    headers = "\n".join(f"{name}: {value}" for name, value in message.items())
    parts = [part.get_content() for part in message.walk() if part.get_content_maintype() == "text"]
    assert len(parts) == 2
    return "\n".join([headers, *parts])


async def _crime_with_every_kind_of_alert(db) -> None:
    async with db.transaction() as session:
        force = await make_force(session, code="DS", name="Demoshire Police")
        officer = await make_officer(
            session, force, email="sam.jones@police.example", name="PC Sam Jones", shoulder_number=None
        )
        crime = await make_crime(
            session,
            force,
            reference=REFERENCE,
            offence=OFFENCE,
            status="recorded",
            reported_at=utcnow(),
            officer_in_charge_id=officer.id,
        )
        party = await make_party(
            session,
            crime,
            rms_party_id="P1",
            forenames="Perpetua",
            surname="Quartermain",
            surname_key="quartermain",
            date_of_birth=BIRTH,
            email="victim@example.org",
            mobile="+447700900123",
            alert_channel=AlertChannel.BOTH,
            address="Flat 2\n1 High Street\nAnytown\nAB1 2CD",
        )
        update = CaseUpdate(
            crime_id=crime.id, text=UPDATE_TEXT, occurred_at=utcnow(), author_officer_id=officer.id
        )
        message = Message(
            crime_id=crime.id,
            party_id=party.id,
            direction=MessageDirection.TO_PARTY,
            officer_id=officer.id,
            body=MESSAGE_BODY,
        )
        session.add_all([update, message])
        await session.flush()
        for kind in AlertKind.FOR_PARTIES:
            await queue_alert(session, force=force, kind=kind, party=party, cause=f"{kind}:{update.id}")
        for kind in LETTER_KINDS:
            await queue_alert(
                session, force=force, kind=kind, party=party, channels=["letter"], cause=f"letter:{update.id}"
            )
        await queue_alert(
            session,
            force=force,
            kind=AlertKind.OFFICER_DIGEST,
            officer=officer,
            cause="digest:1",
            context=lines_to_context([DigestLine(REFERENCE, messages=1)]),
        )
        for kind in (AlertKind.NEW_MESSAGE, AlertKind.UNREAD_REMINDER):
            await queue_alert(session, force=force, kind=kind, officer=officer, cause=f"{kind}:{message.id}")
