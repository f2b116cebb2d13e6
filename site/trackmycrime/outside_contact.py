"""Telling a party about their case outside the portal (by phone, in person, by letter), on record.

The one way to record it: officer pages call record_outside_contact(), and so should anything
else that tells a party outside the portal (a letter sent through a gateway, say). It counts
under the Victims' Code (victims_code.entitlements) whether or not the party uses the portal.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel.ext.asyncio.session import AsyncSession

from .i18n import gettext as _
from .models import ContactAgreement, ContactMethod, OutsideContact, Party, utcnow
from .victims_code.entitlements import refresh_entitlements
from .victims_code.rules import Rules

NOTE_MAX = 1000
# The ways outside the portal a party may agree to be kept informed by (Victims' Code Right 6).
AGREED_METHODS = (ContactMethod.PHONE, ContactMethod.LETTER)


def method_in_words(method: str) -> str:
    """'By phone', 'In person', 'By letter'; the portal's own ways for met_by of an entitlement."""
    return {
        ContactMethod.PHONE: _("By phone"),
        ContactMethod.IN_PERSON: _("In person"),
        ContactMethod.LETTER: _("By letter"),
        "update": _("By an update on the portal"),
        "message": _("By a message on the portal"),
    }.get(method, method)


async def record_outside_contact(
    db: AsyncSession,
    *,
    party: Party,
    method: str,
    note: str,
    officer_id: int | None,
    rules: Rules,
    told_at: dt.datetime | None = None,
) -> OutsideContact:
    """Record that the party was told `method` at `told_at` (now if not given), and count it."""
    if method not in ContactMethod.ALL:
        raise ValueError(f"unknown contact method {method!r}")
    assert party.id is not None
    contact = OutsideContact(
        crime_id=party.crime_id,
        party_id=party.id,
        officer_id=officer_id,
        method=method,
        note=note.strip()[:NOTE_MAX],
        told_at=told_at or utcnow(),
        recorded_at=utcnow(),
    )
    db.add(contact)
    await db.flush()
    await refresh_entitlements(db, party.crime_id, rules)
    return contact


async def agree_contact_method(
    db: AsyncSession, *, party: Party, method: str, at: dt.datetime | None = None
) -> ContactAgreement:
    """The party agreed with an officer to be kept informed by phone or by letter, as often as now."""
    if method not in AGREED_METHODS:
        raise ValueError(f"a party may agree to phone or letter, not {method!r}")
    assert party.id is not None
    agreement = ContactAgreement(
        party_id=party.id,
        interval_days=party.update_interval_days,
        channel=method,
        agreed_at=at or utcnow(),
        agreed_by="officer",
    )
    db.add(agreement)
    await db.flush()
    return agreement
