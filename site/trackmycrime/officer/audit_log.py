"""The audit log for force admins: who viewed or changed what, filtered, paged, and as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import and_, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import audit, audit_actions
from ..i18n import LONDON
from ..i18n import gettext as _
from ..identity import reference_key
from ..models import AuditEvent, Crime, Officer, OfficerRole
from .access import officer_page
from .forms import Errors, date_from_parts, whole_number, without_control_characters
from .rendering import render_page

ADMINS = (OfficerRole.ADMIN,)
PAGE_SIZE = 50
CSV_LIMIT = 100_000
DATE_FIELDS = tuple(f"{name}-{part}" for name in ("from", "to") for part in ("day", "month", "year"))
ACTOR_KINDS = ("party", "rms", "system")
CSV_COLUMNS = (
    "at",
    "actor_kind",
    "actor_id",
    "actor_name",
    "action",
    "crime_reference",
    "party_id",
    "ip_address",
    "detail",
)


@dataclass(frozen=True)
class AuditFilters:
    """What the admin asked for, as typed (`values`) and as conditions on AuditEvent."""

    values: dict[str, str]
    errors: Errors
    conditions: list[Any]

    def query_string(self) -> str:
        return urlencode({k: v for k, v in self.values.items() if v})


def actor_options(officers: list[Officer]) -> list[tuple[str, str]]:
    return [
        ("", _("Anyone")),
        ("party", _("Victims and witnesses")),
        ("rms", _("The records system")),
        ("system", _("TrackMyCrime itself")),
    ] + [(f"officer-{o.id}", o.name) for o in officers]


def _day_bound(day: dt.date) -> dt.datetime:
    """Midnight at the start of the day, London time, in UTC."""
    return dt.datetime.combine(day, dt.time(), tzinfo=LONDON).astimezone(dt.UTC)


def _date_condition(values: dict[str, str], name: str, what: str, errors: Errors) -> dt.date | None:
    day, problem = date_from_parts(values, name)
    if problem == "incomplete":
        errors[name] = _("The {what} must include a day, month and year").format(what=what)
    elif problem == "invalid":
        errors[name] = _("The {what} must be a real date").format(what=what)
    return day


def read_filters(
    query: QueryParams, force_id: int, actions: list[str], officers: list[Officer]
) -> AuditFilters:
    """The filters from the query string; a filter with a mistake in it is shown, not applied."""
    values = {k: query_value_of(query, k, 10) for k in DATE_FIELDS}
    values.update(
        action=query_value_of(query, "action", 60),
        reference=query_value_of(query, "reference", 40),
        actor=query_value_of(query, "actor", 30),
    )
    errors: Errors = {}
    conditions: list[Any] = [col(AuditEvent.force_id) == force_id]
    first = _date_condition(values, "from", _("start date"), errors)
    last = _date_condition(values, "to", _("end date"), errors)
    if first and last and last < first and "to" not in errors:
        errors["to"] = _("The end date must be the same as or after the start date")
    if first and "from" not in errors:
        conditions.append(col(AuditEvent.at) >= _day_bound(first))
    if last and "to" not in errors:
        conditions.append(col(AuditEvent.at) < _day_bound(last + dt.timedelta(days=1)))
    if values["action"] and values["action"] in actions:
        conditions.append(col(AuditEvent.action).in_(audit_actions.stored_names(values["action"])))
    else:
        values["action"] = ""
    if values["reference"]:
        crime_ids = select(col(Crime.id)).where(
            col(Crime.force_id) == force_id, col(Crime.reference_key) == reference_key(values["reference"])
        )
        conditions.append(col(AuditEvent.crime_id).in_(crime_ids))
    actor = values["actor"]
    officer_id = whole_number(actor.removeprefix("officer-")) if actor.startswith("officer-") else None
    if officer_id is not None and any(o.id == officer_id for o in officers):
        conditions += [col(AuditEvent.actor_kind) == "officer", col(AuditEvent.actor_id) == officer_id]
    elif actor in ACTOR_KINDS:
        conditions.append(col(AuditEvent.actor_kind) == actor)
    else:
        values["actor"] = ""
    return AuditFilters(values, errors, conditions)


def query_value_of(query: QueryParams, name: str, max_length: int) -> str:
    return without_control_characters(query.get(name, "")).strip()[:max_length]


async def force_actions(db: AsyncSession, force_id: int) -> list[str]:
    """The actions the force's log holds, each by its current name (older rows were stored under others)."""
    rows = await db.exec(
        select(col(AuditEvent.action)).where(col(AuditEvent.force_id) == force_id).distinct()
    )
    return sorted({audit_actions.current_name(action) for action in rows.all()})


async def force_officers(db: AsyncSession, force_id: int) -> list[Officer]:
    rows = await db.exec(select(Officer).where(col(Officer.force_id) == force_id).order_by(col(Officer.name)))
    return list(rows.all())


def events_query(filters: AuditFilters, force_id: int) -> Any:
    """Events with the crime's reference and the acting officer, newest first; only this force's."""
    return (
        select(AuditEvent, col(Crime.reference), col(Officer.name))
        .outerjoin(Crime, and_(col(Crime.id) == col(AuditEvent.crime_id), col(Crime.force_id) == force_id))
        .outerjoin(
            Officer,
            and_(
                col(AuditEvent.actor_kind) == "officer",
                col(Officer.id) == col(AuditEvent.actor_id),
                col(Officer.force_id) == force_id,
            ),
        )
        .where(*filters.conditions)
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    )


def actor_in_words(event: AuditEvent, officer_name: str | None) -> str:
    if event.actor_kind == "officer":
        return officer_name or _("An officer")
    if event.actor_kind == "party":
        return _("Victim or witness")
    if event.actor_kind == "rms":
        return _("The records system")
    return _("TrackMyCrime")


async def _filters_for(db: AsyncSession, request: Request) -> tuple[AuditFilters, list[str], list[Officer]]:
    force_id = request.state.officer.force_id
    actions = await force_actions(db, force_id)
    officers = await force_officers(db, force_id)
    return read_filters(request.query_params, force_id, actions, officers), actions, officers


@officer_page(*ADMINS)
async def audit_log(request: Request) -> Response:
    force_id = request.state.officer.force_id
    async with request.app.state.db.session() as db:
        filters, actions, officers = await _filters_for(db, request)
        total = int(
            (await db.exec(select(func.count()).select_from(AuditEvent).where(*filters.conditions))).one()
        )
        pages = max(1, -(-total // PAGE_SIZE))
        page_number = min(max(whole_number(request.query_params.get("page", "")) or 1, 1), pages)
        rows = (
            await db.exec(
                events_query(filters, force_id).offset((page_number - 1) * PAGE_SIZE).limit(PAGE_SIZE)
            )
        ).all()
        return await render_page(
            request,
            db,
            "officer/admin/audit.html",
            {
                "rows": [(event, reference, actor_in_words(event, name)) for event, reference, name in rows],
                "total": total,
                "pages": pages,
                "page_number": page_number,
                "values": filters.values,
                "errors": filters.errors,
                "filter_query": filters.query_string(),
                "action_options": [("", _("Any action"))] + [(a, a) for a in actions],
                "actor_options": actor_options(officers),
                "action_name": audit_actions.current_name,
            },
        )


def _safe_cell(value: str) -> str:
    """A leading =, +, - or @ would be a formula to a spreadsheet; details hold text people typed."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def as_csv(rows: list[tuple[AuditEvent, str | None, str | None]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for event, reference, officer_name in rows:
        fields = (
            event.at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            event.actor_kind,
            event.actor_id,
            actor_in_words(event, officer_name),
            audit_actions.current_name(event.action),
            reference,
            event.party_id,
            event.ip_address,
            event.detail,
        )
        writer.writerow([_safe_cell("" if v is None else str(v)) for v in fields])
    return out.getvalue()


@officer_page(*ADMINS)
async def audit_log_csv(request: Request) -> Response:
    officer: Officer = request.state.officer
    async with request.app.state.db.transaction() as db:
        filters, _actions, _officers = await _filters_for(db, request)
        rows = list((await db.exec(events_query(filters, officer.force_id).limit(CSV_LIMIT))).all())
        audit.record(
            db,
            request,
            audit_actions.AUDIT_EXPORT,
            force_id=officer.force_id,
            actor=officer,
            detail=f"rows={len(rows)} filters={filters.query_string()}",
        )
    return Response(
        as_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"', "Cache-Control": "no-store"},
    )


routes = [
    Route("/officer/admin/audit", audit_log, methods=["GET"], name="officer_admin_audit"),
    Route("/officer/admin/audit.csv", audit_log_csv, methods=["GET"], name="officer_admin_audit_csv"),
]
