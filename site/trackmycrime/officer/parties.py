"""Finding a party of a crime the officer may see; anything else is a 404."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request

from ..models import Crime, Officer, Party
from .access import path_id, visible_crime


async def crime_and_party(db: AsyncSession, officer: Officer, request: Request) -> tuple[Crime, Party]:
    """The crime and one of its victims or witnesses (never a trusted helper: their own page parts
    are in officer/trusted_helpers.py)."""
    crime = await visible_crime(db, officer, path_id(request, "crime_id"))
    party_id = path_id(request, "party_id")
    party = (
        await db.exec(
            select(Party).where(
                col(Party.id) == party_id,
                col(Party.crime_id) == crime.id,
                col(Party.helps_party_id).is_(None),
            )
        )
    ).first()
    if party is None:
        raise HTTPException(404)
    return crime, party
