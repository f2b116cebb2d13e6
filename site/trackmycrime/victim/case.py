"""The case page: status, officer, next update, timeline, messages; new activity without a reload."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .. import case_timeline as timeline
from ..auth.sessions import (
    party_polling_with,
    party_required,
    party_required_reading,
    party_required_reading_with,
)
from ..case_events import decisions, hearings
from ..database import PooledReading
from ..i18n import gettext as _
from ..i18n import ngettext
from ..models import Crime, Party, utcnow
from ..page_memo import PageMemo, memoise, memoised_response, next_change
from ..pages import is_htmx, redirect_to, render, render_html
from ..personal_statements import may_make_statement
from ..read_receipts import mark_updates_read
from ..statuses import status
from . import forms, messages, queries, update_requests

POLL_SECONDS = 30


def is_closed(crime: Crime) -> bool:
    return crime.closed_at is not None or status(crime.status).closes_crime


def case_context(request: Request, view: queries.CaseView, **extra: Any) -> dict[str, Any]:
    crime: Crime = request.state.crime
    party: Party = request.state.party
    next_due = view.next_due.due_at if view.next_due else None
    context: dict[str, Any] = {
        "crime": crime,
        "party": party,
        "view": view,
        "crime_status": status(crime.status),
        "status_of": status,
        **hearings.TEMPLATE_HELPERS,
        "hearing_is_upcoming": lambda hearing: hearings.is_upcoming(hearing, utcnow()),
        "decision_label": decisions.decision_label,
        "review_status_label": decisions.review_status_label,
        "review_sent": request.query_params.get("review") == "sent",
        "may_make_statement": may_make_statement(request.app.state.rules, party),
        "closed": is_closed(crime),
        "next_due": next_due,
        "next_due_is_late": next_due is not None and next_due < utcnow(),
        "marker": view.activity.marker(),
        "page": view.timeline,
        "filters": timeline.filter_labels(),
        "showing": timeline.showing_in_words(view.timeline.show, view.timeline.total),
        "timeline_query": timeline.query_string,
        "poll_seconds": POLL_SECONDS,
        "message_limit": forms.MESSAGE_MAX,
        "new_update_ids": (),
        "focus_timeline": False,
        "focus_first": False,
        "more_oob": False,
        "kept_earlier": False,
        "news_waiting": False,
        "values": {},
        "errors": {},
        "oob": False,
        "as_fragment": is_htmx(request),
        "announcement": "",
        "sent": False,
        "welcome": False,
        "password_changed": False,
        "asking": None,
        "asked": False,
        "note_limit": update_requests.NOTE_MAX,
    }
    context.update(extra)
    return context


def _chosen_page(request: Request) -> tuple[str, timeline.Cursor | None]:
    current_url = request.headers.get("hx-current-url") if is_htmx(request) else None
    return timeline.chosen_page(request.query_params, current_url)


async def load_case(request: Request) -> queries.CaseView:
    """The case as the party sees it; showing it marks the officers' new messages and the updates read."""
    async with request.app.state.db.reading() as db:
        view, _asking = await _read_case(db, request, with_asking=False)
    return view


async def _read_case(
    db: AsyncSession, request: Request, *, with_asking: bool, shown: bool = True
) -> tuple[queries.CaseView, update_requests.AskingState | None]:
    """The case, and "ask for an update" when asked for, on one reading session (Database.reading).

    Most views have nothing new to mark read, and write nothing. The read receipts, when there are
    some, are written on the same connection, each statement on its own: each is idempotent and
    stands alone, and a second connection is not taken while this one is held.
    """
    party: Party = request.state.party
    crime: Crime = request.state.crime
    show, before = _chosen_page(request)
    view = await queries.case_view(db, party, crime, show, before)
    asking = None
    if with_asking and not is_closed(crime):
        asking = await update_requests.asking_state(
            db, party, request.state.force, request.app.state.rules.calendar
        )
    if not shown or not _marks_read(request, view):
        return view, asking
    if any(entry.is_new for entry in view.timeline.messages):
        await queries.mark_replies_read(db, party, view)
    if any(entry.is_unread for entry in view.timeline.updates):
        await mark_updates_read(db, party)
    return view, asking


def _marks_read(request: Request, view: queries.CaseView) -> bool:
    """Showing this view marks the officers' new messages or the updates read."""
    if getattr(request.state, "helper", None) is not None:
        # The party has not read it because their helper has: the officer must not think so.
        return False
    return any(entry.is_new for entry in view.timeline.messages) or any(
        entry.is_unread for entry in view.timeline.updates
    )


def _memoised(request: Request) -> bool:
    return bool(request.app.state.page_memo.enabled and not is_htmx(request))


@party_required_reading_with(queries.case_page_digest_column, wanted=_memoised)
async def case_page(request: Request) -> Response:
    memo: PageMemo = request.app.state.page_memo
    if _memoised(request):
        return await _memoised_case_page(request, memo)
    view, asking = await _read_case(await request.state.reading.session(), request, with_asking=True)
    return render(request, "victim/case.html", _case_page_context(request, view, asking))


async def _memoised_case_page(request: Request, memo: PageMemo) -> Response:
    """The page as last rendered for this key (page_memo.py), else rendered and kept: unless showing
    it marked something read (a write, after which the page is not the same), or the rows changed
    while it was being read (its digest, asked again, differs). The digest comes with the session's
    look-up, in its round trip, unless the check changed the party's row."""
    reading: PooledReading = request.state.reading  # a session on it is made only on a miss
    party, crime = request.state.party, request.state.crime
    now = utcnow()
    digest = request.state.added_column
    if digest is None:
        digest = await queries.case_page_digest(await reading.session(), party, crime)
    key = memo.key(request, digest)
    page = memo.get(key, now)
    if page is None:
        db = await reading.session()
        view, asking = await _read_case(db, request, with_asking=True)
        html = render_html(request, "victim/case.html", _case_page_context(request, view, asking))
        page = memoise(html, next_change(now, _moments_the_page_changes(view, asking)))
        if not _marks_read(request, view) and await queries.case_page_digest(db, party, crime) == digest:
            memo.put(key, page)
    return memoised_response(request, page)


def _moments_the_page_changes(
    view: queries.CaseView, asking: update_requests.AskingState | None
) -> Iterator[dt.datetime | None]:
    """When the page changes with no row changing: an update falls late, a hearing starts, the time
    to ask for a review ends, "ask for an update" opens again or its answer falls due."""
    yield view.next_due.due_at if view.next_due else None
    yield from (hearing.starts_at for hearing in view.hearings)
    yield from (item.deadline for item in view.decisions)
    if asking is not None:
        yield asking.next_allowed_at
        yield asking.entitlement.due_at if asking.entitlement else None


def _case_page_context(
    request: Request, view: queries.CaseView, asking: update_requests.AskingState | None
) -> dict[str, Any]:
    return case_context(
        request,
        view,
        welcome=request.query_params.get("welcome") == "1",
        sent=request.query_params.get("sent") == "1",
        password_changed=request.query_params.get("password_changed") == "1",
        asking=asking,
        asked=request.query_params.get("asked") == "1",
    )


@party_required_reading
async def case_timeline(request: Request) -> Response:
    """A page of the timeline, filtered, for htmx: in place of the timeline, or (`?before=`) added
    after the entries shown. Without htmx, the case page at the same filter and cursor."""
    if not is_htmx(request):
        return redirect_to(request, "victim_case", query=dict(request.query_params), fragment="updates")
    view, _asking = await _read_case(await request.state.reading.session(), request, with_asking=False)
    more = view.timeline.before is not None
    context = case_context(
        request,
        view,
        oob=True,
        focus_timeline=not more,
        focus_first=more,
        more_oob=more,
        kept_earlier=more,
        announcement=_announce_page(view.timeline, more=more),
    )
    block = "timeline_earlier" if more else "timeline_filtered"
    return HTMLResponse(render_html(request, "victim/case.html", context, block=block))


def _announce_page(page: queries.TimelinePage, *, more: bool) -> str:
    if not more:
        return timeline.showing_in_words(page.show, page.total)
    shown = len(page.entries)
    return ngettext("%(num)s earlier entry shown.", "%(num)s earlier entries shown.", shown) % {"num": shown}


@party_polling_with(queries.activity_marker_column, wanted=is_htmx)
async def case_activity(request: Request) -> Response:
    """Polled by htmx: nothing (204) when nothing is new, else the changed parts, out of band.

    The numbers to compare come with the session's look-up (one statement for a poll that finds
    nothing new), or, for a trusted helper, in a statement of their own."""
    if not is_htmx(request):
        return redirect_to(request, "victim_case")
    seen = queries.Activity.from_marker(request.query_params.get("seen", "")[:100])
    reading: PooledReading = request.state.reading  # the session check's connection: one per poll
    current = request.state.added_column
    if current is None:
        current = (await queries.current_activity(await reading.session(), request.state.party)).marker()
    if seen is not None and seen.marker() == current:
        return Response(status_code=204)
    # Earlier entries were added below the first page: swapping the timeline would take them away
    # from someone reading them, so it stays and says that something is new (and nothing new is
    # marked read, as nothing new is shown).
    kept_earlier = request.query_params.get("kept") == "1"
    db = await reading.session()
    view, _asking = await _read_case(db, request, with_asking=False, shown=not kept_earlier)
    context = case_context(
        request,
        view,
        oob=True,
        new_update_ids=_new_update_ids(view, seen),
        announcement=_announcement(view, seen),
        kept_earlier=kept_earlier,
        news_waiting=kept_earlier,
    )
    block = "activity_kept" if kept_earlier else "activity"
    return HTMLResponse(render_html(request, "victim/case.html", context, block=block))


def _new_update_ids(view: queries.CaseView, seen: queries.Activity | None) -> set[int]:
    if seen is None:
        return set()
    return {entry.id for entry in view.timeline.updates if entry.id > seen.last_update_id}


def _announcement(view: queries.CaseView, seen: queries.Activity | None) -> str:
    """What to say in the live region about what has just appeared on the page."""
    if seen is None:
        return _("Your case page has been updated.")
    updates = sum(1 for entry in view.timeline.updates if entry.id > seen.last_update_id)
    replies = sum(
        1 for entry in view.timeline.messages if not entry.is_mine and entry.id > seen.last_message_id
    )
    parts = []
    if replies:
        parts.append(
            ngettext("%(num)s new message from us.", "%(num)s new messages from us.", replies)
            % {"num": replies}
        )
    if updates:
        parts.append(ngettext("%(num)s new update.", "%(num)s new updates.", updates) % {"num": updates})
    return " ".join(parts) or _("Your case page has been updated.")


@party_required
async def send_message(request: Request) -> Response:
    submitted = await forms.submitted(request)
    form = forms.Form()
    body = messages.message_text(form, submitted, "message")
    async with request.app.state.db.transaction() as db:
        await messages.store_message(request, db, form, "message", body)
    if not form.is_valid:
        view = await load_case(request)
        asking = None if is_htmx(request) else await update_requests.load_asking(request)
        context = case_context(request, view, values=form.values, errors=form.errors, asking=asking)
        return render(request, "victim/case.html", context, fragment="message_form", status_code=400)
    if not is_htmx(request):
        return redirect_to(request, "victim_case", query={"sent": 1}, fragment="send-message")
    view = await load_case(request)
    context = case_context(request, view, oob=True, sent=True, announcement=_("Your message has been sent."))
    return HTMLResponse(render_html(request, "victim/case.html", context, block="message_sent"))
