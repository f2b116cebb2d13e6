"""A message in a party's thread: from the party (on the portal or by text), or an officer's reply."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from .. import audit, audit_actions
from ..models import Crime, Force, Message, MessageDirection, Officer, Party, saved_id, utcnow
from ..notify.outbox import AlertKind, queue_alert
from ..victims_code.entitlements import refresh_entitlements
from ..victims_code.rules import Rules
from .alerts import may_be_alerted

# The longest message a party may send, on the portal or by text.
MESSAGE_MAX = 2000


def add_party_message(
    db: AsyncSession, party: Party, crime: Crime, body: str, *, helper: Party | None = None
) -> Message:
    """A message from the party (or their trusted helper) to the officers of their crime, unread
    until an officer opens it."""
    message = Message(
        crime_id=saved_id(crime),
        party_id=saved_id(party),
        direction=MessageDirection.FROM_PARTY,
        body=body,
        created_at=utcnow(),
        helper_id=helper.id if helper is not None else None,
    )
    db.add(message)
    return message


async def record_party_message(
    db: AsyncSession,
    party: Party,
    crime: Crime,
    body: str,
    *,
    property_item_id: int | None = None,
    received_at: dt.datetime | None = None,
    by_text: bool = False,
    client_address: str = "",
    helper: Party | None = None,
) -> Message:
    """Store a message from the party (or their trusted helper) and audit it as the writer's."""
    message = add_party_message(db, party, crime, body, helper=helper)
    message.property_item_id = property_item_id
    if received_at is not None:
        message.created_at = received_at
    await db.flush()
    detail = f"message:{message.id}"
    if property_item_id:
        detail += f" property item:{property_item_id}"
    if by_text:
        detail += " by text"
    audit.record(
        db,
        None,
        audit_actions.MESSAGE_SEND,
        force_id=crime.force_id,
        crime_id=crime.id,
        party_id=party.id,
        actor=helper or party,
        actor_kind="helper" if helper is not None else None,
        detail=detail,
        client_address=client_address,
    )
    return message


async def mark_messages_read(db: AsyncSession, party: Party) -> int:
    """The party's messages, all read by the officers."""
    result = await db.exec(
        update(Message)
        .where(
            col(Message.party_id) == party.id,
            col(Message.direction) == MessageDirection.FROM_PARTY,
            col(Message.read_at).is_(None),
        )
        .values(read_at=utcnow())
    )
    return int(result.rowcount or 0)


async def send_officer_reply(
    db: AsyncSession,
    *,
    force: Force,
    officer: Officer,
    crime: Crime,
    party: Party,
    body: str,
    rules: Rules,
    client_address: str = "",
) -> Message:
    """Store the reply, tell the party something is waiting (never what), and count it as telling
    them under the Victims' Code."""
    message = Message(
        crime_id=saved_id(crime),
        party_id=saved_id(party),
        direction=MessageDirection.TO_PARTY,
        officer_id=officer.id,
        body=body.strip(),
        created_at=utcnow(),
    )
    db.add(message)
    await mark_messages_read(db, party)
    await db.flush()
    if may_be_alerted(party):
        await queue_alert(
            db,
            force=force,
            kind=AlertKind.NEW_MESSAGE,
            party=party,
            cause=f"message:{message.id}",
            context={"force_name": force.name},
        )
    audit.record(
        db,
        None,
        audit_actions.MESSAGE_SEND,
        force_id=crime.force_id,
        crime_id=crime.id,
        party_id=party.id,
        actor=officer,
        client_address=client_address,
    )
    await refresh_entitlements(db, saved_id(crime), rules)
    return message
