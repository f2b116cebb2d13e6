"""Creating and updating a crime, its officer in charge and its parties from the records system."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .. import identity
from ..auth.tokens import sha256_hex
from ..case_events.handover import change_officer_in_charge
from ..case_events.property import items_of_crime, mark_parties_with_property
from ..case_events.updates import record_update
from ..database import columns_loaded_as, first_row, transaction_connection
from ..eligibility import portal_offered
from ..models import (
    AlertChannel,
    CaseUpdate,
    Crime,
    Force,
    Officer,
    OutboxMessage,
    Party,
    PropertyItem,
    utcnow,
)
from ..notify.outbox import AlertKind, invitation_channel, queue_alert
from ..statuses import status as status_of
from .property_items import check_owners, property_view, upsert_property
from .schemas import CrimeIn, CrimeOut, OfficerIn, OfficerOut, PartyIn, PartyOut


class PersonalDataRemoved(Exception):
    """The crime was closed long enough ago for retention to remove its personal data."""


@dataclass
class CrimeChanges:
    """What one PUT did, for the response code and the audit log."""

    created: bool = False
    status_changed: bool = False
    new_parties: list[Party] = field(default_factory=list)
    changed_parties: list[Party] = field(default_factory=list)
    invited_parties: list[Party] = field(default_factory=list)
    new_items: list[PropertyItem] = field(default_factory=list)
    items_changing_state: list[PropertyItem] = field(default_factory=list)

    def summary(self) -> str:
        parts = ["created" if self.created else "updated"]
        if self.status_changed:
            parts.append("status changed")
        for label, parties in (
            ("new parties", self.new_parties),
            ("changed parties", self.changed_parties),
            ("invited", self.invited_parties),
        ):
            if parties:
                parts.append(f"{label}: {', '.join(p.rms_party_id for p in parties)}")
        item_changes = (("new items", self.new_items), ("item state changed", self.items_changing_state))
        for label, items in item_changes:
            if items:
                parts.append(f"{label}: {', '.join(item.rms_item_id for item in items)}")
        return "; ".join(parts)


# Built once: building a statement costs more CPU than running it (bench/README.md, "Records-system
# ingest"). SQLite has no row locks, and its driver begins a transaction only at the first write, so
# what is read before it may be stale by then: there a write that changes nothing takes the
# database's write lock at once, as FOR UPDATE takes the row's, and returns the row.
_CHOSEN = (
    col(Crime.force_id) == bindparam("the_force_id"),
    col(Crime.reference_key) == bindparam("the_reference_key"),
)
_LOCKING_ON_SQLITE = update(Crime).where(*_CHOSEN).values(reference_key=Crime.reference_key)
_CRIME = select(Crime).where(*_CHOSEN)
_CRIME_LOCKED = _CRIME.with_for_update()
_CRIME_LOCKED_SQLITE = _LOCKING_ON_SQLITE.returning(Crime)
# The same, read as a row made into a detached Crime (crime_locked_for_update).
_CRIME_LOADER = columns_loaded_as(Crime)[0]
_CRIME_ROW_LOCKED = sa_select(*_CRIME_LOADER.columns).where(*_CHOSEN).with_for_update()
_CRIME_ROW_LOCKED_SQLITE = _LOCKING_ON_SQLITE.returning(*_CRIME_LOADER.columns)


def _chosen(force: Force, reference: str) -> dict[str, object]:
    return {"the_force_id": force.id, "the_reference_key": identity.reference_key(reference)}


async def crime_by_reference(
    db: AsyncSession, force: Force, reference: str, *, for_update: bool = False
) -> Crime | None:
    """The force's crime with this reference, however its separators and case are written.

    for_update locks the row until the transaction ends: writes to one crime then queue up instead
    of deadlocking on PostgreSQL, and a repeated request sees what the first one stored.
    """
    params = _chosen(force, reference)
    if for_update and db.get_bind().dialect.name == "sqlite":
        query: Any = select(Crime).from_statement(_CRIME_LOCKED_SQLITE)
        row = (await db.exec(query, params=params)).first()
        return row[0] if row is not None else None
    return (await db.exec(_CRIME_LOCKED if for_update else _CRIME, params=params)).first()


async def crime_locked_for_update(db: AsyncSession, force: Force, reference: str) -> Crime | None:
    """crime_by_reference(for_update=True) as a detached object, outside the session, for a caller
    that writes in Core statements only (an update from the records system): cheaper to read."""
    connection = await transaction_connection(db)
    sqlite = connection.dialect.name == "sqlite"
    query = _CRIME_ROW_LOCKED_SQLITE if sqlite else _CRIME_ROW_LOCKED
    row = await first_row(connection, query, _chosen(force, reference))
    return _CRIME_LOADER.make(row) if row is not None else None


async def upsert_crime(
    db: AsyncSession, *, force: Force, reference: str, body: CrimeIn, handover_hold_hours: int
) -> tuple[Crime, CrimeChanges]:
    """Make the force's crime what the records system says it is now; parties and items not listed are kept.

    A change of officer within `handover_hold_hours` of one made in the portal is held (handover.py).

    Raises PersonalDataRemoved or UnknownPropertyOwner before writing anything.
    """
    changes = CrimeChanges()
    crime = await crime_by_reference(db, force, reference, for_update=True)
    if crime is not None and crime.personal_data_removed_at is not None:
        raise PersonalDataRemoved(reference)
    if body.property:
        check_owners(body, await parties_of(db, crime) if crime is not None else [])
    officer = await officer_in_charge(db, force, body.officer_in_charge)
    if crime is None:
        crime = Crime(
            force_id=force.id,  # type: ignore[arg-type]
            reference=reference,
            reference_key=identity.reference_key(reference),
            offence=body.offence,
            status=body.status,
            reported_at=body.reported_at,
        )
        changes.created = True
    previous_status = None if changes.created else crime.status
    crime.offence = body.offence
    crime.offence_code = body.offence_code
    crime.reported_at = body.reported_at
    if changes.created:
        crime.officer_in_charge_id = officer.id if officer else None
    crime.updated_at = utcnow()
    db.add(crime)
    await db.flush()
    if not changes.created:
        # A change of officer hands over, or is held when it would undo a recent portal change.
        await change_officer_in_charge(db, force, crime, officer, by=None, hold_hours=handover_hold_hours)

    parties = await upsert_parties(db, crime, body.parties, changes)
    offered = [p for p in parties if p is not None and portal_offered(force, crime, p)]
    changes.invited_parties = await invite_parties(db, force, offered)

    if body.property is not None:
        changes.new_items, changes.items_changing_state = await upsert_property(
            db, force=force, crime=crime, given=body.property, parties=await parties_of(db, crime)
        )
    elif changes.new_parties or changes.changed_parties:
        # A party's role may have changed, and with it what property they see.
        mark_parties_with_property(await parties_of(db, crime), await items_of_crime(db, crime.id))  # type: ignore[arg-type]

    if body.status != previous_status:
        changes.status_changed = True
        await record_status_change(db, force, crime, body.status)
    return crime, changes


async def record_status_change(db: AsyncSession, force: Force, crime: Crime, new_status: str) -> CaseUpdate:
    """A status-only update on the timeline, so parties see the change and are told of it."""
    return await record_update(db, force=force, crime=crime, text="", status=new_status)


# ---------------------------------------------------------------- officer in charge


async def officer_in_charge(db: AsyncSession, force: Force, given: OfficerIn | None) -> Officer | None:
    """The force's officer with this email, created without a password if they have no account yet.

    An officer with no password_hash (None) cannot sign in; they still show as the crime's OIC.
    """
    if given is None:
        return None
    email = given.email.lower()
    found = await db.exec(select(Officer).where(Officer.force_id == force.id, Officer.email == email))
    officer = found.first()
    if officer is None:
        officer = Officer(force_id=force.id, email=email, name=given.name, password_hash=None)  # type: ignore[arg-type]
    officer.name = given.name
    shoulder_number = given.shoulder_number or None
    if shoulder_number and shoulder_number != officer.shoulder_number:
        # A number already worn by another officer of the force is left alone rather than refusing
        # the whole crime: the force admin sorts out such a clash.
        if not await _shoulder_number_taken(db, force, shoulder_number, officer):
            officer.shoulder_number = shoulder_number
    db.add(officer)
    await db.flush()
    return officer


async def _shoulder_number_taken(db: AsyncSession, force: Force, number: str, officer: Officer) -> bool:
    query = select(Officer.id).where(Officer.force_id == force.id, Officer.shoulder_number == number)
    if officer.id is not None:
        query = query.where(Officer.id != officer.id)
    return (await db.exec(query)).first() is not None


# ---------------------------------------------------------------- parties


def _party_values(given: PartyIn) -> dict[str, object]:
    return {
        "role": given.role,
        "forenames": given.forenames,
        "surname": given.surname,
        "date_of_birth": given.date_of_birth,
        "email": given.email or "",
        "mobile": (given.mobile or "").replace(" ", ""),
        "address": "\n".join(given.address or []),
        "preferred_language": given.preferred_language,
        "enhanced_rights": given.enhanced_rights,
        "contact_consent": given.contact_consent,
        "shares_address_with_suspect": given.shares_address_with_suspect,
    }


async def parties_of(db: AsyncSession, crime: Crime) -> list[Party]:
    # A trusted helper is the portal's, not the records system's (trusted_helpers.py).
    found = await db.exec(
        select(Party)
        .where(Party.crime_id == crime.id, col(Party.helps_party_id).is_(None))
        .order_by(col(Party.id))
    )
    return list(found.all())


async def upsert_parties(
    db: AsyncSession, crime: Crime, given: list[PartyIn], changes: CrimeChanges
) -> list[Party]:
    """Create new parties and correct known ones in place, keeping their accounts."""
    known = {party.rms_party_id: party for party in await parties_of(db, crime)}
    result: list[Party] = []
    for item in sorted(given, key=lambda p: p.rms_party_id):
        values = _party_values(item)
        party = known.get(item.rms_party_id)
        if party is None:
            party = Party(crime_id=crime.id, rms_party_id=item.rms_party_id, **values)  # type: ignore[arg-type]
            if invitation_channel(party) == "sms":
                party.alert_channel = AlertChannel.SMS  # a mobile only: alerts by text, as invited
            changes.new_parties.append(party)
        elif _correct_party(party, values):
            changes.changed_parties.append(party)
        party.surname_key = identity.surname_key(party.surname)
        db.add(party)
        result.append(party)
    await db.flush()
    return result


def _correct_party(party: Party, values: dict[str, object]) -> bool:
    """Whether anything changed; the account (password, preferences, sign-in state) is kept."""
    if all(getattr(party, name) == value for name, value in values.items()):
        return False
    contact_corrected = (party.email, party.mobile, party.address) != (
        values["email"],
        values.get("mobile", party.mobile),
        values.get("address", party.address),
    )
    if contact_corrected and party.password_hash is None:
        # Invited or given a code at an address or number now corrected: what was sent there stops
        # working (the link's fingerprint holds the address; the code is forgotten), and the
        # invitation goes again to the new one.
        party.invited_at = None
        party.registration_code_hash = None
        party.registration_code_expires_at = None
    for name, value in values.items():
        setattr(party, name, value)
    party.updated_at = utcnow()
    return True


def _may_be_invited(party: Party) -> bool:
    return bool(
        invitation_channel(party)
        and party.contact_consent
        and party.password_hash is None
        and party.invited_at is None
        and party.opted_out_at is None
        and party.account_deleted_at is None
    )


async def invite_parties(db: AsyncSession, force: Force, parties: list[Party]) -> list[Party]:
    """Queue an invitation to register (by email, else by text) for each party who agreed to be contacted."""
    invited: list[Party] = []
    for party in parties:
        if not _may_be_invited(party):
            continue
        channel = invitation_channel(party)
        cause = f"invitation:{party.id}"
        if await _was_invited_before(db, party):
            cause += f":{sha256_hex(party.email or party.mobile or party.address)[:16]}"
        await queue_alert(
            db,
            force=force,
            kind=AlertKind.INVITATION,
            party=party,
            channels=[channel],  # type: ignore[list-item]
            cause=cause,
            context={"force_name": force.name},
        )
        party.invited_at = utcnow()
        db.add(party)
        invited.append(party)
    if invited:
        await db.flush()
    return invited


async def _was_invited_before(db: AsyncSession, party: Party) -> bool:
    found = await db.exec(
        select(OutboxMessage.id).where(
            OutboxMessage.party_id == party.id, OutboxMessage.kind == AlertKind.INVITATION
        )
    )
    return found.first() is not None


# ---------------------------------------------------------------- what the API answers


async def crime_view(db: AsyncSession, crime: Crime) -> CrimeOut:
    officer = await db.get(Officer, crime.officer_in_charge_id) if crime.officer_in_charge_id else None
    parties = await parties_of(db, crime)
    return CrimeOut(
        reference=crime.reference,
        offence=crime.offence,
        offence_code=crime.offence_code,
        status=crime.status,
        status_label=status_of(crime.status).label,
        reported_at=crime.reported_at,
        closed_at=crime.closed_at,
        officer_in_charge=(
            OfficerOut(email=officer.email, name=officer.name, shoulder_number=officer.shoulder_number)
            if officer
            else None
        ),
        parties=[_party_view(party) for party in parties],
        property=property_view(await items_of_crime(db, crime.id), parties),  # type: ignore[arg-type]
    )


def _party_view(party: Party) -> PartyOut:
    return PartyOut(
        rms_party_id=party.rms_party_id,
        role=party.role,
        forenames=party.forenames,
        surname=party.surname,
        date_of_birth=party.date_of_birth,
        email=party.email or None,
        mobile=party.mobile or None,
        address=party.address.splitlines() or None,
        preferred_language=party.preferred_language,
        enhanced_rights=party.enhanced_rights,
        contact_consent=party.contact_consent,
        invited_at=party.invited_at,
        registered=bool(party.password_hash),
    )
