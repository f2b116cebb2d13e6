"""'Ask for an update': a party asks, at most once per the force's interval, with an optional note.

What the party may ask, and when; the form's route is in ask_for_update.py (it renders the case page).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request

from ..database import columns_loaded_as
from ..i18n import LONDON, date_in_words
from ..i18n import gettext as _
from ..models import Crime, Entitlement, Force, Party, UpdateRequest, utcnow
from ..statuses import status
from ..victims_code import describe_due, london_date
from ..victims_code.working_days import WorkingCalendar

NOTE_MAX = 500


@dataclass(frozen=True)
class AskingState:
    """The party's latest request, whether its answer is still owed, and when they may ask again."""

    last: UpdateRequest | None
    entitlement: Entitlement | None
    next_allowed_at: dt.datetime | None
    now: dt.datetime
    calendar: WorkingCalendar

    @property
    def can_ask(self) -> bool:
        return self.next_allowed_at is None or self.next_allowed_at <= self.now

    @property
    def waiting(self) -> bool:
        """An answer to the latest request is still owed."""
        return self.entitlement is not None and self.entitlement.met_at is None

    @property
    def due_in_words(self) -> str:
        return describe_due(self.calendar, self.entitlement.due_at, self.now) if self.entitlement else ""


def is_closed(crime: Crime) -> bool:
    return crime.closed_at is not None or status(crime.status).closes_crime


def interval_days(force: Force) -> int:
    return max(1, force.update_request_interval_days)


def next_allowed(force: Force, requested_at: dt.datetime) -> dt.datetime:
    """Midnight (London) starting the day `interval` calendar days after the day of the last request."""
    day = london_date(requested_at) + dt.timedelta(days=interval_days(force))
    return dt.datetime.combine(day, dt.time(), tzinfo=LONDON).astimezone(dt.UTC)


# The latest request and its deadline: built once, read as Core rows (bench/README.md, "Server speed").
_LAST_REQUEST = columns_loaded_as(UpdateRequest, Entitlement)
_LAST_REQUEST_STATEMENT = (
    sa_select(*(column for loader in _LAST_REQUEST for column in loader.columns))
    .outerjoin(Entitlement, col(Entitlement.id) == col(UpdateRequest.entitlement_id))
    .where(col(UpdateRequest.party_id) == bindparam("party_id"))
    .order_by(col(UpdateRequest.requested_at).desc(), col(UpdateRequest.id).desc())
    .limit(1)
)


async def asking_state(
    db: AsyncSession, party: Party, force: Force, calendar: WorkingCalendar, now: dt.datetime | None = None
) -> AskingState:
    """One query: the latest request with its deadline."""
    now = now or utcnow()
    connection = await db.connection()
    row = (await connection.execute(_LAST_REQUEST_STATEMENT, {"party_id": party.id})).first()
    if row is None:
        return AskingState(None, None, None, now, calendar)
    last, entitlement = (loader.make(row) for loader in _LAST_REQUEST)
    return AskingState(last, entitlement, next_allowed(force, last.requested_at), now, calendar)


def limit_message(state: AskingState) -> str:
    assert state.next_allowed_at is not None
    return _(
        "You asked for news not long ago. You can ask again from {date}. You can still send the officer a "
        "message"
    ).format(date=date_in_words(state.next_allowed_at))


async def load_asking(request: Request) -> AskingState | None:
    """For the case page: None once the investigation has ended (nothing to ask for then)."""
    crime: Crime = request.state.crime
    if is_closed(crime):
        return None
    async with request.app.state.db.session() as db:
        calendar = request.app.state.rules.calendar
        return await asking_state(db, request.state.party, request.state.force, calendar)
