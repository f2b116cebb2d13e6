"""Force admins: add officers, change their role and team, disable them, reset passwords and codes."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import audit, audit_actions
from ..auth import throttle
from ..auth.passwords import hash_password, password_problem
from ..auth.sessions import end_all_sessions
from ..i18n import gettext as _
from ..models import ApiKey, Officer, OfficerRole, utcnow
from ..pages import redirect_to
from .access import officer_page, path_id
from .accounts import add_officer, normalise_email
from .forms import Errors, PageForms, read_form
from .rendering import render_page
from .sign_in import account_key

ADMINS = (OfficerRole.ADMIN,)
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
SHOULDER_NUMBER_PATTERN = re.compile(r"[A-Za-z0-9]{1,20}")


def role_options() -> list[tuple[str, str, str]]:
    return [
        (OfficerRole.OFFICER, _("Officer"), _("Sees the crimes they or their team are in charge of.")),
        (
            OfficerRole.SUPERVISOR,
            _("Supervisor"),
            _(
                "Sees every crime of the force, the Victims' Code dashboard and statistics, "
                "and can reassign crimes."
            ),
        ),
        (
            OfficerRole.ADMIN,
            _("Admin"),
            _("Everything a supervisor can do, and manages officers, API keys and force settings."),
        ),
    ]


def role_in_words(role: str) -> str:
    return next((label for value, label, _hint in role_options() if value == role), role)


async def officer_of_force(db: AsyncSession, admin: Officer, officer_id: int) -> Officer:
    officer = await db.get(Officer, officer_id)
    if officer is None or officer.force_id != admin.force_id:
        raise HTTPException(404)
    return officer


def recorded_and_shown(
    request: Request, db: AsyncSession, officer: Officer, action: str, done: str, detail: str = ""
) -> Response:
    """Audit what the admin did to the officer, then show the officer's page with what was done."""
    admin: Officer = request.state.officer
    audit.record(
        db,
        request,
        action,
        force_id=admin.force_id,
        actor=admin,
        detail=f"officer={officer.id}" + (f" {detail}" if detail else ""),
    )
    return redirect_to(request, "officer_admin_officer", query={"done": done}, officer_id=officer.id)


def new_password_problems(values: dict[str, str], personal_words: tuple[str, ...]) -> Errors:
    errors: Errors = {}
    password = values.get("password", "")
    problem = password_problem(password, personal_words=personal_words)
    if problem:
        errors["password"] = problem
    elif values.get("password_confirm", "") != password:
        errors["password_confirm"] = _("The passwords do not match. Enter the same password twice")
    return errors


async def officer_problems(db: AsyncSession, force_id: int, values: dict[str, str]) -> Errors:
    errors: Errors = {}
    name = values.get("name", "").strip()
    email = normalise_email(values.get("email", ""))
    shoulder_number = values.get("shoulder_number", "").strip()
    if not name:
        errors["name"] = _("Enter the officer's full name")
    elif len(name) > 200:
        errors["name"] = _("The name must be 200 characters or fewer")
    if not email:
        errors["email"] = _("Enter the officer's force email address")
    elif len(email) > 254 or not EMAIL_PATTERN.fullmatch(email):
        errors["email"] = _("Enter an email address in the correct format, like name@police.example")
    elif (
        await db.exec(
            select(col(Officer.id)).where(col(Officer.force_id) == force_id, col(Officer.email) == email)
        )
    ).first():
        errors["email"] = _("An officer with this email address already exists")
    if shoulder_number and not SHOULDER_NUMBER_PATTERN.fullmatch(shoulder_number):
        errors["shoulder_number"] = _("A shoulder number is up to 20 letters and numbers")
    elif (
        shoulder_number
        and (
            await db.exec(
                select(col(Officer.id)).where(
                    col(Officer.force_id) == force_id, col(Officer.shoulder_number) == shoulder_number
                )
            )
        ).first()
    ):
        errors["shoulder_number"] = _("An officer with this shoulder number already exists")
    if values.get("role") not in OfficerRole.ALL:
        errors["role"] = _("Choose what the officer can do")
    if len(values.get("team", "").strip()) > 100:
        errors["team"] = _("The team name must be 100 characters or fewer")
    words = tuple(name.split()) + (email.split("@")[0],)
    errors.update(new_password_problems(values, words))
    return errors


@officer_page(*ADMINS)
async def admin_home(request: Request) -> Response:
    admin: Officer = request.state.officer
    async with request.app.state.db.session() as db:
        officers = (
            await db.exec(
                select(func.count()).select_from(Officer).where(col(Officer.force_id) == admin.force_id)
            )
        ).one()
        keys = (
            await db.exec(
                select(func.count())
                .select_from(ApiKey)
                .where(col(ApiKey.force_id) == admin.force_id, col(ApiKey.revoked_at).is_(None))
            )
        ).one()
        return await render_page(
            request, db, "officer/admin/home.html", {"officer_count": officers, "key_count": keys}
        )


@officer_page(*ADMINS)
async def officers_list(request: Request) -> Response:
    admin: Officer = request.state.officer
    async with request.app.state.db.session() as db:
        officers = (
            await db.exec(
                select(Officer).where(col(Officer.force_id) == admin.force_id).order_by(col(Officer.name))
            )
        ).all()
        return await render_page(
            request,
            db,
            "officer/admin/officers.html",
            {"officers": officers, "now": utcnow(), "role_in_words": role_in_words},
        )


def wants_password_shown(values: dict[str, str]) -> bool | None:
    """The Show/Hide password button without JavaScript submits the form: True, False, or None
    when the form was really sent."""
    toggle = values.get("show_password")
    return None if toggle not in ("0", "1") else toggle == "1"


async def _new_officer_form(
    request: Request, db: AsyncSession, errors: Errors, values: dict[str, str], *, shown: bool = False
) -> Response:
    return await render_page(
        request,
        db,
        "officer/admin/new_officer.html",
        {"errors": errors, "values": values, "role_options": role_options(), "password_shown": shown},
    )


def _without_passwords(values: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in values.items() if not k.startswith("password")}


@officer_page(*ADMINS)
async def new_officer_page(request: Request) -> Response:
    async with request.app.state.db.session() as db:
        return await _new_officer_form(request, db, {}, {"role": OfficerRole.OFFICER})


@officer_page(*ADMINS)
async def create_officer(request: Request) -> Response:
    admin: Officer = request.state.officer
    values = await read_form(request)
    async with request.app.state.db.transaction() as db:
        shown = wants_password_shown(values)
        if shown is not None:
            return await _new_officer_form(
                request, db, {}, values if shown else _without_passwords(values), shown=shown
            )
        errors = await officer_problems(db, admin.force_id, values)
        if errors:
            return await _new_officer_form(request, db, errors, _without_passwords(values))
        officer = await add_officer(
            db,
            hasher=request.app.state.hasher,
            force_id=admin.force_id,
            email=values["email"],
            name=values["name"],
            password=values["password"],
            shoulder_number=values.get("shoulder_number"),
            role=values["role"],
            team=values.get("team", "").strip(),
        )
        officer.must_change_password = True
        return recorded_and_shown(request, db, officer, audit_actions.OFFICER_CREATE, "created")


# The forms on an officer's page that an admin submits: only the one submitted shows its errors.
OFFICER_PAGE_FORMS = ("details", "password", "status")


async def _officer_page(
    request: Request,
    db: AsyncSession,
    officer: Officer,
    *,
    errors: Errors | None = None,
    form: str = "",
    values: dict[str, str] | None = None,
    password_shown: bool = False,
) -> Response:
    context: dict[str, Any] = {
        "password_shown": password_shown,
        "person": officer,
        "errors": errors or {},
        "forms": PageForms(OFFICER_PAGE_FORMS, submitted=form, errors=errors, values=values),
        "done": request.query_params.get("done", ""),
        "now": utcnow(),
        "is_self": officer.id == request.state.officer.id,
        "role_options": role_options(),
        "role_in_words": role_in_words,
    }
    return await render_page(request, db, "officer/admin/officer.html", context)


@officer_page(*ADMINS)
async def officer_page_view(request: Request) -> Response:
    async with request.app.state.db.session() as db:
        officer = await officer_of_force(db, request.state.officer, path_id(request, "officer_id"))
        return await _officer_page(request, db, officer)


@officer_page(*ADMINS)
async def change_details(request: Request) -> Response:
    admin: Officer = request.state.officer
    values = await read_form(request)
    async with request.app.state.db.transaction() as db:
        officer = await officer_of_force(db, admin, path_id(request, "officer_id"))
        errors: Errors = {}
        role = values.get("role", "")
        team = values.get("team", "").strip()
        if role not in OfficerRole.ALL:
            errors["role"] = _("Choose what the officer can do")
        elif officer.id == admin.id and role != officer.role:
            errors["role"] = _("You cannot change your own role. Ask another admin")
        if len(team) > 100:
            errors["team"] = _("The team name must be 100 characters or fewer")
        if errors:
            return await _officer_page(request, db, officer, errors=errors, form="details", values=values)
        if role != officer.role:
            # A change of privilege: the officer signs in again with their new role.
            await end_all_sessions(db, officer_id=officer.id)
        officer.role, officer.team = role, team
        return recorded_and_shown(
            request, db, officer, audit_actions.OFFICER_UPDATE, "details", f"role={role} team={team}"
        )


@officer_page(*ADMINS)
async def reset_password(request: Request) -> Response:
    admin: Officer = request.state.officer
    values = await read_form(request)
    async with request.app.state.db.transaction() as db:
        officer = await officer_of_force(db, admin, path_id(request, "officer_id"))
        shown = wants_password_shown(values)
        if shown is not None:
            return await _officer_page(
                request, db, officer, form="password", values=values if shown else {}, password_shown=shown
            )
        words = tuple(officer.name.split()) + (officer.email.split("@")[0],)
        errors = new_password_problems(values, words)
        if errors:
            return await _officer_page(request, db, officer, errors=errors, form="password")
        officer.password_hash = await hash_password(request.app.state.hasher, values["password"])
        officer.must_change_password = True
        officer.failed_sign_ins, officer.locked_until = 0, None
        await throttle.reset(db, account_key(officer))
        await end_all_sessions(db, officer_id=officer.id)
        return recorded_and_shown(request, db, officer, audit_actions.OFFICER_PASSWORD_RESET, "password")


@officer_page(*ADMINS)
async def reset_two_factor(request: Request) -> Response:
    admin: Officer = request.state.officer
    async with request.app.state.db.transaction() as db:
        officer = await officer_of_force(db, admin, path_id(request, "officer_id"))
        officer.totp_secret = None
        await end_all_sessions(db, officer_id=officer.id)
        return recorded_and_shown(request, db, officer, audit_actions.OFFICER_TWO_FACTOR_RESET, "two-factor")


async def _set_disabled(request: Request, disabled: bool) -> Response:
    admin: Officer = request.state.officer
    async with request.app.state.db.transaction() as db:
        officer = await officer_of_force(db, admin, path_id(request, "officer_id"))
        if officer.id == admin.id:
            return await _officer_page(
                request,
                db,
                officer,
                form="status",
                errors={"status": _("You cannot disable your own account. Ask another admin")},
            )
        officer.disabled_at = utcnow() if disabled else None
        if disabled:
            await end_all_sessions(db, officer_id=officer.id)
        if disabled:
            return recorded_and_shown(request, db, officer, audit_actions.OFFICER_DISABLE, "disabled")
        return recorded_and_shown(request, db, officer, audit_actions.OFFICER_ENABLE, "enabled")


@officer_page(*ADMINS)
async def disable_officer(request: Request) -> Response:
    return await _set_disabled(request, True)


@officer_page(*ADMINS)
async def enable_officer(request: Request) -> Response:
    return await _set_disabled(request, False)


routes = [
    Route("/officer/admin", admin_home, methods=["GET"], name="officer_admin"),
    Route("/officer/admin/officers", officers_list, methods=["GET"], name="officer_admin_officers"),
    Route("/officer/admin/officers/new", new_officer_page, methods=["GET"], name="officer_admin_new_officer"),
    Route("/officer/admin/officers", create_officer, methods=["POST"], name="officer_admin_officers_post"),
    Route(
        "/officer/admin/officers/{officer_id}",
        officer_page_view,
        methods=["GET"],
        name="officer_admin_officer",
    ),
    Route(
        "/officer/admin/officers/{officer_id}/details",
        change_details,
        methods=["POST"],
        name="officer_admin_officer_details",
    ),
    Route(
        "/officer/admin/officers/{officer_id}/password",
        reset_password,
        methods=["POST"],
        name="officer_admin_officer_password",
    ),
    Route(
        "/officer/admin/officers/{officer_id}/two-factor",
        reset_two_factor,
        methods=["POST"],
        name="officer_admin_officer_two_factor",
    ),
    Route(
        "/officer/admin/officers/{officer_id}/disable",
        disable_officer,
        methods=["POST"],
        name="officer_admin_officer_disable",
    ),
    Route(
        "/officer/admin/officers/{officer_id}/enable",
        enable_officer,
        methods=["POST"],
        name="officer_admin_officer_enable",
    ),
]
