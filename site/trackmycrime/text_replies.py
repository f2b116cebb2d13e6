"""Texts sent back to the service's number (issue 21): each reaches the thread of the one party with
that mobile number as a message to the officers; a text no party (or several) could have sent waits
in the force's queue for a person to route."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Protocol

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .case_events.messages import MESSAGE_MAX, add_party_message, record_party_message
from .database import Database
from .models import Crime, Force, Message, Officer, Party, ReceivedText, ReceivedTextStatus, utcnow

# Each page is up to 250 texts (Notify keeps 7 days): enough for any backlog after an outage.
MOST_PAGES_PER_PASS = 40


class TextInbox(Protocol):
    async def received_texts(self, older_than: str = "") -> tuple[list[dict[str, Any]], bool]: ...


def number_key(number: str) -> str:
    """A UK number as digits with its country code: '+44 7700 900123', '07700900123' -> '447700900123'."""
    digits = re.sub(r"\D", "", number)
    if digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = "44" + digits[1:]
    return digits


def _spellings(key: str) -> set[str]:
    """How the records system may have written the number, once spaces, dashes and '+' are gone."""
    spellings = {key, "00" + key}
    if key.startswith("44"):
        spellings.add("0" + key[2:])
    return spellings


async def parties_with_number(db: AsyncSession, number: str) -> list[Party]:
    """Parties still on the portal (any force) whose mobile is this number."""
    key = number_key(number)
    if len(key) < 7:
        return []
    stored = func.replace(func.replace(func.replace(col(Party.mobile), " ", ""), "-", ""), "+", "")
    query = (
        select(Party)
        .join(Crime, col(Crime.id) == col(Party.crime_id))
        .where(
            stored.in_(_spellings(key)),
            col(Party.account_deleted_at).is_(None),
            col(Party.helps_party_id).is_(None),
            col(Crime.personal_data_removed_at).is_(None),
        )
        .order_by(col(Party.id))
    )
    return list((await db.exec(query)).all())


async def _force_for_unmatched(db: AsyncSession, candidates: list[Party]) -> int | None:
    """The queue an unmatched text waits in: the force all the candidates belong to, or the only force."""
    if candidates:
        crime_ids = {party.crime_id for party in candidates}
        statement = select(Crime.force_id).where(col(Crime.id).in_(crime_ids))
        candidate_forces = set((await db.exec(statement)).all())
        return candidate_forces.pop() if len(candidate_forces) == 1 else None
    forces = (await db.exec(select(Force.id).limit(2))).all()
    return forces[0] if len(forces) == 1 else None


def text_to_thread(db: AsyncSession, party: Party, crime: Crime, content: str, *, at: dt.datetime) -> Message:
    """The text as a message from the party, unread until an officer opens it."""
    message = add_party_message(db, party, crime, content)
    message.created_at = at
    return message


async def record_received_text(db: AsyncSession, text: dict[str, Any]) -> ReceivedText:
    """Store one text from the gateway and put it in the thread of the one party it can be from."""
    number = str(text.get("user_number", ""))[:32]
    content = str(text.get("content", ""))[:MESSAGE_MAX]
    received_at = _when(text.get("created_at"))
    row = ReceivedText(
        provider_id=str(text.get("id", ""))[:64],
        from_number=number,
        content=content,
        received_at=received_at,
    )
    candidates = await parties_with_number(db, number)
    if len(candidates) == 1:
        [party] = candidates
        crime = await db.get(Crime, party.crime_id)
        assert crime is not None
        message = await record_party_message(db, party, crime, content, received_at=received_at, by_text=True)
        row.status, row.party_id, row.message_id = ReceivedTextStatus.MATCHED, party.id, message.id
        row.force_id = crime.force_id
    else:
        row.force_id = await _force_for_unmatched(db, candidates)
    db.add(row)
    await db.flush()
    return row


async def route_received_text(
    db: AsyncSession, row: ReceivedText, party: Party, crime: Crime, officer: Officer
) -> Message:
    """An officer decided who sent an unmatched text: it joins that party's thread."""
    message = text_to_thread(db, party, crime, row.content, at=row.received_at)
    await db.flush()
    row.status, row.party_id, row.message_id = ReceivedTextStatus.ROUTED, party.id, message.id
    row.force_id, row.routed_by_id, row.routed_at = crime.force_id, officer.id, utcnow()
    db.add(row)
    return message


async def _new_texts(db: AsyncSession, inbox: TextInbox) -> list[dict[str, Any]]:
    """Pages newest first until one holds a text we already have; the new ones, oldest first."""
    new: list[dict[str, Any]] = []
    older_than = ""
    for _page in range(MOST_PAGES_PER_PASS):
        texts, more = await inbox.received_texts(older_than)
        ids = [str(text.get("id", "")) for text in texts]
        if not ids:
            break
        stored = select(ReceivedText.provider_id).where(col(ReceivedText.provider_id).in_(ids))
        known = set((await db.exec(stored)).all())
        new.extend(text for text, text_id in zip(texts, ids, strict=True) if text_id not in known)
        if known or not more:
            break
        older_than = ids[-1]
    return list(reversed(new))


async def collect_text_replies(database: Database, inbox: TextInbox) -> int:
    """Fetch texts sent to us since the last pass and store each once; returns how many were new."""
    async with database.session() as db:
        texts = await _new_texts(db, inbox)
    stored = 0
    for text in texts:
        try:
            async with database.transaction() as db:
                await record_received_text(db, text)
            stored += 1
        except IntegrityError:
            pass  # another worker stored the same text at the same moment
    return stored


def _when(value: Any) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return utcnow()
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
