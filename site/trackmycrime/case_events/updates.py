"""Recording an update on a crime's timeline, perhaps with a new status, and alerting who may read it.

The records system, an officer's update and a change in an item of property all record it here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel.ext.asyncio.session import AsyncSession

from .. import audit, audit_actions
from ..database import first_row, flush_pending, run, transaction_connection
from ..models import Agency, Audience, CaseUpdate, Crime, Force, Officer, Party, saved_id, utcnow
from ..statuses import status as status_of
from .alerts import alert_parties_of_update

_updates = cast(Any, CaseUpdate).__table__
_crimes = cast(Any, Crime).__table__
# Built once (building a statement costs more CPU than running it here); the columns set come
# from the parameters.
_INSERT_UPDATE = insert(_updates).returning(_updates.c.id)
_UPDATE_CRIME = update(_crimes).where(_crimes.c.id == bindparam("the_crime_id"))


async def record_update(
    db: AsyncSession,
    *,
    force: Force,
    crime: Crime,
    text: str,
    status: str | None = None,
    audience: str = Audience.ALL,
    party_id: int | None = None,
    occurred_at: dt.datetime | None = None,
    rms_update_id: str | None = None,
    agency: str = Agency.POLICE,
    author: Officer | None = None,
    author_id: int | None = None,
    send_after: dt.datetime | None = None,
    client_address: str = "",
    now: dt.datetime | None = None,
    parties: Sequence[Party] | None = None,
    alerted_lately: Mapping[int, set[str]] | None = None,
) -> CaseUpdate:
    """Store the update, change the crime's status if it brings one, and alert those who may read it.

    In Core statements (the records system sends many): the update, the crime, the alerts. The
    crime's new status is brought in step in memory too, without the ORM writing it again.
    An officer's update (`author`) is audited as theirs; `author_id` only names the officer on the
    update (the caller audits what they did). `send_after` holds the alerts back (while an officer
    may still withdraw the update). `parties`: parties_of_crime() of the crime, when the caller has
    read them, and `alerted_lately` their recent alerts if read with them
    (parties_and_their_recent_alerts()). Returns a read-only row-like update, not an ORM object.
    The caller refreshes the Victims' Code entitlements.
    """
    now = now or utcnow()
    await flush_pending(db)  # what the caller changed through the ORM (a new crime, an item) goes first
    occurred_at = occurred_at or now
    values: dict[str, Any] = {
        "crime_id": saved_id(crime),
        "rms_update_id": rms_update_id,
        "status": status,
        "text": text,
        "audience": audience,
        "party_id": party_id,
        "author_officer_id": author.id if author else author_id,
        "occurred_at": occurred_at,
        "created_at": now,
        "status_before": crime.status if status else None,
        "corrected_at": None,
        "withdrawn_at": None,
        "withdrawn_by_id": None,
        "event": None,
        "hearing_id": None,
        "agency": agency,
    }
    connection = await transaction_connection(db)
    inserted = await first_row(connection, _INSERT_UPDATE, values)
    assert inserted is not None
    stored = cast(CaseUpdate, SimpleNamespace(id=inserted[0], **values))
    changes = crime_status_changes(crime, status, at=occurred_at) if status else {}
    changes["updated_at"] = now
    await run(connection, _UPDATE_CRIME, {"the_crime_id": crime.id, **changes})
    for name, value in changes.items():
        set_committed_value(crime, name, value)
    await alert_parties_of_update(
        db, force, stored, send_after=send_after, parties=parties, alerted_lately=alerted_lately
    )
    if author is not None:
        audit.record(
            db,
            None,
            audit_actions.CRIME_UPDATE_POSTED,
            force_id=crime.force_id,
            crime_id=crime.id,
            party_id=party_id,
            actor=author,
            detail=f"status={status or ''} audience={audience}",
            client_address=client_address,
        )
    return stored


async def record_case_event(
    db: AsyncSession,
    force: Force,
    crime: Crime,
    *,
    event: str,
    occurred_at: dt.datetime,
    hearing_id: int | None = None,
    agency: str = Agency.POLICE,
    text: str = "",
) -> tuple[CaseUpdate, list[Party]]:
    """A case event that is not a status (a hearing arranged, moved, ...): an update for everyone, alerted.

    Returns the update and the parties alerted. The caller refreshes the Victims' Code entitlements.
    """
    update = CaseUpdate(
        crime_id=saved_id(crime),
        event=event,
        hearing_id=hearing_id,
        agency=agency,
        text=text,
        audience=Audience.ALL,
        occurred_at=occurred_at,
        created_at=utcnow(),
    )
    db.add(update)
    await db.flush()
    return update, await alert_parties_of_update(db, force, update)


def set_crime_status(crime: Crime, new_status: str, *, at: dt.datetime) -> None:
    for name, value in crime_status_changes(crime, new_status, at=at).items():
        setattr(crime, name, value)


def crime_status_changes(crime: Crime, new_status: str, *, at: dt.datetime) -> dict[str, Any]:
    """The crime's columns that a new status sets: the status, when it changed, and when it closed."""
    closes = status_of(new_status).closes_crime
    return {
        "status": new_status,
        "updated_at": utcnow(),
        "closed_at": (crime.closed_at or at) if closes else None,
    }
