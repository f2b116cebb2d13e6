"""The database reads and writes of the victim portal; every one is scoped to the signed-in party."""

from __future__ import annotations

import datetime as dt
import functools
import operator
from dataclasses import dataclass, field
from functools import cache, reduce
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    String,
    Text,
    TextClause,
    bindparam,
    case,
    cast,
    exists,
    false,
    func,
    literal_column,
    null,
    or_,
    text,
    union_all,
    update,
)
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import NoResultFound
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .. import case_timeline as timeline
from ..case_events.decisions import DecisionView, decisions_for_party
from ..case_events.hearings import in_journey_order
from ..case_timeline import Source, kind_column, kind_of_update, source_column
from ..case_updates import visible_to_party_clause
from ..case_versions import NOT_SHOWN
from ..database import first_row
from ..i18n import gettext as _
from ..models import (
    Agency,
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
    PartyRole,
    PropertyItem,
    ReviewRequest,
    UpdateRead,
    UpdateRequest,
    UTCDateTime,
    utcnow,
)
from ..trusted_helpers import relationship_in_words


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One entry of the case's one timeline (issue 22): an update, a message, a hearing, a decision or a
    request, with what each kind shows (the columns another kind has not are None)."""

    occurred_at: dt.datetime
    source: int
    id: int
    kind: str  # one of timeline.KINDS: what the filters choose by
    status: str | None
    text: str
    event: str | None  # a case event that is not a status (issue 22), e.g. "hearing_moved"
    agency: str
    author_name: str | None
    author_role: str | None
    author_shoulder_number: str | None
    is_unread: bool  # an update the party has not seen before this visit
    corrected_at: dt.datetime | None  # an officer corrected the update's text then (issue 16)
    hearing_type: str | None
    court_name: str | None
    direction: str | None  # a message's
    read_at: dt.datetime | None  # a message's: when the other side read it
    property_item_id: int | None  # the item of property a message is about (issue 11)
    property_description: str | None
    review_status: str | None  # a review request's
    decision: str | None  # the decision a review request is about
    # A message the party's trusted helper wrote (issue 21): who, and who they are to the party.
    helper_forenames: str | None = None
    helper_surname: str | None = None
    helper_relationship: str | None = None

    @property
    def helper_label(self) -> str:
        """ "Sam Carer, carer" for a message the party's helper wrote; "" otherwise."""
        if self.helper_surname is None:
            return ""
        name = f"{self.helper_forenames or ''} {self.helper_surname}".strip()
        return f"{name}, {relationship_in_words(self.helper_relationship or '')}"

    @property
    def cursor(self) -> str:
        return timeline.Cursor(self.occurred_at, self.source, self.id).token

    @property
    def is_update(self) -> bool:
        return self.source == Source.UPDATE

    @property
    def is_message(self) -> bool:
        return self.source == Source.MESSAGE

    @property
    def is_mine(self) -> bool:
        return self.direction == MessageDirection.FROM_PARTY

    @property
    def is_new(self) -> bool:
        """A message from the police not shown to the party before this visit."""
        return self.direction == MessageDirection.TO_PARTY and self.read_at is None

    @property
    def author_in_words(self) -> str:
        """Who wrote it, as officers are shown elsewhere: "Jo Admin, police staff, shoulder number 1234"."""
        if not self.author_name:
            return ""
        parts = [self.author_name, officer_role_in_words(self.author_role or "")]
        if self.author_shoulder_number:
            parts.append(_("shoulder number {number}").format(number=self.author_shoulder_number))
        return ", ".join(part for part in parts if part)


@dataclass(frozen=True)
class TimelinePage:
    """One page of the timeline, newest first, as the filter chose it."""

    entries: list[TimelineEntry]
    show: str
    total: int  # entries the filter chooses, on every page
    before: str | None = None  # the cursor this page starts after; None for the newest entries
    earlier: str | None = None  # the cursor of the next page, when there are earlier entries

    @property
    def updates(self) -> list[TimelineEntry]:
        return [entry for entry in self.entries if entry.is_update]

    @property
    def messages(self) -> list[TimelineEntry]:
        return [entry for entry in self.entries if entry.is_message]


def officer_role_in_words(role: str) -> str:
    return {
        OfficerRole.OFFICER: _("police officer"),
        OfficerRole.SUPERVISOR: _("police supervisor"),
        OfficerRole.ADMIN: _("police staff"),
    }.get(role, "")


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
    timeline: TimelinePage
    next_due: NextDue | None
    activity: Activity
    hearings: list[Hearing] = field(default_factory=list)
    decisions: list[DecisionView] = field(default_factory=list)


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
_FORCE_ID: BindParameter[int] = bindparam("force_id")


def _visible_to(role: str, party_id: Any = _PARTY_ID, crime_id: Any = _CRIME_ID) -> ColumnElement[bool]:
    """visible_to_party_clause for a party in this role, its ids the statement's parameters (or
    columns of an enclosing statement)."""
    return visible_to_party_clause(SimpleNamespace(id=party_id, crime_id=crime_id, role=role))  # type: ignore[arg-type]


def _nothing(type_: Any) -> Any:
    """A NULL of this type, so that PostgreSQL can type the column across the union's branches."""
    return cast(null(), type_)


_NO_TEXT, _NO_TIME, _NO_NUMBER = _nothing(String()), _nothing(UTCDateTime()), _nothing(Integer())
# A message written by the party's trusted helper (issue 21) says who wrote it.
_HELPER = aliased(Party, name="helper")
_NO_HELPER = (
    _NO_TEXT.label("helper_forenames"),
    _NO_TEXT.label("helper_surname"),
    _NO_TEXT.label("helper_relationship"),
)


@cache
def _entries(role: str) -> Any:
    """Everything on the party's timeline, of every kind, as one table: the updates they can see
    (hearings and decisions are updates too), their messages, and their requests."""
    seen = exists().where(
        col(UpdateRead.update_id) == col(CaseUpdate.id), col(UpdateRead.party_id) == _PARTY_ID
    )
    updates = (
        sa_select(
            col(CaseUpdate.occurred_at).label("occurred_at"),
            source_column(Source.UPDATE).label("source"),
            col(CaseUpdate.id).label("id"),
            kind_of_update().label("kind"),
            col(CaseUpdate.status).label("status"),
            col(CaseUpdate.text).label("text"),
            col(CaseUpdate.event).label("event"),
            col(CaseUpdate.agency).label("agency"),
            col(Officer.name).label("author_name"),
            col(Officer.role).label("author_role"),
            col(Officer.shoulder_number).label("author_shoulder_number"),
            (~seen).label("is_unread"),
            col(CaseUpdate.corrected_at).label("corrected_at"),
            col(Hearing.hearing_type).label("hearing_type"),
            col(Hearing.court_name).label("court_name"),
            _NO_TEXT.label("direction"),
            _NO_TIME.label("read_at"),
            _NO_NUMBER.label("property_item_id"),
            _NO_TEXT.label("property_description"),
            _NO_TEXT.label("review_status"),
            _NO_TEXT.label("decision"),
            *_NO_HELPER,
        )
        .outerjoin(Officer, col(Officer.id) == col(CaseUpdate.author_officer_id))
        .outerjoin(Hearing, col(Hearing.id) == col(CaseUpdate.hearing_id))
        .where(_visible_to(role))
    )
    messages = (
        sa_select(
            col(Message.created_at),
            source_column(Source.MESSAGE),
            col(Message.id),
            kind_column(timeline.MESSAGES),
            _NO_TEXT,
            col(Message.body),
            _NO_TEXT,
            literal_column(f"'{Agency.POLICE}'"),
            col(Officer.name),
            col(Officer.role),
            col(Officer.shoulder_number),
            false(),
            _NO_TIME,
            _NO_TEXT,
            _NO_TEXT,
            col(Message.direction),
            col(Message.read_at),
            col(PropertyItem.id),
            col(PropertyItem.description),
            _NO_TEXT,
            _NO_TEXT,
            col(_HELPER.forenames),
            col(_HELPER.surname),
            col(_HELPER.helper_relationship),
        )
        .outerjoin(Officer, col(Officer.id) == col(Message.officer_id))
        .outerjoin(PropertyItem, col(PropertyItem.id) == col(Message.property_item_id))
        .outerjoin(_HELPER, col(_HELPER.id) == col(Message.helper_id))
        .where(col(Message.party_id) == _PARTY_ID, col(Message.crime_id) == _CRIME_ID)
    )
    update_requests = sa_select(
        col(UpdateRequest.requested_at),
        source_column(Source.UPDATE_REQUEST),
        col(UpdateRequest.id),
        kind_column(timeline.REQUESTS),
        _NO_TEXT,
        col(UpdateRequest.note),
        _NO_TEXT,
        literal_column(f"'{Agency.POLICE}'"),
        *[_NO_TEXT] * 3,
        false(),
        _NO_TIME,
        *[_NO_TEXT] * 3,
        _NO_TIME,
        _NO_NUMBER,
        *[_NO_TEXT] * 3,
        *_NO_HELPER,
    ).where(col(UpdateRequest.party_id) == _PARTY_ID, col(UpdateRequest.crime_id) == _CRIME_ID)
    review_requests = (
        sa_select(
            col(ReviewRequest.requested_at),
            source_column(Source.REVIEW_REQUEST),
            col(ReviewRequest.id),
            kind_column(timeline.REQUESTS),
            _NO_TEXT,
            col(ReviewRequest.reason),
            _NO_TEXT,
            col(Decision.agency),
            *[_NO_TEXT] * 3,
            false(),
            _NO_TIME,
            *[_NO_TEXT] * 3,
            _NO_TIME,
            _NO_NUMBER,
            _NO_TEXT,
            col(ReviewRequest.status),
            col(Decision.decision),
            *_NO_HELPER,
        )
        .join(Decision, col(Decision.id) == col(ReviewRequest.decision_id))
        .where(col(ReviewRequest.party_id) == _PARTY_ID, col(ReviewRequest.crime_id) == _CRIME_ID)
    )
    return union_all(updates, messages, update_requests, review_requests).subquery("entry")


@cache
def _timeline_statement(role: str) -> Select[Any]:
    return timeline.page_statement(_entries(role))


async def timeline_page(
    db: AsyncSession,
    crime: Crime,
    party: Party,
    show: str = timeline.ALL,
    before: timeline.Cursor | None = None,
    page_size: int = timeline.PAGE_SIZE,
) -> TimelinePage:
    """The entries of the party's timeline that the filter chooses, newest first, `page_size` of them
    after the cursor (from the newest without one), in one query."""
    show = timeline.chosen_filter(show)
    connection = await db.connection()
    parameters = {
        "party_id": party.id,
        "crime_id": crime.id,
        **timeline.page_parameters(show, before, page_size),
    }
    rows = list(await connection.execute(_timeline_statement(party.role), parameters))
    total = rows[0][-1] if rows else 0
    entries = [TimelineEntry(*row[:-1]) for row in rows[:page_size]]
    return TimelinePage(
        entries=entries,
        show=show,
        total=total if rows else await _count(db, crime, party, show),
        before=before.token if before else None,
        earlier=entries[-1].cursor if len(rows) > page_size else None,
    )


async def _count(db: AsyncSession, crime: Crime, party: Party, show: str) -> int:
    """How many entries the filter chooses, for a page after the last one (which has no rows to carry it)."""
    statement = timeline.count_statement(_entries(party.role))
    connection = await db.connection()
    parameters = {"party_id": party.id, "crime_id": crime.id, "kinds": timeline.kinds_shown(show)}
    return int((await connection.execute(statement, parameters)).scalar_one())


def _next_due(column: Any, party_id: Any = _PARTY_ID) -> Any:
    return (
        sa_select(column)
        .where(col(Entitlement.party_id) == party_id, col(Entitlement.met_at).is_(None))
        .order_by(col(Entitlement.due_at))
        .limit(1)
        .scalar_subquery()
    )


def _officer(column: Any) -> Any:
    return sa_select(column).where(col(Officer.id) == _OFFICER_ID).scalar_subquery()


@cache
def _activity_columns(role: str, party_id: Any = _PARTY_ID, crime_id: Any = _CRIME_ID) -> tuple[Any, ...]:
    """The numbers of Activity, each a scalar subquery: what polling compares; of the party and
    crime given as the statement's parameters, or as columns of an enclosing statement."""
    visible = _visible_to(role, party_id, crime_id)
    last_update = sa_select(func.max(col(CaseUpdate.id))).where(visible).correlate_except(CaseUpdate)
    last_message = (
        sa_select(func.max(col(Message.id)))
        .where(col(Message.party_id) == party_id)
        .correlate_except(Message)
    )
    read_by_officers = (
        sa_select(func.count(col(Message.id)))
        .where(
            col(Message.party_id) == party_id,
            col(Message.direction) == MessageDirection.FROM_PARTY,
            col(Message.read_at).is_not(None),
        )
        .correlate_except(Message)
    )
    numbers = (last_update, last_message, read_by_officers)
    return (*(number.scalar_subquery() for number in numbers), _next_due(col(Entitlement.id), party_id))


def activity_marker_column(dialect_name: str, *, party: Any, crime: Any, role: Any, **_others: Any) -> Any:
    """The poll's numbers as Activity.marker() writes them, as a column of the session's look-up
    (AddedColumn in auth/sessions.py), so that a poll that finds nothing new is one statement.
    NULL for a trusted helper (their role is the helper's; the case, and its role, the helped
    party's): their poll reads the numbers in a statement of its own, as before."""

    def marker(role_name: str) -> Any:
        numbers: list[Any] = [
            cast(func.coalesce(number, 0), Text) for number in _activity_columns(role_name, party, crime)
        ]
        return reduce(lambda text, number: text + _DOT + number, numbers)

    return case(
        (role == PartyRole.VICTIM, marker(PartyRole.VICTIM)),
        (role == PartyRole.WITNESS, marker(PartyRole.WITNESS)),
        else_=null(),
    )


@cache
def _summary_statement(role: str) -> Select[Any]:
    """One row: the officer in charge, the next update due (each an index look-up), and the activity
    numbers (the timeline shows one page, so they cannot be counted from what it shows)."""
    return sa_select(
        _officer(col(Officer.name)),
        _officer(col(Officer.team)),
        _officer(col(Officer.shoulder_number)),
        _next_due(col(Entitlement.due_at)),
        # Most cases have no hearing or decision: look them up only when there are some.
        exists().where(col(Hearing.crime_id) == _CRIME_ID),
        exists().where(col(Decision.crime_id) == _CRIME_ID),
        *_activity_columns(role),
    )


async def case_view(
    db: AsyncSession,
    party: Party,
    crime: Crime,
    show: str = timeline.ALL,
    before: timeline.Cursor | None = None,
) -> CaseView:
    """Everything the case page shows, in two queries (more only for hearings and decisions)."""
    connection = await db.connection()
    ids = {"party_id": party.id, "crime_id": crime.id, "officer_id": crime.officer_in_charge_id}
    officer_name, officer_team, shoulder_number, next_due_at, has_hearings, has_decisions, *numbers = (
        await connection.execute(_summary_statement(party.role), ids)
    ).one()
    activity = Activity(*(int(number or 0) for number in numbers))
    hearings = (
        (await db.exec(select(Hearing).where(Hearing.crime_id == crime.id))).all() if has_hearings else []
    )
    return CaseView(
        officer_in_charge=OfficerInCharge(officer_name, officer_team, shoulder_number)
        if officer_name is not None
        else None,
        timeline=await timeline_page(db, crime, party, show, before),
        next_due=NextDue(activity.next_due_id, next_due_at) if activity.next_due_id else None,
        activity=activity,
        hearings=in_journey_order(hearings, utcnow()),
        decisions=await decisions_for_party(db, party) if has_decisions else [],
    )


async def current_activity(db: AsyncSession, party: Party) -> Activity:
    """The same numbers as CaseView.activity, in one small query, for polling."""
    ids = {"party_id": party.id, "crime_id": party.crime_id}
    row = await first_row(await connection_of(db), _activity_statement(party.role), ids)
    if row is None:
        raise NoResultFound("the activity statement returns one row")
    return Activity(*(int(value or 0) for value in row))


@cache
def _activity_statement(role: str) -> Select[Any]:
    return sa_select(*_activity_columns(role))


async def connection_of(db: AsyncSession) -> AsyncConnection:
    """The connection a reading session is on (Database.session_on): taken as it is, because asking
    the ORM session for it (it starts its transaction) cost as much CPU as the poll's statement."""
    if isinstance(db.bind, AsyncConnection):
        return db.bind
    return await db.connection()


async def mark_replies_read(db: AsyncSession, party: Party, view: CaseView) -> None:
    """Read receipts: the officers' messages the party has now been shown."""
    unread = [entry.id for entry in view.timeline.messages if entry.is_new]
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


# ---------------------------------------------------------------- the case page's digest (page_memo.py)


def _row_text(model: Any) -> ColumnElement[str]:
    """A row as text no two different rows share: each column as its length, ':' and its value, or '~'
    for NULL, so that no value can run into the next."""
    parts = []
    for column in model.__table__.columns:
        if column.name in NOT_SHOWN:
            continue
        value = cast(column, Text)
        parts.append(func.coalesce(cast(func.length(value), Text) + _COLON + value, _TILDE))
    return reduce(operator.add, parts)


def digest_rows_text(aggregate: str, model: Any, *where: ColumnElement[bool]) -> Any:
    """Every row of `model` that `where` chooses, as one text ('' for none)."""
    rows = getattr(func, aggregate)(_row_text(model), _COMMA)
    return sa_select(func.coalesce(rows, _EMPTY)).where(*where).scalar_subquery()


def digest_ordered_rows_text(aggregate: str, model: Any, *where: ColumnElement[bool]) -> Any:
    """digest_rows_text with the rows in the order of their ids: without an order, two plans for the
    same rows (a first execution's and the generic one, or two indexes) can join them in different
    orders, and the digest changes with nothing changed (a memo miss). They are ordered in a
    subquery, as an aggregate's own ORDER BY needs SQLite 3.44; the subquery may refer to the
    enclosing statement's columns (the session's look-up, case_page_digest_column).

    On PostgreSQL each row is given as text whole, as a record (`CAST(rows AS TEXT)`, of its shown
    columns): PostgreSQL quotes any value that could run into the next, and leaves NULL empty and
    an empty text as "", so no two different rows share a text, as with _row_text, for a third less
    of the statement's time than a cast, a length and a coalesce for each column (bench/README.md,
    "The case page's digest in PostgreSQL")."""
    table = model.__table__
    if aggregate == DIGEST_AGGREGATE["postgresql"]:
        shown = [column for column in table.columns if column.name not in NOT_SHOWN]
        name = f"{table.name}_rows"
        rows = sa_select(*shown).where(*where).order_by(table.c.id).correlate_except(table).subquery(name)
        every_row = func.string_agg(cast(literal_column(name), Text), _COMMA)
        return sa_select(func.coalesce(every_row, _EMPTY)).select_from(rows).scalar_subquery()
    rows = sa_select(table).where(*where).order_by(table.c.id).correlate_except(table).subquery()
    # digest_rows_text reads a model's columns from its __table__: here, the ordered subquery's.
    return digest_rows_text(aggregate, SimpleNamespace(__table__=rows))


# Written into the SQL, not sent as parameters: a few hundred of them were converted on every request.
_COLON, _TILDE, _EMPTY, _BAR, _COMMA, _DOT = (
    literal_column(f"'{c}'", Text) for c in (":", "~", "", "|", ",", ".")
)


@dataclass(frozen=True)
class DigestIds:
    """What the case page's digest is of: the party's, crime's, force's and officer in charge's ids,
    as the statement's parameters or as columns of the session's look-up (auth/sessions.py)."""

    party: Any
    crime: Any
    force: Any
    officer: Any


_DIGEST_PARAMETERS = DigestIds(party=_PARTY_ID, crime=_CRIME_ID, force=_FORCE_ID, officer=_OFFICER_ID)


def _digest_parts(aggregate: str, ids: DigestIds) -> list[Any]:
    """Every row the case page shows, as texts to take the md5 of.

    More rows than the page shows is only a page rendered again; fewer would be a stale page, so:
    the crime, its force and every officer the page can name, row by row; and for the party and
    their helpers, the crime's updates and read marks, messages, hearings, decisions and review
    requests, property, requests for an update, deadlines and personal statements, the crime's
    case_version, which the database moves on whenever one of those rows is written
    (case_versions.py), read with the crime's row.
    """
    authors = (
        sa_select(col(CaseUpdate.author_officer_id))
        .where(col(CaseUpdate.crime_id) == ids.crime)
        .correlate_except(CaseUpdate)
    )
    writers = (
        sa_select(col(Message.officer_id)).where(col(Message.party_id) == ids.party).correlate_except(Message)
    )
    if aggregate == DIGEST_AGGREGATE["postgresql"]:
        # As an array, which PostgreSQL looks up by index: given `IN (SELECT ...) OR IN (SELECT ...)`,
        # it read every officer of every force, one by one (0.06 ms for the bench's 400).
        in_charge = sa_select(ids.officer).correlate_except()
        officers_named = col(Officer.id) == func.any(
            func.array(union_all(in_charge, authors, writers).scalar_subquery())
        )
    else:
        officers_named = or_(
            col(Officer.id) == ids.officer, col(Officer.id).in_(authors), col(Officer.id).in_(writers)
        )
    rows_text = functools.partial(digest_ordered_rows_text, aggregate)
    return [
        rows_text(Crime, col(Crime.id) == ids.crime),
        rows_text(Force, col(Force.id) == ids.force),
        rows_text(Officer, officers_named),
    ]


def case_page_digest_column(dialect_name: str, role: Any = None, **ids: Any) -> ColumnElement[str]:
    """The case page's digest as a column of another statement (the session's look-up, AddedColumn
    in auth/sessions.py), so that a memoised page costs one round trip; `ids` are its columns (the
    party's role is not needed: the digest is of every update of the crime)."""
    return md5_column(_digest_parts(DIGEST_AGGREGATE[dialect_name], DigestIds(**ids)))


@cache
def _digest_statement(aggregate: str) -> Select[Any]:
    """One row: md5 over every row the case page shows, with the party's and crime's ids as parameters."""
    return md5_of(_digest_parts(aggregate, _DIGEST_PARAMETERS))


def md5_of(parts: list[Any]) -> Select[Any]:
    """One row: md5 over the texts of `parts` (digest_rows_text), each kept apart by '|'."""
    return sa_select(md5_column(parts))


def md5_column(parts: list[Any]) -> ColumnElement[str]:
    every_row = reduce(lambda text, part: text + _BAR + part, parts[1:], cast(parts[0], Text))
    return func.md5(every_row)


# Each database's name for joining a column's texts.
DIGEST_AGGREGATE = {"postgresql": "string_agg", "sqlite": "group_concat"}


@cache
def _digest_text(dialect_name: str) -> TextClause:
    """The statement compiled once to SQL: run as it is built, SQLAlchemy worked out its cache key by
    walking its few thousand parts on every request (most of the memoised page's CPU). It is plain
    SQL both databases read alike (CAST, ||, coalesce, length, md5), written with :named parameters
    by SQLite's compiler (PostgreSQL's would add casts to the parameters that text() cannot read)."""
    return digest_sql(_digest_statement(DIGEST_AGGREGATE[dialect_name]))


def digest_sql(statement: Select[Any]) -> TextClause:
    """A digest statement as plain SQL, for _digest_text and the officer inbox's."""
    return text(str(statement.compile(dialect=sqlite.dialect(paramstyle="named"))))


async def case_page_digest(db: AsyncSession, party: Party, crime: Crime) -> str:
    """The digest of everything the case page shows for this party, in one statement."""
    connection = await connection_of(db)
    ids = {
        "party_id": party.id,
        "crime_id": crime.id,
        "force_id": crime.force_id,
        "officer_id": crime.officer_in_charge_id,
    }
    row = await first_row(connection, _digest_text(connection.dialect.name), ids)
    if row is None:
        raise NoResultFound("the digest statement returns one row")
    return str(row[0])
