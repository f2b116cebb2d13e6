"""The database reads and writes of the victim portal; every one is scoped to the signed-in party."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..case_updates import visible_to_party_clause
from ..models import (
    CaseUpdate,
    Crime,
    Entitlement,
    Force,
    Message,
    MessageDirection,
    Officer,
    Party,
    utcnow,
)


@dataclass(frozen=True)
class TimelineEntry:
    update: CaseUpdate
    author_name: str | None


@dataclass(frozen=True)
class ThreadMessage:
    message: Message
    officer_name: str | None
    is_new: bool

    @property
    def is_mine(self) -> bool:
        return self.message.direction == MessageDirection.FROM_PARTY


@dataclass(frozen=True)
class Activity:
    """What a party can see that changes over time, reduced to a few numbers to compare."""

    last_update_id: int
    last_message_id: int
    messages_read_by_officers: int
    next_due_id: int

    def marker(self) -> str:
        numbers = (
            self.last_update_id,
            self.last_message_id,
            self.messages_read_by_officers,
            self.next_due_id,
        )
        return ".".join(str(number) for number in numbers)

    @classmethod
    def from_marker(cls, marker: str) -> Activity | None:
        parts = marker.split(".")
        if len(parts) != 4 or not all(part.isascii() and part.isdigit() and len(part) < 19 for part in parts):
            return None
        return cls(*(int(part) for part in parts))


@dataclass(frozen=True)
class CaseView:
    officer_in_charge: Officer | None
    timeline: list[TimelineEntry]
    thread: list[ThreadMessage]
    next_due: Entitlement | None

    @property
    def activity(self) -> Activity:
        return Activity(
            last_update_id=max((entry.update.id or 0 for entry in self.timeline), default=0),
            last_message_id=max((item.message.id or 0 for item in self.thread), default=0),
            messages_read_by_officers=sum(
                1 for item in self.thread if item.is_mine and item.message.read_at is not None
            ),
            next_due_id=(self.next_due.id or 0) if self.next_due else 0,
        )


# ---------------------------------------------------------------- finding a party to sign in or register


async def party_by_sign_in_details(
    db: AsyncSession, *, force_id: int, reference_key: str, surname_key: str, date_of_birth: dt.date
) -> tuple[Party, Crime] | None:
    """The registered party with these details, in one query whether or not there is one."""
    row = (
        await db.exec(
            select(Party, Crime)
            .join(Crime, col(Crime.id) == col(Party.crime_id))
            .where(
                Crime.force_id == force_id,
                Crime.reference_key == reference_key,
                Party.surname_key == surname_key,
                Party.date_of_birth == date_of_birth,
                col(Party.password_hash).is_not(None),
                col(Party.account_deleted_at).is_(None),
            )
            .order_by(col(Party.id))
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def parties_holding_a_code(db: AsyncSession, *, force_id: int, reference_key: str) -> list[Party]:
    """Unregistered parties of this crime with a registration code that has not expired."""
    rows = await db.exec(
        select(Party)
        .join(Crime, col(Crime.id) == col(Party.crime_id))
        .where(
            Crime.force_id == force_id,
            Crime.reference_key == reference_key,
            col(Party.registration_code_hash).is_not(None),
            col(Party.registration_code_expires_at) > utcnow(),
            col(Party.password_hash).is_(None),
        )
        .order_by(col(Party.id))
        .limit(5)
    )
    return list(rows.all())


async def party_with_crime(db: AsyncSession, party_id: int) -> tuple[Party, Crime, Force] | None:
    row = (
        await db.exec(
            select(Party, Crime, Force)
            .join(Crime, col(Crime.id) == col(Party.crime_id))
            .join(Force, col(Force.id) == col(Crime.force_id))
            .where(Party.id == party_id)
        )
    ).first()
    return (row[0], row[1], row[2]) if row else None


# ---------------------------------------------------------------- the case page


async def case_view(db: AsyncSession, party: Party, crime: Crime) -> CaseView:
    """Everything the case page shows, in four queries however long the case has run."""
    officer = None
    if crime.officer_in_charge_id is not None:
        officer = await db.get(Officer, crime.officer_in_charge_id)
    update_rows = await db.exec(
        select(CaseUpdate, Officer.name)
        .outerjoin(Officer, col(Officer.id) == col(CaseUpdate.author_officer_id))
        .where(visible_to_party_clause(party))
        .order_by(col(CaseUpdate.occurred_at).desc(), col(CaseUpdate.id).desc())
    )
    message_rows = await db.exec(
        select(Message, Officer.name)
        .outerjoin(Officer, col(Officer.id) == col(Message.officer_id))
        .where(Message.party_id == party.id, Message.crime_id == crime.id)
        .order_by(col(Message.created_at), col(Message.id))
    )
    next_due = (
        await db.exec(
            select(Entitlement)
            .where(Entitlement.party_id == party.id, col(Entitlement.met_at).is_(None))
            .order_by(col(Entitlement.due_at))
            .limit(1)
        )
    ).first()
    thread = [
        ThreadMessage(
            message=message,
            officer_name=name,
            is_new=message.direction == MessageDirection.TO_PARTY and message.read_at is None,
        )
        for message, name in message_rows.all()
    ]
    timeline = [TimelineEntry(update=row, author_name=name) for row, name in update_rows.all()]
    return CaseView(officer_in_charge=officer, timeline=timeline, thread=thread, next_due=next_due)


async def current_activity(db: AsyncSession, party: Party) -> Activity:
    """The same numbers as CaseView.activity, in one small query, for polling."""
    last_update = select(func.max(CaseUpdate.id)).where(visible_to_party_clause(party)).scalar_subquery()
    last_message = select(func.max(Message.id)).where(Message.party_id == party.id).scalar_subquery()
    read_by_officers = (
        select(func.count(col(Message.id)))
        .where(
            Message.party_id == party.id,
            Message.direction == MessageDirection.FROM_PARTY,
            col(Message.read_at).is_not(None),
        )
        .scalar_subquery()
    )
    next_due = (
        select(Entitlement.id)
        .where(Entitlement.party_id == party.id, col(Entitlement.met_at).is_(None))
        .order_by(col(Entitlement.due_at))
        .limit(1)
        .scalar_subquery()
    )
    row = (await db.exec(select(last_update, last_message, read_by_officers, next_due))).one()
    return Activity(*(int(value or 0) for value in row))


async def mark_replies_read(db: AsyncSession, party: Party, view: CaseView) -> None:
    """Read receipts: the officers' messages the party has now been shown."""
    unread = [item.message.id for item in view.thread if item.is_new]
    if not unread:
        return
    await db.exec(
        update(Message)
        .where(
            col(Message.id).in_(unread),
            col(Message.party_id) == party.id,
            col(Message.read_at).is_(None),
        )
        .values(read_at=utcnow())
    )  # type: ignore[call-overload]


def add_party_message(db: AsyncSession, party: Party, crime: Crime, body: str) -> Message:
    """A message from the party to the officers of their crime, unread until an officer opens it."""
    message = Message(
        crime_id=crime.id,  # type: ignore[arg-type]
        party_id=party.id,  # type: ignore[arg-type]
        direction=MessageDirection.FROM_PARTY,
        body=body,
        created_at=utcnow(),
    )
    db.add(message)
    return message
