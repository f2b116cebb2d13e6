"""A change of officer in charge: the handover note the new officer reads first, and word to the victim.

Supervisors change the officer in the portal; the records system changes it by sending another
officer. Both go through change_officer_in_charge(). When the records system names another officer
soon after a change made in the portal (within the hours of the TMC_HANDOVER_HOLD_HOURS setting), it
is most likely sending what it held before that change: the change is held as a conflict for a
supervisor instead of undoing theirs.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..i18n import gettext as _
from ..models import Crime, Force, Handover, HandoverState, Officer, utcnow
from .updates import record_case_event

OFFICER_CHANGED = "officer_changed"
MAX_NOTE_LENGTH = 5000


def officer_in_words(officer: Officer) -> str:
    """As victims read it: "PC Lee Evans, shoulder number 2345, Demoshire North CID"."""
    parts = [officer.name]
    if officer.shoulder_number:
        parts.append(_("shoulder number %(number)s") % {"number": officer.shoulder_number})
    if officer.team:
        parts.append(officer.team)
    return ", ".join(parts)


async def change_officer_in_charge(
    db: AsyncSession,
    force: Force,
    crime: Crime,
    new_officer: Officer | None,
    *,
    by: Officer | None,
    hold_hours: int,
    note: str = "",
) -> Handover | None:
    """Put `new_officer` in charge (`by` None: the records system), keep the note, tell the parties.

    Returns the handover, or None when nothing changed. A records-system change that would undo a
    portal change of the last `hold_hours` (Settings.handover_hold_hours) is stored as HELD and not applied.
    """
    new_id = new_officer.id if new_officer else None
    if new_id == crime.officer_in_charge_id:
        return None
    now = utcnow()
    held_since = now - dt.timedelta(hours=hold_hours)
    if by is None and hold_hours > 0 and await _recent_portal_change(db, crime, held_since):
        return await _hold(db, crime, new_id, now)
    handover = Handover(
        crime_id=crime.id,  # type: ignore[arg-type]
        from_officer_id=crime.officer_in_charge_id,
        to_officer_id=new_id,
        note=note,
        by_officer_id=by.id if by else None,
        source="portal" if by else "rms",
        created_at=now,
    )
    db.add(handover)
    crime.officer_in_charge_id = new_id
    crime.updated_at = now
    db.add(crime)
    await _close_conflicts(db, crime, by, now)
    await db.flush()
    if new_officer is not None:
        text = _("Your case has a new officer in charge: %(officer)s.") % {
            "officer": officer_in_words(new_officer)
        }
        await record_case_event(db, force, crime, event=OFFICER_CHANGED, occurred_at=now, text=text)
    return handover


async def _recent_portal_change(db: AsyncSession, crime: Crime, since: dt.datetime) -> bool:
    found = await db.exec(
        select(Handover.id).where(
            Handover.crime_id == crime.id,
            Handover.source == "portal",
            Handover.state == HandoverState.APPLIED,
            col(Handover.created_at) >= since,
        )
    )
    return found.first() is not None


async def _hold(db: AsyncSession, crime: Crime, new_id: int | None, now: dt.datetime) -> Handover:
    """One open conflict per officer the records system names, however often it sends them."""
    found = await db.exec(
        select(Handover).where(
            Handover.crime_id == crime.id,
            Handover.state == HandoverState.HELD,
            Handover.to_officer_id == new_id,
        )
    )
    held = found.first()
    if held is None:
        held = Handover(
            crime_id=crime.id,  # type: ignore[arg-type]
            from_officer_id=crime.officer_in_charge_id,
            to_officer_id=new_id,
            source="rms",
            state=HandoverState.HELD,
            created_at=now,
        )
        db.add(held)
        await db.flush()
    return held


async def _close_conflicts(db: AsyncSession, crime: Crime, by: Officer | None, now: dt.datetime) -> None:
    """A supervisor's change settles what was held: the officer is now what they chose."""
    if by is None:
        return
    for held in await open_conflicts(db, crime.id):  # type: ignore[arg-type]
        keep_officer_in_charge(held, by)
        db.add(held)


def keep_officer_in_charge(held: Handover, supervisor: Officer) -> None:
    """A supervisor settles a held change by keeping the officer put in charge in the portal."""
    held.state = HandoverState.KEPT
    held.resolved_at = utcnow()
    held.resolved_by_id = supervisor.id


async def open_conflicts(db: AsyncSession, crime_id: int) -> list[Handover]:
    found = await db.exec(
        select(Handover)
        .where(Handover.crime_id == crime_id, Handover.state == HandoverState.HELD)
        .order_by(col(Handover.created_at))
    )
    return list(found.all())


async def latest_handover(db: AsyncSession, crime_id: int) -> Handover | None:
    """The last change applied, whose note the officer now in charge reads first."""
    found = await db.exec(
        select(Handover)
        .where(Handover.crime_id == crime_id, Handover.state == HandoverState.APPLIED)
        .order_by(col(Handover.created_at).desc(), col(Handover.id).desc())
        .limit(1)
    )
    return found.first()
