"""Alerts and account: how news reaches the party, opting out, signing out everywhere, deleting it."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from .. import audit, audit_actions
from ..auth.sessions import clear_session_cookie, client_address, end_all_sessions, party_required
from ..i18n import gettext as _
from ..models import AlertChannel, ContactAgreement, Crime, Party, PartyRole, utcnow
from ..pages import redirect_to, render
from ..trusted_helpers import helpers_of, remove_helper
from ..victims_code import refresh_entitlements
from . import forms
from .force_choice import forces_for_page
from .trusted_helpers import not_for_helpers


def notice(key: str) -> str:
    """The success message after a change, named in the query string so that a reload shows it again."""
    return {
        "saved": _("Your alert choices have been saved"),
        "opted_out": _("You have opted out"),
        "opted_in": _("You have opted back in"),
    }.get(key, "")


def channel_options(party: Party) -> list[tuple[str, str, str]]:
    """The choices that make sense for what the police have on file for this party."""
    options = []
    if party.email:
        options.append((AlertChannel.EMAIL, _("By email"), _("To {email}").format(email=party.email)))
    if party.mobile:
        options.append((AlertChannel.SMS, _("By text message"), _("To {mobile}").format(mobile=party.mobile)))
    if party.email and party.mobile:
        options.append((AlertChannel.BOTH, _("By email and text message"), _("To both of the above")))
    options.append(
        (AlertChannel.NONE, _("No alerts"), _("You will need to sign in from time to time to check for news"))
    )
    return options


INTERVAL_CHOICES = (14, 28, 56)


def interval_options() -> list[tuple[str, str]]:
    """How often to hear from the police while nothing happens (Victims' Code Right 6)."""
    return [(str(days), _("Every {weeks} weeks").format(weeks=days // 7)) for days in INTERVAL_CHOICES]


async def latest_agreement(db: AsyncSession, party_id: int) -> ContactAgreement | None:
    return (
        await db.exec(
            select(ContactAgreement)
            .where(col(ContactAgreement.party_id) == party_id)
            .order_by(col(ContactAgreement.agreed_at).desc(), col(ContactAgreement.id).desc())
            .limit(1)
        )
    ).first()


async def preferences_page(request: Request, form: forms.Form | None = None) -> Response:
    party: Party = request.state.party
    values = form.values if form else {"alert_channel": party.alert_channel}
    values.setdefault("update_interval", str(party.update_interval_days))
    async with request.app.state.db.session() as db:
        agreement = await latest_agreement(db, party.id)  # type: ignore[arg-type]
    return render(
        request,
        "victim/preferences.html",
        {
            "values": values,
            "errors": form.errors if form else {},
            "channel_options": channel_options(party),
            "interval_options": interval_options(),
            "agreement": agreement,
            "notice": notice(request.query_params.get("done", "")),
        },
        status_code=400 if form and form.errors else 200,
    )


@party_required
@not_for_helpers
async def show_preferences(request: Request) -> Response:
    return await preferences_page(request)


def chosen_interval(form: forms.Form, raw: str, current: int) -> int:
    """The chosen interval in days; a form without the question keeps the current one."""
    form.values["update_interval"] = raw
    if not raw:
        return current
    if raw not in {value for value, _label in interval_options()}:
        form.error("update_interval", _("Select how often you want an update when there is no news"))
        return current
    return int(raw)


@party_required
@not_for_helpers
async def save_preferences(request: Request) -> Response:
    party: Party = request.state.party
    crime: Crime = request.state.crime
    submitted = await forms.submitted(request)
    form = forms.Form()
    choice = forms.text(submitted, "alert_channel")
    form.values["alert_channel"] = choice
    if choice not in {value for value, _label, _hint in channel_options(party)}:
        form.error("alert_channel", _("Select how you want to be told about news on your case"))
    asked = forms.text(submitted, "update_interval") if party.role == PartyRole.VICTIM else ""
    interval = chosen_interval(form, asked, party.update_interval_days)
    if form.errors:
        return await preferences_page(request, form)
    async with request.app.state.db.transaction() as db:
        stored = await db.get(Party, party.id)
        assert stored is not None
        interval_changed = stored.update_interval_days != interval
        if interval_changed or stored.alert_channel != choice:
            db.add(
                ContactAgreement(
                    party_id=stored.id, interval_days=interval, channel=choice, agreed_by="party"
                )
            )
        stored.alert_channel = choice
        stored.update_interval_days = interval
        stored.updated_at = utcnow()
        db.add(stored)
        if interval_changed:
            await db.flush()
            await refresh_entitlements(db, crime.id, request.app.state.rules)  # type: ignore[arg-type]
        audit.record(
            db,
            request,
            audit_actions.PARTY_ALERT_PREFERENCES,
            force_id=crime.force_id,
            crime_id=crime.id,
            party_id=party.id,
            actor=party,
            detail=f"alert_channel={choice}"
            + (f" update_interval_days={interval}" if interval_changed else ""),
        )
    return redirect_to(request, "victim_preferences", query={"done": "saved"})


@party_required
@not_for_helpers
async def show_opt_out(request: Request) -> Response:
    return render(request, "victim/opt_out.html")


async def _set_opted_out(request: Request, opted_out: bool) -> None:
    party: Party = request.state.party
    crime: Crime = request.state.crime
    async with request.app.state.db.transaction() as db:
        stored = await db.get(Party, party.id)
        assert stored is not None
        stored.opted_out_at = utcnow() if opted_out else None
        stored.updated_at = utcnow()
        db.add(stored)
        await refresh_entitlements(db, crime.id, request.app.state.rules)  # type: ignore[arg-type]
        audit.record(
            db,
            request,
            audit_actions.PARTY_OPT_OUT if opted_out else audit_actions.PARTY_OPT_IN,
            force_id=crime.force_id,
            crime_id=crime.id,
            party_id=party.id,
            actor=party,
        )


@party_required
@not_for_helpers
async def opt_out(request: Request) -> Response:
    await _set_opted_out(request, True)
    return redirect_to(request, "victim_preferences", query={"done": "opted_out"})


@party_required
@not_for_helpers
async def opt_in(request: Request) -> Response:
    await _set_opted_out(request, False)
    return redirect_to(request, "victim_preferences", query={"done": "opted_in"})


@party_required
@not_for_helpers
async def show_delete_account(request: Request) -> Response:
    return render(request, "victim/delete_account.html")


@party_required
@not_for_helpers
async def delete_account(request: Request) -> Response:
    """Remove the login and keep the police record: the crime, the updates and the messages stay."""
    party: Party = request.state.party
    crime: Crime = request.state.crime
    async with request.app.state.db.transaction() as db:
        stored = await db.get(Party, party.id)
        assert stored is not None
        now = utcnow()
        stored.password_hash = None
        stored.account_deleted_at = now
        stored.registration_code_hash = None
        stored.registration_code_expires_at = None
        stored.failed_sign_ins = 0
        stored.locked_until = None
        stored.updated_at = now
        db.add(stored)
        await end_all_sessions(db, party_id=party.id)
        for helper in await helpers_of(db, stored):
            await remove_helper(
                db, crime=crime, helper=helper, removed_by=party, client_address=client_address(request)
            )
        await refresh_entitlements(db, crime.id, request.app.state.rules)  # type: ignore[arg-type]
        audit.record(
            db,
            request,
            audit_actions.PARTY_DELETE_ACCOUNT,
            force_id=crime.force_id,
            crime_id=crime.id,
            party_id=party.id,
            actor=party,
        )
    response = redirect_to(request, "victim_account_deleted")
    clear_session_cookie(request, response)
    return response


async def account_deleted(request: Request) -> Response:
    await forces_for_page(request)
    return render(request, "victim/account_deleted.html")
