"""Forgotten password: a reset link to the email on file, and the same answer whatever is entered."""

from __future__ import annotations

import datetime as dt
import time

import anyio
from starlette.requests import Request
from starlette.responses import Response

from .. import audit, audit_actions
from ..auth import throttle
from ..auth.links import RESET_LINK_HOURS, link_still_valid, party_id_from_link
from ..auth.passwords import hash_password, party_password_problem
from ..auth.sessions import client_address, end_all_sessions, start_session
from ..auth.tokens import PASSWORD_RESET
from ..i18n import gettext as _
from ..identity import reference_key, surname_key
from ..models import Crime, Force, Party, utcnow
from ..notify.outbox import AlertKind, queue_alert
from ..pages import redirect_to, render
from . import forms, lockout, queries
from .force_choice import forces_for_page, render_form
from .sign_in import signed_in_redirect

CLIENT_LIMIT = 10
DETAILS_LIMIT = 3
WINDOW = dt.timedelta(hours=1)
RESET_ANSWER_SECONDS = 0.25


def request_page(request: Request, forces: list[Force], form: forms.Form | None = None) -> Response:
    return render_form(request, "victim/forgotten_password.html", forces, form)


async def show_request_form(request: Request) -> Response:
    return request_page(request, await forces_for_page(request))


async def request_reset(request: Request) -> Response:
    forces = await forces_for_page(request)
    submitted = await forms.submitted(request)
    form = forms.Form()
    force, surname, reference, born = forms.identifying_details(form, submitted, forces)
    if not form.is_valid or born is None:
        return request_page(request, forces, form)
    force_id = force.id if force and force.id else 0
    client_key = f"victim-reset:client:{client_address(request)}"
    details_key = lockout.details_key(
        force_id, reference_key(reference), surname_key(surname), born, purpose="victim-reset"
    )
    started = time.monotonic()
    async with request.app.state.db.transaction() as db:
        if await throttle.hit(db, client_key, window=WINDOW) > CLIENT_LIMIT:
            return render(request, "victim/forgotten_password_blocked.html", status_code=429)
        # Past this limit nothing more is sent, but the answer stays the same.
        may_send = await throttle.hit(db, details_key, window=WINDOW) <= DETAILS_LIMIT
        found = None
        if force is not None and force_id:
            found = await queries.party_by_sign_in_details(
                db,
                force_id=force_id,
                reference_key=reference_key(reference),
                surname_key=surname_key(surname),
                date_of_birth=born,
            )
        audit.record(
            db,
            request,
            audit_actions.PARTY_PASSWORD_RESET_REQUEST,
            force_id=force_id or None,
            crime_id=found[1].id if found else None,
            party_id=found[0].id if found else None,
            actor_kind="party",
        )
        if found is not None and found[0].email and may_send and force is not None:
            party = found[0]
            await queue_alert(
                db,
                force=force,
                kind=AlertKind.PASSWORD_RESET,
                party=party,
                channels=["email"],
                # The sender signs the link as it sends, so it is never stored.
                cause=f"reset:{party.id}:{time.time_ns()}",
            )
    # The answer never comes sooner than this, so that its time does not tell whether an account
    # with these details exists (queueing the email takes a little longer than not).
    await anyio.sleep(max(0.0, RESET_ANSWER_SECONDS - (time.monotonic() - started)))
    return redirect_to(request, "victim_reset_sent")


async def reset_requested(request: Request) -> Response:
    await forces_for_page(request)
    return render(request, "victim/forgotten_password_sent.html", {"hours": RESET_LINK_HOURS})


async def _party_from_link(request: Request) -> tuple[Party, Crime, Force] | None:
    link = party_id_from_link(request.app.state.settings, PASSWORD_RESET, request.path_params["token"][:2000])
    if link is None:
        return None
    async with request.app.state.db.session() as db:
        found = await queries.party_with_crime(db, link[0])
    if found is None:
        return None
    party = found[0]
    if party.password_hash is None or party.account_deleted_at is not None:
        return None
    if not link_still_valid(party, link[1]):
        return None
    request.state.force = found[2]
    return found


def new_password_page(
    request: Request, form: forms.Form | None = None, *, show_password: bool = False, password: str = ""
) -> Response:
    return render(
        request,
        "victim/reset_password.html",
        {
            "errors": form.errors if form else {},
            "action": request.url.path,
            "show_password": show_password,
            "password": password if show_password else "",
        },
    )


async def invalid_link_page(request: Request) -> Response:
    await forces_for_page(request)
    return render(request, "victim/reset_link_invalid.html", status_code=404)


async def show_new_password_form(request: Request) -> Response:
    if await _party_from_link(request) is None:
        return await invalid_link_page(request)
    return new_password_page(request)


async def set_new_password(request: Request) -> Response:
    found = await _party_from_link(request)
    if found is None:
        return await invalid_link_page(request)
    party, crime, _force = found
    submitted = await forms.submitted(request)
    form = forms.Form()
    password = forms.password(form, submitted, missing=_("Enter a new password"))
    shown = forms.wants_password_shown(submitted)
    if shown is not None:
        return new_password_page(request, show_password=shown, password=password)
    problem = form.errors.get("password") or party_password_problem(password, party, crime)
    if problem:
        form.errors = {"password": problem}
        return new_password_page(request, form)
    new_hash = await hash_password(request.app.state.hasher, password)
    async with request.app.state.db.transaction() as db:
        stored = await db.get(Party, party.id)
        if stored is None or stored.password_hash != party.password_hash:
            return await invalid_link_page(request)
        stored.password_hash = new_hash
        stored.last_sign_in_at = utcnow()
        stored.updated_at = utcnow()
        await lockout.unlock(db, stored, crime)
        await end_all_sessions(db, party_id=stored.id)
        audit.record(
            db,
            request,
            audit_actions.PARTY_PASSWORD_RESET,
            force_id=crime.force_id,
            crime_id=crime.id,
            party_id=stored.id,
            actor=stored,
        )
        signed_token = await start_session(db, request, party_id=stored.id)
    return signed_in_redirect(request, signed_token, "/case?password_changed=1")
