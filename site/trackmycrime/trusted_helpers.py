"""Trusted helpers (issue 21): a named person who follows a case for the victim or witness they help.

A helper is a party row of their own on the same crime (role "helper", `helps_party_id` set), so
they are invited, register and sign in exactly as a party does, with their own surname, date of
birth and password. Signed in, they see the case of the party they help (auth/sessions.py), may
send messages marked as theirs, and may not change that party's account. Adding and removing a
helper happen here, whoever does it: an officer or the party.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from . import audit, audit_actions
from .auth.sessions import end_all_sessions
from .contact_details import uk_today
from .i18n import gettext as _
from .identity import surname_key
from .models import AlertChannel, Crime, Force, HelperRelationship, Officer, Party, PartyRole, utcnow
from .notify.outbox import AlertKind, invitation_channel, queue_alert

HELPERS_PER_PARTY = 3
# A child this old or older may have their own account; a parent helps only a younger child.
OWN_ACCOUNT_AGE = 12
NAME_MAX = 100


def relationship_in_words(relationship: str) -> str:
    return {
        HelperRelationship.PARENT_OF_CHILD_UNDER_12: _("parent of a child under 12"),
        HelperRelationship.CARER: _("carer"),
        HelperRelationship.ADVOCATE: _("advocate"),
        HelperRelationship.ISVA: _("independent sexual violence adviser (ISVA)"),
        HelperRelationship.IDVA: _("independent domestic violence adviser (IDVA)"),
    }.get(relationship, "")


def relationship_options() -> list[tuple[str, str]]:
    return [(code, relationship_in_words(code)) for code in HelperRelationship.ALL]


def helper_name(helper: Party) -> str:
    return f"{helper.forenames} {helper.surname}".strip()


def helper_label(helper: Party) -> str:
    """How a helper's messages are signed on both sides: "Sam Carer, carer"."""
    return f"{helper_name(helper)}, {relationship_in_words(helper.helper_relationship)}"


def age_on(born: dt.date, day: dt.date) -> int:
    """Whole years: a child born on 4 December 2014 is 12 on 4 December 2026, not the day before."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def old_enough_for_own_account(party: Party, today: dt.date) -> bool:
    return party.date_of_birth is not None and age_on(party.date_of_birth, today) >= OWN_ACCOUNT_AGE


@dataclass(frozen=True)
class HelperDetails:
    forenames: str
    surname: str
    date_of_birth: dt.date
    relationship: str
    email: str
    mobile: str


async def helpers_of(db: AsyncSession, party: Party) -> list[Party]:
    """The party's current helpers, oldest first (removed helpers are gone at once)."""
    found = await db.exec(
        select(Party)
        .where(col(Party.helps_party_id) == party.id, col(Party.account_deleted_at).is_(None))
        .order_by(col(Party.id))
    )
    return list(found.all())


async def helper_of(db: AsyncSession, party: Party, helper_id: int) -> Party | None:
    """One current helper of this party, or None: a helper of anyone else is never found."""
    return next((helper for helper in await helpers_of(db, party) if helper.id == helper_id), None)


def refusal(party: Party, details: HelperDetails, helpers_now: int, today: dt.date) -> dict[str, str]:
    """Why this helper may not be added to this party, keyed by the field to fix (without the
    form's prefix); empty when they may."""
    if helpers_now >= HELPERS_PER_PARTY:
        return {
            "forenames": _("There are {n} helpers. That is the most. Remove one first").format(
                n=HELPERS_PER_PARTY
            )
        }
    if details.relationship == HelperRelationship.PARENT_OF_CHILD_UNDER_12 and old_enough_for_own_account(
        party, today
    ):
        return {
            "relationship": _(
                "This child is 12 or older. They can have their own account. A parent can only help a "
                "child under 12"
            )
        }
    return {}


async def add_helper(
    db: AsyncSession,
    *,
    force: Force,
    crime: Crime,
    party: Party,
    details: HelperDetails,
    added_by: Officer | Party,
    client_address: str = "",
) -> Party | dict[str, str]:
    """Add the helper and queue their invitation (no case detail in it); or say why not."""
    # Counted only after taking the party's row for this transaction (a row lock on PostgreSQL, the
    # write lock on SQLite): adds arriving together then count one after another, so the limit holds.
    await db.exec(update(Party).where(col(Party.id) == party.id).values(updated_at=col(Party.updated_at)))
    problems = refusal(party, details, len(await helpers_of(db, party)), uk_today())
    if problems:
        return problems
    helper = Party(
        crime_id=crime.id,  # type: ignore[arg-type]
        rms_party_id=f"helper-{secrets.token_hex(8)}",
        role=PartyRole.HELPER,
        forenames=details.forenames,
        surname=details.surname,
        surname_key=surname_key(details.surname),
        date_of_birth=details.date_of_birth,
        email=details.email,
        mobile=details.mobile,
        preferred_language=party.preferred_language,
        alert_channel=AlertChannel.EMAIL if details.email else AlertChannel.SMS,
        helps_party_id=party.id,
        helper_relationship=details.relationship,
        helper_added_by="officer" if isinstance(added_by, Officer) else "party",
        invited_at=utcnow(),
    )
    db.add(helper)
    await db.flush()
    await queue_alert(
        db,
        force=force,
        kind=AlertKind.INVITATION,
        party=helper,
        channels=[invitation_channel(helper) or "email"],
        cause=f"invitation:{helper.id}:1",
        context={"force_name": force.name},
    )
    audit.record(
        db,
        None,
        audit_actions.HELPER_ADD,
        force_id=crime.force_id,
        crime_id=crime.id,
        party_id=party.id,
        actor=added_by,
        detail=f"helper {helper.id}, {details.relationship}",
        client_address=client_address,
    )
    return helper


async def remove_helper(
    db: AsyncSession, *, crime: Crime, helper: Party, removed_by: Officer | Party, client_address: str = ""
) -> None:
    """The helper can do nothing more from now: their account is closed and every session ended."""
    helper.account_deleted_at = utcnow()
    helper.registration_code_hash = None
    helper.registration_code_lookup = None
    db.add(helper)
    await end_all_sessions(db, party_id=helper.id)
    audit.record(
        db,
        None,
        audit_actions.HELPER_REMOVE,
        force_id=crime.force_id,
        crime_id=crime.id,
        party_id=helper.helps_party_id,
        actor=removed_by,
        detail=f"helper {helper.id}",
        client_address=client_address,
    )
