"""Writing alerts to the outbox, in the caller's transaction, at most once per cause.

Nothing here sends anything: `tmc worker` (notify/worker.py) claims and sends the rows.
The context holds only what the message templates may say: never the offence, an update's
text, a message's body or a date of birth.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..eligibility import portal_offered
from ..models import AlertChannel, Crime, Force, Officer, OutboxMessage, OutboxStatus, Party, utcnow


class AlertKind:
    INVITATION = "invitation"
    UPDATE_WAITING = "update_waiting"
    NEW_MESSAGE = "new_message"
    PASSWORD_RESET = "password_reset"
    ACCOUNT_LOCKED = "account_locked"
    UNREAD_REMINDER = "unread_reminder"
    # "Check your case page today": sent the day before a court hearing (issue 22), naming nothing.
    HEARING_REMINDER = "hearing_reminder"
    # To officers only: what victims and witnesses sent them, by crime reference (issue 21).
    OFFICER_DIGEST = "officer_digest"
    FOR_PARTIES = (
        INVITATION,
        UPDATE_WAITING,
        NEW_MESSAGE,
        PASSWORD_RESET,
        ACCOUNT_LOCKED,
        UNREAD_REMINDER,
        HEARING_REMINDER,
    )
    ALL = (*FOR_PARTIES, OFFICER_DIGEST)


# Alerts that only say "something is waiting": one of a kind per person per window is enough (issue 16).
COALESCED_KINDS = {AlertKind.UPDATE_WAITING, AlertKind.NEW_MESSAGE, AlertKind.UNREAD_REMINDER}
# What may go by post: an invitation with its code, and "something is waiting" (issue 21).
LETTER_KINDS = {AlertKind.INVITATION, *COALESCED_KINDS}
NOT_DELIVERED = (OutboxStatus.FAILED, OutboxStatus.CANCELLED)

FORBIDDEN_CONTEXT_KEYS = {"offence", "text", "body", "message", "date_of_birth", "update_text"}


def channels_for(party: Party) -> list[str]:
    """Where this party wants alerts, given what we have for them."""
    if party.opted_out_at is not None or party.account_deleted_at is not None:
        return []
    wanted = {
        AlertChannel.EMAIL: ["email"],
        AlertChannel.SMS: ["sms"],
        AlertChannel.BOTH: ["email", "sms"],
        AlertChannel.NONE: [],
    }.get(party.alert_channel, ["email"])
    usable = [c for c in wanted if (party.email if c == "email" else party.mobile)]
    if not usable and not party.email and not party.mobile and party.address and party.contact_consent:
        # Offline (issue 21): neither email nor mobile, but an address and consent to contact.
        return ["letter"] if party.alert_channel != AlertChannel.NONE else []
    return usable


def invitation_channel(party: Party) -> str | None:
    """How to invite a party: a link by email, else a code by text, else a code by letter (issue 21)."""
    if party.email:
        return "email"
    if party.mobile:
        return "sms"
    if party.address and party.contact_consent:
        return "letter"
    return None


def recipient_on(party: Party, channel: str) -> str:
    if channel == "letter":
        return ", ".join(party.address.splitlines())[:254]
    return party.email if channel == "email" else party.mobile


async def may_be_alerted_under_portal_rules(db: AsyncSession, force: Force, party: Party) -> bool:
    """No alert of any kind to a party the force's rules keep off the portal (issue 12)."""
    if not party.shares_address_with_suspect and not (
        force.portal_offence_codes or force.portal_excluded_offence_codes
    ):
        return True  # the usual case: no rules, no query
    crime = await db.get(Crime, party.crime_id)
    return crime is not None and portal_offered(force, crime, party)


async def alerted_lately_by_party(
    db: AsyncSession, force: Force, kind: str, parties: Sequence[Party]
) -> dict[int, set[str]]:
    """Per party, the channels on which they already had an alert of this kind within the force's window."""
    if kind not in COALESCED_KINDS or force.alert_window_minutes <= 0 or not parties:
        return {}
    since = utcnow() - dt.timedelta(minutes=force.alert_window_minutes)
    found = await db.exec(
        select(OutboxMessage.party_id, OutboxMessage.channel).where(
            col(OutboxMessage.party_id).in_([party.id for party in parties]),
            col(OutboxMessage.kind) == kind,
            col(OutboxMessage.created_at) >= since,
            col(OutboxMessage.status).not_in(NOT_DELIVERED),
        )
    )
    lately: dict[int, set[str]] = {}
    for party_id, channel in found.all():
        lately.setdefault(party_id, set()).add(channel)  # type: ignore[arg-type]
    return lately


async def queue_alert(
    db: AsyncSession,
    *,
    force: Force,
    kind: str,
    party: Party | None = None,
    officer: Officer | None = None,
    channels: Iterable[str] | None = None,
    cause: str,
    context: dict[str, str] | None = None,
    send_at: dt.datetime | None = None,
    alerted_lately: Mapping[int, set[str]] | None = None,
) -> list[OutboxMessage]:
    """Queue one alert per channel; `cause` (e.g. "update:17") makes repeats no-ops.

    `send_at` holds it back until then (a reminder); by default it goes as soon as a worker can.
    `alerted_lately`: alerted_lately_by_party() for this kind, read once for several parties.

    For a party the channels default to their preferences; for an officer, email.
    Rows already queued for the same cause, recipient kind and channel are not queued again, nor
    a "something is waiting" alert to a party who had one of the same kind within the window.
    """
    if kind not in AlertKind.ALL:
        raise ValueError(f"unknown alert kind {kind!r}")
    context = dict(context or {})
    leaked = FORBIDDEN_CONTEXT_KEYS & set(context)
    if leaked:
        raise ValueError(f"alerts must not carry case detail: {sorted(leaked)}")
    if party is not None:
        if kind not in AlertKind.FOR_PARTIES:
            raise ValueError(f"{kind!r} alerts are for officers only")
        if not await may_be_alerted_under_portal_rules(db, force, party):
            return []
        chosen = list(channels) if channels is not None else channels_for(party)
        if kind not in LETTER_KINDS:
            chosen = [channel for channel in chosen if channel != "letter"]
        if alerted_lately is None:
            alerted_lately = await alerted_lately_by_party(db, force, kind, [party]) if chosen else {}
        lately = alerted_lately.get(party.id, set())  # type: ignore[arg-type]
        chosen = [channel for channel in chosen if channel not in lately]
        who = f"party:{party.id}"
    elif officer is not None:
        chosen = ["email"]
        who = f"officer:{officer.id}"
    else:
        raise ValueError("an alert needs a party or an officer")
    queued: list[OutboxMessage] = []
    for channel in chosen:
        recipient = recipient_on(party, channel) if party is not None else officer.email  # type: ignore[union-attr]
        if not recipient:
            continue
        dedupe_key = f"{kind}:{cause}:{who}:{channel}"
        exists = await db.exec(select(OutboxMessage.id).where(col(OutboxMessage.dedupe_key) == dedupe_key))
        if exists.first() is not None:
            continue
        row = OutboxMessage(
            force_id=force.id,  # type: ignore[arg-type]
            kind=kind,
            channel=channel,
            party_id=party.id if party else None,
            officer_id=officer.id if officer else None,
            recipient=recipient,
            context_json=json.dumps(context, sort_keys=True),
            dedupe_key=dedupe_key,
            status=OutboxStatus.PENDING,
            next_attempt_at=send_at or utcnow(),
        )
        db.add(row)
        queued.append(row)
    if queued:
        await db.flush()
    return queued
