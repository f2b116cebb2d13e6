"""Force admins: the force's name, contact details, crime reference format, retention, languages and support
services."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import audit, audit_actions
from ..eligibility import MAX_CODES_TEXT, codes_text
from ..i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES
from ..i18n import gettext as _
from ..models import Force, Officer
from ..pages import redirect_to
from ..reference_formats import BadFormat, compiled, matches_format
from . import sso
from .access import officer_page
from .admin import EMAIL_PATTERN
from .forms import Errors, read_form, whole_number
from .rendering import render_page

MAX_SERVICES = 10
SERVICE_FIELDS = ("name", "offers", "phone", "website", "hours")
WEBSITE_PATTERN = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)
RETENTION_DAYS = (30, 3650)
REMINDER_DAYS = (1, 60)
UPDATE_REQUEST_DAYS = (1, 90)
TRANSLATED_LANGUAGES = tuple(code for code in SUPPORTED_LANGUAGES if code != DEFAULT_LANGUAGE)
ALERT_WINDOW_MINUTES = (0, 1440)


def services_of(force: Force) -> list[dict[str, str]]:
    try:
        services = json.loads(force.support_services_json or "[]")
    except ValueError:
        return []
    if not isinstance(services, list):
        return []
    return [{f: str(s.get(f, "")) for f in SERVICE_FIELDS} for s in services if isinstance(s, dict)]


def values_of(force: Force) -> dict[str, str]:
    values = {
        "name": force.name,
        "non_emergency_phone": force.non_emergency_phone,
        "contact_email": force.contact_email,
        "website": force.website,
        "crime_ref_pattern": force.crime_ref_pattern,
        "retention_days": str(force.retention_days),
        "unread_reminder_days": str(force.unread_reminder_days),
        "update_request_interval_days": str(force.update_request_interval_days),
        "alert_window_minutes": str(force.alert_window_minutes),
        "links_in_texts": "yes" if force.links_in_texts else "no",
        "portal_offence_codes": force.portal_offence_codes,
        "portal_excluded_offence_codes": force.portal_excluded_offence_codes,
        "languages_shown": "yes",
        **{f"language_{code}": "yes" for code in force.languages.split() if code != DEFAULT_LANGUAGE},
        **({"welsh_first": "yes"} if force.welsh_first else {}),
    }
    for number, service in enumerate(services_of(force), start=1):
        values.update({f"service-{number}-{f}": v for f, v in service.items()})
    return values


def submitted_services(values: dict[str, str]) -> list[tuple[int, dict[str, str]]]:
    """(number, fields) of each service the form sent, left as typed."""
    found = []
    for number in range(1, MAX_SERVICES + 1):
        fields = {f: values.get(f"service-{number}-{f}", "").strip() for f in SERVICE_FIELDS}
        found.append((number, fields))
    return found


def _check_text(
    errors: Errors, values: dict[str, str], name: str, label: str, limit: int, required: bool
) -> str:
    value = values.get(name, "").strip()
    if required and not value:
        errors[name] = _("Enter the {label}").format(label=label)
    elif len(value) > limit:
        errors[name] = _("The {label} must be {limit} characters or fewer").format(label=label, limit=limit)
    return value


def _check_days(
    errors: Errors, values: dict[str, str], name: str, label: str, bounds: tuple[int, int]
) -> int:
    low, high = bounds
    number = whole_number(values.get(name, ""))
    if number is None or not low <= number <= high:
        errors[name] = _("The {label} must be a whole number from {low} to {high}").format(
            label=label, low=low, high=high
        )
        return 0
    return number


def check_pattern(errors: Errors, pattern: str) -> None:
    if "crime_ref_pattern" in errors:
        return
    try:
        compiled(pattern)
    except BadFormat as error:
        errors["crime_ref_pattern"] = _(
            "The crime reference format is not a regular expression we can use: {problem}"
        ).format(problem=error)
        return
    if matches_format(pattern, ""):
        errors["crime_ref_pattern"] = _("The crime reference format must not match an empty reference")


def parse_settings(values: dict[str, str]) -> tuple[dict[str, Any], Errors]:
    errors: Errors = {}
    settings: dict[str, Any] = {
        "name": _check_text(errors, values, "name", _("force name"), 200, True),
        "non_emergency_phone": _check_text(
            errors, values, "non_emergency_phone", _("non-emergency phone number"), 40, True
        ),
        "contact_email": _check_text(errors, values, "contact_email", _("contact email address"), 254, False),
        "website": _check_text(errors, values, "website", _("website address"), 300, False),
        "crime_ref_pattern": _check_text(
            errors, values, "crime_ref_pattern", _("crime reference format"), 300, True
        ),
        "retention_days": _check_days(
            errors, values, "retention_days", _("retention period"), RETENTION_DAYS
        ),
        "unread_reminder_days": _check_days(
            errors, values, "unread_reminder_days", _("reminder period"), REMINDER_DAYS
        ),
    }
    if (
        settings["contact_email"]
        and "contact_email" not in errors
        and not EMAIL_PATTERN.fullmatch(settings["contact_email"])
    ):
        errors["contact_email"] = _(
            "Enter an email address in the correct format, like contact@police.example"
        )
    if settings["website"] and "website" not in errors and not WEBSITE_PATTERN.fullmatch(settings["website"]):
        errors["website"] = _("Enter a website address that starts with https://")
    check_pattern(errors, settings["crime_ref_pattern"])
    for name, label in (
        ("portal_offence_codes", _("list of offence codes offered the portal")),
        ("portal_excluded_offence_codes", _("list of offence codes never offered the portal")),
    ):
        if name in values:  # left as it is by a form that does not send it
            settings[name] = codes_text(_check_text(errors, values, name, label, MAX_CODES_TEXT, False))
    if "update_request_interval_days" in values:  # left as it is by a form that does not send it
        settings["update_request_interval_days"] = _check_days(
            errors, values, "update_request_interval_days", _("update request interval"), UPDATE_REQUEST_DAYS
        )
    if "languages_shown" in values:  # left as they are by a form that does not show them
        chosen = [code for code in TRANSLATED_LANGUAGES if values.get(f"language_{code}")]
        settings["languages"] = " ".join([DEFAULT_LANGUAGE, *chosen])
        settings["welsh_first"] = bool(values.get("welsh_first"))
    if "alert_window_minutes" in values:  # left as it is by a form that does not send it
        settings["alert_window_minutes"] = _check_days(
            errors, values, "alert_window_minutes", _("time between alerts"), ALERT_WINDOW_MINUTES
        )
    if "links_in_texts" in values:
        if values["links_in_texts"] not in ("yes", "no"):
            errors["links_in_texts"] = _("Select whether invitations by text may carry a link")
        settings["links_in_texts"] = values["links_in_texts"] == "yes"
    services = []
    for number, fields in submitted_services(values):
        if not any(fields.values()):
            continue
        if not fields["name"]:
            errors[f"service-{number}-name"] = _("Enter the name of support service {number}").format(
                number=number
            )
        for field, limit in (("name", 200), ("offers", 500), ("phone", 40), ("website", 300), ("hours", 200)):
            if len(fields[field]) > limit:
                errors[f"service-{number}-{field}"] = _("This must be {limit} characters or fewer").format(
                    limit=limit
                )
        if fields["website"] and not WEBSITE_PATTERN.fullmatch(fields["website"]):
            errors[f"service-{number}-website"] = _("Enter a website address that starts with https://")
        services.append(fields)
    settings["support_services_json"] = json.dumps(services)
    return settings, errors


def service_count_to_show(values: dict[str, str]) -> int:
    filled = [n for n, fields in submitted_services(values) if any(fields.values())]
    return min(MAX_SERVICES, (max(filled) if filled else 0) + 1)


async def _page(
    request: Request, db: AsyncSession, values: dict[str, str], errors: Errors | None = None
) -> Response:
    context = {
        "values": values,
        "errors": errors or {},
        "service_numbers": list(range(1, service_count_to_show(values) + 1)),
        "done": request.query_params.get("done", ""),
        "single_sign_on": await sso.admin_summary(db, request),
    }
    return await render_page(request, db, "officer/admin/force.html", context)


@officer_page("admin")
async def force_settings(request: Request) -> Response:
    async with request.app.state.db.session() as db:
        return await _page(request, db, values_of(request.state.force))


@officer_page("admin")
async def save_force_settings(request: Request) -> Response:
    admin: Officer = request.state.officer
    values = await read_form(request)
    settings, errors = parse_settings(values)
    async with request.app.state.db.transaction() as db:
        if errors:
            return await _page(request, db, values, errors)
        force = await db.get(Force, admin.force_id)
        assert force is not None
        for name, value in settings.items():
            setattr(force, name, value)
        request.state.force = force
        audit.record(db, request, audit_actions.FORCE_SETTINGS, force_id=force.id, actor=admin)
        return redirect_to(request, "officer_admin_force", query={"done": "saved"})


routes = [
    Route("/officer/admin/force", force_settings, methods=["GET"], name="officer_admin_force"),
    Route("/officer/admin/force", save_force_settings, methods=["POST"], name="officer_admin_force_post"),
]
