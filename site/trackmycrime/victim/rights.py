"""'Your rights': which of the party's Victims' Code rights are being tracked, and when each is due."""

from __future__ import annotations

from functools import partial

from starlette.requests import Request
from starlette.responses import Response

from ..auth.sessions import party_required
from ..models import Party, PartyRole, utcnow
from ..pages import render
from ..victims_code import Rules, describe_due, event_label, is_overdue, owed_to_party


@party_required
async def rights_page(request: Request) -> Response:
    party: Party = request.state.party
    async with request.app.state.db.session() as db:
        owed = await owed_to_party(db, party.id or 0)
    rules: Rules = request.app.state.rules
    return render(
        request,
        "victim/rights.html",
        {
            "owed": owed,
            "now": utcnow(),
            "event_label": event_label,
            "describe_due": partial(describe_due, rules.calendar),
            "is_overdue": is_overdue,
            "is_victim": party.role == PartyRole.VICTIM,
            "enhanced": party.enhanced_rights,
            "working_days": rules.deadline_in_working_days(False),
            "enhanced_working_days": rules.deadline_in_working_days(True),
            "interval_days": party.update_interval_days,
        },
    )
