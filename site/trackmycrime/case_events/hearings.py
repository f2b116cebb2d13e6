"""Court hearings of a crime's case: recording them, telling the parties, reminding them, and calendar files.

Hearings come from the police records system or a Witness Care Unit through the ingest API. A new
hearing, a moved or cancelled one, and an outcome are each a case event (an update for everyone on
the crime, alerted as usual through case_events.updates.record_case_event); the Victims' Code rules give
each its deadline (victims_code/rules.toml). A reminder to check the case page is queued for the
day before an upcoming hearing, and moved with it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import update as sa_update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..i18n import gettext as _
from ..models import (
    Agency,
    Crime,
    Force,
    Hearing,
    HearingStatus,
    OutboxMessage,
    OutboxStatus,
    Party,
    saved_id,
    utcnow,
)
from ..notify.outbox import AlertKind, queue_alert
from ..statuses import case_event
from .updates import record_case_event

UK = ZoneInfo("Europe/London")
REMINDER_HOUR = 9  # the reminder goes at 9am (London) the day before the hearing
CALENDAR_DURATION = dt.timedelta(hours=3)  # courts give no end time; a calendar entry needs one


@dataclass(frozen=True)
class HearingDetails:
    """A hearing as its sender holds it now."""

    court_name: str
    court_address: str
    starts_at: dt.datetime
    hearing_type: str
    status: str
    outcome: str = ""
    parties_required: tuple[str, ...] = ()


def hearing_type_label(code: str) -> str:
    return {
        "first_appearance": _("First hearing"),
        "plea": _("Plea hearing"),
        "trial": _("Trial"),
        "sentencing": _("Sentencing hearing"),
        "appeal": _("Appeal hearing"),
    }.get(code, _("Court hearing"))


def hearing_status_label(code: str) -> str:
    return {
        HearingStatus.LISTED: _("Arranged"),
        HearingStatus.MOVED: _("Moved to a new date or place"),
        HearingStatus.VACATED: _("Cancelled"),
        HearingStatus.CONCLUDED: _("Finished"),
    }.get(code, code)


def agency_label(code: str) -> str:
    """Who sent something, as a victim reads it."""
    return {
        Agency.POLICE: _("The police"),
        Agency.WITNESS_CARE_UNIT: _("Witness Care Unit"),
        Agency.CPS: _("Crown Prosecution Service"),
    }.get(code, _("The police"))


def parties_required(hearing: Hearing) -> list[str]:
    return list(json.loads(hearing.parties_required_json or "[]"))


def is_upcoming(hearing: Hearing, now: dt.datetime) -> bool:
    return hearing.status in HearingStatus.UPCOMING and hearing.starts_at >= now


def in_journey_order(hearings: Sequence[Hearing], now: dt.datetime) -> list[Hearing]:
    """Upcoming hearings first, soonest first; then the rest, most recent first."""
    upcoming = sorted((h for h in hearings if is_upcoming(h, now)), key=lambda h: (h.starts_at, h.id or 0))
    others = sorted(
        (h for h in hearings if not is_upcoming(h, now)), key=lambda h: (h.starts_at, h.id or 0), reverse=True
    )
    return upcoming + others


async def hearing_by_rms_id(db: AsyncSession, crime: Crime, rms_hearing_id: str) -> Hearing | None:
    found = await db.exec(
        select(Hearing).where(Hearing.crime_id == crime.id, Hearing.rms_hearing_id == rms_hearing_id)
    )
    return found.first()


async def hearings_of_crime(db: AsyncSession, crime_id: int) -> list[Hearing]:
    """Every hearing of the crime, in journey order (upcoming first)."""
    found = await db.exec(select(Hearing).where(Hearing.crime_id == crime_id))
    return in_journey_order(found.all(), utcnow())


def _event_for(before: Hearing | None, after: HearingDetails) -> str | None:
    """The case event a change is, or None when it is not something the parties must be told."""
    if after.status == HearingStatus.VACATED:
        return "hearing_vacated" if before is not None and before.status != HearingStatus.VACATED else None
    if after.status == HearingStatus.CONCLUDED:
        if before is None or before.status != HearingStatus.CONCLUDED or before.outcome != after.outcome:
            return "hearing_outcome"
        return None
    if before is None:
        return "hearing_listed"
    moved = (
        before.starts_at != after.starts_at
        or before.court_name != after.court_name
        or before.court_address != after.court_address
        or before.status not in HearingStatus.UPCOMING
    )
    return "hearing_moved" if moved else None


def _unchanged(hearing: Hearing, details: HearingDetails) -> bool:
    return (
        hearing.court_name == details.court_name
        and hearing.court_address == details.court_address
        and hearing.starts_at == details.starts_at
        and hearing.hearing_type == details.hearing_type
        and hearing.status == details.status
        and hearing.outcome == details.outcome
        and parties_required(hearing) == list(details.parties_required)
    )


async def record_hearing(
    db: AsyncSession,
    *,
    force: Force,
    crime: Crime,
    rms_hearing_id: str,
    details: HearingDetails,
    agency: str,
) -> tuple[Hearing, bool, str | None]:
    """Store the hearing as sent: (the hearing, whether it is new, the case event told, if any).

    Sending the same details again changes nothing and tells no one. The caller refreshes the
    crime's Victims' Code entitlements when an event was told.
    """
    now = utcnow()
    hearing = await hearing_by_rms_id(db, crime, rms_hearing_id)
    created = hearing is None
    if hearing is not None and _unchanged(hearing, details):
        return hearing, False, None
    event = _event_for(hearing, details)
    if hearing is None:
        hearing = Hearing(
            crime_id=saved_id(crime),
            rms_hearing_id=rms_hearing_id,
            created_at=now,
            court_name=details.court_name,
            hearing_type=details.hearing_type,
        )
    hearing.court_name = details.court_name
    hearing.court_address = details.court_address
    hearing.starts_at = details.starts_at
    hearing.hearing_type = details.hearing_type
    hearing.status = details.status
    hearing.outcome = details.outcome
    hearing.parties_required_json = json.dumps(list(details.parties_required))
    hearing.agency = agency
    hearing.updated_at = now
    db.add(hearing)
    await db.flush()
    assert hearing.id is not None
    if event is None:
        return hearing, created, None
    # An outcome is owed from the time of the hearing: a result passed on late counts as late.
    occurred_at = min(details.starts_at, now) if event == "hearing_outcome" else now
    update, alerted = await record_case_event(
        db, force, crime, event=event, occurred_at=occurred_at, hearing_id=hearing.id, agency=agency
    )
    await cancel_reminders(db, hearing.id)
    if is_upcoming(hearing, now):
        await _queue_reminders(db, force, hearing, alerted, cause=f"hearing:{hearing.id}:{update.id}")
    return hearing, created, event


def reminder_time(starts_at: dt.datetime) -> dt.datetime:
    """9am London time on the day before the hearing (in UTC)."""
    day_before = starts_at.astimezone(UK).date() - dt.timedelta(days=1)
    return dt.datetime.combine(day_before, dt.time(REMINDER_HOUR), tzinfo=UK).astimezone(dt.UTC)


async def _queue_reminders(
    db: AsyncSession, force: Force, hearing: Hearing, parties: list[Party], *, cause: str
) -> None:
    send_at = reminder_time(hearing.starts_at)
    if send_at <= utcnow():
        return  # arranged for tomorrow or today: the alert just sent is the reminder
    for party in parties:
        await queue_alert(
            db,
            force=force,
            kind=AlertKind.HEARING_REMINDER,
            party=party,
            cause=cause,
            context={"force_name": force.name},
            send_at=send_at,
        )


async def cancel_reminders(db: AsyncSession, hearing_id: int) -> None:
    """A moved, cancelled or finished hearing's reminders not yet sent are not sent."""
    await db.exec(
        sa_update(OutboxMessage)
        .where(
            col(OutboxMessage.kind) == AlertKind.HEARING_REMINDER,
            col(OutboxMessage.dedupe_key).like(f"{AlertKind.HEARING_REMINDER}:hearing:{hearing_id}:%"),
            col(OutboxMessage.status) == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.CANCELLED)
    )


# What hearing templates use to put codes into words.
TEMPLATE_HELPERS = {
    "case_event": case_event,
    "hearing_type_label": hearing_type_label,
    "hearing_status_label": hearing_status_label,
    "agency_label": agency_label,
    "hearing_parties_required": parties_required,
}


# ---------------------------------------------------------------- a hearing in the party's calendar


def calendar_file(hearing: Hearing, crime: Crime, host: str) -> bytes:
    """The hearing as an iCalendar (.ics) file, for the party's own calendar."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//TrackMyCrime//Court hearings//EN")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", f"hearing-{hearing.id}@{host}")
    event.add("dtstamp", utcnow())
    event.add("dtstart", hearing.starts_at)
    event.add("dtend", hearing.starts_at + CALENDAR_DURATION)
    event.add("summary", f"{hearing_type_label(hearing.hearing_type)}: {hearing.court_name}")
    event.add("location", ", ".join([hearing.court_name, *hearing.court_address.splitlines()]))
    event.add(
        "description",
        _(
            "Court hearing for crime reference %(reference)s. Look at your case page the day before "
            "in case something changes."
        )
        % {"reference": crime.reference},
    )
    if hearing.status == HearingStatus.VACATED:
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    return calendar.to_ical()
