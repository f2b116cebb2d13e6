"""The Victim Personal Statement (Victims' Code Right 7): offered by an officer, written by the victim.

A victim says in their own words how the crime has affected them. They may write it on the portal
(kept as a draft until they choose to send it) or ask to make it in person. They may change it until
the first court hearing starts; after that it is read as it was sent. Who may make one is the rules'
[personal_statement] owed_to (victims, by the Code). Each step is one function here, used by every
caller; the caller audits it and, for sending or asking, puts a message in the officers' thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .i18n import gettext as _
from .models import Hearing, HearingStatus, Officer, Party, PersonalStatement, utcnow
from .victims_code.entitlements import refresh_entitlements
from .victims_code.rules import Rules

TEXT_MAX = 10000


class StatementState:
    NOT_OFFERED = "not_offered"
    OFFERED = "offered"
    DRAFT = "draft"
    SENT = "sent"
    CHANGED = "changed"  # sent again, with changes, after it was first sent
    IN_PERSON = "in_person"


class StatementLocked(Exception):
    """The first court hearing has started: the statement can no longer be changed."""


def may_make_statement(rules: Rules, party: Party) -> bool:
    """By these rules (victims, under the Code)."""
    return rules.personal_statement.is_owed_to(party.role)


def state_of(statement: PersonalStatement | None) -> str:
    """Where the statement stands, as the officer sees it."""
    if statement is None:
        return StatementState.NOT_OFFERED
    sent_at, in_person_at = statement.sent_at, statement.in_person_at
    if in_person_at is not None and (sent_at is None or in_person_at > sent_at):
        return StatementState.IN_PERSON
    if sent_at is not None:
        return StatementState.CHANGED if statement.first_sent_at != sent_at else StatementState.SENT
    if statement.draft_saved_at is not None:
        return StatementState.DRAFT
    return StatementState.OFFERED if statement.offered_at is not None else StatementState.NOT_OFFERED


def state_label(state: str) -> str:
    return {
        StatementState.NOT_OFFERED: _("Not offered yet"),
        StatementState.OFFERED: _("Offered"),
        StatementState.DRAFT: _("Being written (a draft, not sent yet)"),
        StatementState.SENT: _("Sent"),
        StatementState.CHANGED: _("Changed after it was first sent"),
        StatementState.IN_PERSON: _("Asked to make it in person"),
    }.get(state, state)


async def first_hearing_start(db: AsyncSession, crime_id: int) -> dt.datetime | None:
    """When the crime's first court hearing starts (a cancelled one never does)."""
    query = select(func.min(Hearing.starts_at)).where(
        Hearing.crime_id == crime_id, col(Hearing.status) != HearingStatus.VACATED
    )
    return (await db.exec(query)).one()


def is_locked(first_hearing: dt.datetime | None, now: dt.datetime) -> bool:
    """Changes stop once the first hearing has started."""
    return first_hearing is not None and now >= first_hearing


@dataclass(frozen=True)
class StatementView:
    """A party's statement (None: not started) and whether it may still be changed."""

    statement: PersonalStatement | None
    locked: bool
    first_hearing: dt.datetime | None

    @property
    def state(self) -> str:
        return state_of(self.statement)


async def statement_of(
    db: AsyncSession, party: Party, *, for_update: bool = False
) -> PersonalStatement | None:
    query = select(PersonalStatement).where(PersonalStatement.party_id == party.id)
    if for_update:
        query = query.with_for_update()
    return (await db.exec(query)).first()


async def statement_view(db: AsyncSession, party: Party, now: dt.datetime | None = None) -> StatementView:
    first_hearing = await first_hearing_start(db, party.crime_id)
    return StatementView(
        await statement_of(db, party), is_locked(first_hearing, now or utcnow()), first_hearing
    )


async def statements_of_crime(db: AsyncSession, crime_id: int) -> dict[int, PersonalStatement]:
    """Every statement on the crime, by party id: for the officers' crime page."""
    found = await db.exec(select(PersonalStatement).where(PersonalStatement.crime_id == crime_id))
    return {statement.party_id: statement for statement in found.all()}


async def _statement_to_change(db: AsyncSession, party: Party, now: dt.datetime) -> PersonalStatement:
    """The party's statement (made when missing), refused once the first hearing has started."""
    if is_locked(await first_hearing_start(db, party.crime_id), now):
        raise StatementLocked
    statement = await statement_of(db, party, for_update=True)
    if statement is None:
        statement = PersonalStatement(crime_id=party.crime_id, party_id=party.id)  # type: ignore[arg-type]
        db.add(statement)
    return statement


async def record_offer(
    db: AsyncSession, party: Party, officer: Officer, rules: Rules, now: dt.datetime | None = None
) -> PersonalStatement:
    """An officer offered the party a statement, which meets the Code's entitlement; again keeps the first."""
    now = now or utcnow()
    statement = await statement_of(db, party, for_update=True)
    if statement is None:
        statement = PersonalStatement(crime_id=party.crime_id, party_id=party.id)  # type: ignore[arg-type]
    if statement.offered_at is None:
        statement.offered_at = now
        statement.offered_by_id = officer.id
        db.add(statement)
        await db.flush()
        await refresh_entitlements(db, party.crime_id, rules)
    return statement


async def save_draft(
    db: AsyncSession, party: Party, text: str, now: dt.datetime | None = None
) -> PersonalStatement:
    """Keep what the victim has written so far; the officers do not read it until it is sent."""
    now = now or utcnow()
    statement = await _statement_to_change(db, party, now)
    statement.draft = text
    statement.draft_saved_at = now
    db.add(statement)
    await db.flush()
    return statement


async def send_statement(
    db: AsyncSession, party: Party, text: str, now: dt.datetime | None = None
) -> PersonalStatement:
    """Send the statement to the police (again, when changed): the officers read this text."""
    now = now or utcnow()
    statement = await save_draft(db, party, text, now)
    statement.sent_text = text
    statement.sent_at = now
    statement.first_sent_at = statement.first_sent_at or now
    await db.flush()
    return statement


async def ask_to_make_in_person(
    db: AsyncSession, party: Party, now: dt.datetime | None = None
) -> PersonalStatement:
    """The victim would rather make the statement to an officer in person."""
    now = now or utcnow()
    statement = await _statement_to_change(db, party, now)
    statement.in_person_at = now
    db.add(statement)
    await db.flush()
    return statement


def sent_message() -> str:
    """What the officers read in the thread when a statement is sent; the statement is on the crime page."""
    return _("I have sent my Victim Personal Statement. You can read it on the crime page.")


def in_person_message() -> str:
    return _("I would like to make my Victim Personal Statement in person. Please contact me to arrange it.")


def parties_who_may_make_one(rules: Rules, parties: Sequence[Party]) -> list[Party]:
    return [party for party in parties if may_make_statement(rules, party)]
