"""Correcting or withdrawing an update an officer posted: the two case events, one function each.

Correcting keeps every earlier text (UpdateCorrection), tells the reader it was corrected (the
timeline says so) and asks them to read it again (its read receipts go). Withdrawing is allowed
within the force's window (TMC_UPDATE_WITHDRAW_MINUTES) and only while none of its alerts has
left the outbox: the alerts are cancelled in the same statement that checks them, so a worker
that claims one first wins and the withdrawal is refused, and a worker that comes after finds
them cancelled. A withdrawn update is kept for the record but nobody sees it or is told by it,
and a status it set is put back.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func
from sqlalchemy import update as update_rows
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..i18n import gettext as _
from ..models import CaseUpdate, Crime, OutboxMessage, OutboxStatus, UpdateCorrection, UpdateRead, utcnow
from ..notify.outbox import AlertKind
from ..victims_code.entitlements import refresh_entitlements
from ..victims_code.rules import Rules
from .alerts import update_alert_cause
from .updates import set_crime_status


class CannotWithdraw(Exception):
    """The update can no longer be withdrawn; the message says why, for the officer."""


def may_be_changed(update: CaseUpdate) -> bool:
    """Only updates an officer posted; the records system's are corrected there."""
    return update.author_officer_id is not None and update.withdrawn_at is None


def withdraw_until(update: CaseUpdate, window: dt.timedelta) -> dt.datetime:
    return update.created_at + window


async def correct_update(
    db: AsyncSession,
    *,
    update: CaseUpdate,
    officer_id: int | None,
    text: str,
    rules: Rules,
    at: dt.datetime | None = None,
) -> UpdateCorrection:
    """Replace the update's text, keeping what it said before; its readers are asked to read it again."""
    if not may_be_changed(update):
        raise ValueError("only a posted update that is not withdrawn can be corrected")
    at = at or utcnow()
    correction = UpdateCorrection(
        update_id=update.id,  # type: ignore[arg-type]
        officer_id=officer_id,
        previous_text=update.text,
        corrected_at=at,
    )
    db.add(correction)
    update.text = text.strip()
    update.corrected_at = at
    db.add(update)
    await db.exec(delete(UpdateRead).where(col(UpdateRead.update_id) == update.id))
    await db.flush()
    await refresh_entitlements(db, update.crime_id, rules)
    return correction


def _its_alerts(update_row: CaseUpdate):
    prefix = f"{AlertKind.UPDATE_WAITING}:{update_alert_cause(update_row)}:"
    return col(OutboxMessage.dedupe_key).startswith(prefix, autoescape=True)


async def withdraw_update(
    db: AsyncSession,
    *,
    update: CaseUpdate,
    officer_id: int | None,
    window: dt.timedelta,
    rules: Rules,
    at: dt.datetime | None = None,
) -> int:
    """Withdraw the update and cancel its alerts; how many alerts were cancelled.

    CannotWithdraw when it is too late: past the window, an alert has been claimed or sent, or
    someone has read it. Raised before anything is written; let it end the transaction.
    """
    at = at or utcnow()
    if not may_be_changed(update):
        raise CannotWithdraw(
            _("You can only take back an update from an officer. You cannot take it back twice.")
        )
    if at > withdraw_until(update, window):
        raise CannotWithdraw(_("It is too late to withdraw this update. You can correct it instead."))
    read = await db.exec(select(func.count()).where(col(UpdateRead.update_id) == update.id))
    if read.one():
        raise CannotWithdraw(_("Someone has already read this update. You can change it instead."))
    # Cancel what has not been tried yet, then look for anything else: on PostgreSQL the UPDATE
    # waits for a worker's claim in progress and then skips the row it claimed; on SQLite writers
    # take turns. Either way, what is left uncancelled has left, or may have.
    cancelled = await db.exec(
        update_rows(OutboxMessage)
        .where(
            _its_alerts(update),
            col(OutboxMessage.status).in_([OutboxStatus.PENDING, OutboxStatus.HELD]),
            col(OutboxMessage.attempts) == 0,
        )
        .values(status=OutboxStatus.CANCELLED, last_error="The update was withdrawn.")
    )
    left = await db.exec(
        select(func.count()).where(_its_alerts(update), col(OutboxMessage.status) != OutboxStatus.CANCELLED)
    )
    if left.one():
        raise CannotWithdraw(_("The alert about this update has gone out. You can correct it instead."))
    update.withdrawn_at = at
    update.withdrawn_by_id = officer_id
    db.add(update)
    if update.status:
        crime = await db.get(Crime, update.crime_id)
        if crime is not None and crime.status == update.status and update.status_before:
            set_crime_status(crime, update.status_before, at=at)
            db.add(crime)
    await db.flush()
    await refresh_entitlements(db, update.crime_id, rules)
    return int(cancelled.rowcount or 0)
