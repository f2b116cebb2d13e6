"""Signing in with surname, crime reference, date of birth and password; signing out; staying in."""

from __future__ import annotations

import datetime as dt
from enum import Enum

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import audit, audit_actions
from ..auth.passwords import hash_password, verify_password
from ..auth.sessions import (
    clear_session_cookie,
    client_address,
    end_all_sessions,
    end_current_session,
    party_required,
    set_session_cookie,
    start_session,
)
from ..database import Database
from ..eligibility import portal_offered
from ..i18n import gettext as _
from ..identity import reference_key, surname_key
from ..models import Crime, Force, Party, utcnow
from ..notify.outbox import AlertKind, queue_alert
from ..pages import redirect_to, render
from . import forms, lockout, queries
from .force_choice import force_options, forces_for_page


class Outcome(Enum):
    SIGNED_IN = "signed in"
    NO_MATCH = "no match"
    TOO_MANY_ATTEMPTS = "too many attempts"


def sign_in_page(
    request: Request,
    forces: list[Force],
    form: forms.Form,
    *,
    show_password: bool = False,
    password: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "victim/sign_in.html",
        {
            "values": form.values,
            "errors": form.errors,
            "force_options": force_options(forces),
            "show_password": show_password,
            "password": password if show_password else "",
            "signed_out": request.query_params.get("signed_out") == "1",
            "idle_minutes": request.app.state.settings.session_idle_minutes,
        },
        status_code=status_code,
    )


def no_match(form: forms.Form) -> forms.Form:
    """The one answer for any mismatch: unknown crime, wrong surname or date of birth, wrong password."""
    form.error(
        "surname",
        _(
            "The details you gave do not match what we have. Check your surname, crime reference number, "
            "date of birth and password. Then try again"
        ),
    )
    return form


def signed_in_redirect(request: Request, signed_token: str, url: str = "/case") -> Response:
    response = RedirectResponse(url, status_code=303)
    set_session_cookie(request, response, signed_token)
    return response


async def show_sign_in(request: Request) -> Response:
    forces = await forces_for_page(request)
    return sign_in_page(request, forces, forms.Form())


async def sign_in(request: Request) -> Response:
    forces = await forces_for_page(request)
    submitted = await forms.submitted(request)
    form = forms.Form()
    force, surname, reference, born = forms.identifying_details(form, submitted, forces)
    password = forms.password(form, submitted)
    shown = forms.wants_password_shown(submitted)
    if shown is not None:
        return sign_in_page(
            request, forces, forms.Form(values=form.values), show_password=shown, password=password
        )
    if not form.is_valid or born is None:
        return sign_in_page(request, forces, form)
    outcome, signed_token = await attempt_sign_in(
        request.app.state.db,
        request,
        force=force,
        details_key=lockout.details_key(
            force.id if force and force.id else 0, reference_key(reference), surname_key(surname), born
        ),
        reference=reference,
        surname=surname,
        born=born,
        password=password,
    )
    if outcome is Outcome.SIGNED_IN and signed_token:
        return signed_in_redirect(request, signed_token)
    if outcome is Outcome.TOO_MANY_ATTEMPTS:
        return render(
            request,
            "victim/sign_in_blocked.html",
            {"lock_minutes": int(lockout.LOCK_FOR.total_seconds() // 60)},
            status_code=429,
        )
    return sign_in_page(request, forces, no_match(form))


async def attempt_sign_in(
    database: Database,
    request: Request,
    *,
    force: Force | None,
    details_key: str,
    reference: str,
    surname: str,
    born: dt.date,
    password: str,
) -> tuple[Outcome, str | None]:
    """Check the details; the same work, and the same answers, whether or not the account exists.

    The attempt is counted before the password is checked, in a transaction of its own, so that
    of any number of attempts arriving together at most the limit are checked (docs/security.md).
    No database connection is held while the password is checked: a burst of sign-ins waiting for
    the hasher would otherwise take every pooled connection from the rest of the site
    (bench/README.md, "Sign-in cost"). So: count, read, verify, then write.
    """
    address = client_address(request)
    attempt = await lockout.count_attempt(database, details_key, address)
    if attempt is None:
        return Outcome.TOO_MANY_ATTEMPTS, None
    found = None
    async with database.session() as db:
        if force is not None and force.id is not None:
            found = await queries.party_by_sign_in_details(
                db,
                force_id=force.id,
                reference_key=reference_key(reference),
                surname_key=surname_key(surname),
                date_of_birth=born,
            )
    stored_hash = found[0].password_hash if found else None
    matches, needs_rehash = await verify_password(request.app.state.hasher, stored_hash, password)
    if not matches or found is None or force is None:
        async with database.transaction() as db:
            lock_ends = await lockout.note_failure(db, details_key, attempt)
            await _note_failure(db, request, force, found, lock_ends)
        return (Outcome.TOO_MANY_ATTEMPTS if lock_ends else Outcome.NO_MATCH), None
    if not portal_offered(force, found[1], found[0]):
        # Flagged since registering (e.g. lives with a suspect): the same answer as any mismatch,
        # so that whoever is at the keyboard learns nothing from it.
        return Outcome.NO_MATCH, None
    new_hash = await hash_password(request.app.state.hasher, password) if needs_rehash else None
    async with database.transaction() as db:
        signed_token = await _record_sign_in(
            db, request, *found, details_key=details_key, address=address, new_hash=new_hash
        )
    return Outcome.SIGNED_IN, signed_token


async def _record_sign_in(
    db: AsyncSession,
    request: Request,
    party: Party,
    crime: Crime,
    *,
    details_key: str,
    address: str,
    new_hash: str | None,
) -> str:
    """The writes of a successful sign-in; returns the signed session cookie."""
    db.add(party)  # read in the session before the password check; only what changes here is written
    await lockout.forget_attempts(db, details_key, address)
    if new_hash is not None:
        party.password_hash = new_hash
    party.failed_sign_ins = 0
    party.locked_until = None
    party.last_sign_in_at = utcnow()
    audit.record(
        db,
        request,
        audit_actions.PARTY_SIGN_IN,
        force_id=crime.force_id,
        crime_id=crime.id,
        party_id=party.id,
        actor=party,
    )
    return await start_session(db, request, party_id=party.id)


async def _note_failure(
    db: AsyncSession,
    request: Request,
    force: Force | None,
    found: tuple[Party, Crime] | None,
    lock_ends: dt.datetime | None,
) -> None:
    """Audit the failure, mirror it on the account for officers, and tell its owner when it locks.

    The account is read again here, in this transaction, so that concurrent failures each add one
    to the count the row holds now.
    """
    party = await db.get(Party, found[0].id) if found is not None else None
    crime_id = found[1].id if found is not None else None
    force_id = force.id if force is not None else None
    party_id = party.id if party is not None else None
    audit.record(
        db,
        request,
        audit_actions.PARTY_SIGN_IN_FAILED,
        force_id=force_id,
        crime_id=crime_id,
        party_id=party_id,
    )
    if lock_ends is not None:
        audit.record(
            db,
            request,
            audit_actions.PARTY_SIGN_IN_LOCKED,
            force_id=force_id,
            crime_id=crime_id,
            party_id=party_id,
        )
    if party is None or force is None:
        return
    party.failed_sign_ins += 1
    if lock_ends is not None:
        party.locked_until = lock_ends
        await queue_alert(
            db,
            force=force,
            kind=AlertKind.ACCOUNT_LOCKED,
            party=party,
            channels=["email"],
            cause=f"locked:{party.id}:{lock_ends.isoformat()}",
        )
    db.add(party)


async def sign_out(request: Request) -> Response:
    async with request.app.state.db.transaction() as db:
        await end_current_session(db, request)
    response = redirect_to(request, "victim_signed_out")
    clear_session_cookie(request, response)
    return response


@party_required
async def sign_out_everywhere(request: Request) -> Response:
    party: Party = request.state.party
    crime: Crime = request.state.crime
    # A trusted helper signs themselves out everywhere, never the party they help.
    signing_out: Party = getattr(request.state, "helper", None) or party
    async with request.app.state.db.transaction() as db:
        await end_all_sessions(db, party_id=signing_out.id)
        audit.record(
            db,
            request,
            audit_actions.PARTY_SIGN_OUT_EVERYWHERE,
            force_id=crime.force_id,
            crime_id=crime.id,
            party_id=party.id,
            actor=party,
        )
    response = redirect_to(request, "victim_signed_out", query={"everywhere": 1})
    clear_session_cookie(request, response)
    return response


async def signed_out(request: Request) -> Response:
    await forces_for_page(request)
    return render(
        request, "victim/signed_out.html", {"everywhere": request.query_params.get("everywhere") == "1"}
    )


@party_required
async def keep_alive(request: Request) -> Response:
    """The idle warning's "Stay signed in": the request itself counts as activity."""
    if request.headers.get("x-csrf-token"):
        return Response(status_code=204)
    return redirect_to(request, "victim_case")
