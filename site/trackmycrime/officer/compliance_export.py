"""The Victims' Code compliance export (issue 12): every entitlement due in a period, as CSV or JSON.

For a force's Victims and Prisoners Act 2024 s.6 returns and its police and crime commissioner.
No names unless an admin ticks "include names"; every export is audited with whether it had them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import audit, audit_actions
from ..models import Crime, Entitlement, Force, Officer, OfficerRole, Party, utcnow
from ..pages import redirect_to
from ..victims_code import OnTimeRate, event_label
from .access import SUPERVISORS, officer_page
from .periods import Period, period_from_query

FORMATS = ("csv", "json")
ON_TIME, LATE, MISSED, NOT_YET_DUE = "on_time", "late", "missed", "not_yet_due"
COLUMNS = (
    "crime_reference",
    "party_id",
    "party_role",
    "event",
    "event_description",
    "event_at",
    "due_at",
    "enhanced_rights",
    "outcome",
    "met_at",
    "met_by",
)
NAME_COLUMNS = ("forenames", "surname")
PERIOD_FIELDS = ("period", "from-day", "from-month", "from-year", "to-day", "to-month", "to-year")


@dataclass(frozen=True)
class ExportRow:
    crime: Crime
    party: Party
    entitlement: Entitlement

    def outcome(self, now: dt.datetime) -> str:
        """As victims_code.reporting.on_time_rate counts it."""
        owed = self.entitlement
        if owed.met_at is not None:
            return ON_TIME if owed.met_at <= owed.due_at else LATE
        return MISSED if owed.due_at < now else NOT_YET_DUE

    def fields(self, now: dt.datetime, *, names: bool) -> dict[str, Any]:
        owed = self.entitlement
        found: dict[str, Any] = {
            "crime_reference": self.crime.reference,
            "party_id": self.party.id,
            "party_role": self.party.role,
            "event": owed.event,
            "event_description": event_label(owed.event),
            "event_at": _iso(owed.event_at),
            "due_at": _iso(owed.due_at),
            "enhanced_rights": owed.enhanced_rights,
            "outcome": self.outcome(now),
            "met_at": _iso(owed.met_at),
            "met_by": owed.met_by or None,
        }
        if names:
            found.update(forenames=self.party.forenames, surname=self.party.surname)
        return found


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if moment else None


async def export_rows(db: AsyncSession, force_id: int, period: Period) -> list[ExportRow]:
    """Every entitlement of the force due in the period, by deadline; only the force's own crimes.

    A period that is not over yet is reported to date: it ends with today (periods.Period).
    """
    rows = await db.exec(
        select(Entitlement, Crime, Party)
        .join(Crime, col(Crime.id) == col(Entitlement.crime_id))
        .join(Party, col(Party.id) == col(Entitlement.party_id))
        .where(
            col(Entitlement.force_id) == force_id,
            col(Crime.force_id) == force_id,
            col(Entitlement.due_at) >= period.start,
            col(Entitlement.due_at) < period.end,
        )
        .order_by(col(Entitlement.due_at), col(Entitlement.id))
    )
    return [ExportRow(crime, party, owed) for owed, crime, party in rows.all()]


def totals(rows: list[ExportRow], now: dt.datetime) -> tuple[OnTimeRate, int]:
    """The on-time rate of the rows (equal to on_time_rate() for the period) and how many are not yet due."""
    outcomes = [row.outcome(now) for row in rows]
    rate = OnTimeRate(outcomes.count(ON_TIME), outcomes.count(LATE), outcomes.count(MISSED))
    return rate, outcomes.count(NOT_YET_DUE)


def as_csv(rows: list[ExportRow], now: dt.datetime, *, names: bool) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=[*COLUMNS, *(NAME_COLUMNS if names else ())], lineterminator="\r\n"
    )
    writer.writeheader()
    for row in rows:
        fields = row.fields(now, names=names)
        fields["enhanced_rights"] = "yes" if fields["enhanced_rights"] else "no"
        # A leading =, +, - or @ makes a spreadsheet formula: names and references are typed by people.
        writer.writerow({k: _safe_cell("" if v is None else str(v)) for k, v in fields.items()})
    return out.getvalue()


def _safe_cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def as_json(rows: list[ExportRow], now: dt.datetime, force: Force, period: Period, *, names: bool) -> str:
    rate, not_yet_due = totals(rows, now)
    document = {
        "force": {"code": force.code, "name": force.name},
        "period": {
            "first_day": period.first_day.isoformat(),
            "last_day": period.last_day.isoformat(),
            # False until the period is over: entitlements due later today (or, for a period
            # asked to end after today, later in it) are not counted yet, and outcomes can change.
            "complete": period.is_complete(now),
            "asked_last_day": (period.asked_last_day or period.last_day).isoformat(),
        },
        "generated_at": _iso(now),
        "names_included": names,
        "totals": {
            "entitlements": len(rows),
            "due": rate.due,
            "on_time": rate.on_time,
            "late": rate.late,
            "missed": rate.missed,
            "not_yet_due": not_yet_due,
            "on_time_rate": None if rate.rate is None else round(rate.rate, 4),
        },
        "entitlements": [row.fields(now, names=names) for row in rows],
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


def wants_names(request: Request, officer: Officer) -> bool:
    """Only an admin may include names, and only by asking."""
    return officer.role == OfficerRole.ADMIN and request.query_params.get("include_names") == "yes"


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _period_query(request: Request) -> dict[str, str]:
    return {k: request.query_params[k] for k in PERIOD_FIELDS if k in request.query_params}


@officer_page(*SUPERVISORS)
async def choose_export(request: Request) -> Response:
    """The export form's target (a GET form cannot choose the address): on to .csv or .json."""
    chosen = request.query_params.get("format", "csv")
    chosen = chosen if chosen in FORMATS else "csv"
    query = _period_query(request)
    if request.query_params.get("include_names") == "yes":
        query["include_names"] = "yes"
    return redirect_to(request, f"officer_compliance_{chosen}", query=query)


async def _export(request: Request, file_format: str) -> Response:
    officer: Officer = request.state.officer
    force: Force = request.state.force
    now = utcnow()
    period, _chosen, errors, _values = period_from_query(request.query_params, now)
    if errors:  # the compliance page shows what is wrong with the dates
        return redirect_to(request, "officer_compliance", query=_period_query(request))
    names = wants_names(request, officer)
    async with request.app.state.db.transaction() as db:
        rows = await export_rows(db, officer.force_id, period)
        audit.record(
            db,
            request,
            audit_actions.COMPLIANCE_EXPORT,
            force_id=officer.force_id,
            actor=officer,
            detail=f"format={file_format} period={period.slug} rows={len(rows)} names={_yes_no(names)}",
        )
    if file_format == "csv":
        body, media_type = as_csv(rows, now, names=names), "text/csv; charset=utf-8"
    else:
        body, media_type = as_json(rows, now, force, period, names=names), "application/json"
    incomplete = "" if period.is_complete(now) else "-so-far"
    filename = f"victims-code-{force.code.lower()}-{period.slug}{incomplete}.{file_format}"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@officer_page(*SUPERVISORS)
async def export_csv(request: Request) -> Response:
    return await _export(request, "csv")


@officer_page(*SUPERVISORS)
async def export_json(request: Request) -> Response:
    return await _export(request, "json")


routes = [
    Route("/officer/compliance/export", choose_export, methods=["GET"], name="officer_compliance_export"),
    Route("/officer/compliance/export.csv", export_csv, methods=["GET"], name="officer_compliance_csv"),
    Route("/officer/compliance/export.json", export_json, methods=["GET"], name="officer_compliance_json"),
]
