"""Officer accounts: creation with a normalised email and a hashed password."""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth.passwords import hash_password
from ..models import Officer, OfficerRole


class OfficerExists(Exception):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def add_officer(
    db: AsyncSession,
    *,
    hasher: PasswordHasher,
    force_id: int,
    email: str,
    name: str,
    password: str,
    shoulder_number: str | None = None,
    role: str = OfficerRole.OFFICER,
    team: str = "",
) -> Officer:
    if role not in OfficerRole.ALL:
        raise ValueError(f"role must be one of {', '.join(OfficerRole.ALL)}")
    email = normalise_email(email)
    shoulder_number = (shoulder_number or "").strip() or None
    clash = select(Officer).where(col(Officer.force_id) == force_id, col(Officer.email) == email)
    if (await db.exec(clash)).first():
        raise OfficerExists(f"an officer with the email {email} already exists in this force")
    if shoulder_number:
        clash = select(Officer).where(
            col(Officer.force_id) == force_id, col(Officer.shoulder_number) == shoulder_number
        )
        if (await db.exec(clash)).first():
            raise OfficerExists(f"shoulder number {shoulder_number} is already used in this force")
    officer = Officer(
        force_id=force_id,
        email=email,
        name=name.strip(),
        role=role,
        team=team,
        shoulder_number=shoulder_number,
        password_hash=await hash_password(hasher, password),
    )
    db.add(officer)
    await db.flush()
    return officer
