"""Supervisors: every crime of the force, the Victims' Code dashboard, and reassigning a crime."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import audit, audit_actions, statuses
from ..case_events.handover import (
    MAX_NOTE_LENGTH,
    change_officer_in_charge,
    keep_officer_in_charge,
    open_conflicts,
)
from ..i18n import gettext as _
from ..models import Crime, Handover, Officer, utcnow
from ..pages import redirect_to
from ..victims_code.entitlements import event_label, refresh_entitlements
from ..victims_code.reporting import on_time_rate, on_time_rates_by_officer, on_time_rates_by_team, owed_items
from .access import SUPERVISORS, officer_page, path_id, saved_id, visible_crime
from .case import force_of, load_crime_page, render_crime_page
from .deadlines import due_in_words
from .forms import read_form, whole_number
from .periods import period_from_query, presets
from .queries import party_name
from .rendering import render_page

PAGE_SIZE = 25


async def force_officers(db: AsyncSession, force_id: int, *, enabled_only: bool = True) -> list[Officer]:
    query = select(Officer).where(col(Officer.force_id) == force_id).order_by(col(Officer.name))
    if enabled_only:
        query = query.where(col(Officer.disabled_at).is_(None))
    return list((await db.exec(query)).all())


def teams_of(officers: list[Officer]) -> list[str]:
    return sorted({o.team for o in officers if o.team})


@officer_page(*SUPERVISORS)
async def all_crimes(request: Request) -> Response:
    officer: Officer = request.state.officer
    query = request.query_params
    status = query.get("status", "")
    status = status if statuses.is_known(status) else ""
    async with request.app.state.db.session() as db:
        officers = await force_officers(db, officer.force_id, enabled_only=False)
        teams = teams_of(officers)
        officer_id = whole_number(query.get("officer", ""))
        officer_id = officer_id if any(o.id == officer_id for o in officers) else None
        team = query.get("team", "")
        team = team if team in teams else ""
        conditions: list[Any] = [col(Crime.force_id) == officer.force_id]
        if status:
            conditions.append(col(Crime.status) == status)
        if officer_id:
            conditions.append(col(Crime.officer_in_charge_id) == officer_id)
        if team:
            conditions.append(
                col(Crime.officer_in_charge_id).in_(
                    select(col(Officer.id)).where(
                        col(Officer.force_id) == officer.force_id, col(Officer.team) == team
                    )
                )
            )
        total = int((await db.exec(select(func.count()).select_from(Crime).where(*conditions))).one())
        pages = max(1, -(-total // PAGE_SIZE))
        page_number = min(max(whole_number(query.get("page", "")) or 1, 1), pages)
        rows = (
            await db.exec(
                select(Crime, Officer)
                .outerjoin(Officer, col(Officer.id) == col(Crime.officer_in_charge_id))
                .where(*conditions)
                .order_by(col(Crime.reported_at).desc(), col(Crime.id).desc())
                .offset((page_number - 1) * PAGE_SIZE)
                .limit(PAGE_SIZE)
            )
        ).all()
        filters = {"status": status, "officer": str(officer_id or ""), "team": team}
        return await render_page(
            request,
            db,
            "officer/crimes.html",
            {
                "rows": rows,
                "total": total,
                "page_number": page_number,
                "pages": pages,
                "filters": filters,
                "filter_query": "&".join(f"{k}={v}" for k, v in filters.items() if v),
                "status_options": [("", _("Any status"))]
                + [(c, statuses.status(c).label) for c in statuses.STATUS_CODES],
                "officer_options": [("", _("Any officer"))] + [(str(o.id), o.name) for o in officers],
                "team_options": [("", _("Any team"))] + [(t, t) for t in teams],
                "status_of": statuses.status,
            },
        )


@officer_page(*SUPERVISORS)
async def compliance(request: Request) -> Response:
    officer: Officer = request.state.officer
    now = utcnow()
    period, chosen, errors, values = period_from_query(request.query_params, now)
    async with request.app.state.db.session() as db:
        force_id = officer.force_id
        overall = await on_time_rate(db, force_id, period.start, period.end, now=now)
        by_team = await on_time_rates_by_team(db, force_id, period.start, period.end, now=now)
        by_officer = await on_time_rates_by_officer(db, force_id, period.start, period.end, now=now)
        overdue = await owed_items(db, force_id, overdue_only=True, now=now)
        return await render_page(
            request,
            db,
            "officer/compliance.html",
            {
                "period": period,
                "chosen": chosen,
                "errors": errors,
                "values": values,
                "period_options": [(value, label) for value, label, _days in presets()],
                "overall": overall,
                "by_team": [(team or _("No team"), rate) for team, rate in by_team],
                "by_officer": [(o.name if o else _("No officer in charge"), rate) for o, rate in by_officer],
                "overdue": overdue,
                "now": now,
                "due_in_words": due_in_words(request.app.state.rules.calendar),
                "event_label": event_label,
                "party_name": party_name,
            },
        )


@officer_page(*SUPERVISORS)
async def reassign(request: Request) -> Response:
    officer: Officer = request.state.officer
    form = await read_form(request)
    async with request.app.state.db.transaction() as db:
        crime = await visible_crime(db, officer, path_id(request, "crime_id"))
        chosen_id = whole_number(form.get("officer_id", ""))
        chosen = await db.get(Officer, chosen_id) if chosen_id else None
        if chosen is None or chosen.force_id != crime.force_id or chosen.disabled_at is not None:
            page = await load_crime_page(db, officer, crime, rules=request.app.state.rules)
            errors = {"officer_id": _("Choose the officer to put in charge")}
            return await render_crime_page(request, db, page, errors=errors, form="reassign", values=form)
        note = form.get("note", "").strip()
        if len(note) > MAX_NOTE_LENGTH:
            page = await load_crime_page(db, officer, crime, rules=request.app.state.rules)
            errors = {"note": _("The handover note must be 5,000 characters or fewer")}
            return await render_crime_page(request, db, page, errors=errors, form="reassign", values=form)
        previous = crime.officer_in_charge_id
        handover = await _put_in_charge(request, db, crime, chosen, note)
        if handover is not None:
            audit.record(
                db,
                request,
                audit_actions.CRIME_REASSIGN,
                force_id=crime.force_id,
                crime_id=crime.id,
                actor=officer,
                detail=f"from={previous or ''} to={chosen.id}",
            )
            await refresh_entitlements(db, saved_id(crime), request.app.state.rules)
        return redirect_to(request, "officer_crime", query={"done": "reassigned"}, crime_id=crime.id)


async def _put_in_charge(
    request: Request, db: AsyncSession, crime: Crime, named: Officer | None, note: str
) -> Handover | None:
    """The supervisor signed in puts `named` in charge, with their handover note."""
    return await change_officer_in_charge(
        db,
        await force_of(db, crime),
        crime,
        named,
        by=request.state.officer,
        hold_hours=request.app.state.settings.handover_hold_hours,
        note=note,
    )


@officer_page(*SUPERVISORS)
async def settle_conflict(request: Request) -> Response:
    """A supervisor keeps the officer put in charge here, or applies the records system's choice."""
    officer: Officer = request.state.officer
    form = await read_form(request)
    async with request.app.state.db.transaction() as db:
        crime = await visible_crime(db, officer, path_id(request, "crime_id"))
        held = next(
            (h for h in await open_conflicts(db, saved_id(crime)) if h.id == path_id(request, "handover_id")),
            None,
        )
        if held is None:
            raise HTTPException(404)
        if form.get("decision") == "apply":
            named = await db.get(Officer, held.to_officer_id) if held.to_officer_id else None
            note = _("Put in charge as the records system says.")
            await _put_in_charge(request, db, crime, named, note)
            await refresh_entitlements(db, saved_id(crime), request.app.state.rules)
        else:
            keep_officer_in_charge(held, officer)
            db.add(held)
        audit.record(
            db,
            request,
            audit_actions.CRIME_OFFICER_CONFLICT_SETTLED,
            force_id=crime.force_id,
            crime_id=crime.id,
            actor=officer,
            detail=f"handover={held.id} decision={'apply' if form.get('decision') == 'apply' else 'keep'}",
        )
        return redirect_to(
            request,
            "officer_crime",
            query={"done": "conflict_settled"},
            fragment="officer-heading",
            crime_id=crime.id,
        )


routes = [
    Route("/officer/crimes", all_crimes, methods=["GET"], name="officer_crimes"),
    Route("/officer/compliance", compliance, methods=["GET"], name="officer_compliance"),
    Route(
        "/officer/crimes/{crime_id}/officer-in-charge", reassign, methods=["POST"], name="officer_reassign"
    ),
    Route(
        "/officer/crimes/{crime_id}/officer-conflicts/{handover_id}",
        settle_conflict,
        methods=["POST"],
        name="officer_settle_conflict",
    ),
]
