"""What officer pages read: the inbox's cases needing attention, and the records of one crime's page."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Text, TextClause, bindparam, case, func, literal_column, or_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import NoResultFound
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .. import audit_actions
from ..database import first_row
from ..identity import reference_key, surname_key
from ..models import (
    AuditEvent,
    CaseUpdate,
    ContactAgreement,
    Crime,
    Decision,
    Entitlement,
    Force,
    Message,
    MessageDirection,
    Officer,
    OutboxMessage,
    OutsideContact,
    Party,
    ReviewRequest,
    UpdateCorrection,
    UpdateRequest,
)
from ..victim.queries import (
    DIGEST_AGGREGATE,
    connection_of,
    digest_ordered_rows_text,
    digest_rows_text,
    digest_sql,
    md5_column,
)
from ..victims_code.entitlements import UPDATE_REQUESTED
from ..victims_code.working_days import WorkingCalendar
from .deadlines import due_soon_before

# A crime given to an officer in this many days, with no word from an officer since, is "new".
NEW_CASE_DAYS = 14
SEARCH_LIMIT = 50


@dataclass(frozen=True)
class OpenUpdateRequest:
    """A party asked for an update ("Ask for an update") and has not been told anything since."""

    party_id: int
    note: str
    requested_at: dt.datetime
    due_at: dt.datetime


@dataclass
class Attention:
    """Why a crime needs an officer now."""

    update_requests: list[OpenUpdateRequest] = field(default_factory=list)
    unread_messages: int = 0
    oldest_unread_at: dt.datetime | None = None
    overdue_updates: int = 0
    due_soon_updates: int = 0
    earliest_due_at: dt.datetime | None = None
    assigned_at: dt.datetime | None = None

    @property
    def newly_assigned(self) -> bool:
        return self.assigned_at is not None

    @property
    def needs_attention(self) -> bool:
        return bool(
            self.update_requests
            or self.unread_messages
            or self.overdue_updates
            or self.due_soon_updates
            or self.assigned_at
        )

    def urgency(self) -> tuple[int, dt.datetime]:
        """Most urgent first: asked for an update, overdue updates, unread messages, due soon, new cases."""
        far = dt.datetime.max.replace(tzinfo=dt.UTC)
        if self.update_requests:
            return -1, min(request.due_at for request in self.update_requests)
        if self.overdue_updates:
            return 0, self.earliest_due_at or far
        if self.unread_messages:
            return 1, self.oldest_unread_at or far
        if self.due_soon_updates:
            return 2, self.earliest_due_at or far
        if self.assigned_at:
            return 3, self.assigned_at
        return 4, far


@dataclass(frozen=True, slots=True)
class CrimeSummary:
    """What the inbox shows of a crime (read as plain rows, not ORM objects: it is a busy page)."""

    id: int
    reference: str
    offence: str
    reported_at: dt.datetime


@dataclass(frozen=True, slots=True)
class OfficerName:
    name: str


@dataclass
class InboxItem:
    crime: CrimeSummary
    officer_in_charge: OfficerName | None
    attention: Attention
    party_names: list[str] = field(default_factory=list)


def full_name(forenames: str | None, surname: str | None) -> str:
    return " ".join(part for part in (forenames, surname) if part)


def party_name(party: Party) -> str:
    return full_name(party.forenames, party.surname)


async def _rows(db: AsyncSession, statement: Any) -> Any:
    """Plain rows from the session's connection: no ORM execution around a statement of columns
    (that was a fifth of the inbox's CPU, bench/README.md "Performance as a design"). What the
    session holds unwritten is written first, as the ORM's autoflush would have."""
    await db.flush()
    return await (await db.connection()).execute(statement)


async def _unread_messages(db: AsyncSession, scope: ColumnElement[bool], found: dict[int, Attention]) -> None:
    rows = await _rows(
        db,
        select(col(Message.crime_id), func.count(), func.min(col(Message.created_at)))
        .join(Crime, col(Crime.id) == col(Message.crime_id))
        .where(scope, col(Message.direction) == MessageDirection.FROM_PARTY, col(Message.read_at).is_(None))
        .group_by(col(Message.crime_id)),
    )
    for crime_id, count, oldest in rows.all():
        attention = found.setdefault(crime_id, Attention())
        attention.unread_messages, attention.oldest_unread_at = count, oldest


async def _updates_owed(
    db: AsyncSession,
    scope: ColumnElement[bool],
    now: dt.datetime,
    calendar: WorkingCalendar,
    found: dict[int, Attention],
) -> None:
    overdue = func.sum(case((col(Entitlement.due_at) < now, 1), else_=0))
    rows = await _rows(
        db,
        select(col(Entitlement.crime_id), overdue, func.count(), func.min(col(Entitlement.due_at)))
        .join(Crime, col(Crime.id) == col(Entitlement.crime_id))
        .where(
            scope,
            col(Entitlement.met_at).is_(None),
            col(Entitlement.due_at) < due_soon_before(calendar, now),
            col(Entitlement.event) != UPDATE_REQUESTED,  # shown as requests, with their notes
        )
        .group_by(col(Entitlement.crime_id)),
    )
    for crime_id, overdue_count, total, earliest in rows.all():
        attention = found.setdefault(crime_id, Attention())
        attention.overdue_updates = int(overdue_count or 0)
        attention.due_soon_updates = int(total) - attention.overdue_updates
        attention.earliest_due_at = earliest


async def _open_update_requests(
    db: AsyncSession, scope: ColumnElement[bool], found: dict[int, Attention]
) -> None:
    rows = await _rows(
        db,
        sa_select(
            col(UpdateRequest.crime_id),
            col(UpdateRequest.party_id),
            col(UpdateRequest.note),
            col(UpdateRequest.requested_at),
            col(Entitlement.due_at),
        )
        .join(Entitlement, col(Entitlement.id) == col(UpdateRequest.entitlement_id))
        .join(Crime, col(Crime.id) == col(UpdateRequest.crime_id))
        .where(scope, col(Entitlement.met_at).is_(None))
        .order_by(col(Entitlement.due_at), col(UpdateRequest.id)),
    )
    for crime_id, party_id, note, requested_at, due_at in rows.all():
        found.setdefault(crime_id, Attention()).update_requests.append(
            OpenUpdateRequest(party_id, note, requested_at, due_at)
        )


async def _newly_assigned(
    db: AsyncSession, scope: ColumnElement[bool], now: dt.datetime, found: dict[int, Attention]
) -> None:
    cutoff = now - dt.timedelta(days=NEW_CASE_DAYS)
    reassigned = (
        select(col(AuditEvent.crime_id), func.max(col(AuditEvent.at)).label("at"))
        .where(col(AuditEvent.action) == audit_actions.CRIME_REASSIGN, col(AuditEvent.at) >= cutoff)
        .group_by(col(AuditEvent.crime_id))
        .subquery()
    )
    last_officer_update = (
        select(func.max(col(CaseUpdate.created_at)))
        .where(col(CaseUpdate.crime_id) == col(Crime.id), col(CaseUpdate.author_officer_id).is_not(None))
        .correlate(Crime)
        .scalar_subquery()
    )
    last_officer_message = (
        select(func.max(col(Message.created_at)))
        .where(col(Message.crime_id) == col(Crime.id), col(Message.direction) == MessageDirection.TO_PARTY)
        .correlate(Crime)
        .scalar_subquery()
    )
    # Five columns: more than sqlmodel's select() and exec() are typed for, so SQLAlchemy's own.
    rows = await _rows(
        db,
        sa_select(
            col(Crime.id), col(Crime.created_at), reassigned.c.at, last_officer_update, last_officer_message
        )
        .outerjoin(reassigned, reassigned.c.crime_id == col(Crime.id))
        .where(
            scope,
            col(Crime.closed_at).is_(None),
            col(Crime.officer_in_charge_id).is_not(None),
            or_(col(Crime.created_at) >= cutoff, reassigned.c.at.is_not(None)),
        ),
    )
    for crime_id, created_at, reassigned_at, updated_at, messaged_at in rows.all():
        assigned_at = max(created_at, reassigned_at) if reassigned_at else created_at
        contacted = [t for t in (updated_at, messaged_at) if t is not None and t >= assigned_at]
        if not contacted:
            found.setdefault(crime_id, Attention()).assigned_at = assigned_at


async def attention_by_crime(
    db: AsyncSession, scope: ColumnElement[bool], now: dt.datetime, calendar: WorkingCalendar
) -> dict[int, Attention]:
    """Four queries, whatever the number of crimes."""
    found: dict[int, Attention] = {}
    await _open_update_requests(db, scope, found)
    await _unread_messages(db, scope, found)
    await _updates_owed(db, scope, now, calendar, found)
    await _newly_assigned(db, scope, now, found)
    return found


async def _crimes_with_officers(
    db: AsyncSession, crime_ids: list[int]
) -> list[tuple[CrimeSummary, OfficerName | None]]:
    if not crime_ids:
        return []
    rows = await _rows(
        db,
        sa_select(
            col(Crime.id), col(Crime.reference), col(Crime.offence), col(Crime.reported_at), col(Officer.name)
        )
        .outerjoin(Officer, col(Officer.id) == col(Crime.officer_in_charge_id))
        .where(col(Crime.id).in_(crime_ids)),
    )
    return [
        (
            CrimeSummary(crime_id, reference, offence, reported_at),
            OfficerName(name) if name is not None else None,
        )
        for crime_id, reference, offence, reported_at, name in rows.all()
    ]


async def _party_names(db: AsyncSession, crime_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    if not crime_ids:
        return names
    rows = await _rows(
        db,
        select(col(Party.crime_id), col(Party.forenames), col(Party.surname))
        .where(
            col(Party.crime_id).in_(crime_ids),
            col(Party.account_deleted_at).is_(None),
            col(Party.helps_party_id).is_(None),
        )
        .order_by(col(Party.role).desc(), col(Party.id)),
    )
    for crime_id, forenames, surname in rows.all():
        names.setdefault(crime_id, []).append(full_name(forenames, surname))
    return names


async def inbox_items(
    db: AsyncSession,
    scope: ColumnElement[bool],
    now: dt.datetime,
    calendar: WorkingCalendar,
    *,
    only_needing_attention: bool = True,
    crime_ids: list[int] | None = None,
) -> list[InboxItem]:
    """Crimes in scope, most urgent first, in five queries."""
    attention = await attention_by_crime(db, scope, now, calendar)
    ids = list(attention) if crime_ids is None else crime_ids
    rows = await _crimes_with_officers(db, ids)
    names = await _party_names(db, ids)
    items = [
        InboxItem(crime, oic, attention.get(crime.id, Attention()), names.get(crime.id, []))
        for crime, oic in rows
    ]
    if only_needing_attention:
        items = [item for item in items if item.attention.needs_attention]
    items.sort(key=lambda item: (*item.attention.urgency(), -item.crime.reported_at.timestamp()))
    return items


def search_clause(text: str) -> ColumnElement[bool] | None:
    """Crimes whose reference contains the text, or with a party whose surname starts with it."""
    conditions: list[ColumnElement[bool]] = []
    key = reference_key(text)
    if len(key) >= 3:
        conditions.append(col(Crime.reference_key).contains(key))
    surname = surname_key(text)
    if surname:
        by_surname = select(col(Party.crime_id)).where(
            col(Party.surname_key).startswith(surname, autoescape=True),
            col(Party.account_deleted_at).is_(None),
        )
        conditions.append(col(Crime.id).in_(by_surname))
    return or_(*conditions) if conditions else None


async def search_crime_ids(db: AsyncSession, visible: ColumnElement[bool], text: str) -> list[int]:
    clause = search_clause(text)
    if clause is None:
        return []
    rows = await db.exec(
        select(col(Crime.id))
        .where(visible, clause)
        .order_by(col(Crime.reported_at).desc())
        .limit(SEARCH_LIMIT)
    )
    return [crime_id for crime_id in rows.all() if crime_id is not None]


async def crime_with_reference(db: AsyncSession, visible: ColumnElement[bool], text: str) -> int | None:
    """The crime whose reference is exactly the text (ignoring case and separators), if visible."""
    key = reference_key(text)
    if not key:
        return None
    rows = await db.exec(select(col(Crime.id)).where(visible, col(Crime.reference_key) == key).limit(1))
    return rows.first()


async def attention_count(
    db: AsyncSession, scope: ColumnElement[bool], now: dt.datetime, calendar: WorkingCalendar
) -> int:
    """How many crimes in scope need attention: the number in the navigation."""
    return sum(1 for a in (await attention_by_crime(db, scope, now, calendar)).values() if a.needs_attention)


# The crime page's records, one query each.


async def people_on_crime(db: AsyncSession, crime_id: int) -> list[Party]:
    """Victims, then witnesses, each in the order recorded; their trusted helpers among them."""
    statement = (
        select(Party).where(col(Party.crime_id) == crime_id).order_by(col(Party.role).desc(), col(Party.id))
    )
    return list((await db.exec(statement)).all())


async def messages_on_crime(db: AsyncSession, crime_id: int) -> list[tuple[Message, str | None]]:
    """Every message on the crime, oldest first, with the name of the officer who wrote it."""
    statement = (
        select(Message, col(Officer.name))
        .outerjoin(Officer, col(Officer.id) == col(Message.officer_id))
        .where(col(Message.crime_id) == crime_id)
        .order_by(col(Message.created_at), col(Message.id))
    )
    return list((await db.exec(statement)).all())


async def entitlements_on_crime(db: AsyncSession, crime_id: int) -> list[Entitlement]:
    """What the Victims' Code owes each person on the crime, soonest due first."""
    statement = (
        select(Entitlement).where(col(Entitlement.crime_id) == crime_id).order_by(col(Entitlement.due_at))
    )
    return list((await db.exec(statement)).all())


async def latest_alerts(db: AsyncSession, party_ids: list[int], limit: int) -> list[OutboxMessage]:
    """The newest alerts to these people."""
    if not party_ids:
        return []
    statement = (
        select(OutboxMessage)
        .where(col(OutboxMessage.party_id).in_(party_ids))
        .order_by(col(OutboxMessage.created_at).desc(), col(OutboxMessage.id).desc())
        .limit(limit)
    )
    return list((await db.exec(statement)).all())


async def agreed_contact(db: AsyncSession, party_ids: list[int]) -> dict[int, ContactAgreement]:
    """Each person's latest agreed way of being kept informed (issue 11), by party id."""
    if not party_ids:
        return {}
    statement = (
        select(ContactAgreement)
        .where(col(ContactAgreement.party_id).in_(party_ids))
        .order_by(col(ContactAgreement.agreed_at), col(ContactAgreement.id))
    )
    return {agreement.party_id: agreement for agreement in (await db.exec(statement)).all()}


async def outside_contacts_on_crime(db: AsyncSession, crime_id: int) -> list[tuple[OutsideContact, str]]:
    """Told outside the portal, most recent first, with the officer's name ("" when none)."""
    statement = (
        select(OutsideContact, col(Officer.name))
        .outerjoin(Officer, col(Officer.id) == col(OutsideContact.officer_id))
        .where(col(OutsideContact.crime_id) == crime_id)
        .order_by(col(OutsideContact.told_at).desc(), col(OutsideContact.id).desc())
    )
    return [(contact, name or "") for contact, name in (await db.exec(statement)).all()]


async def corrections_on_crime(db: AsyncSession, crime_id: int) -> dict[int, list[UpdateCorrection]]:
    """Earlier texts of corrected updates (issue 16), oldest first, by update id."""
    statement = (
        select(UpdateCorrection)
        .join(CaseUpdate, col(CaseUpdate.id) == col(UpdateCorrection.update_id))
        .where(col(CaseUpdate.crime_id) == crime_id)
        .order_by(col(UpdateCorrection.corrected_at), col(UpdateCorrection.id))
    )
    corrections: dict[int, list[UpdateCorrection]] = {}
    for correction in (await db.exec(statement)).all():
        corrections.setdefault(correction.update_id, []).append(correction)
    return corrections


async def decisions_on_crime(db: AsyncSession, crime_id: int) -> list[Decision]:
    """Charging decisions, newest first."""
    statement = (
        select(Decision).where(col(Decision.crime_id) == crime_id).order_by(col(Decision.decided_at).desc())
    )
    return list((await db.exec(statement)).all())


async def review_requests_on_crime(db: AsyncSession, crime_id: int) -> list[ReviewRequest]:
    """The victims' requests to review a decision on the crime."""
    statement = select(ReviewRequest).where(col(ReviewRequest.crime_id) == crime_id)
    return list((await db.exec(statement)).all())


async def officer_names(db: AsyncSession, officer_ids: set[int]) -> dict[int, str]:
    if not officer_ids:
        return {}
    found = await db.exec(select(Officer.id, Officer.name).where(col(Officer.id).in_(officer_ids)))
    return {officer_id: name for officer_id, name in found.all() if officer_id is not None}


async def active_officers(db: AsyncSession, force_id: int) -> list[Officer]:
    """The force's officers who may be put in charge of a crime, by name."""
    statement = (
        select(Officer)
        .where(col(Officer.force_id) == force_id, col(Officer.disabled_at).is_(None))
        .order_by(col(Officer.name))
    )
    return list((await db.exec(statement)).all())


# ---------------------------------------------------------------- the inbox's digest (page_memo.py)


def inbox_digest_column(dialect_name: str, *, officer: Any, force: Any, team: Any) -> ColumnElement[str]:
    """md5 over every row the inbox (either list, the officer's or their team's) or its header can
    show or count for the officer: the force, the officer and their team, the crimes each of them is
    in charge of, and those crimes' reassignments; for their parties, messages, updates, entitlements
    and requests for an update, each crime's case_version, which the database moves on whenever one
    of those rows is written (case_versions.py). `officer`, `force` and `team` are columns of the
    enclosing statement (the officer's session look-up, AddedColumn in auth/sessions.py, or
    inbox_digest's): the officer's id, force and team as that statement reads them.

    The officers and crimes are chosen in the statement from the rows as they are now, so a
    reassignment or a team move changes the set, and so the digest. More rows than the page shows
    is only a page rendered again. (victim/queries.py, _digest_text, says why it is plain SQL.)

    The officers and their crimes are chosen once (CTEs). PostgreSQL is given each set as an
    array (`= ANY(ARRAY(...))`), which it plans as index look-ups, one per crime: given `IN (SELECT
    ...)`, it guessed a team had some 275 crimes and read the force's crimes, messages and the rest
    whole in hash joins (6 ms on the bench's 10,000 crimes, bench/README.md). SQLite looks up an
    `IN (SELECT ...)` by index as it is."""

    def among(column: Any, chosen: Any) -> ColumnElement[bool]:
        ids = sa_select(chosen.c.id)
        if dialect_name == "postgresql":
            return column == func.any(func.array(ids.scalar_subquery()))
        return column.in_(ids)

    on_team = (func.coalesce(col(Officer.team), literal_column("''", Text)) != literal_column("''", Text)) & (
        col(Officer.team) == team
    )
    officers_seen = (
        select(col(Officer.id))
        .where(col(Officer.force_id) == force, or_(col(Officer.id) == officer, on_team))
        .cte("officers_seen")
    )
    crimes_seen = (
        select(col(Crime.id))
        .where(col(Crime.force_id) == force, among(col(Crime.officer_in_charge_id), officers_seen))
        .cte("crimes_seen")
    )
    rows_text = functools.partial(digest_ordered_rows_text, DIGEST_AGGREGATE[dialect_name])
    # Written into the SQL: the digest's only inputs are the officer's row.
    reassigned = col(AuditEvent.action) == literal_column(f"'{audit_actions.CRIME_REASSIGN}'", Text)
    return md5_column(
        [
            digest_rows_text(DIGEST_AGGREGATE[dialect_name], Force, col(Force.id) == force),
            rows_text(Officer, among(col(Officer.id), officers_seen)),
            rows_text(Crime, among(col(Crime.id), crimes_seen)),
            rows_text(AuditEvent, among(col(AuditEvent.crime_id), crimes_seen), reassigned),
        ]
    )


@functools.cache
def _inbox_digest_text(dialect_name: str) -> TextClause:
    """inbox_digest_column on its own, of the officer's row as it is now (:officer_id)."""
    the_officer = (
        sa_select(col(Officer.id), col(Officer.force_id), col(Officer.team))
        .where(col(Officer.id) == bindparam("officer_id"))
        .cte("the_officer")
    )
    ids = the_officer.c
    digest = inbox_digest_column(dialect_name, officer=ids.id, force=ids.force_id, team=ids.team)
    return digest_sql(sa_select(digest).select_from(the_officer))


async def inbox_digest(db: AsyncSession, officer: Officer) -> str:
    """The digest of everything the inbox can show this officer, in one statement: the same as the
    one the officer's session look-up computes (inbox_digest_column), when no row has changed."""
    connection = await connection_of(db)
    row = await first_row(connection, _inbox_digest_text(connection.dialect.name), {"officer_id": officer.id})
    if row is None:
        raise NoResultFound("the officer has left: no digest")
    return str(row[0])
