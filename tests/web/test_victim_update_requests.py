"""'Ask for an update' on the case page (issue 12): the rate limit, the deadline, the officer's inbox."""

import datetime as dt

import pytest
from sqlmodel import select

from tests.factories import SHIPPED_RULES
from tests.webclient import check_page, text_of
from trackmycrime.models import AuditEvent, Entitlement, Force, UpdateRequest, utcnow
from trackmycrime.victim.update_requests import NOTE_MAX
from trackmycrime.victims_code import UPDATE_REQUESTED, describe_due

from .victim_data import sign_in

pytestmark = pytest.mark.anyio


async def requests_of(db, party_id):
    async with db.session() as session:
        return list(
            (await session.exec(select(UpdateRequest).where(UpdateRequest.party_id == party_id))).all()
        )


async def test_asking_records_the_request_with_its_own_deadline(client, db, victim):
    page = await sign_in(client, victim)
    panel = page.select_one("#ask-for-update")
    assert panel.select_one('form[action="/case/ask-for-update"]')
    page = await client.submit("/case/ask-for-update", {"note": "Has anyone been arrested?"})
    panel = page.select_one("#ask-for-update")
    assert "Your request was received" in text_of(panel)
    [asked] = await requests_of(db, victim.party.id)
    assert asked.note == "Has anyone been arrested?"
    async with db.session() as session:
        owed = await session.get(Entitlement, asked.entitlement_id)
        audit = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "party.update_request"))
        ).all()
    assert owed.event == UPDATE_REQUESTED and owed.met_at is None and owed.party_id == victim.party.id
    assert describe_due(SHIPPED_RULES.calendar, owed.due_at) in text_of(panel)
    assert len(audit) == 1
    # No form now: it says when they can ask again, and the answer is still owed.
    assert not panel.select_one("form")
    assert "You can ask for an update again from" in text_of(panel)
    page = await client.page("/case")
    assert "You asked for an update on" in text_of(page.select_one("#ask-for-update"))


async def test_a_second_request_within_the_forces_interval_is_refused_with_when_to_ask_again(
    client, db, victim
):
    await sign_in(client, victim)
    await client.submit("/case/ask-for-update", {"note": ""})
    page = await client.submit("/case/ask-for-update", {"note": "again"}, expect=400)
    assert text_of(page.title).startswith("Error: Your case")
    summary = text_of(page.select_one(".error-summary"))
    assert "You can ask again from" in summary
    assert page.select_one('.error-summary a[href="#field-note"]')
    assert page.select_one("#field-note")
    assert len(await requests_of(db, victim.party.id)) == 1


async def test_the_interval_is_the_forces_and_counts_calendar_days(client, db, victim):
    async with db.transaction() as session:
        force = await session.get(Force, victim.force.id)
        force.update_request_interval_days = 2
        session.add(
            UpdateRequest(
                crime_id=victim.crime.id,
                party_id=victim.party.id,
                requested_at=utcnow() - dt.timedelta(days=2, hours=1),
            )
        )
    page = await sign_in(client, victim)
    assert page.select_one('#ask-for-update form[action="/case/ask-for-update"]')
    await client.submit("/case/ask-for-update", {"note": "Any news?"})
    assert len(await requests_of(db, victim.party.id)) == 2


async def test_a_note_too_long_is_refused_and_kept(client, db, victim):
    await sign_in(client, victim)
    note = "x" * (NOTE_MAX + 1)
    page = await client.submit("/case/ask-for-update", {"note": note}, expect=400)
    assert f"Your note must be {NOTE_MAX} characters or fewer" in text_of(page.select_one(".error-summary"))
    assert page.select_one("#field-note").text == note
    assert await requests_of(db, victim.party.id) == []


async def test_with_htmx_only_the_panel_comes_back(client, db, victim):
    await sign_in(client, victim)
    response = await client.post("/case/ask-for-update", {"note": "Hello"}, htmx=True, expect=200)
    fragment = check_page(response.text, fragment=True)
    assert fragment.title.get_text().startswith("Your case – TrackMyCrime")
    panel = fragment.select_one("#ask-for-update")
    assert panel.get("hx-swap-oob") is None, "the panel is the swap target"
    assert "Your request was received" in text_of(panel)
    assert panel.select_one("[data-focus-after-swap]").get_text() == "Ask for an update"
    due = fragment.select_one("#case-summary[hx-swap-oob]")
    assert "Next update Due by" in text_of(due), "the summary above says the same date as the panel"
    said = text_of(fragment.select_one("#announcer[hx-swap-oob]"))
    assert said == "Your request for an update was received."
    response = await client.post("/case/ask-for-update", {"note": "Hello"}, htmx=True, expect=400)
    assert "You asked for news not long ago" in response.text
    assert 'class="error-summary"' in response.text


async def test_no_asking_once_the_investigation_has_ended(client, db, victim):
    async with db.transaction() as session:
        crime = await session.get(type(victim.crime), victim.crime.id)
        crime.closed_at = utcnow()
        crime.status = "closed"
    page = await sign_in(client, victim)
    assert not page.select_one("#ask-for-update")
    await client.submit("/case/ask-for-update", {"note": ""}, expect=400)
    assert await requests_of(db, victim.party.id) == []


async def test_asking_needs_a_signed_in_party_and_csrf(client, db, victim):
    response = await client.post("/case/ask-for-update", {"note": ""})
    assert response.status_code in (302, 303)
    await sign_in(client, victim)
    response = await client.post("/case/ask-for-update", {"note": ""}, csrf=False)
    assert response.status_code == 403
    assert await requests_of(db, victim.party.id) == []


async def test_the_rights_page_lists_what_is_tracked_and_when_it_is_due(client, db, victim):
    await sign_in(client, victim)
    page = await client.page("/rights")
    assert text_of(page.select_one("h1")) == "Your rights"
    assert "No news is due to you right now" in text_of(page.select_one("main"))
    await client.submit("/case/ask-for-update", {"note": ""})
    page = await client.page("/rights")
    rows = [
        [text_of(cell) for cell in row.select("td")] for row in page.select("#tracked ~ div table tbody tr")
    ]
    assert rows and rows[0][0] == "Update requested"
    assert rows[0][2].startswith("due")
    main = text_of(page.select_one("main"))
    assert "within 5 working days" in main and "within 1 working day" in main
    assert page.select_one('a[href="/support#complain"]')
    case_page = await client.page("/case")
    assert case_page.select_one('main a[href="/rights"]')


async def test_the_rights_page_needs_sign_in(client):
    response = await client.get("/rights", expect=303, follow_redirects=False)
    assert "/sign-in" in response.headers["location"]
