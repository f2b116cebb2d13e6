"""`tmc worker`: claim due outbox rows, send them, record each outcome; several may run at once."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import col, select

from ..auth.links import RESET_LINK_HOURS
from ..auth.passwords import hasher_for
from ..database import Database, TroubleLog, first_line
from ..eligibility import portal_offered
from ..models import Crime, Force, Officer, Party, utcnow
from ..officer_digests import queue_officer_digests
from ..read_receipts import queue_unread_reminders
from ..retention import run_retention_unless_running
from ..settings import Settings
from ..text_replies import collect_text_replies
from . import claim, worker_counts
from .claim import ClaimedAlert
from .email_sender import EmailSender, OutgoingEmail, message_id_for
from .failures import PermanentFailure, ProviderUnavailable, TemporaryFailure
from .messages import (
    MessageFields,
    message_fields,
    render_email,
    render_letter,
    render_sms,
    with_registration_code,
)
from .outbox import AlertKind
from .registration_codes import fresh_registration_code
from .sms_sender import LetterSender, SmsSender
from .worker_counts import WorkerCounts

log = logging.getLogger("trackmycrime.notify")

# Errors that mean "the database is not there right now": wait, reconnect, carry on.
DATABASE_DOWN = (SQLAlchemyError, OSError, ConnectionError)
LONGEST_PAUSE_SECONDS = 300.0
PARK_EVERY_SECONDS = 60.0
# How often to look for updates left unread long enough to send their one reminder (issue 11).
REMINDERS_EVERY_SECONDS = 60.0
# How often one of the workers removes personal data past each force's retention period.
RETENTION_EVERY_SECONDS = 3600.0
# Forces change rarely (a name, a phone number): read them again after this long.
FORCES_FOR_SECONDS = 60.0
# Security messages the person asked for (or must know about) go even to those who opted out.
SENT_DESPITE_OPT_OUT = {AlertKind.PASSWORD_RESET, AlertKind.ACCOUNT_LOCKED}


class Cancelled(Exception):
    """The alert no longer applies; not sent, and not a failure."""


@dataclass
class _People:
    forces: dict[int, Force] = field(default_factory=dict)
    parties: dict[int, Party] = field(default_factory=dict)
    crimes: dict[int, Crime] = field(default_factory=dict)
    officers: dict[int, Officer] = field(default_factory=dict)


class Worker:
    """Sends up to `concurrency` alerts at a time from one process; stop() lets in-flight sends finish."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        *,
        concurrency: int | None = None,
        email_sender: EmailSender | None = None,
        sms_sender: SmsSender | None = None,
        letter_sender: LetterSender | None = None,
    ) -> None:
        self.settings = settings
        self.database = database
        self.concurrency = concurrency or settings.worker_concurrency
        self.email = email_sender or (EmailSender(settings) if settings.smtp_host else None)
        self.sms = sms_sender or SmsSender.from_settings(settings)
        self.letters = letter_sender or LetterSender.from_settings(settings)
        self.counts: Counter[str] = Counter()
        # The same, by channel, added to the database's totals for /metrics once per round.
        self.fleet_counts = WorkerCounts()
        # Every claim and outcome is one statement: autocommit spares a BEGIN and a COMMIT each.
        self._engine = database.engine.execution_options(isolation_level="AUTOCOMMIT")
        self.hasher = hasher_for(settings.mode)
        self._forces: dict[int, Force] = {}
        self._forces_read_at = 0.0
        self._stopping = asyncio.Event()
        self._paused_until: dict[str, float] = {}
        self._pauses: Counter[str] = Counter()
        self._parked_at: float | None = None
        self._reminded_at: float | None = None
        self._retention_at: float | None = None
        # One warning when the database goes away and one when it is back, with the count between.
        self._database_trouble = TroubleLog(log, "sending alerts")
        self._replies_at: float | None = None

    # ------------------------------------------------------------------ the loop

    def stop(self) -> None:
        """Finish the sends in flight, give back anything claimed but unsent, then return from run()."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def run(self, *, once: bool = False) -> Counter[str]:
        """Send until stopped; with once=True, send what is due now and return."""
        database_wait = 0.0
        try:
            while not self.stopping:
                try:
                    await self._park_unsendable()
                    await self._queue_reminders()
                    await self._remove_expired_personal_data()
                    await self._collect_replies()
                    taken_over: Counter[str] = Counter()
                    alerts = await claim.claim_due(
                        self._engine,
                        channels=self._open_channels(),
                        limit=self.concurrency,
                        lease_seconds=self.settings.worker_lease_seconds,
                        taken_over=taken_over,
                    )
                    self._count_taken_over(taken_over)
                    database_wait = 0.0
                    self._database_trouble.recovered()
                except DATABASE_DOWN as error:
                    if once:
                        raise
                    self._database_failed(error)
                    database_wait = min(10.0, max(0.25, database_wait * 2))
                    await self._rest(database_wait)
                    continue
                if alerts:
                    await self._deliver_all(alerts)
                await self._write_counts()
                if not alerts:
                    if once:
                        break
                    await self._rest(self._idle_seconds())
        finally:
            await self._write_counts()
            await self._close_senders()
        return self.counts

    def _count(self, outcome: str, channel: str) -> None:
        self.counts[outcome] += 1
        self.fleet_counts.add(outcome, channel)

    def _count_taken_over(self, by_channel: Counter[str]) -> None:
        if by_channel:
            log.warning("took over %d alerts from a worker that stopped mid-send", sum(by_channel.values()))
            self.counts[worker_counts.LEASE_TAKEN_OVER] += sum(by_channel.values())
            self.fleet_counts.add_each(worker_counts.LEASE_TAKEN_OVER, by_channel)

    async def _write_counts(self) -> None:
        try:
            await self.fleet_counts.write(self._engine)
        except DATABASE_DOWN:
            pass  # kept for the next round

    async def _rest(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            pass

    def _idle_seconds(self) -> float:
        """The poll interval, or less when a paused channel is due back sooner."""
        now = time.monotonic()
        soonest = min((until - now for until in self._paused_until.values() if until > now), default=None)
        poll = self.settings.worker_poll_seconds
        return max(0.01, min(poll, soonest)) if soonest is not None else poll

    # ------------------------------------------------------------------ channels

    def _configured_channels(self) -> dict[str, str]:
        """channel -> why it cannot be used ('' when it can)."""
        return {
            "email": "" if self.email else "Held: no mail server is configured (TMC_SMTP_HOST).",
            "sms": "" if self.sms else "Held: no text message gateway is configured (TMC_SMS_API_KEY).",
            "letter": ""
            if self.letters
            else "Held: no letter template is configured (TMC_LETTER_TEMPLATE_ID).",
        }

    def _open_channels(self) -> list[str]:
        now = time.monotonic()
        return [
            channel
            for channel, problem in self._configured_channels().items()
            if not problem and self._paused_until.get(channel, 0.0) <= now
        ]

    async def _park_unsendable(self) -> None:
        """Hold rows for channels without a sender; release held rows once a sender exists."""
        if self._parked_at is not None and time.monotonic() - self._parked_at < PARK_EVERY_SECONDS:
            return
        configured = self._configured_channels()
        held = await claim.hold_channels(self._engine, {c: p for c, p in configured.items() if p})
        released = await claim.release_held(self._engine, [c for c, p in configured.items() if not p])
        self._parked_at = time.monotonic()
        self.fleet_counts.add_each(worker_counts.HELD, held)
        if held or released:
            held_count = sum(held.values())
            log.info("held %d alerts with no way to send them; released %d held alerts", held_count, released)

    async def _queue_reminders(self) -> None:
        """Once a minute: queue the reminder owed for updates a party left unread, and officers' digests."""
        if self._reminded_at is not None and time.monotonic() - self._reminded_at < REMINDERS_EVERY_SECONDS:
            return
        try:
            async with self.database.transaction() as db:
                queued = await queue_unread_reminders(db)
        except IntegrityError:
            queued = 0  # another worker queued the same reminders at the same moment
        try:
            async with self.database.transaction() as db:
                await queue_officer_digests(db)
        except IntegrityError:
            pass  # another worker queued the same digests at the same moment
        self._reminded_at = time.monotonic()
        if queued:
            log.info("queued %d reminders for updates left unread", queued)

    async def _remove_expired_personal_data(self) -> None:
        """Once an hour, in one worker at a time: what `tmc retention run` does from cron."""
        if self._retention_at is not None and time.monotonic() - self._retention_at < RETENTION_EVERY_SECONDS:
            return
        async with self.database.transaction() as db:
            removed = await run_retention_unless_running(
                db, unmatched_text_days=self.settings.unmatched_text_days
            )
        self._retention_at = time.monotonic()
        if removed is not None and (removed.crimes or removed.unmatched_texts):
            log.info(
                "removed the personal data of %d closed crimes (%d people) past their force's period,"
                " and %d unmatched texts",
                removed.crimes,
                removed.parties,
                removed.unmatched_texts,
            )

    async def _collect_replies(self) -> None:
        """Now and then: texts sent back to the service's number join the threads (issue 21)."""
        every = self.settings.sms_replies_poll_seconds
        if self.sms is None or every <= 0:
            return
        if self._replies_at is not None and time.monotonic() - self._replies_at < every:
            return
        self._replies_at = time.monotonic()
        try:
            stored = await collect_text_replies(self.database, self.sms)
        except TemporaryFailure as failure:
            log.warning("could not fetch texts sent to us: %s", failure.reason)
            return
        if stored:
            log.info("received %d texts", stored)

    def _pause(self, channel: str) -> None:
        """The provider is down: stop claiming this channel for a while, longer each time."""
        if self._paused_until.get(channel, 0.0) > time.monotonic():
            return  # already paused by another send of the same batch
        self._pauses[channel] += 1
        ceiling = min(
            LONGEST_PAUSE_SECONDS, self.settings.worker_retry_seconds * 2 ** (self._pauses[channel] - 1)
        )
        pause = ceiling / 2 + random.uniform(0, ceiling / 2)
        self._paused_until[channel] = time.monotonic() + pause
        log.warning("%s provider unavailable: pausing that channel for %.1fs", channel, pause)

    # ------------------------------------------------------------------ one batch

    async def _deliver_all(self, alerts: Sequence[ClaimedAlert]) -> None:
        try:
            people = await self._load_people(alerts)
        except DATABASE_DOWN as error:
            self._database_failed(error)
            await self._try_release(alerts)
            return
        await asyncio.gather(*(self._deliver(alert, people) for alert in alerts))

    async def _load_people(self, alerts: Sequence[ClaimedAlert]) -> _People:
        force_ids = {a.force_id for a in alerts}
        party_ids = {a.party_id for a in alerts if a.party_id is not None}
        officer_ids = {a.officer_id for a in alerts if a.officer_id is not None}
        people = _People(forces=self._forces)
        async with self.database.session() as db:
            if (
                not force_ids <= self._forces.keys()
                or time.monotonic() - self._forces_read_at > FORCES_FOR_SECONDS
            ):
                self._forces = {force.id: force for force in await db.exec(select(Force))}  # type: ignore[misc]
                self._forces_read_at = time.monotonic()
                people.forces = self._forces
            if party_ids:
                for party in await db.exec(select(Party).where(col(Party.id).in_(party_ids))):
                    people.parties[party.id] = party  # type: ignore[index]
                crime_ids = {party.crime_id for party in people.parties.values()}
                for crime in await db.exec(select(Crime).where(col(Crime.id).in_(crime_ids))):
                    people.crimes[crime.id] = crime  # type: ignore[index]
            if officer_ids:
                for officer in await db.exec(select(Officer).where(col(Officer.id).in_(officer_ids))):
                    people.officers[officer.id] = officer  # type: ignore[index]
        return people

    async def _deliver(self, alert: ClaimedAlert, people: _People) -> None:
        if self.stopping or alert.channel not in self._open_channels():
            await self._try_release([alert])
            return
        engine = self._engine
        try:
            recipient, reference = await self._send(alert, people)
        except Cancelled as cancelled:
            self._count(worker_counts.CANCELLED, alert.channel)
            await self._record(alert, partial(claim.record_cancelled, engine, alert, reason=str(cancelled)))
        except PermanentFailure as failure:
            self._count(worker_counts.FAILED, alert.channel)
            log.warning("alert %d (%s by %s) failed: %s", alert.id, alert.kind, alert.channel, failure.reason)
            await self._record(alert, partial(claim.record_failed, engine, alert, reason=failure.reason))
        except TemporaryFailure as failure:
            if isinstance(failure, ProviderUnavailable):
                self._pause(alert.channel)
            await self._temporary(alert, failure.reason)
        except Exception as error:  # noqa: BLE001 - a bug must not stop every other alert
            log.exception("alert %d could not be prepared", alert.id)
            await self._temporary(alert, f"Could not prepare the message ({type(error).__name__}).")
        else:
            self._count(worker_counts.SENT, alert.channel)
            self._pauses.pop(alert.channel, None)
            await self._record(
                alert, partial(claim.record_sent, engine, alert, recipient=recipient, reference=reference)
            )

    async def _temporary(self, alert: ClaimedAlert, reason: str) -> None:
        engine = self._engine
        if alert.attempts >= self.settings.worker_max_attempts:
            self._count(worker_counts.FAILED, alert.channel)
            final = f"Gave up after {alert.attempts} attempts. Last problem: {reason}"
            log.warning("alert %d (%s by %s) failed: %s", alert.id, alert.kind, alert.channel, final)
            await self._record(alert, partial(claim.record_failed, engine, alert, reason=final))
            return
        self._count(worker_counts.RETRIED, alert.channel)
        delay = claim.retry_delay(alert.attempts, self.settings.worker_retry_seconds)
        log.info("alert %d will be tried again in %.0fs: %s", alert.id, delay, reason)
        await self._record(
            alert, partial(claim.record_retry, engine, alert, reason=reason, delay_seconds=delay)
        )

    async def _record(self, alert: ClaimedAlert, write: Callable[[], Awaitable[bool]]) -> None:
        """Write the outcome, waiting out a database restart: a sent alert must be recorded as sent."""
        deadline = time.monotonic() + self.settings.worker_lease_seconds
        wait = 0.05
        while True:
            try:
                if not await write():
                    log.warning("alert %d: our claim had expired; another worker has it", alert.id)
                self._database_trouble.recovered()
                return
            except DATABASE_DOWN as error:
                self._database_failed(error)
                if time.monotonic() > deadline:
                    log.error("alert %d: could not record the outcome (%s)", alert.id, first_line(error))
                    return
                await asyncio.sleep(wait)
                wait = min(2.0, wait * 2)

    def _database_failed(self, error: BaseException) -> None:
        self.counts["database_errors"] += 1
        self._database_trouble.failed(error)

    async def _try_release(self, alerts: Sequence[ClaimedAlert]) -> None:
        try:
            await claim.release(self._engine, alerts)
        except DATABASE_DOWN:
            pass  # the claims run out by themselves and the rows become due again

    # ------------------------------------------------------------------ one message

    async def _send(self, alert: ClaimedAlert, people: _People) -> tuple[str, str]:
        """Render and send one alert; returns (recipient, provider reference)."""
        force = people.forces.get(alert.force_id)
        if force is None:
            raise PermanentFailure("The force no longer exists.")
        party = people.parties.get(alert.party_id) if alert.party_id is not None else None
        officer = people.officers.get(alert.officer_id) if alert.officer_id is not None else None
        recipient = self._current_address(alert, party, officer)
        crime = people.crimes.get(party.crime_id) if party is not None else None
        if party is not None and crime is not None and not portal_offered(force, crime, party):
            # Flagged (e.g. lives with a suspect) after the alert was queued: it must not go.
            raise Cancelled("The force's rules now keep this person off the portal.")
        fields = message_fields(
            self.settings, alert.kind, force, party=party, officer=officer, crime=crime, context=alert.context
        )
        if alert.channel == "email":
            assert self.email is not None
            content = render_email(fields)
            message_id = message_id_for(alert.id, force.code, self.settings.mail_from)
            email = OutgoingEmail(recipient, content.subject, content.text, content.html, message_id)
            return recipient, await self.email.send(email)
        if alert.channel == "letter":
            return recipient, await self._post(alert, fields, recipient)
        assert self.sms is not None
        reference = f"outbox-{alert.id}"
        if alert.attempts > 1:
            earlier = await self.sms.already_sent(reference)
            if earlier:
                return recipient, earlier
        if alert.kind == AlertKind.INVITATION:
            fields = await self._with_code(fields, alert)
        text = render_sms(fields)
        return recipient, await self.sms.send(
            phone_number=recipient, personalisation=fields.personalisation(text), reference=reference
        )

    async def _post(self, alert: ClaimedAlert, fields: MessageFields, address: str) -> str:
        """A letter, checked first against Notify so that a retry never posts it twice."""
        assert self.letters is not None
        reference = f"outbox-{alert.id}"
        if alert.attempts > 1:
            earlier = await self.letters.already_sent(reference)
            if earlier:
                return earlier
        if alert.kind == AlertKind.INVITATION:
            fields = await self._with_code(fields, alert)
        return await self.letters.send_letter(
            address=address.splitlines(),
            personalisation=fields.personalisation(render_letter(fields)),
            reference=reference,
        )

    async def _with_code(self, fields: MessageFields, alert: ClaimedAlert) -> MessageFields:
        """Texts invite with a code made now (after the already-sent check, so a retry never
        replaces the code of a text that did arrive)."""
        code = await fresh_registration_code(self._engine, self.hasher, alert.party_id)  # type: ignore[arg-type]
        if code is None:
            raise Cancelled("The person registered before the invitation was sent.")
        return with_registration_code(fields, code)

    def _current_address(self, alert: ClaimedAlert, party: Party | None, officer: Officer | None) -> str:
        """Where to send now (the person may have changed it since), or why not to send at all."""
        if alert.party_id is not None:
            if party is None:
                raise Cancelled("The person's record no longer exists.")
            _check_party_still_wants(alert, party)
            address = {"email": party.email, "sms": party.mobile, "letter": party.address}.get(
                alert.channel, ""
            )
        elif alert.officer_id is not None:
            if officer is None or officer.disabled_at is not None:
                raise Cancelled("The officer's account no longer exists or is disabled.")
            address = officer.email
        else:
            address = alert.recipient
        if not address:
            what = {"email": "email address", "sms": "mobile number"}.get(alert.channel, "postal address")
            raise Cancelled(f"There is no {what} any more.")
        return address

    async def _close_senders(self) -> None:
        for sender in (self.email, self.sms, self.letters):
            if sender is not None:
                try:
                    await sender.close()
                except Exception:  # noqa: BLE001, S110 - closing at exit; nothing left to do
                    pass


def _check_party_still_wants(alert: ClaimedAlert, party: Party) -> None:
    if party.account_deleted_at is not None:
        raise Cancelled("The person deleted their account.")
    if party.opted_out_at is not None and alert.kind not in SENT_DESPITE_OPT_OUT:
        raise Cancelled("The person opted out of alerts.")
    if alert.kind == AlertKind.INVITATION and party.password_hash:
        raise Cancelled("The person registered before the invitation was sent.")
    if alert.kind == AlertKind.PASSWORD_RESET and utcnow() - alert.created_at > dt.timedelta(
        hours=RESET_LINK_HOURS
    ):
        raise Cancelled(f"Not sent: the reset was asked for more than {RESET_LINK_HOURS} hours ago.")


async def send_due_alerts(settings: Settings, database: Database) -> Counter[str]:
    """Send everything due now, once (for tests and scripts): what `tmc worker --once` does."""
    return await Worker(settings, database).run(once=True)


class BackgroundWorker:
    """The worker in a thread with its own event loop and database engine: how `tmc demo` sends mail."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._thread = threading.Thread(target=self._main, name="tmc-worker", daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._worker: Worker | None = None
        self._started = threading.Event()

    def start(self) -> None:
        self._thread.start()
        self._started.wait(timeout=10)

    def stop(self, timeout: float = 30.0) -> None:
        if self._loop is not None and self._worker is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self._worker.stop)
            except RuntimeError:
                pass  # the loop has already finished
        self._thread.join(timeout=timeout)

    def _main(self) -> None:
        asyncio.run(self._run())

    async def _run(self) -> None:
        pool_size = self.settings.worker_concurrency + 4  # each send in flight, the claim, the texts poll
        database = Database(self.settings.database_url, pre_ping=False, pool_size=pool_size)
        self._worker = Worker(self.settings, database)
        self._loop = asyncio.get_running_loop()
        self._started.set()
        try:
            await self._worker.run()
        finally:
            await database.dispose()
