"""The alert sender: sends due alerts once, records sent, retried, failed, held and cancelled ones."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import subprocess
import sys

import pytest
from sqlalchemy import update

from tests.worker_support import (
    SmtpServer,
    expected_message_id,
    make_people,
    outbox_rows,
    queue_many,
    wait_until,
    worker_environment,
    worker_settings,
)
from trackmycrime.demo.mail_catcher import MailCatcher
from trackmycrime.models import AlertChannel, OutboxMessage, OutboxStatus, utcnow
from trackmycrime.notify import claim
from trackmycrime.notify.outbox import AlertKind, queue_alert
from trackmycrime.notify.worker import BackgroundWorker, Worker, send_due_alerts

pytestmark = pytest.mark.anyio
OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]


@pytest.fixture
def smtp():
    server = SmtpServer().up()
    yield server
    server.down()


async def queue(db, people, kind=AlertKind.UPDATE_WAITING, *, party=None, officer=None, cause="update:1"):
    async with db.transaction() as session:
        return await queue_alert(
            session,
            force=people.force,
            kind=kind,
            party=party if officer is None else None,
            officer=officer,
            cause=cause,
        )


def with_gateway(settings, notify):
    return settings.with_changes(
        sms_api_url=notify.url, sms_api_key=notify.api_key, sms_template_id=notify.template_id
    )


async def test_due_alerts_are_emailed_once_and_recorded_as_sent(db, smtp):
    people = await make_people(db, parties=3)
    for party in people.parties:
        await queue(db, people, party=party)

    counts = await send_due_alerts(worker_settings(db.url, smtp), db)

    assert counts["sent"] == 3
    rows = await outbox_rows(db)
    assert [r.status for r in rows] == [OutboxStatus.SENT] * 3
    assert smtp.arrivals == {expected_message_id(r.id): 1 for r in rows}
    for row in rows:
        assert row.provider_reference == expected_message_id(row.id)
        assert row.attempts == 1 and row.claimed_until is None and row.sent_at is not None
    message = next(m for m in smtp.messages() if m["To"] == "victim-0@example.org")
    assert message["From"] == "Testshire Police <alerts@police.example>"
    assert message["Subject"] == "New update from Testshire Police"
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "https://portal.example/sign-in" in text
    assert '<a href="https://portal.example/sign-in">' in html and '<html lang="en">' in html


async def test_a_second_pass_sends_nothing_again(db, smtp):
    people = await make_people(db)
    await queue(db, people, party=people.parties[0])
    settings = worker_settings(db.url, smtp)
    await send_due_alerts(settings, db)
    await send_due_alerts(settings, db)
    assert smtp.total == 1


async def test_a_refused_recipient_fails_for_good_with_the_reason_and_others_still_go(db, smtp):
    people = await make_people(db, parties=2)
    smtp.refused.add("victim-0@example.org")
    for party in people.parties:
        await queue(db, people, party=party)

    await send_due_alerts(worker_settings(db.url, smtp), db)

    refused, accepted = await outbox_rows(db)
    assert refused.status == OutboxStatus.FAILED and refused.attempts == 1
    assert "refused the address" in refused.last_error and "550" in refused.last_error
    assert accepted.status == OutboxStatus.SENT
    assert smtp.total == 1


async def test_a_temporary_refusal_is_retried_later_not_at_once(db, smtp):
    people = await make_people(db)
    await queue(db, people, party=people.parties[0])
    smtp.temporary_failures = 1

    counts = await send_due_alerts(worker_settings(db.url, smtp, worker_retry_seconds=30), db)

    [row] = await outbox_rows(db)
    assert counts["retried"] == 1 and smtp.total == 0
    assert row.status == OutboxStatus.PENDING and row.attempts == 1 and row.claimed_until is None
    assert "451" in row.last_error
    # The first wait is 15 to 30 seconds (30 s, less up to half of it as jitter).
    assert 10 < (row.next_attempt_at - utcnow()).total_seconds() <= 30


async def test_temporary_refusals_are_retried_until_the_alert_arrives_once(db, smtp):
    people = await make_people(db)
    await queue(db, people, party=people.parties[0])
    smtp.temporary_failures = 2

    worker = Worker(worker_settings(db.url, smtp), db)
    running = asyncio.create_task(worker.run())
    await wait_until(lambda: smtp.total == 1, what="the retried alert")
    await asyncio.sleep(0.1)
    worker.stop()
    await running

    [row] = await outbox_rows(db)
    assert row.status == OutboxStatus.SENT and row.attempts == 3 and row.last_error == ""
    assert smtp.arrivals == {expected_message_id(row.id): 1}
    assert worker.counts == {"retried": 2, "sent": 1}


async def test_after_too_many_attempts_the_alert_fails_and_keeps_the_reason(db, smtp):
    people = await make_people(db)
    await queue(db, people, party=people.parties[0])
    smtp.temporary_failures = 100
    settings = worker_settings(db.url, smtp, worker_max_attempts=3, worker_retry_seconds=0.01)

    worker = Worker(settings, db)
    running = asyncio.create_task(worker.run())
    await wait_until(lambda: worker.counts["failed"] == 1, what="giving up")
    worker.stop()
    await running

    [row] = await outbox_rows(db)
    assert row.status == OutboxStatus.FAILED and row.attempts == 3
    assert row.last_error.startswith("Gave up after 3 attempts. Last problem: The mail server")
    assert "451" in row.last_error
    assert smtp.total == 0


async def test_an_unreachable_mail_server_is_retried_not_failed(db):
    people = await make_people(db)
    await queue(db, people, party=people.parties[0])
    nowhere = SmtpServer()  # never started: connections are refused

    counts = await send_due_alerts(worker_settings(db.url, nowhere), db)

    assert counts["retried"] == 1
    [row] = await outbox_rows(db)
    assert row.status == OutboxStatus.PENDING and "Could not use the mail server" in row.last_error


async def test_texts_are_held_without_a_gateway_and_sent_once_one_is_configured(db, smtp, notify):
    people = await make_people(db, alert_channel=AlertChannel.BOTH)
    queued = await queue(db, people, party=people.parties[0])
    assert sorted(r.channel for r in queued) == ["email", "sms"]

    await send_due_alerts(worker_settings(db.url, smtp), db)
    email_row, sms_row = sorted(await outbox_rows(db), key=lambda r: r.channel)
    assert email_row.status == OutboxStatus.SENT
    assert sms_row.status == OutboxStatus.HELD and "no text message gateway" in sms_row.last_error
    assert sms_row.attempts == 0

    await send_due_alerts(with_gateway(worker_settings(db.url, smtp), notify), db)
    sms_row = next(r for r in await outbox_rows(db) if r.channel == "sms")
    assert sms_row.status == OutboxStatus.SENT
    [text] = notify.sent
    assert sms_row.provider_reference == text["id"]
    assert text["reference"] == f"outbox-{sms_row.id}"
    assert text["phone_number"] == "+447700900123"
    assert text["personalisation"]["message"].startswith("Testshire Police: there is a new update")
    assert smtp.total == 1 and notify.rejections == []


async def test_a_number_the_gateway_refuses_fails_and_gateway_errors_are_retried(db, notify):
    people = await make_people(db, parties=2, alert_channel=AlertChannel.SMS)
    async with db.transaction() as session:
        first = await session.get(type(people.parties[0]), people.parties[0].id)
        first.mobile = "+33612345678"  # not a UK mobile: Notify answers 400
    for party in people.parties:
        await queue(db, people, party=party)
    notify.fail_next(500, times=1)
    settings = with_gateway(worker_settings(db.url), notify)

    worker = Worker(settings, db, concurrency=1)
    running = asyncio.create_task(worker.run())
    await wait_until(
        lambda: worker.counts["sent"] == 1 and worker.counts["failed"] == 1, what="both outcomes"
    )
    worker.stop()
    await running

    refused, sent = await outbox_rows(db)
    assert refused.status == OutboxStatus.FAILED and "Not a UK mobile number" in refused.last_error
    assert sent.status == OutboxStatus.SENT
    assert len(notify.sent) == 1
    assert (500, "Failing on purpose") in notify.rejections


async def test_a_text_sent_just_before_a_crash_is_not_sent_again(db, notify):
    people = await make_people(db, alert_channel=AlertChannel.SMS)
    await queue(db, people, party=people.parties[0])
    settings = with_gateway(worker_settings(db.url), notify)
    await send_due_alerts(settings, db)
    [row] = await outbox_rows(db)
    # As if the worker died after Notify took the text but before it recorded "sent".
    async with db.engine.begin() as connection:
        await connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == row.id)
            .values(
                status=OutboxStatus.SENDING, claimed_until=utcnow() - dt.timedelta(seconds=1), sent_at=None
            )
        )

    await send_due_alerts(settings, db)

    [row] = await outbox_rows(db)
    assert row.status == OutboxStatus.SENT and row.attempts == 2
    assert len(notify.sent) == 1 and row.provider_reference == notify.sent[0]["id"]


async def test_alerts_that_no_longer_apply_are_cancelled_not_sent(db, smtp):
    people = await make_people(db, parties=3)
    deleted, registered, opted_out = people.parties
    await queue(db, people, party=deleted)
    await queue(db, people, AlertKind.INVITATION, party=registered, cause="invite")
    await queue(db, people, party=opted_out)
    await queue(db, people, AlertKind.PASSWORD_RESET, party=opted_out, cause="reset")
    async with db.transaction() as session:
        for party, change in ((deleted, "account_deleted_at"), (opted_out, "opted_out_at")):
            row = await session.get(type(party), party.id)
            setattr(row, change, utcnow())
        row = await session.get(type(registered), registered.id)
        row.password_hash = "argon2-hash"

    await send_due_alerts(worker_settings(db.url, smtp), db)

    rows = {(r.party_id, r.kind): r for r in await outbox_rows(db)}
    assert rows[(deleted.id, "update_waiting")].status == OutboxStatus.CANCELLED
    assert rows[(deleted.id, "update_waiting")].last_error == "The person deleted their account."
    assert rows[(registered.id, "invitation")].status == OutboxStatus.CANCELLED
    assert rows[(opted_out.id, "update_waiting")].status == OutboxStatus.CANCELLED
    # Security messages they asked for still go.
    assert rows[(opted_out.id, "password_reset")].status == OutboxStatus.SENT
    assert smtp.total == 1


async def test_an_alert_queued_before_a_suspect_flag_is_cancelled_not_sent(db, smtp):
    people = await make_people(db, parties=2)
    flagged, other = people.parties
    await queue(db, people, party=flagged)
    await queue(db, people, party=other)
    async with db.transaction() as session:
        row = await session.get(type(flagged), flagged.id)
        row.shares_address_with_suspect = True

    await send_due_alerts(worker_settings(db.url, smtp), db)

    rows = {r.party_id: r for r in await outbox_rows(db)}
    assert rows[flagged.id].status == OutboxStatus.CANCELLED
    assert rows[flagged.id].last_error == "The force's rules now keep this person off the portal."
    assert rows[other.id].status == OutboxStatus.SENT
    assert smtp.total == 1


async def test_a_stale_password_reset_is_not_sent(db, smtp):
    people = await make_people(db)
    [row] = await queue(db, people, AlertKind.PASSWORD_RESET, party=people.parties[0], cause="reset")
    async with db.engine.begin() as connection:
        await connection.execute(
            update(OUTBOX).where(OUTBOX.c.id == row.id).values(created_at=utcnow() - dt.timedelta(hours=3))
        )
    await send_due_alerts(worker_settings(db.url, smtp), db)
    [row] = await outbox_rows(db)
    assert row.status == OutboxStatus.CANCELLED and smtp.total == 0


async def test_officers_get_their_own_wording_and_sign_in_address(db, smtp):
    people = await make_people(db)
    await queue(db, people, AlertKind.NEW_MESSAGE, officer=people.officer, cause="message:1")
    await send_due_alerts(worker_settings(db.url, smtp), db)
    [message] = smtp.messages()
    assert message["To"] == "pc.jones@police.example"
    assert message["Subject"] == "New message from a victim or witness"
    assert (
        "https://portal.example/officer/sign-in" in message.get_body(preferencelist=("plain",)).get_content()
    )


async def test_release_gives_back_claims_without_counting_an_attempt(db):
    people = await make_people(db)
    await queue_many(db, people, 3)
    claimed = await claim.claim_due(db.engine, channels=["email"], limit=2, lease_seconds=60)
    assert len(claimed) == 2 and all(a.attempts == 1 for a in claimed)
    assert await claim.claim_due(db.engine, channels=["email"], limit=5, lease_seconds=60) != []

    await claim.release(db.engine, claimed)

    statuses = {r.id: (r.status, r.attempts, r.claimed_until) for r in await outbox_rows(db)}
    for alert in claimed:
        assert statuses[alert.id] == (OutboxStatus.PENDING, 0, None)


async def test_stop_lets_sends_in_flight_finish_and_leaves_nothing_claimed(db, smtp):
    people = await make_people(db, parties=4)
    await queue_many(db, people, 40)
    worker = Worker(worker_settings(db.url, smtp), db, concurrency=4)
    running = asyncio.create_task(worker.run())
    await wait_until(lambda: smtp.total >= 5, what="some alerts")

    worker.stop()
    await asyncio.wait_for(running, timeout=10)

    rows = await outbox_rows(db)
    sent = [r for r in rows if r.status == OutboxStatus.SENT]
    assert all(r.status in (OutboxStatus.SENT, OutboxStatus.PENDING) for r in rows)
    assert all(r.claimed_until is None for r in rows)
    assert 5 <= len(sent) < 40
    assert smtp.total == len(sent) and not smtp.doubles


async def test_tmc_worker_once_sends_what_is_due_and_stops(db, smtp, tmp_path):
    people = await make_people(db, parties=2)
    for party in people.parties:
        await queue(db, people, party=party)
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "trackmycrime", "worker", "--once", "--concurrency", "2"],
        env=worker_environment(db.url, smtp),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "tmc worker: stopped (2 sent, 0 retried, 0 failed, 0 cancelled)." in result.stdout
    assert smtp.total == 2


async def test_tmc_worker_refuses_a_malformed_gateway_key_or_an_unsafe_secret(db, smtp, tmp_path):
    environment = worker_environment(db.url, smtp) | {"TMC_SMS_API_KEY": "abc", "TMC_SMS_TEMPLATE_ID": "t"}
    command = [sys.executable, "-m", "trackmycrime", "worker", "--once"]
    result = await asyncio.to_thread(
        subprocess.run, command, env=environment, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and "TMC_SMS_API_KEY is not a GOV.UK Notify API key" in result.stderr
    production = {k: v for k, v in worker_environment(db.url, smtp).items() if k != "TMC_MODE"}
    result = await asyncio.to_thread(
        subprocess.run, command, env=production, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and "TMC_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


async def test_tmc_worker_stops_cleanly_on_sigterm(db, smtp, tmp_path):
    people = await make_people(db)
    await queue(db, people, party=people.parties[0])
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "trackmycrime",
        "worker",
        env=worker_environment(db.url, smtp),
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await wait_until(lambda: smtp.total == 1, within=30, what="the worker to send")
    finally:
        process.send_signal(signal.SIGTERM)
        raw, _ = await asyncio.wait_for(process.communicate(), timeout=20)
    output = raw.decode()
    assert process.returncode == 0, output
    assert "stopped (1 sent" in output and "Traceback" not in output


async def test_the_demo_runs_the_worker_in_a_thread_that_stops_cleanly(db):
    catcher = MailCatcher()
    catcher.start()
    try:
        people = await make_people(db)
        await queue(db, people, party=people.parties[0])
        settings = worker_settings(db.url).with_changes(smtp_host=catcher.host, smtp_port=catcher.port)
        background = BackgroundWorker(settings)
        background.start()
        try:
            await wait_until(lambda: len(catcher.messages) == 1, what="the demo mail")
        finally:
            await asyncio.to_thread(background.stop)
        assert not background._thread.is_alive()
        assert catcher.messages[0].subject == "New update from Testshire Police"
    finally:
        catcher.stop()
