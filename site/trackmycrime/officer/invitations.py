"""Inviting a party to register: an email with a link, a text with a code, or a code read out or posted."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import audit, audit_actions
from ..auth.links import format_registration_code, new_code_for
from ..eligibility import portal_offered
from ..models import OutboxMessage, Party, utcnow
from ..notify.outbox import AlertKind, invitation_channel, queue_alert
from ..pages import redirect_to
from .access import officer_page
from .case import force_of
from .parties import crime_and_party
from .queries import party_name
from .rendering import render_page


def may_register(party: Party) -> bool:
    return not party.password_hash and party.account_deleted_at is None


async def invitations_sent(db: AsyncSession, party: Party) -> int:
    query = select(func.count()).where(
        col(OutboxMessage.party_id) == party.id, col(OutboxMessage.kind) == AlertKind.INVITATION
    )
    return int((await db.exec(query)).one())


@officer_page()
async def send_invitation(request: Request) -> Response:
    officer = request.state.officer
    async with request.app.state.db.transaction() as db:
        crime, party = await crime_and_party(db, officer, request)
        force = await force_of(db, crime)
        channel = invitation_channel(party)
        if not may_register(party) or channel is None or not portal_offered(force, crime, party):
            return redirect_to(
                request, "officer_crime", fragment=f"party-{party.id}-heading", crime_id=crime.id
            )
        number = await invitations_sent(db, party) + 1
        await queue_alert(
            db,
            force=force,
            kind=AlertKind.INVITATION,
            party=party,
            channels=[channel],
            cause=f"invitation:{party.id}:{number}",
            context={"force_name": force.name},
        )
        party.invited_at = utcnow()
        audit.record(
            db,
            request,
            audit_actions.PARTY_INVITE,
            force_id=crime.force_id,
            crime_id=crime.id,
            party_id=party.id,
            actor=officer,
        )
        return redirect_to(
            request,
            "officer_crime",
            query={"done": "invited", "party": party.id or 0},
            fragment="people-heading",
            crime_id=crime.id,
        )


@officer_page()
async def give_registration_code(request: Request) -> Response:
    """A new code, shown once: only its hash is kept, and any earlier code stops working."""
    officer = request.state.officer
    async with request.app.state.db.transaction() as db:
        crime, party = await crime_and_party(db, officer, request)
        if not may_register(party) or not portal_offered(await force_of(db, crime), crime, party):
            return redirect_to(
                request, "officer_crime", fragment=f"party-{party.id}-heading", crime_id=crime.id
            )
        code = await new_code_for(party, request.app.state.settings.secret_key, request.app.state.hasher)
        audit.record(
            db,
            request,
            audit_actions.PARTY_REGISTRATION_CODE,
            force_id=crime.force_id,
            crime_id=crime.id,
            party_id=party.id,
            actor=officer,
        )
        return await render_page(
            request,
            db,
            "officer/registration_code.html",
            {
                "crime": crime,
                "name": party_name(party),
                "code": format_registration_code(code),
                "expires_at": party.registration_code_expires_at,
            },
        )


routes = [
    Route(
        "/officer/crimes/{crime_id}/parties/{party_id}/invitation",
        send_invitation,
        methods=["POST"],
        name="officer_invite",
    ),
    Route(
        "/officer/crimes/{crime_id}/parties/{party_id}/registration-code",
        give_registration_code,
        methods=["POST"],
        name="officer_registration_code",
    ),
]
