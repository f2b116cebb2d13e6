"""Which crimes an officer may see, and the decorator every officer page goes through."""

from __future__ import annotations

import functools
from collections.abc import Callable

from sqlalchemy import or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ..auth.sessions import AddedColumn, Endpoint, officer_required
from ..models import Crime, Officer, OfficerRole, Party
from ..pages import redirect_to
from .forms import whole_number

SUPERVISORS = (OfficerRole.SUPERVISOR, OfficerRole.ADMIN)


def sees_whole_force(officer: Officer) -> bool:
    return officer.role in SUPERVISORS


def team_member_ids(officer: Officer) -> SelectOfScalar[int | None] | None:
    """Officers on the same (named) team, as a sub-select; None when the officer has no team."""
    if not officer.team:
        return None
    return select(col(Officer.id)).where(
        col(Officer.force_id) == officer.force_id, col(Officer.team) == officer.team
    )


def mine_clause(officer: Officer) -> ColumnElement[bool]:
    return (col(Crime.force_id) == officer.force_id) & (col(Crime.officer_in_charge_id) == officer.id)


def team_clause(officer: Officer) -> ColumnElement[bool]:
    """Crimes whose officer in charge is this officer or on their team."""
    team = team_member_ids(officer)
    if team is None:
        return mine_clause(officer)
    return (col(Crime.force_id) == officer.force_id) & or_(
        col(Crime.officer_in_charge_id) == officer.id,
        col(Crime.officer_in_charge_id).in_(team),
    )


def visible_crimes_clause(officer: Officer) -> ColumnElement[bool]:
    """Every crime this officer may open: the whole force for supervisors and admins."""
    if sees_whole_force(officer):
        return col(Crime.force_id) == officer.force_id
    return team_clause(officer)


async def visible_crime(db: AsyncSession, officer: Officer, crime_id: int) -> Crime:
    """The crime, or a 404 that looks the same whether it is missing or not theirs to see."""
    crime = (
        await db.exec(select(Crime).where(col(Crime.id) == crime_id, visible_crimes_clause(officer)))
    ).first()
    if crime is None:
        raise HTTPException(404)
    return crime


def two_factor_required(request: Request) -> bool:
    """Outside the demo and tests every officer must use two-step verification."""
    return bool(request.app.state.settings.mode == "production")


def needs_two_factor_set_up(request: Request, officer: Officer) -> bool:
    """In production, unless the force's identity provider did a second step for this session."""
    provider_did_it = bool(getattr(getattr(request.state, "web_session", None), "sso_mfa", False))
    return two_factor_required(request) and not officer.totp_secret and not provider_did_it


def officer_page(
    *roles: str,
    needs_two_factor: bool = True,
    is_password_change: bool = False,
    share_reading: bool = False,
    added: AddedColumn | None = None,
    wanted: Callable[[Request], bool] | None = None,
) -> Callable[[Endpoint], Endpoint]:
    """A signed-in officer with one of `roles` who has replaced any password an admin chose for
    them and, in production, set up two-step verification (anyone else is sent to do that first).
    `share_reading`: a page that only reads does so on the session check's connection,
    request.state.reading (a PooledReading); `added`, `wanted`: a column computed in the session
    check for the page (officer_required)."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def check_two_factor(request: Request) -> Response:
            officer: Officer = request.state.officer
            if officer.must_change_password and not is_password_change:
                return redirect_to(request, "officer_password")
            if needs_two_factor and needs_two_factor_set_up(request, officer):
                return redirect_to(request, "officer_two_factor")
            return await endpoint(request)

        check = officer_required(*roles, share_reading=share_reading, added=added, wanted=wanted)
        return check(check_two_factor)

    return decorate


def saved_id(row: Crime | Party) -> int:
    """The id of a row read from the database (which always has one)."""
    assert row.id is not None
    return row.id


def path_id(request: Request, name: str) -> int:
    """A numeric id from the path; anything else is a page that does not exist."""
    number = whole_number(str(request.path_params.get(name, "")))
    if number is None:
        raise HTTPException(404)
    return number
