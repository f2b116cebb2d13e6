"""Force admins: records-system API keys, shown once when created, revocable, with their last use."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import audit, audit_actions
from ..auth.api_keys import create_api_key, revoke_api_key
from ..case_events.hearings import agency_label
from ..i18n import gettext as _
from ..models import Agency, ApiKey, Officer
from ..pages import redirect_to
from .access import officer_page, path_id
from .admin import ADMINS
from .forms import Errors, read_form
from .rendering import render_page

MAX_LABEL_LENGTH = 100


async def _keys_page(
    request: Request, db: AsyncSession, *, errors: Errors | None = None, label: str = "", agency: str = ""
) -> Response:
    admin: Officer = request.state.officer
    keys = (
        await db.exec(
            select(ApiKey)
            .where(col(ApiKey.force_id) == admin.force_id)
            .order_by(col(ApiKey.revoked_at).is_not(None), col(ApiKey.created_at).desc())
        )
    ).all()
    context = {
        "keys": keys,
        "errors": errors or {},
        "label": label,
        "agency": agency or Agency.POLICE,
        "agency_options": [(code, agency_label(code)) for code in Agency.ALL],
        "agency_label": agency_label,
        "done": request.query_params.get("done", ""),
    }
    return await render_page(request, db, "officer/admin/api_keys.html", context)


@officer_page(*ADMINS)
async def api_keys(request: Request) -> Response:
    async with request.app.state.db.session() as db:
        return await _keys_page(request, db)


@officer_page(*ADMINS)
async def create_key(request: Request) -> Response:
    admin: Officer = request.state.officer
    form = await read_form(request)
    label = form.get("label", "").strip()
    agency = form.get("agency", Agency.POLICE)
    async with request.app.state.db.transaction() as db:
        errors: Errors = {}
        if not label:
            errors["label"] = _("Enter a name for the key")
        elif len(label) > MAX_LABEL_LENGTH:
            errors["label"] = _("The name must be 100 characters or fewer")
        if agency not in Agency.ALL:
            errors["agency"] = _("Choose whose system will use the key")
        if errors:
            return await _keys_page(request, db, errors=errors, label=label, agency=agency)
        api_key, key_text = await create_api_key(db, force_id=admin.force_id, label=label, agency=agency)
        audit.record(
            db,
            request,
            audit_actions.API_KEY_CREATE,
            force_id=admin.force_id,
            actor=admin,
            detail=f"key={api_key.id} agency={agency}",
        )
        return await render_page(
            request, db, "officer/admin/api_key_created.html", {"api_key": api_key, "key_text": key_text}
        )


@officer_page(*ADMINS)
async def revoke_key(request: Request) -> Response:
    admin: Officer = request.state.officer
    async with request.app.state.db.transaction() as db:
        api_key = await db.get(ApiKey, path_id(request, "key_id"))
        if api_key is None or api_key.force_id != admin.force_id:
            raise HTTPException(404)
        await revoke_api_key(db, api_key)
        audit.record(
            db,
            request,
            audit_actions.API_KEY_REVOKE,
            force_id=admin.force_id,
            actor=admin,
            detail=f"key={api_key.id}",
        )
        return redirect_to(request, "officer_admin_api_keys", query={"done": "revoked"})


routes = [
    Route("/officer/admin/api-keys", api_keys, methods=["GET"], name="officer_admin_api_keys"),
    Route("/officer/admin/api-keys", create_key, methods=["POST"], name="officer_admin_api_keys_post"),
    Route(
        "/officer/admin/api-keys/{key_id}/revoke",
        revoke_key,
        methods=["POST"],
        name="officer_admin_api_key_revoke",
    ),
]
