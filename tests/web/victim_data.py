"""Crimes, parties and sign-ins for the victim portal's tests (web and browser)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import TEST_SECRET_KEY
from trackmycrime.auth import links
from trackmycrime.auth.links import format_registration_code
from trackmycrime.auth.passwords import FAST_HASHER, hash_password_now
from trackmycrime.database import Database
from trackmycrime.identity import reference_key, surname_key
from trackmycrime.models import (
    CaseUpdate,
    Crime,
    Force,
    Message,
    MessageDirection,
    Officer,
    Party,
    utcnow,
)

PASSWORD = "a long victim passphrase"
BORN = dt.date(1980, 2, 29)
_numbers = itertools.count(1)


@dataclass
class VictimCase:
    force: Force
    officer: Officer
    crime: Crime
    party: Party
    password: str = PASSWORD

    def sign_in_form(self, **changes: str) -> dict[str, str]:
        assert self.party.date_of_birth is not None
        form = {
            "surname": self.party.surname,
            "reference": self.crime.reference,
            "date_of_birth-day": str(self.party.date_of_birth.day),
            "date_of_birth-month": str(self.party.date_of_birth.month),
            "date_of_birth-year": str(self.party.date_of_birth.year),
            "password": self.password,
        }
        form.update(changes)
        return form


async def add_force(session: AsyncSession, code: str = "AS", name: str = "Avon and Somerset Police") -> Force:
    force = Force(
        code=code, name=name, non_emergency_phone="101", contact_email=f"contact@{code.lower()}.example"
    )
    session.add(force)
    await session.flush()
    return force


async def add_officer(session: AsyncSession, force: Force, name: str = "PC Sam Jones") -> Officer:
    number = next(_numbers)
    officer = Officer(
        force_id=force.id,  # type: ignore[arg-type]
        email=f"officer{number}@{force.code.lower()}.example",
        name=name,
        shoulder_number=str(1000 + number),
        team="North CID",
    )
    session.add(officer)
    await session.flush()
    return officer


async def add_crime(
    session: AsyncSession,
    force: Force,
    officer: Officer | None,
    *,
    reference: str | None = None,
    status: str = "under_investigation",
    offence: str = "Burglary of a home",
) -> Crime:
    reference = reference or f"{force.code}-2026-{next(_numbers):06d}"
    crime = Crime(
        force_id=force.id,  # type: ignore[arg-type]
        reference=reference,
        reference_key=reference_key(reference),
        offence=offence,
        status=status,
        reported_at=utcnow() - dt.timedelta(days=10),
        officer_in_charge_id=officer.id if officer else None,
    )
    if status in ("closed", "no_further_action"):
        crime.closed_at = utcnow()
    session.add(crime)
    await session.flush()
    return crime


async def add_party(
    session: AsyncSession,
    crime: Crime,
    *,
    surname: str = "O'Brien",
    forenames: str = "Alex",
    born: dt.date = BORN,
    password: str | None = PASSWORD,
    email: str = "alex@example.org",
    mobile: str = "",
    role: str = "victim",
    preferred_language: str = "en",
    rms_party_id: str | None = None,
) -> Party:
    party = Party(
        crime_id=crime.id,  # type: ignore[arg-type]
        rms_party_id=rms_party_id or f"P{next(_numbers)}",
        role=role,
        forenames=forenames,
        surname=surname,
        surname_key=surname_key(surname),
        date_of_birth=born,
        email=email,
        mobile=mobile,
        preferred_language=preferred_language,
        invited_at=utcnow() - dt.timedelta(days=1),
        password_hash=hash_password_now(FAST_HASHER, password) if password else None,
        registered_at=utcnow() if password else None,
    )
    session.add(party)
    await session.flush()
    return party


async def give_registration_code(
    session: AsyncSession, party: Party, *, secret_key: str = TEST_SECRET_KEY
) -> str:
    """A fresh one-time code for the party, as an officer would issue it; returns it formatted."""
    code = await links.new_code_for(party, secret_key, FAST_HASHER)
    session.add(party)
    await session.flush()
    return format_registration_code(code)


def add_update(
    session: AsyncSession,
    crime: Crime,
    text: str,
    *,
    status: str | None = None,
    days_ago: float = 1,
    audience: str = "all",
    party: Party | None = None,
    author: Officer | None = None,
) -> CaseUpdate:
    update = CaseUpdate(
        crime_id=crime.id,  # type: ignore[arg-type]
        text=text,
        status=status,
        audience=audience,
        party_id=party.id if party else None,
        author_officer_id=author.id if author else None,
        occurred_at=utcnow() - dt.timedelta(days=days_ago),
    )
    session.add(update)
    return update


def add_message(
    session: AsyncSession,
    party: Party,
    body: str,
    *,
    officer: Officer | None = None,
    days_ago: float = 1,
    read: bool = False,
) -> Message:
    message = Message(
        crime_id=party.crime_id,
        party_id=party.id,  # type: ignore[arg-type]
        direction=MessageDirection.TO_PARTY if officer else MessageDirection.FROM_PARTY,
        officer_id=officer.id if officer else None,
        body=body,
        created_at=utcnow() - dt.timedelta(days=days_ago),
        read_at=utcnow() if read else None,
    )
    session.add(message)
    return message


async def make_victim_case(db: Database, **party_options: Any) -> VictimCase:
    async with db.transaction() as session:
        force = await add_force(session)
        officer = await add_officer(session, force)
        crime = await add_crime(session, force, officer)
        party = await add_party(session, crime, **party_options)
    return VictimCase(force, officer, crime, party)


@pytest.fixture
async def victim(db: Database, app: Any) -> VictimCase:
    """A registered victim of a burglary in a one-force deployment."""
    return await make_victim_case(db)


async def sign_in(client: Any, case: VictimCase, **changes: str) -> Any:
    """Sign in through the form; returns the page the browser lands on."""
    return await client.submit("/sign-in", case.sign_in_form(**changes))
