"""A court hearing of the party's own crime as a calendar (.ics) file to download."""

from __future__ import annotations

from sqlmodel import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ..auth.sessions import party_required_reading
from ..case_events.hearings import calendar_file
from ..models import Hearing


@party_required_reading
async def hearing_calendar(request: Request) -> Response:
    raw = request.path_params["hearing_id"]
    hearing = None
    if raw.isascii() and raw.isdigit() and len(raw) < 12:
        found = await (await request.state.reading.session()).exec(
            select(Hearing).where(Hearing.id == int(raw), Hearing.crime_id == request.state.crime.id)
        )
        hearing = found.first()
    if hearing is None:
        raise HTTPException(404)
    host = request.url.hostname or "trackmycrime"
    return Response(
        calendar_file(hearing, request.state.crime, host),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="hearing-{hearing.id}.ics"'},
    )
