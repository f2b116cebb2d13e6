"""Crimes, parties and sign-ins for the victim portal's tests (web and browser).

The add_* presets here give the victim tests' defaults to the builders in tests/factories.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import TEST_SECRET_KEY
from tests.factories import add_message as add_message  # re-exported: the victim tests import both from here
from tests.factories import add_update as add_update
from tests.factories import make_crime, make_force, make_officer, make_party, unique_number
from trackmycrime.auth import links
from trackmycrime.auth.links import format_registration_code
from trackmycrime.auth.passwords import FAST_HASHER, hash_password_now
from trackmycrime.database import Database
from trackmycrime.models import Crime, Force, Officer, Party, utcnow

PASSWORD = "a long victim passphrase"
BORN = dt.date(1980, 2, 29)


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
    return await make_force(
        session,
        code=code,
        name=name,
        non_emergency_phone="101",
        contact_email=f"contact@{code.lower()}.example",
    )


async def add_officer(session: AsyncSession, force: Force, name: str = "PC Sam Jones") -> Officer:
    number = unique_number()
    return await make_officer(
        session,
        force,
        email=f"officer{number}@{force.code.lower()}.example",
        name=name,
        shoulder_number=str(1000 + number),
        team="North CID",
    )


async def add_crime(
    session: AsyncSession,
    force: Force,
    officer: Officer | None,
    *,
    reference: str | None = None,
    status: str = "under_investigation",
    offence: str = "Burglary of a home",
) -> Crime:
    return await make_crime(
        session,
        force,
        reference=reference or f"{force.code}-2026-{unique_number():06d}",
        offence=offence,
        status=status,
        reported_at=utcnow() - dt.timedelta(days=10),
        officer_in_charge_id=officer.id if officer else None,
        closed_at=utcnow() if status in ("closed", "no_further_action") else None,
    )


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
    """A party invited yesterday, registered with `password` unless it is None."""
    return await make_party(
        session,
        crime,
        rms_party_id=rms_party_id or f"P{unique_number()}",
        role=role,
        forenames=forenames,
        surname=surname,
        date_of_birth=born,
        email=email,
        mobile=mobile,
        preferred_language=preferred_language,
        invited_at=utcnow() - dt.timedelta(days=1),
        password_hash=hash_password_now(FAST_HASHER, password) if password else None,
        registered_at=utcnow() if password else None,
    )


async def give_registration_code(
    session: AsyncSession, party: Party, *, secret_key: str = TEST_SECRET_KEY
) -> str:
    """A fresh one-time code for the party, as an officer would issue it; returns it formatted."""
    code = await links.new_code_for(party, secret_key, FAST_HASHER)
    session.add(party)
    await session.flush()
    return format_registration_code(code)


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
