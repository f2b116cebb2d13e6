"""The audit log: who viewed or changed a party's data, when and from where (DPA 2018 s.62).

The application only ever inserts into it; nothing here updates or deletes a row.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request

from .models import AuditEvent, Officer, Party


def record(
    db: AsyncSession,
    request: Request | None,
    action: str,
    *,
    force_id: int | None,
    crime_id: int | None = None,
    party_id: int | None = None,
    actor: Officer | Party | None = None,
    actor_kind: str | None = None,
    detail: str = "",
    client_address: str | None = None,
) -> None:
    """Add an audit row to the caller's transaction, so it is kept if and only if the change is.

    The client's address is the request's, or `client_address` where the caller has no request.
    What a trusted helper does as the party they help is recorded as the helper's (issue 21).
    """
    if client_address is None:
        client_address = request.client.host if request is not None and request.client else ""
    helper = getattr(request.state, "helper", None) if request is not None else None
    if helper is not None and isinstance(actor, Party):
        actor, actor_kind = helper, "helper"
    if actor_kind is None:
        actor_kind = "officer" if isinstance(actor, Officer) else "party" if actor else "system"
    db.add(
        AuditEvent(
            force_id=force_id,
            actor_kind=actor_kind,
            actor_id=actor.id if actor else None,
            action=action,
            crime_id=crime_id,
            party_id=party_id,
            ip_address=client_address,
            detail=detail[:2000],
        )
    )
