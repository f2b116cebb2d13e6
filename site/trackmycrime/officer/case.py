"""The officer's crime page: what the parties see, plus who is registered, alerts and deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from .. import audit, audit_actions, case_timeline, statuses
from ..case_events.decisions import decision_label, review_status_label
from ..case_events.handover import latest_handover, open_conflicts
from ..case_events.hearings import TEMPLATE_HELPERS as hearing_helpers
from ..case_events.hearings import hearings_of_crime
from ..case_events.property import items_of_crime, state_label_for_officers, value_in_pounds
from ..case_events.update_corrections import may_be_changed, withdraw_until
from ..case_updates import is_visible_to
from ..eligibility import exclusion_reason
from ..i18n import gettext as _
from ..i18n import ngettext
from ..models import (
    Audience,
    CaseUpdate,
    ContactAgreement,
    ContactMethod,
    Crime,
    Decision,
    Entitlement,
    Force,
    Handover,
    Hearing,
    Message,
    MessageDirection,
    Officer,
    OutboxMessage,
    OutsideContact,
    Party,
    PartyRole,
    PersonalStatement,
    PropertyItem,
    PropertyState,
    ReviewRequest,
    UpdateCorrection,
    utcnow,
)
from ..notify.outbox import AlertKind, invitation_channel
from ..outside_contact import method_in_words
from ..pages import is_htmx, redirect_to, render_html
from ..personal_statements import parties_who_may_make_one, state_label, state_of, statements_of_crime
from ..read_receipts import reads_on_crime
from ..trusted_helpers import (
    HELPERS_PER_PARTY,
    helper_label,
    helper_name,
    relationship_in_words,
    relationship_options,
)
from ..victims_code.entitlements import event_label, portal_note
from ..victims_code.rules import Rules
from ..victims_code.working_days import WorkingCalendar
from . import queries
from .access import mine_clause, officer_page, path_id, sees_whole_force, visible_crime
from .deadlines import due_in_words, is_overdue
from .forms import Errors, PageForms, whole_number
from .party_reach import PartyReach, alerts_in_words, invitation_in_words, reach_of_parties, reached_in_words
from .queries import attention_count, party_name
from .rendering import render_page, render_partial
from .timeline import OfficerTimeline, crime_timeline
from .update_templates import template_by_key, template_options

ALERTS_SHOWN = 50
# The crime page's forms: once each, and once for each person on the crime.
PAGE_FORMS = ("update", "withdraw", "property", "reassign", "portal_override")
PARTY_FORMS = ("reply", "told", "helper")


@dataclass
class Conversation:
    """One party's thread with the officers, oldest first."""

    party: Party
    name: str
    messages: list[tuple[Message, str]] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(
            1
            for m, _name in self.messages
            if m.direction == MessageDirection.FROM_PARTY and m.read_at is None
        )

    @property
    def can_reply(self) -> bool:
        return self.party.account_deleted_at is None


@dataclass
class CrimePage:
    crime: Crime
    officer_in_charge: Officer | None
    parties: list[Party]
    conversations: list[Conversation]
    updates: list[tuple[CaseUpdate, str]]
    entitlements: list[Entitlement]
    alerts: list[OutboxMessage]
    officers: list[Officer]
    # Each party's latest agreed contact (issue 11), by party id.
    agreements: dict[int, ContactAgreement] = field(default_factory=dict)
    # (update id, party id) -> when that party first read the update (issue 11).
    reads: dict[tuple[int, int], dt.datetime] = field(default_factory=dict)
    property_items: list[PropertyItem] = field(default_factory=list)
    # Told outside the portal (issues 18 and 21), most recent first, with the officer's name.
    contacts: list[tuple[OutsideContact, str]] = field(default_factory=list)
    # Earlier texts of corrected updates, oldest first, by update id (issue 16).
    corrections: dict[int, list[UpdateCorrection]] = field(default_factory=dict)

    def contacts_with(self, party_id: int | None) -> list[tuple[OutsideContact, str]]:
        return [(contact, name) for contact, name in self.contacts if contact.party_id == party_id]

    # The page of the crime's one timeline shown (issues 22 and 24); `updates` are its updates.
    timeline: OfficerTimeline = field(default_factory=OfficerTimeline)
    # Court hearings, upcoming first (issue 22).
    hearings: list[Hearing] = field(default_factory=list)
    # The last change of officer in charge (its note is read first) and changes held for a supervisor.
    handover: Handover | None = None
    conflicts: list[Handover] = field(default_factory=list)
    officer_names: dict[int, str] = field(default_factory=dict)
    # Charging decisions, newest first, and the victims' requests to review them.
    decisions: list[Decision] = field(default_factory=list)
    reviews: list[ReviewRequest] = field(default_factory=list)
    # Victim Personal Statements by party id, and the parties the rules offer one.
    statements: dict[int, PersonalStatement] = field(default_factory=dict)
    statement_parties: list[Party] = field(default_factory=list)

    def officer_name(self, officer_id: int | None) -> str:
        return self.officer_names.get(officer_id or 0, _("No one"))

    # How each party was reached by the outbox (issue 21), by party id.
    reach: dict[int, PartyReach] = field(default_factory=dict)
    # Trusted helpers (issue 21) not removed, oldest first.
    helpers: list[Party] = field(default_factory=list)

    def helpers_of(self, party_id: int | None) -> list[Party]:
        return [helper for helper in self.helpers if helper.helps_party_id == party_id]

    def item(self, item_id: int | None) -> PropertyItem | None:
        return next((item for item in self.property_items if item.id == item_id), None)

    def readers(self, update: CaseUpdate) -> list[tuple[str, dt.datetime | None]]:
        """Each party who may see the update, with when they first read it (None: not yet)."""
        return [
            (party_name(party), self.reads.get((update.id, party.id)))  # type: ignore[arg-type]
            for party in self.parties
            if is_visible_to(update, party)
        ]

    def name_of(self, party_id: int | None) -> str:
        for party in self.parties:
            if party.id == party_id:
                return party_name(party)
        return _("someone no longer on this crime")

    def conversation(self, party_id: int | None) -> Conversation:
        return next(c for c in self.conversations if c.party.id == party_id)

    @property
    def unmet(self) -> list[Entitlement]:
        return [e for e in self.entitlements if e.met_at is None]

    @property
    def met(self) -> list[Entitlement]:
        return sorted(
            (e for e in self.entitlements if e.met_at is not None), key=lambda e: e.due_at, reverse=True
        )


async def load_crime_page(
    db: AsyncSession,
    officer: Officer,
    crime: Crime,
    show: str = case_timeline.ALL,
    before: case_timeline.Cursor | None = None,
    *,
    rules: Rules,
) -> CrimePage:
    """Everything the page shows, in a fixed number of queries; the timeline at this filter and page."""
    crime_id = crime.id
    assert crime_id is not None
    everyone = await queries.people_on_crime(db, crime_id)
    parties = [party for party in everyone if party.helps_party_id is None]
    helper_rows = [party for party in everyone if party.helps_party_id is not None]
    oic = await db.get(Officer, crime.officer_in_charge_id) if crime.officer_in_charge_id else None
    history = await crime_timeline(db, crime_id, show, before)
    message_rows = await queries.messages_on_crime(db, crime_id)
    entitlements = await queries.entitlements_on_crime(db, crime_id)
    party_ids = [p.id for p in parties if p.id is not None]
    alerts = await queries.latest_alerts(db, party_ids, ALERTS_SHOWN)
    agreements = await queries.agreed_contact(db, party_ids)
    contacts = await queries.outside_contacts_on_crime(db, crime_id)
    corrections = await queries.corrections_on_crime(db, crime_id)
    reads = await reads_on_crime(db, crime_id)
    property_items = await items_of_crime(db, crime_id)
    hearings = await hearings_of_crime(db, crime_id)
    handover = await latest_handover(db, crime_id)
    decisions = await queries.decisions_on_crime(db, crime_id)
    reviews = await queries.review_requests_on_crime(db, crime_id) if decisions else []
    statement_parties = parties_who_may_make_one(rules, parties)
    statements = await statements_of_crime(db, crime_id) if statement_parties else {}
    conflicts = await open_conflicts(db, crime_id)
    named = {h.from_officer_id for h in [*conflicts, *([handover] if handover else [])]}
    named |= {h.to_officer_id for h in conflicts} | {handover.by_officer_id if handover else None}
    officer_names = await queries.officer_names(
        db, {officer_id for officer_id in named if officer_id is not None}
    )
    reach = await reach_of_parties(db, party_ids)
    officers = await queries.active_officers(db, crime.force_id) if sees_whole_force(officer) else []
    conversations = [Conversation(p, party_name(p)) for p in parties]
    by_party = {c.party.id: c for c in conversations}
    helper_labels = {helper.id: helper_label(helper) for helper in helper_rows}
    for message, author in message_rows:
        if message.party_id in by_party:
            written_by = helper_labels.get(message.helper_id) if message.helper_id else author
            by_party[message.party_id].messages.append((message, written_by or ""))
    return CrimePage(
        crime=crime,
        officer_in_charge=oic,
        parties=parties,
        conversations=conversations,
        updates=history.updates,
        timeline=history,
        entitlements=entitlements,
        alerts=alerts,
        officers=officers,
        agreements=agreements,
        reads=reads,
        property_items=property_items,
        contacts=contacts,
        corrections=corrections,
        hearings=hearings,
        handover=handover,
        conflicts=conflicts,
        officer_names=officer_names,
        decisions=decisions,
        reviews=reviews,
        statements=statements,
        statement_parties=statement_parties,
        reach=reach,
        helpers=[helper for helper in helper_rows if helper.account_deleted_at is None],
    )


def audience_in_words(update: CaseUpdate, page: CrimePage) -> str:
    if update.audience == Audience.ALL:
        return _("Everyone on this crime")
    if update.audience == Audience.VICTIMS:
        return _("Victims only")
    return _("Only {name}").format(name=page.name_of(update.party_id))


def role_in_words(party: Party) -> str:
    return _("victim") if party.role == PartyRole.VICTIM else _("witness")


def audience_options(page: CrimePage) -> list[tuple[str, str]]:
    options = [("all", _("Everyone on this crime")), ("victims", _("Victims only"))]
    for party in page.parties:
        if party.account_deleted_at is None:
            options.append(
                (
                    f"party-{party.id}",
                    _("Only {name} ({role})").format(name=party_name(party), role=role_in_words(party)),
                )
            )
    return options


def status_options(crime: Crime) -> list[tuple[str, str]]:
    current = statuses.status(crime.status).label
    options = [("", _("Keep the current status ({status})").format(status=current))]
    options += [(code, statuses.status(code).label) for code in statuses.STATUS_CODES]
    return options


def alert_kind_in_words(kind: str) -> str:
    return {
        AlertKind.INVITATION: _("Invitation"),
        AlertKind.UPDATE_WAITING: _("Update waiting"),
        AlertKind.NEW_MESSAGE: _("New message"),
        AlertKind.PASSWORD_RESET: _("Password reset"),
        AlertKind.ACCOUNT_LOCKED: _("Account locked"),
        AlertKind.UNREAD_REMINDER: _("Reminder to read"),
        AlertKind.HEARING_REMINDER: _("Reminder the day before a hearing"),
    }.get(kind, kind)


def officer_options(page: CrimePage) -> list[tuple[str, str]]:
    options = [] if page.crime.officer_in_charge_id else [("", _("No one"))]
    for officer in page.officers:
        team = f", {officer.team}" if officer.team else ""
        options.append((str(officer.id), f"{officer.name}{team}"))
    return options


def helpers(calendar: WorkingCalendar) -> dict[str, Any]:
    """Functions the crime templates call."""
    return {
        "status_of": statuses.status,
        "audience_in_words": audience_in_words,
        "alerts_in_words": alerts_in_words,
        "invitation_channel": invitation_channel,
        "invitation_in_words": invitation_in_words,
        "reached_in_words": reached_in_words,
        "role_in_words": role_in_words,
        "event_label": event_label,
        "portal_note": portal_note,
        "told_in_words": method_in_words,
        "told_options": [(method, method_in_words(method)) for method in ContactMethod.ALL],
        "due_in_words": due_in_words(calendar),
        "is_overdue": is_overdue,
        "alert_kind_in_words": alert_kind_in_words,
        "property_state_in_words": state_label_for_officers,
        **hearing_helpers,
        "decision_label": decision_label,
        "review_status_label": review_status_label,
        "statement_state": state_of,
        "statement_state_label": state_label,
        "value_in_pounds": value_in_pounds,
        "property_state_options": [(state, state_label_for_officers(state)) for state in PropertyState.ALL],
        "helper_name": helper_name,
        "relationship_in_words": relationship_in_words,
        "helper_relationship_options": relationship_options(),
        "helpers_per_party": HELPERS_PER_PARTY,
        "timeline_filters": timeline_filters(),
        "timeline_query": case_timeline.query_string,
    }


def timeline_filters() -> list[tuple[str, str]]:
    return [
        (case_timeline.ALL, _("Everything")),
        (case_timeline.UPDATES, _("Updates")),
        (case_timeline.MESSAGES, _("Messages")),
        (case_timeline.HEARINGS, _("Court hearings")),
        (case_timeline.DECISIONS, _("Decisions")),
        (case_timeline.REQUESTS, _("Requests")),
    ]


def page_context(
    request: Request,
    page: CrimePage,
    *,
    errors: Errors | None = None,
    form: str = "",
    party_id: int | None = None,
    values: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The crime page's template context; `form` and `party_id` say which form the errors are for."""
    done_party = request.query_params.get("party", "")
    chosen = template_by_key(request.query_params.get("template", ""))
    forms = PageForms(
        PAGE_FORMS, PARTY_FORMS, submitted=form, errors=errors, values=values, party_id=party_id
    )
    update_values = values if form == "update" and values is not None else {}
    if chosen is not None and not update_values:
        update_values = {"text": chosen.text, "status": chosen.status or "", "audience": "all"}
    return {
        **helpers(request.app.state.rules.calendar),
        "page": page,
        "crime": page.crime,
        "now": utcnow(),
        # Whichever form was submitted: for the page's title and its error summary.
        "errors": errors or {},
        "forms": forms,
        "update_values": update_values,
        "chosen_template": request.query_params.get("template", "") if chosen else "",
        "update_template_options": template_options(request.state.force.languages),
        "audience_options": audience_options(page),
        "status_options": status_options(page.crime),
        "can_reassign": sees_whole_force(request.state.officer),
        "officer_options": officer_options(page),
        "done": request.query_params.get("done", ""),
        "done_party": whole_number(done_party),
        "done_item": whole_number(request.query_params.get("item", "")),
        "swapped": is_htmx(request),
        "portal_exclusion": partial(exclusion_reason, request.state.force, page.crime),
        "may_be_changed": may_be_changed,
        "withdraw_until": partial(withdraw_until, window=withdraw_window(request)),
    }


def withdraw_window(request: Request) -> dt.timedelta:
    return dt.timedelta(minutes=request.app.state.settings.update_withdraw_minutes)


async def render_crime_page(
    request: Request,
    db: AsyncSession,
    page: CrimePage,
    *,
    errors: Errors | None = None,
    form: str = "",
    party_id: int | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    context = page_context(request, page, errors=errors, form=form, party_id=party_id, values=values)
    return await render_page(request, db, "officer/crime.html", context)


async def section_context(
    request: Request, db: AsyncSession, page: CrimePage, announcement: str = "", **context: Any
) -> dict[str, Any]:
    """The context of a part of the crime page swapped by htmx: the page's, the inbox count that
    goes out of band, and news for the live region."""
    full = page_context(
        request,
        page,
        errors=context.pop("errors", None),
        form=context.pop("form", ""),
        party_id=context.pop("party_id", None),
        values=context.pop("values", None),
    )
    officer: Officer = request.state.officer
    full["inbox_count"] = await attention_count(
        db, mine_clause(officer), full["now"], request.app.state.rules.calendar
    )
    return {**full, **context, "announcement": announcement}


async def render_section(
    request: Request,
    db: AsyncSession,
    template: str,
    page: CrimePage,
    announcement: str = "",
    **context: Any,
) -> Response:
    """A section of the crime page for an htmx swap, with what else changed out of band
    (officer/_crime_news.html), the page's title, and news for the live region."""
    context = await section_context(request, db, page, announcement, **context)
    title = render_html(request, "officer/crime.html", context, block="title").strip()
    return render_partial(request, template, context, title=title)


async def render_with_errors(
    request: Request,
    db: AsyncSession,
    page: CrimePage,
    section: str,
    announcement: str,
    *,
    errors: Errors,
    form: str,
    values: dict[str, str],
    party_id: int | None = None,
    **context: Any,
) -> Response:
    """A form's errors: with htmx, the section the form is in, else the whole page with its summary."""
    if is_htmx(request):
        return await render_section(
            request,
            db,
            section,
            page,
            announcement,
            errors=errors,
            form=form,
            party_id=party_id,
            values=values,
            **context,
        )
    return await render_crime_page(
        request, db, page, errors=errors, form=form, party_id=party_id, values=values
    )


@officer_page()
async def crime_page(request: Request) -> Response:
    officer: Officer = request.state.officer
    crime_id = path_id(request, "crime_id")
    async with request.app.state.db.transaction() as db:
        crime = await visible_crime(db, officer, crime_id)
        audit.record(
            db, request, audit_actions.CRIME_VIEW, force_id=crime.force_id, crime_id=crime.id, actor=officer
        )
        show, before = case_timeline.chosen_page(request.query_params)
        page = await load_crime_page(db, officer, crime, show, before, rules=request.app.state.rules)
        return await render_crime_page(request, db, page)


@officer_page()
async def crime_timeline_part(request: Request) -> Response:
    """A filter of the crime's timeline for htmx, in place of the timeline; without htmx, the crime
    page at the same filter and page."""
    officer: Officer = request.state.officer
    crime_id = path_id(request, "crime_id")
    if not is_htmx(request):
        return redirect_to(
            request,
            "officer_crime",
            query=dict(request.query_params),
            fragment="updates-timeline",
            crime_id=crime_id,
        )
    show, before = case_timeline.chosen_page(request.query_params)
    async with request.app.state.db.transaction() as db:
        crime = await visible_crime(db, officer, crime_id)
        audit.record(
            db, request, audit_actions.CRIME_VIEW, force_id=crime.force_id, crime_id=crime.id, actor=officer
        )
        page = await load_crime_page(db, officer, crime, show, before, rules=request.app.state.rules)
        total = page.timeline.total
        announcement = ngettext("%(num)s entry, newest first.", "%(num)s entries, newest first.", total) % {
            "num": total
        }
        context = await section_context(request, db, page, announcement, focus_timeline=True)
        return HTMLResponse(render_html(request, "officer/crime.html", context, block="timeline_filtered"))


async def force_of(db: AsyncSession, crime: Crime) -> Force:
    force = await db.get(Force, crime.force_id)
    assert force is not None
    return force


def updated_now(crime: Crime, now: dt.datetime | None = None) -> None:
    crime.updated_at = now or utcnow()


routes = [
    Route("/officer/crimes/{crime_id}", crime_page, methods=["GET"], name="officer_crime"),
    Route(
        "/officer/crimes/{crime_id}/timeline",
        crime_timeline_part,
        methods=["GET"],
        name="officer_crime_timeline",
    ),
]
