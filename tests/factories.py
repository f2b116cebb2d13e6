"""The one set of test data builders: a force, officers, crimes, parties, API keys, updates, messages.

Each `make_*` takes the session of the caller's transaction and flushes, so ids are set; pass keyword
arguments to change any column. Names and references are made unique with `unique_number()`.
`add_update` and `add_message` only add the row to the session (no flush).
Other test modules keep presets (the officer tests' world, the victim portal's case) that call these.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from trackmycrime import identity
from trackmycrime.auth.api_keys import create_api_key
from trackmycrime.models import (
    ApiKey,
    CaseUpdate,
    Crime,
    Force,
    Message,
    MessageDirection,
    Officer,
    Party,
    utcnow,
)
from trackmycrime.victims_code.rules import load_rules

# The shipped Victims' Code rules, for tests that call the domain as the site would by default.
SHIPPED_RULES = load_rules()

_numbers = itertools.count(1)


def unique_number() -> int:
    """A number no other row made in this test process has had."""
    return next(_numbers)


async def _save(db: AsyncSession, row: Any) -> Any:
    db.add(row)
    await db.flush()
    return row


async def make_force(db: AsyncSession, **columns: Any) -> Force:
    n = unique_number()
    values: dict[str, Any] = {"code": f"F{n}", "name": f"Testshire Police {n}"}
    values.update(columns)
    return await _save(db, Force(**values))


async def make_officer(db: AsyncSession, force: Force, **columns: Any) -> Officer:
    """An officer; no password (cannot sign in) unless given."""
    n = unique_number()
    values: dict[str, Any] = {
        "force_id": force.id,
        "email": f"officer{n}@police.example",
        "name": f"PC Officer {n}",
        "shoulder_number": str(1000 + n),
        "password_hash": None,
    }
    values.update(columns)
    return await _save(db, Officer(**values))


async def make_crime(db: AsyncSession, force: Force, **columns: Any) -> Crime:
    n = unique_number()
    values: dict[str, Any] = {
        "force_id": force.id,
        "reference": f"TS-2026-{n:06d}",
        "offence": "Burglary of a home",
        "status": "under_investigation",
        "reported_at": utcnow() - dt.timedelta(days=3),
    }
    values.update(columns)
    values.setdefault("reference_key", identity.reference_key(values["reference"]))
    return await _save(db, Crime(**values))


async def make_party(db: AsyncSession, crime: Crime, **columns: Any) -> Party:
    """A victim of the crime, not registered unless password_hash is given."""
    n = unique_number()
    values: dict[str, Any] = {
        "crime_id": crime.id,
        "rms_party_id": f"P{n}",
        "role": "victim",
        "forenames": "Alex",
        "surname": "Smith",
        "date_of_birth": dt.date(1980, 2, 29),
        "email": f"party{n}@example.org",
    }
    values.update(columns)
    values.setdefault("surname_key", identity.surname_key(values["surname"]))
    return await _save(db, Party(**values))


async def make_api_key(db: AsyncSession, force: Force, **columns: Any) -> tuple[ApiKey, str]:
    """A key of the force and the key text to send as `Authorization: Bearer <text>`."""
    api_key, key_text = await create_api_key(db, force_id=force.id, label=columns.pop("label", "test"))  # type: ignore[arg-type]
    for name, value in columns.items():
        setattr(api_key, name, value)
    if columns:
        await _save(db, api_key)
    return api_key, key_text


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
    """A message from the party, or to them when an officer is given."""
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
