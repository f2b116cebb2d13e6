"""Registering: prove who you are (invitation link, or crime reference and code), confirm your
surname and date of birth, then choose a password.

Between steps the page carries a short-lived signed note of who is registering and how far they
have got; nothing is stored until the password is set, which also kills the link and the code.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from .. import audit, audit_actions
from ..auth import throttle
from ..auth.links import (
    CODE_LENGTH,
    link_still_valid,
    normalise_registration_code,
    party_id_from_link,
    registration_code_lookup,
)
from ..auth.passwords import hash_password, party_password_problem, verify_password
from ..auth.sessions import client_address, end_all_sessions, start_session
from ..auth.tokens import INVITATION, Signer
from ..database import Database
from ..eligibility import portal_offered
from ..i18n import gettext as _
from ..identity import reference_key, surname_key
from ..language import use_party_language
from ..models import Crime, Force, Party, utcnow
from ..pages import render
from ..victims_code import Rules, refresh_entitlements
from . import forms, queries
from .force_choice import forces_for_page, render_form
from .sign_in import signed_in_redirect

PROGRESS = "victim-registration"
PROGRESS_MINUTES = 30
IDENTIFIED = "identified"
CONFIRMED = "confirmed"

CODE_FAILURE_LIMIT = 10
CONFIRM_FAILURE_LIMIT = 5
FAILURE_WINDOW = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Registering:
    party: Party
    crime: Crime
    force: Force
    stage: str


# ---------------------------------------------------------------- the signed note carried between steps


def progress_token(request: Request, party: Party, stage: str) -> str:
    signer = Signer(request.app.state.settings.secret_key)
    return signer.sign(PROGRESS, {"p": party.id, "s": stage, "t": int(time.time())})


async def registering_from(request: Request, token: str, *, stage: str) -> Registering | None:
    """Who is registering, if the note is genuine, recent, at this stage, and they are still unregistered."""
    signer = Signer(request.app.state.settings.secret_key)
    note = signer.unsign(PROGRESS, token[:2000], max_age_seconds=PROGRESS_MINUTES * 60)
    if not isinstance(note, dict) or note.get("s") != stage or not isinstance(note.get("p"), int):
        return None
    async with request.app.state.db.session() as db:
        found = await queries.party_with_crime(db, note["p"])
    if found is None:
        return None
    party, crime, force = found
    deleted_since = party.account_deleted_at and party.account_deleted_at.timestamp() >= note.get("t", 0)
    if party.password_hash is not None or deleted_since or not portal_offered(force, crime, party):
        return None
    request.state.force = force
    use_party_language(party.preferred_language)
    return Registering(party, crime, force, stage)


def confirm_page(
    request: Request, registering: Registering, form: forms.Form | None = None, *, status_code: int = 200
) -> Response:
    form = form or forms.Form()
    return render(
        request,
        "victim/register_confirm.html",
        {
            "values": form.values,
            "errors": form.errors,
            "progress": progress_token(request, registering.party, IDENTIFIED),
        },
        status_code=status_code,
    )


def password_page(
    request: Request,
    registering: Registering,
    form: forms.Form | None = None,
    *,
    show_password: bool = False,
    password: str = "",
) -> Response:
    form = form or forms.Form()
    return render(
        request,
        "victim/register_password.html",
        {
            "errors": form.errors,
            "progress": progress_token(request, registering.party, CONFIRMED),
            "show_password": show_password,
            "password": password if show_password else "",
        },
    )


def start_again_page(request: Request) -> Response:
    return render(request, "victim/register_start_again.html", status_code=400)


def too_many_attempts_page(request: Request) -> Response:
    return render(request, "victim/register_blocked.html", status_code=429)


# ---------------------------------------------------------------- step 1a: crime reference and code


def code_page(request: Request, forces: list[Force], form: forms.Form | None = None) -> Response:
    return render_form(request, "victim/register_start.html", forces, form)


async def show_code_form(request: Request) -> Response:
    return code_page(request, await forces_for_page(request))


async def check_code(request: Request) -> Response:
    forces = await forces_for_page(request)
    submitted = await forms.submitted(request)
    form = forms.Form()
    force = forms.chosen_force(form, submitted, forces)
    reference = forms.crime_reference(form, submitted)
    code = forms.required_text(
        form,
        submitted,
        "code",
        missing=_("Enter your registration code"),
        max_length=forms.CODE_MAX,
        too_long=_("The code must be {n} letters and numbers").format(n=CODE_LENGTH),
    )
    if code and "code" not in form.errors and len(normalise_registration_code(code)) != CODE_LENGTH:
        form.error("code", _("The code must be {n} letters and numbers").format(n=CODE_LENGTH))
    if not form.is_valid:
        return code_page(request, forces, form)
    party, limited = await _party_holding_code(
        request.app.state.db, request, force, reference, normalise_registration_code(code)
    )
    if limited:
        return too_many_attempts_page(request)
    found = None
    if party is not None:
        async with request.app.state.db.session() as db:
            found = await queries.party_with_crime(db, party.id)  # type: ignore[arg-type]
    if found is None or not portal_offered(found[2], found[1], found[0]):
        form.error(
            "reference",
            _(
                "The details you gave do not match what we have. Check the crime reference number and code. "
                "Then try again"
            ),
        )
        return code_page(request, forces, form)
    request.state.force = found[2]
    use_party_language(found[0].preferred_language)
    return confirm_page(request, Registering(*found, stage=IDENTIFIED))


async def _party_holding_code(
    database: Database, request: Request, force: Force | None, reference: str, code: str
) -> tuple[Party | None, bool]:
    """(the party the code belongs to, whether this client or crime has had too many tries)."""
    force_id = force.id if force and force.id else 0
    client = f"victim-register:client:{client_address(request)}"
    crime = f"victim-register:crime:{force_id}:{reference_key(reference)}"
    # Counted before any hashing, so that a burst gets at most the limit checked, and a limited
    # client costs the server no hashing at all.
    async with database.transaction() as db:
        from_client = await throttle.hit(db, client, window=FAILURE_WINDOW)
        on_crime = await throttle.hit(db, crime, window=FAILURE_WINDOW)
    if from_client > CODE_FAILURE_LIMIT or on_crime > CODE_FAILURE_LIMIT:
        return None, True
    lookup = registration_code_lookup(request.app.state.settings.secret_key, code)
    async with database.session() as db:
        candidates = (
            await queries.parties_holding_a_code(
                db, force_id=force_id, reference_key=reference_key(reference), lookup=lookup
            )
            if force_id
            else []
        )
    holder = None
    # One verification whether the crime exists, has codes or not (against a dummy hash when no
    # code has this fingerprint), so that the time taken tells nothing.
    stored_hashes: list[tuple[Party | None, str | None]] = [
        (candidate, candidate.registration_code_hash) for candidate in candidates
    ] or [(None, None)]
    for candidate, stored_hash in stored_hashes:
        matches, _rehash = await verify_password(request.app.state.hasher, stored_hash, code)
        if matches and candidate is not None and holder is None:
            holder = candidate
    if holder is not None:
        async with database.transaction() as db:
            await throttle.give_back(db, client)
            await throttle.give_back(db, crime)
    return holder, False


# ---------------------------------------------------------------- step 1b: the invitation link


def link_is_usable(party: Party, fingerprint: str) -> bool:
    if party.password_hash is not None or not link_still_valid(party, fingerprint):
        return False
    if party.account_deleted_at is not None:
        # A deleted account may register again only from an invitation sent after the deletion.
        return party.invited_at is not None and party.invited_at > party.account_deleted_at
    return True


async def open_invitation(request: Request) -> Response:
    link = party_id_from_link(request.app.state.settings, INVITATION, request.path_params["token"][:2000])
    found = None
    if link is not None:
        async with request.app.state.db.session() as db:
            found = await queries.party_with_crime(db, link[0])
    if (
        link is None
        or found is None
        or not link_is_usable(found[0], link[1])
        or not portal_offered(found[2], found[1], found[0])
    ):
        await forces_for_page(request)
        return render(request, "victim/register_link_invalid.html", status_code=404)
    request.state.force = found[2]
    use_party_language(found[0].preferred_language)
    return confirm_page(request, Registering(*found, stage=IDENTIFIED))


# ---------------------------------------------------------------- step 2: confirm surname and date of birth


async def confirm_details(request: Request) -> Response:
    submitted = await forms.submitted(request)
    registering = await registering_from(request, forms.text(submitted, "progress"), stage=IDENTIFIED)
    if registering is None:
        await forces_for_page(request)
        return start_again_page(request)
    form = forms.Form()
    surname = forms.surname(form, submitted)
    born = forms.date_of_birth(form, submitted)
    if not form.is_valid:
        return confirm_page(request, registering, form)
    key = f"victim-register:party:{registering.party.id}"
    async with request.app.state.db.transaction() as db:
        # Counted before checking (the count's row stays locked until this transaction ends).
        if await throttle.hit(db, key, window=FAILURE_WINDOW) > CONFIRM_FAILURE_LIMIT:
            return too_many_attempts_page(request)
        party = registering.party
        if surname_key(surname) != party.surname_key or born is None or born != party.date_of_birth:
            form.error(
                "surname",
                _("The surname or date of birth is not what we have. Check them and try again"),
            )
            return confirm_page(request, registering, form)
    return password_page(request, Registering(party, registering.crime, registering.force, CONFIRMED))


# ---------------------------------------------------------------- step 3: choose a password


async def choose_password(request: Request) -> Response:
    submitted = await forms.submitted(request)
    registering = await registering_from(request, forms.text(submitted, "progress"), stage=CONFIRMED)
    if registering is None:
        await forces_for_page(request)
        return start_again_page(request)
    form = forms.Form()
    password = forms.password(form, submitted, missing=_("Enter a password"))
    shown = forms.wants_password_shown(submitted)
    if shown is not None:
        return password_page(request, registering, show_password=shown, password=password)
    problem = form.errors.get("password") or party_password_problem(
        password, registering.party, registering.crime
    )
    if problem:
        form.errors = {"password": problem}
        return password_page(request, registering, form)
    async with request.app.state.db.transaction() as db:
        party = await db.get(Party, registering.party.id)
        if party is None or party.password_hash is not None:
            return start_again_page(request)
        password_hash = await hash_password(request.app.state.hasher, password)
        await _register(db, request.app.state.rules, party, password_hash)
        audit.record(
            db,
            request,
            audit_actions.PARTY_REGISTER,
            force_id=registering.force.id,
            crime_id=registering.crime.id,
            party_id=party.id,
            actor=party,
        )
        signed_token = await start_session(db, request, party_id=party.id)
    return signed_in_redirect(request, signed_token, "/case?welcome=1")


async def _register(db: AsyncSession, rules: Rules, party: Party, password_hash: str) -> None:
    now = utcnow()
    party.password_hash = password_hash
    party.registered_at = now
    party.registration_code_hash = None
    party.registration_code_expires_at = None
    party.account_deleted_at = None
    party.failed_sign_ins = 0
    party.locked_until = None
    party.last_sign_in_at = now
    party.updated_at = now
    db.add(party)
    await end_all_sessions(db, party_id=party.id)
    await refresh_entitlements(db, party.crime_id, rules)  # the portal now tells them what it holds
