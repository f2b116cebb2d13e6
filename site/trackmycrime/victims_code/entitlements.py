"""What each party is owed under the Victims' Code, kept in step with the crime's history.

The rows are a function of the crime's history and the rules, recomputed by refresh_entitlements():

* Events. An event is a change of the crime's status that the rules list (a suspect arrested,
  charged, ...): an update carrying that status when the status before it (the previous update
  with a status, by occurred_at) was different. Repeating the status in later updates (the
  records system often sends the same news to each party separately) is the same event. It is
  owed to every party whose role the rule names, whoever the update was addressed to: the
  update's audience decides only who is *told* by it. The deadline counts the rule's working
  days from the update's occurred_at (the enhanced-rights figure when Party.enhanced_rights is set
  now; a change to the flag re-dates open and past rows alike). event_key is the update's id.
* Being told. A party is told through the portal only once they can read it: from when they
  registered (Party.registered_at) and not after they opted out or deleted their account. An
  update visible to them that carries text (a bare status code from the records system explains
  nothing, so it tells nobody) tells them at max(occurred_at, created_at, registered_at); a
  message sent to them, at max(created_at, registered_at). A portal telling that would fall
  after they opted out or deleted their account tells them nothing. Otherwise an officer tells
  them another way and records it (OutsideContact: by phone, in person or by letter, with
  told_at): that tells them at told_at, whether or not they use the portal. An entitlement is met
  by the earliest telling about something at or after the event (an update occurring at or after
  it, a message sent or a contact made at or after it); an update seen only by another party
  discharges nothing for this one. met_by says how: "update", "message", "phone", "in_person" or
  "letter".
* Regular contact ("regular_contact"). The party is owed an update every Party.update_interval_days
  calendar days (28 unless agreed otherwise; 0 or less: none agreed) counted from the London date
  they were last told anything, or from when the portal started tracking them. The due day moves
  to the next working day when it falls on a weekend or bank holiday. There is at most one open
  row per party, keyed by the London date the period began. A period in which the party was told
  before it fell due leaves no row (it is replaced by the next period): only periods that fell due
  are kept, so a lapse counts against the on-time rate and chatty threads do not inflate it.
* Closure. Once a crime is closed (Crime.closed_at) no regular contact is owed for periods that
  would fall due after the closure; a period that lapsed before closure stays owed until the
  party is told. Once a party has been told of the closure (told at or after the closing status
  update, or at or after closed_at when there is none), nothing further is owed to them: later
  events create no rows. Until then, everything before it stays owed (and telling them of the
  closure meets those too). Reopening (closed_at cleared) restores regular contact.
* Withdrawn updates (CaseUpdate.withdrawn_at) are as if never posted: no event, no telling.
* Parties who opted out of the portal, deleted their account or never registered are still owed:
  the Code applies whether or not someone uses the portal. portal_note() tells officers to tell
  them another way.

Once retention has removed a crime's personal data (Crime.personal_data_removed_at), its rows are
left as they were: the update texts that told parties are gone, and the record must not change.

* The Victim Personal Statement offer ("personal_statement_offer"). A party whose role the rules'
  [personal_statement] names is owed the offer from the first event it lists (a suspect charged);
  it is met when an officer records the offer (PersonalStatement.offered_at, met_by "offer"),
  even when that was before the event. No such event: nothing is owed yet.

Rows of other events (e.g. "update_requested", made by record_update_request()) are never deleted
here; only their met_at is kept up to date by the same telling rule.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import bindparam, delete, func, insert, literal_column, union_all
from sqlalchemy import select as sa_select
from sqlalchemy import update as sql_update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..case_updates import is_visible_to
from ..database import all_rows, flush_pending, run, transaction_connection
from ..i18n import gettext as _
from ..models import (
    CaseUpdate,
    Crime,
    Entitlement,
    Message,
    MessageDirection,
    OutsideContact,
    Party,
    PersonalStatement,
    utcnow,
)
from ..statuses import EVENT_CODES, STATUS_CODES, case_event, status
from .rules import REGULAR_CONTACT, Rules
from .working_days import WorkingCalendar, end_of_london_day, london_date

UPDATE_REQUESTED = "update_requested"
MET_BY_UPDATE = "update"
MET_BY_MESSAGE = "message"
PERSONAL_STATEMENT_OFFER = "personal_statement_offer"
MET_BY_OFFER = "offer"
_MANAGED_EVENTS = (
    frozenset(STATUS_CODES) | frozenset(EVENT_CODES) | {REGULAR_CONTACT, PERSONAL_STATEMENT_OFFER}
)

Key = tuple[int, str, str]

_UPDATES = cast(Any, CaseUpdate).__table__
_MESSAGES = cast(Any, Message).__table__
_CONTACTS = cast(Any, OutsideContact).__table__
_STATEMENTS = cast(Any, PersonalStatement).__table__
_ENTITLEMENTS = cast(Any, Entitlement).__table__

# The refresh's reads, built once (building a statement costs more CPU than running it here).
_UPDATES_OF_CRIME = sa_select(_UPDATES).where(_UPDATES.c.crime_id == bindparam("crime_id"))
_INSERT_ENTITLEMENTS = insert(_ENTITLEMENTS)  # the rows are its parameters
# What _sync() reads of an entitlement.
_ENTITLEMENT_COLUMNS = (
    "id",
    "party_id",
    "event",
    "event_key",
    "event_at",
    "due_at",
    "met_at",
    "met_by",
    "enhanced_rights",
)
_NONE: Any = literal_column("''")
_NULL: Any = literal_column("NULL")


def _tellings(source: str, party_id: Any, at: Any, method: Any) -> Any:
    """Tellings of one kind in the columns of _ENTITLEMENT_COLUMNS: at as event_at, method as met_by."""
    source_column: Any = literal_column(f"'{source}'")
    return sa_select(source_column, _NULL, party_id, _NULL, _NULL, at, _NULL, _NULL, method, _NULL)


# The crime's entitlements, and its messages to parties, outside contacts and statement offers, in
# one read (each statement costs more CPU than the rows it reads; bench/README.md).
_ENTITLEMENTS_AND_TELLINGS = union_all(
    sa_select(
        literal_column("'entitlement'").label("source"),
        *(_ENTITLEMENTS.c[name] for name in _ENTITLEMENT_COLUMNS),
    ).where(_ENTITLEMENTS.c.crime_id == bindparam("crime_id")),
    _tellings("message", _MESSAGES.c.party_id, _MESSAGES.c.created_at, _NONE).where(
        _MESSAGES.c.crime_id == bindparam("crime_id"), _MESSAGES.c.direction == MessageDirection.TO_PARTY
    ),
    _tellings("contact", _CONTACTS.c.party_id, _CONTACTS.c.told_at, _CONTACTS.c.method).where(
        _CONTACTS.c.crime_id == bindparam("crime_id")
    ),
    _tellings("offer", _STATEMENTS.c.party_id, _STATEMENTS.c.offered_at, _NONE).where(
        _STATEMENTS.c.crime_id == bindparam("crime_id"), _STATEMENTS.c.offered_at.is_not(None)
    ),
)


@dataclass(frozen=True)
class _Telling:
    """One time a party was told something: `about` is when it speaks from, `at` when they could read it."""

    about: dt.datetime
    at: dt.datetime
    by: str


@dataclass
class _Owed:
    event_at: dt.datetime
    due_at: dt.datetime
    met_at: dt.datetime | None
    met_by: str
    enhanced_rights: bool


class _PartyHistory:
    """Everything a party has been told, answering 'when were they first told after X?' quickly."""

    def __init__(self, tellings: Iterable[_Telling]) -> None:
        by_about = sorted(tellings, key=lambda t: (t.about, t.at))
        self._abouts = [t.about for t in by_about]
        # _first_from[i]: the earliest-read telling among by_about[i:].
        self._first_from: list[_Telling | None] = [None] * (len(by_about) + 1)
        for index in range(len(by_about) - 1, -1, -1):
            later = self._first_from[index + 1]
            here = by_about[index]
            self._first_from[index] = here if later is None or here.at <= later.at else later
        self.by_time = sorted(by_about, key=lambda t: t.at)

    def first_told_after(self, moment: dt.datetime) -> _Telling | None:
        """The earliest telling about something at or after `moment`."""
        return self._first_from[bisect.bisect_left(self._abouts, moment)]


def _aware(moment: dt.datetime) -> dt.datetime:
    """Objects not yet read back from the database may hold naive UTC; compare them as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _tells_party(update: CaseUpdate) -> bool:
    """Text explains something; so does a case event, which the portal words itself (a hearing's details)."""
    return bool(update.text and update.text.strip()) or update.event is not None


def _event_of(update: CaseUpdate) -> str | None:
    return update.event or update.status


def _portal_window(party: Party) -> tuple[dt.datetime, dt.datetime | None] | None:
    """From when until when the party could read the portal (None: never registered)."""
    if party.registered_at is None:
        return None
    ends = [_aware(at) for at in (party.opted_out_at, party.account_deleted_at) if at is not None]
    return _aware(party.registered_at), min(ends, default=None)


def _history(
    party: Party,
    updates: Sequence[CaseUpdate],
    messages: Sequence[Message],
    contacts: Sequence[OutsideContact],
) -> _PartyHistory:
    tellings = [
        _Telling(about=_aware(contact.told_at), at=_aware(contact.told_at), by=contact.method)
        for contact in contacts
        if contact.party_id == party.id
    ]
    window = _portal_window(party)
    if window is not None:
        opens, closes = window
        portal = [
            (
                _aware(update.occurred_at),
                max(_aware(update.occurred_at), _aware(update.created_at)),
                MET_BY_UPDATE,
            )
            for update in updates
            if _tells_party(update) and is_visible_to(update, party)
        ]
        portal += [
            (_aware(message.created_at), _aware(message.created_at), MET_BY_MESSAGE)
            for message in messages
            if message.party_id == party.id and message.direction == MessageDirection.TO_PARTY
        ]
        tellings += [
            _Telling(about=about, at=max(at, opens), by=by)
            for about, at, by in portal
            if closes is None or max(at, opens) < closes
        ]
    return _PartyHistory(tellings)


def _closure_at(crime: Crime, updates: Sequence[CaseUpdate]) -> dt.datetime | None:
    """When the crime was closed: the last closing status update by Crime.closed_at, else closed_at.

    (Ingest sets closed_at from the first closing status, so "no further action" then "closed"
    closes it at the first; a status closing it again after a reopening is picked by its time.)
    """
    if crime.closed_at is None:
        return None
    closed_at = _aware(crime.closed_at)
    closing = [
        _aware(u.occurred_at)
        for u in updates
        if u.status and status(u.status).closes_crime and _aware(u.occurred_at) <= closed_at
    ]
    return max(closing, default=closed_at)


def status_changes(updates: Sequence[CaseUpdate]) -> list[CaseUpdate]:
    """The updates (in occurred_at order) that are events of the case: each change of the crime's
    status (repeats are not changes) and each case event that is not a status (a hearing's outcome)."""
    changes: list[CaseUpdate] = []
    current: str | None = None
    for update in updates:
        if update.event is not None or (update.status and update.status != current):
            changes.append(update)
        current = update.status or current
    return changes


def _event_rows(
    party: Party,
    history: _PartyHistory,
    events: Sequence[CaseUpdate],
    rules: Rules,
    owed_until: dt.datetime | None,
) -> dict[Key, _Owed]:
    assert party.id is not None
    rows: dict[Key, _Owed] = {}
    for update in events:
        rule = rules.event(_event_of(update))
        if rule is None or not rule.is_owed_to(party.role):
            continue
        event_at = _aware(update.occurred_at)
        if owed_until is not None and event_at > owed_until:
            continue
        told = history.first_told_after(event_at)
        working_days = rule.deadline_in_working_days(party.enhanced_rights)
        rows[(party.id, _event_of(update) or "", str(update.id))] = _Owed(
            event_at=event_at,
            due_at=rules.calendar.deadline(event_at, working_days),
            met_at=told.at if told else None,
            met_by=told.by if told else "",
            enhanced_rights=party.enhanced_rights,
        )
    return rows


def _personal_statement_rows(
    party: Party,
    events: Sequence[CaseUpdate],
    rules: Rules,
    offered_at: dt.datetime | None,
    owed_until: dt.datetime | None,
) -> dict[Key, _Owed]:
    assert party.id is not None
    rule = rules.personal_statement
    if not rule.is_owed_to(party.role):
        return {}
    first = next((update for update in events if _event_of(update) in rule.offer_after), None)
    if first is None:
        return {}
    event_at = _aware(first.occurred_at)
    if owed_until is not None and event_at > owed_until and offered_at is None:
        return {}
    return {
        (party.id, PERSONAL_STATEMENT_OFFER, str(first.id)): _Owed(
            event_at=event_at,
            due_at=rules.calendar.deadline(event_at, rule.deadline_in_working_days(party.enhanced_rights)),
            met_at=_aware(offered_at) if offered_at else None,
            met_by=MET_BY_OFFER if offered_at else "",
            enhanced_rights=party.enhanced_rights,
        )
    }


def regular_contact_due(calendar: WorkingCalendar, period_start: dt.date, interval_days: int) -> dt.datetime:
    """The end of the day an update falls due, `interval_days` after the London date last told."""
    due_day = calendar.next_working_day(period_start + dt.timedelta(days=interval_days))
    return end_of_london_day(due_day)


def _regular_contact_rows(
    party: Party, crime: Crime, history: _PartyHistory, rules: Rules, closure_at: dt.datetime | None
) -> dict[Key, _Owed]:
    assert party.id is not None
    interval = party.update_interval_days or 0
    if interval <= 0 or party.role not in rules.regular_contact_owed_to:
        return {}
    tracked_since = max(_aware(party.created_at), _aware(crime.reported_at))
    # Each period begins on a London date: when tracking began, then each day the party was told.
    starts: list[tuple[dt.date, dt.datetime]] = [(london_date(tracked_since), tracked_since)]
    for telling in history.by_time:
        day = london_date(telling.at)
        if day > starts[-1][0]:
            starts.append((day, telling.at))
    rows: dict[Key, _Owed] = {}
    for index, (day, began_at) in enumerate(starts):
        if closure_at is not None and began_at >= closure_at:
            break
        due_at = regular_contact_due(rules.calendar, day, interval)
        next_start = starts[index + 1] if index + 1 < len(starts) else None
        met_at = next_start[1] if next_start else None
        if closure_at is not None and due_at > closure_at:
            break  # closed before this period fell due: telling of the closure is what is owed
        if met_at is not None and met_at <= due_at:
            continue  # told within the period: nothing fell due
        rows[(party.id, REGULAR_CONTACT, day.isoformat())] = _Owed(
            event_at=began_at,
            due_at=due_at,
            met_at=met_at,
            met_by=_met_by_at(history, met_at),
            enhanced_rights=party.enhanced_rights,
        )
    return rows


def _met_by_at(history: _PartyHistory, met_at: dt.datetime | None) -> str:
    if met_at is None:
        return ""
    return next((t.by for t in history.by_time if t.at == met_at), MET_BY_UPDATE)


def owed_rows(
    crime: Crime,
    parties: Sequence[Party],
    updates: Sequence[CaseUpdate],
    messages: Sequence[Message],
    rules: Rules,
    contacts: Sequence[OutsideContact] = (),
    statement_offers: Mapping[int, dt.datetime] | None = None,
) -> tuple[dict[Key, _Owed], dict[int, _PartyHistory]]:
    """The entitlements the crime's history gives its parties, with each party's history.

    `statement_offers`: when each party was offered a Victim Personal Statement, by party id.
    """
    statement_offers = statement_offers or {}
    ordered = sorted(
        (u for u in updates if u.withdrawn_at is None), key=lambda u: (_aware(u.occurred_at), u.id or 0)
    )
    events = status_changes(ordered)
    closure_at = _closure_at(crime, ordered)
    rows: dict[Key, _Owed] = {}
    histories: dict[int, _PartyHistory] = {}
    for party in parties:
        assert party.id is not None
        history = histories[party.id] = _history(party, ordered, messages, contacts)
        owed_until = None
        if closure_at is not None:
            told_of_closure = history.first_told_after(closure_at)
            owed_until = told_of_closure.at if told_of_closure else None
        rows |= _event_rows(party, history, events, rules, owed_until)
        rows |= _regular_contact_rows(party, crime, history, rules, closure_at)
        rows |= _personal_statement_rows(party, events, rules, statement_offers.get(party.id), owed_until)
    return rows, histories


async def refresh_entitlements(
    db: AsyncSession,
    crime_id: int,
    rules: Rules,
    *,
    locked_crime: Crime | None = None,
    parties: Sequence[Party] | None = None,
    updates: Sequence[CaseUpdate] | None = None,
) -> None:
    """Bring the crime's Entitlement rows up to date with its status, updates, parties and messages.

    Call it in the same transaction as any change to a crime's status, updates, parties (including
    enhanced_rights, update_interval_days, registration and opting out), messages to a party or
    contacts recorded outside the portal; it flushes but never commits.
    Idempotent: calling it again changes nothing. Reads the crime (locked FOR UPDATE on
    PostgreSQL, so two refreshes of one crime take turns), its parties, its updates, then its
    messages, outside contacts and statement offers in one query, and its entitlements; writes
    the changes in Core statements (all new rows in one), keeping any Entitlement object this
    session holds in step. A crime that does not exist is ignored, and so is one whose personal
    data retention has removed (its compliance record stays as it was).
    `locked_crime`: the crime, when the caller already read it FOR UPDATE in this transaction;
    `parties`: its parties without trusted helpers, and `updates`: all its updates, when the
    caller has just read them (rows with the models' columns will do).
    """
    await flush_pending(db)  # the reads below are Core statements, which do not flush the session
    crime = locked_crime
    if crime is None or crime.id != crime_id:
        crime = (await db.exec(select(Crime).where(Crime.id == crime_id).with_for_update())).first()
    if crime is None or crime.personal_data_removed_at is not None:
        return  # retention blanked the update texts, so the record stands as it was
    # A trusted helper is owed nothing: the party they help is.
    if parties is None:
        without_helpers = select(Party).where(Party.crime_id == crime_id, col(Party.helps_party_id).is_(None))
        parties = (await db.exec(without_helpers)).all()
    if updates is None:
        updates = cast(Sequence[CaseUpdate], await _rows(db, _UPDATES_OF_CRIME, crime_id))
    existing, messages, contacts, offers = await _entitlements_and_tellings(db, crime_id)
    wanted, histories = owed_rows(crime, parties, updates, messages, rules, contacts, offers)
    assert crime.id is not None
    await _sync(db, crime, existing, wanted, histories)


async def _rows(db: AsyncSession, query: Any, crime_id: int) -> Sequence[Any]:
    return await all_rows(await transaction_connection(db), query, {"crime_id": crime_id})


async def _entitlements_and_tellings(
    db: AsyncSession, crime_id: int
) -> tuple[list[Any], list[Message], list[OutsideContact], dict[int, dt.datetime]]:
    """The crime's entitlements, and its messages to parties, outside contacts and statement offers.

    One query; returned as read-only rows and stand-ins with the columns _sync() and owed_rows() read.
    """
    entitlements: list[Any] = []
    messages: list[Message] = []
    contacts: list[OutsideContact] = []
    offers: dict[int, dt.datetime] = {}
    for row in await _rows(db, _ENTITLEMENTS_AND_TELLINGS, crime_id):
        if row.source == "entitlement":
            entitlements.append(row)
        elif row.source == "message":
            told = SimpleNamespace(
                party_id=row.party_id, direction=MessageDirection.TO_PARTY, created_at=row.event_at
            )
            messages.append(cast(Message, told))
        elif row.source == "contact":
            contacts.append(
                cast(
                    OutsideContact,
                    SimpleNamespace(party_id=row.party_id, told_at=row.event_at, method=row.met_by),
                )
            )
        elif row.event_at is not None:
            offers[row.party_id] = row.event_at
    return entitlements, messages, contacts, offers


async def _sync(
    db: AsyncSession,
    crime: Crime,
    existing: Sequence[Any],
    wanted: dict[Key, _Owed],
    histories: dict[int, _PartyHistory],
) -> None:
    """Write what changed: new rows in one INSERT, changed ones one UPDATE each, gone ones in one DELETE."""
    assert crime.id is not None
    found: dict[Key, Any] = {(row.party_id, row.event, row.event_key): row for row in existing}
    connection = await transaction_connection(db)
    gone: list[int] = []
    for key, row in found.items():
        if key in wanted:
            changes = _changes(wanted[key], row)
        elif row.event in _MANAGED_EVENTS:
            gone.append(row.id)
            continue
        elif row.party_id in histories:
            told = histories[row.party_id].first_told_after(_aware(row.event_at))
            changes = _met_changes(row, told.at if told else None, told.by if told else "")
        else:
            continue
        if changes:
            await connection.execute(
                sql_update(_ENTITLEMENTS).where(_ENTITLEMENTS.c.id == row.id).values(changes)
            )
            held = _held(db, row.id)
            for name, value in changes.items():
                if held is not None:
                    set_committed_value(held, name, value)
    if gone:
        await connection.execute(delete(_ENTITLEMENTS).where(_ENTITLEMENTS.c.id.in_(gone)))
        for row_id in gone:
            held = _held(db, row_id)
            if held is not None:
                db.expunge(held)
    new = [
        {
            "force_id": crime.force_id,
            "crime_id": crime.id,
            "party_id": party_id,
            "event": event,
            "event_key": event_key,
            "event_at": owed.event_at,
            "due_at": owed.due_at,
            "met_at": owed.met_at,
            "met_by": owed.met_by,
            "enhanced_rights": owed.enhanced_rights,
        }
        for (party_id, event, event_key), owed in wanted.items()
        if (party_id, event, event_key) not in found
    ]
    if new:
        await run(connection, _INSERT_ENTITLEMENTS, new)


def _held(db: AsyncSession, entitlement_id: int) -> Entitlement | None:
    """The session's Entitlement object for this row, if it holds one (kept in step with Core writes)."""
    return db.sync_session.identity_map.get(identity_key(Entitlement, entitlement_id))


def _changes(owed: _Owed, row: Any) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if row.event_at is None or _aware(row.event_at) != owed.event_at:
        changes["event_at"] = owed.event_at
    if row.due_at is None or _aware(row.due_at) != owed.due_at:
        changes["due_at"] = owed.due_at
    if row.enhanced_rights != owed.enhanced_rights:
        changes["enhanced_rights"] = owed.enhanced_rights
    return changes | _met_changes(row, owed.met_at, owed.met_by)


def _met_changes(row: Any, met_at: dt.datetime | None, met_by: str) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    current = _aware(row.met_at) if row.met_at else None
    if current != met_at:
        changes["met_at"] = met_at
    if row.met_by != met_by:
        changes["met_by"] = met_by
    return changes


# ---------------------------------------------------------------- reading what a party is owed


async def next_update_due(db: AsyncSession, party_id: int) -> dt.datetime | None:
    """When the party's next update is due (UTC; the earliest unmet deadline, perhaps past), or None.

    None means nothing is owed: e.g. a closed crime whose closure the party has been told of.
    """
    query = select(func.min(Entitlement.due_at)).where(
        Entitlement.party_id == party_id, col(Entitlement.met_at).is_(None)
    )
    earliest = (await db.exec(query)).one()
    return _aware(earliest) if earliest else None


async def owed_to_party(db: AsyncSession, party_id: int) -> list[Entitlement]:
    """The party's unmet entitlements, soonest due first."""
    query = (
        select(Entitlement)
        .where(Entitlement.party_id == party_id, col(Entitlement.met_at).is_(None))
        .order_by(col(Entitlement.due_at), col(Entitlement.id))
    )
    return list((await db.exec(query)).all())


async def record_update_request(
    db: AsyncSession, party: Party, rules: Rules, requested_at: dt.datetime | None = None
) -> Entitlement:
    """The party asked for an update: owe them one within the general deadline ("update_requested").

    One request per party per London day (a second request that day returns the first). Met by
    the same rule as everything else once refresh_entitlements() runs (it runs here too).
    """
    requested_at = _aware(requested_at or utcnow())
    return await owe_an_answer(
        db, party, rules, UPDATE_REQUESTED, london_date(requested_at).isoformat(), requested_at
    )


async def owe_an_answer(
    db: AsyncSession, party: Party, rules: Rules, event: str, event_key: str, asked_at: dt.datetime
) -> Entitlement:
    """The party asked for something (an update, a review): owe an answer within the general deadline.

    One row per (party, event, event_key): asking again returns the first. Met by the same telling
    rule as everything else once refresh_entitlements() runs (it runs here too).
    """
    assert party.id is not None
    asked_at = _aware(asked_at)
    row = (
        await db.exec(
            select(Entitlement).where(
                Entitlement.party_id == party.id,
                Entitlement.event == event,
                Entitlement.event_key == event_key,
            )
        )
    ).first()
    if row is None:
        crime = await db.get(Crime, party.crime_id)
        assert crime is not None and crime.id is not None
        row = Entitlement(
            force_id=crime.force_id,
            crime_id=crime.id,
            party_id=party.id,
            event=event,
            event_key=event_key,
            event_at=asked_at,
            due_at=rules.calendar.deadline(asked_at, rules.deadline_in_working_days(party.enhanced_rights)),
            enhanced_rights=party.enhanced_rights,
        )
        db.add(row)
        await refresh_entitlements(db, crime.id, rules)
    return row


def event_label(event: str) -> str:
    """What an entitlement is for, in plain English: 'Suspect arrested', 'Regular update', ..."""
    if event == REGULAR_CONTACT:
        return _("Regular update")
    if event == UPDATE_REQUESTED:
        return _("Update requested")
    if event == "review_requested":
        return _("Review of a decision requested")
    if event == PERSONAL_STATEMENT_OFFER:
        return _("Offer to make a Victim Personal Statement")
    if event in EVENT_CODES:
        return case_event(event).label
    return status(event).label


def portal_note(party: Party) -> str | None:
    """For officers: why the portal alone may not reach this party, or None when it can."""
    if party.account_deleted_at is not None:
        return _("They closed their account. Tell them in some other way.")
    if party.opted_out_at is not None:
        return _("Opted out of the portal: tell them another way.")
    if party.registered_at is None:
        return _("Not signed up, so they cannot see updates here. Tell them another way and record it.")
    return None
