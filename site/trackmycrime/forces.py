"""Which force a page speaks for: the only one in a single-force deployment."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from .models import Force
from .reference_formats import BadFormat, check_format


async def all_forces(db: AsyncSession) -> list[Force]:
    return list((await db.exec(select(Force).order_by(Force.name))).all())


async def service_force(db: AsyncSession) -> Force | None:
    """The force whose name heads public pages, or None when several share the deployment."""
    forces = (await db.exec(select(Force).limit(2))).all()
    return forces[0] if len(forces) == 1 else None


class ForceExists(Exception):
    pass


async def force_by_code(db: AsyncSession, code: str) -> Force | None:
    return (await db.exec(select(Force).where(Force.code == code.strip().upper()))).first()


async def add_force(db: AsyncSession, *, code: str, name: str, crime_ref_pattern: str | None = None) -> Force:
    import re

    code = code.strip().upper()
    if not re.fullmatch(r"[A-Z0-9]{2,16}", code):
        raise ValueError("a force code is 2 to 16 letters or digits, for example AS or NOTTS")
    if crime_ref_pattern is not None:
        try:
            check_format(crime_ref_pattern)
        except BadFormat as error:
            raise ValueError(f"the crime reference pattern cannot be used: {error}") from None
    if await force_by_code(db, code):
        raise ForceExists(f"a force with the code {code} already exists")
    force = Force(code=code, name=name.strip())
    if crime_ref_pattern is not None:
        force.crime_ref_pattern = crime_ref_pattern
    db.add(force)
    await db.flush()
    return force
