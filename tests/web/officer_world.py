"""A small world for officer tests: two forces, officers in every role, crimes and parties.

The fixtures at the end (`world` and clients signed in as its officers) are registered by the
conftest.py of each test area that uses them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tests import factories
from tests.conftest import TEST_SECRET_KEY
from tests.webclient import WebClient
from trackmycrime.auth.passwords import FAST_HASHER
from trackmycrime.auth.tokens import SESSION, Signer, random_token, sha256_hex
from trackmycrime.database import Database
from trackmycrime.forces import add_force
from trackmycrime.models import (
    AlertChannel,
    CaseUpdate,
    Crime,
    Force,
    Message,
    MessageDirection,
    Officer,
    OfficerRole,
    Party,
    WebSession,
    utcnow,
)
from trackmycrime.officer.accounts import add_officer

PASSWORD = "correct horse battery staple"


@dataclass
class World:
    force: Force
    other_force: Force
    oic: Officer
    colleague: Officer
    outsider: Officer
    supervisor: Officer
    admin: Officer
    other_admin: Officer
    crime: Crime
    victim: Party
    witness: Party
    outsider_crime: Crime
    other_crime: Crime
    other_party: Party


def days_ago(days: float) -> dt.datetime:
    return utcnow() - dt.timedelta(days=days)


async def world_crime(
    session,
    force: Force,
    reference: str,
    officer: Officer | None,
    *,
    offence: str = "Burglary of a home",
    created_days_ago: float = 30,
) -> Crime:
    """A crime under investigation, reported and recorded `created_days_ago` days ago."""
    return await factories.make_crime(
        session,
        force,
        reference=reference,
        offence=offence,
        status="under_investigation",
        reported_at=days_ago(created_days_ago),
        created_at=days_ago(created_days_ago),
        officer_in_charge_id=officer.id if officer else None,
    )


async def world_party(
    session,
    crime: Crime,
    rms_id: str,
    forenames: str,
    surname: str,
    *,
    role: str = "victim",
    registered: bool = True,
    email: str = "",
    mobile: str = "",
) -> Party:
    """A party invited 60 days ago; registered 59 days ago (and signed in 2 days ago) unless not."""
    return await factories.make_party(
        session,
        crime,
        rms_party_id=rms_id,
        role=role,
        forenames=forenames,
        surname=surname,
        date_of_birth=dt.date(1980, 2, 29),
        email=email,
        mobile=mobile,
        alert_channel=AlertChannel.EMAIL,
        invited_at=days_ago(60),
        password_hash="$argon2id$not-a-real-hash" if registered else None,
        registered_at=days_ago(59) if registered else None,
        last_sign_in_at=days_ago(2) if registered else None,
    )


async def officer(
    session,
    force: Force,
    email: str,
    name: str,
    role: str = OfficerRole.OFFICER,
    team: str = "",
    shoulder_number: str | None = None,
) -> Officer:
    return await add_officer(
        session,
        hasher=FAST_HASHER,
        force_id=force.id,
        email=email,
        name=name,
        password=PASSWORD,
        role=role,
        team=team,
        shoulder_number=shoulder_number,
    )


async def build_world(db: Database) -> World:
    async with db.transaction() as session:
        force = await add_force(session, code="AS", name="Avon and Somerset Police")
        other_force = await add_force(session, code="NT", name="Nottinghamshire Police")
        oic = await officer(
            session, force, "sam.jones@as.example", "PC Sam Jones", team="North CID", shoulder_number="1234"
        )
        colleague = await officer(session, force, "lee.evans@as.example", "DC Lee Evans", team="North CID")
        outsider = await officer(session, force, "kim.lo@as.example", "PC Kim Lo", team="South CID")
        supervisor = await officer(
            session,
            force,
            "priya.shah@as.example",
            "DS Priya Shah",
            role=OfficerRole.SUPERVISOR,
            team="North CID",
        )
        admin = await officer(session, force, "admin@as.example", "Jo Admin", role=OfficerRole.ADMIN)
        other_admin = await officer(
            session,
            other_force,
            "admin@nt.example",
            "Max Admin",
            role=OfficerRole.ADMIN,
            shoulder_number="1234",
        )
        crime = await world_crime(session, force, "AS-2026-000123", oic)
        victim = await world_party(
            session, crime, "P1", "Alex", "O'Brien", email="alex@example.org", mobile="+447700900123"
        )
        witness = await world_party(
            session,
            crime,
            "W1",
            "Sam",
            "Taylor",
            role="witness",
            registered=False,
            email="sam.taylor@example.org",
        )
        outsider_crime = await world_crime(
            session, force, "AS-2026-000999", outsider, offence="Theft of a bicycle"
        )
        await world_party(session, outsider_crime, "P1", "Robin", "Hart", email="robin@example.org")
        other_crime = await world_crime(session, other_force, "NT-2026-000123", other_admin)
        other_party = await world_party(session, other_crime, "P1", "Ali", "Khan", email="ali@example.org")
        session.add(
            CaseUpdate(
                crime_id=crime.id,
                text="Your crime has been recorded.",
                status="recorded",
                occurred_at=days_ago(30),
                rms_update_id="U-1",
            )
        )
        session.add(
            Message(
                crime_id=crime.id,
                party_id=victim.id,
                direction=MessageDirection.FROM_PARTY,
                body="Is there any news about the arrest?",
                created_at=days_ago(1),
            )
        )
    return World(
        force,
        other_force,
        oic,
        colleague,
        outsider,
        supervisor,
        admin,
        other_admin,
        crime,
        victim,
        witness,
        outsider_crime,
        other_crime,
        other_party,
    )


async def sign_in_as(client: WebClient, db: Database, who: Officer | Party) -> None:
    """Give this browser a live session for the officer or party, as signing in would."""
    token = random_token()
    now = utcnow()
    async with db.transaction() as session:
        session.add(
            WebSession(
                token_hash=sha256_hex(token),
                officer_id=who.id if isinstance(who, Officer) else None,
                party_id=who.id if isinstance(who, Party) else None,
                csrf_token=random_token(),
                created_at=now,
                last_seen_at=now,
                expires_at=now + dt.timedelta(hours=12),
            )
        )
    # Tests serve plain http, so the cookie has no __Host- prefix.
    client.http.cookies.set(
        "tmc_session", Signer(TEST_SECRET_KEY).sign(SESSION, token), domain="testserver.local"
    )
    client.last_page = None


async def sign_in_with_form(client: WebClient, identifier: str, password: str = PASSWORD):
    await client.page("/officer/sign-in")
    return await client.submit("/officer/sign-in", {"identifier": identifier, "password": password})


@pytest.fixture
async def world(db: Database) -> World:
    return await build_world(db)


@pytest.fixture
async def oic_client(client: WebClient, db: Database, world: World) -> WebClient:
    """The web client, signed in as the officer in charge of the world's crime."""
    await sign_in_as(client, db, world.oic)
    return client


@pytest.fixture
async def supervisor(client: WebClient, db: Database, world: World) -> WebClient:
    await sign_in_as(client, db, world.supervisor)
    return client


@pytest.fixture
async def admin(client: WebClient, db: Database, world: World) -> WebClient:
    await sign_in_as(client, db, world.admin)
    return client
