"""The database reads and writes of the victim portal; every one is scoped to the signed-in party."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, exists, func, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..case_events.decisions import DecisionView, decisions_for_party
from ..case_events.hearings import in_journey_order
from ..case_updates import visible_to_party_clause
from ..i18n import gettext as _
from ..models import (
    CaseUpdate,
    Crime,
    Decision,
    Entitlement,
    Force,
    Hearing,
    Message,
    MessageDirection,
    Officer,
    OfficerRole,
    Party,
    PropertyItem,
    UpdateRead,
    utcnow,
)
from ..trusted_helpers import relationship_in_words


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    id: int
    status: str | None
    occurred_at: dt.datetime
    text: str
    author_name: str | None
    author_role: str | None
    author_shoulder_number: str | None
    is_unread: bool  # the party has not seen it before this visit
    corrected_at: dt.datetime | None = None  # an officer corrected the text then (issue 16)
    # A case event that is not a status (issue 22), who sent it, and the hearing it is about.
    event: str | None = None
    agency: str = "police"
    hearing_type: str | None = None
    court_name: str | None = None

    @property
    def author_in_words(self) -> str:
        """Who wrote it, as officers are shown elsewhere: "Jo Admin, police staff, shoulder number 1234"."""
        if not self.author_name:
            return ""
        parts = [self.author_name, officer_role_in_words(self.author_role or "")]
        if self.author_shoulder_number:
            parts.append(_("shoulder number {number}").format(number=self.author_shoulder_number))
        return ", ".join(part for part in parts if part)


def officer_role_in_words(role: str) -> str:
    return {
        OfficerRole.OFFICER: _("police officer"),
        OfficerRole.SUPERVISOR: _("police supervisor"),
        OfficerRole.ADMIN: _("police staff"),
    }.get(role, "")


@dataclass(frozen=True, slots=True)
class ThreadMessage:
    id: int
    direction: str
    body: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    officer_name: str | None
    # The item of property a message from the party is about, if any (issue 11).
    property_item_id: int | None = None
    property_description: str | None = None
    # Written by the party's trusted helper (issue 21): who, and who they are to the party.
    helper_forenames: str | None = None
    helper_surname: str | None = None
    helper_relationship: str | None = None

    @property
    def helper_label(self) -> str:
        """ "Sam Carer, carer" for a message the party's helper wrote; "" for the party's own."""
        if self.helper_surname is None:
            return ""
        name = f"{self.helper_forenames or ''} {self.helper_surname}".strip()
        return f"{name}, {relationship_in_words(self.helper_relationship or '')}"

    @property
    def is_mine(self) -> bool:
        return self.direction == MessageDirection.FROM_PARTY

    @property
    def is_new(self) -> bool:
        """From the police, and not shown to the party before this visit."""
        return self.direction == MessageDirection.TO_PARTY and self.read_at is None


@dataclass(frozen=True, slots=True)
class OfficerInCharge:
    name: str
    team: str
    shoulder_number: str | None = None


@dataclass(frozen=True, slots=True)
class NextDue:
    id: int
    due_at: dt.datetime


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
    officer_in_charge: OfficerInCharge | None
    timeline: list[TimelineEntry]
    thread: list[ThreadMessage]
    next_due: NextDue | None
    hearings: list[Hearing] = field(default_factory=list)
    decisions: list[DecisionView] = field(default_factory=list)

    @property
    def activity(self) -> Activity:
        return Activity(
            last_update_id=max((entry.id for entry in self.timeline), default=0),
            last_message_id=max((item.id for item in self.thread), default=0),
            messages_read_by_officers=sum(
                1 for item in self.thread if item.is_mine and item.read_at is not None
            ),
            next_due_id=self.next_due.id if self.next_due else 0,
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


async def parties_holding_a_code(
    db: AsyncSession, *, force_id: int, reference_key: str, lookup: str
) -> list[Party]:
    """Unregistered parties of this crime whose unexpired registration code has this fingerprint
    (codes given before fingerprints were kept have none, and are tried too until they expire)."""
    rows = await db.exec(
        select(Party)
        .join(Crime, col(Crime.id) == col(Party.crime_id))
        .where(
            Crime.force_id == force_id,
            Crime.reference_key == reference_key,
            col(Party.registration_code_hash).is_not(None),
            or_(col(Party.registration_code_lookup) == lookup, col(Party.registration_code_lookup).is_(None)),
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


# The case page's statements are built once, with the party's and crime's ids as parameters, and
# read as plain rows rather than ORM objects: on the hottest page, building statements and objects
# was most of the time spent (bench/README.md, "Server speed").
_PARTY_ID: BindParameter[int] = bindparam("party_id")
_CRIME_ID: BindParameter[int] = bindparam("crime_id")
_OFFICER_ID: BindParameter[int] = bindparam("officer_id")


def _visible_to(role: str) -> ColumnElement[bool]:
    """visible_to_party_clause for a party in this role, its ids left as the statement's parameters."""
    return visible_to_party_clause(SimpleNamespace(id=_PARTY_ID, crime_id=_CRIME_ID, role=role))  # type: ignore[arg-type]


@cache
def _timeline_statement(role: str) -> Select[*tuple[Any, ...]]:
    """The updates a party in this role can see, newest first, each saying whether it is unread."""
    seen = exists().where(
        col(UpdateRead.update_id) == col(CaseUpdate.id), col(UpdateRead.party_id) == _PARTY_ID
    )
    return (
        sa_select(
            col(CaseUpdate.id),
            col(CaseUpdate.status),
            col(CaseUpdate.occurred_at),
            col(CaseUpdate.text),
            col(Officer.name),
            col(Officer.role),
            col(Officer.shoulder_number),
            ~seen,
            col(CaseUpdate.corrected_at),
            col(CaseUpdate.event),
            col(CaseUpdate.agency),
            col(Hearing.hearing_type),
            col(Hearing.court_name),
        )
        .outerjoin(Officer, col(Officer.id) == col(CaseUpdate.author_officer_id))
        .outerjoin(Hearing, col(Hearing.id) == col(CaseUpdate.hearing_id))
        .where(_visible_to(role))
        .order_by(col(CaseUpdate.occurred_at).desc(), col(CaseUpdate.id).desc())
    )


_HELPER = aliased(Party, name="helper")
_THREAD = (
    sa_select(
        col(Message.id),
        col(Message.direction),
        col(Message.body),
        col(Message.created_at),
        col(Message.read_at),
        col(Officer.name),
        col(PropertyItem.id),
        col(PropertyItem.description),
        col(_HELPER.forenames),
        col(_HELPER.surname),
        col(_HELPER.helper_relationship),
    )
    .outerjoin(Officer, col(Officer.id) == col(Message.officer_id))
    .outerjoin(PropertyItem, col(PropertyItem.id) == col(Message.property_item_id))
    .outerjoin(_HELPER, col(_HELPER.id) == col(Message.helper_id))
    .where(col(Message.party_id) == _PARTY_ID, col(Message.crime_id) == _CRIME_ID)
    .order_by(col(Message.created_at), col(Message.id))
)


def _next_due(column: Any) -> Any:
    return (
        sa_select(column)
        .where(col(Entitlement.party_id) == _PARTY_ID, col(Entitlement.met_at).is_(None))
        .order_by(col(Entitlement.due_at))
        .limit(1)
        .scalar_subquery()
    )


def _officer(column: Any) -> Any:
    return sa_select(column).where(col(Officer.id) == _OFFICER_ID).scalar_subquery()


# One row: the officer in charge and the next update due (each an index look-up).
_SUMMARY = sa_select(
    _officer(col(Officer.name)),
    _officer(col(Officer.team)),
    _officer(col(Officer.shoulder_number)),
    _next_due(col(Entitlement.id)),
    _next_due(col(Entitlement.due_at)),
    # Most cases have no hearing or decision: look them up only when there are some.
    exists().where(col(Hearing.crime_id) == _CRIME_ID),
    exists().where(col(Decision.crime_id) == _CRIME_ID),
)


async def case_view(db: AsyncSession, party: Party, crime: Crime) -> CaseView:
    """Everything the case page shows, in three queries (more only for hearings and decisions)."""
    connection = await db.connection()
    ids = {"party_id": party.id, "crime_id": crime.id, "officer_id": crime.officer_in_charge_id}
    officer_name, officer_team, shoulder_number, next_due_id, next_due_at, has_hearings, has_decisions = (
        await connection.execute(_SUMMARY, ids)
    ).one()
    timeline = [TimelineEntry(*row) for row in await connection.execute(_timeline_statement(party.role), ids)]
    thread = [ThreadMessage(*row) for row in await connection.execute(_THREAD, ids)]  # type: ignore[arg-type]
    hearings = (
        (await db.exec(select(Hearing).where(Hearing.crime_id == crime.id))).all() if has_hearings else []
    )
    return CaseView(
        officer_in_charge=OfficerInCharge(officer_name, officer_team, shoulder_number)
        if officer_name is not None
        else None,
        timeline=timeline,
        thread=thread,
        next_due=NextDue(next_due_id, next_due_at) if next_due_id is not None else None,
        hearings=in_journey_order(hearings, utcnow()),
        decisions=await decisions_for_party(db, party) if has_decisions else [],
    )


@cache
def _activity_statement(role: str) -> Select[Any]:
    last_update = sa_select(func.max(col(CaseUpdate.id))).where(_visible_to(role)).scalar_subquery()
    last_message = (
        sa_select(func.max(col(Message.id))).where(col(Message.party_id) == _PARTY_ID).scalar_subquery()
    )
    read_by_officers = (
        sa_select(func.count(col(Message.id)))
        .where(
            col(Message.party_id) == _PARTY_ID,
            col(Message.direction) == MessageDirection.FROM_PARTY,
            col(Message.read_at).is_not(None),
        )
        .scalar_subquery()
    )
    return sa_select(last_update, last_message, read_by_officers, _next_due(col(Entitlement.id)))


async def current_activity(db: AsyncSession, party: Party) -> Activity:
    """The same numbers as CaseView.activity, in one small query, for polling."""
    connection = await db.connection()
    ids = {"party_id": party.id, "crime_id": party.crime_id}
    row = (await connection.execute(_activity_statement(party.role), ids)).one()
    return Activity(*(int(value or 0) for value in row))


async def mark_replies_read(db: AsyncSession, party: Party, view: CaseView) -> None:
    """Read receipts: the officers' messages the party has now been shown."""
    unread = [item.id for item in view.thread if item.is_new]
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
    )
