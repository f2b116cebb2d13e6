"""Trusted helpers (issue 21): added by an officer or the victim, signing in as themselves, seeing
what the victim sees, writing as themselves, and removed at once."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from dataclasses import dataclass

import pytest
from sqlmodel import select

from tests.webclient import WebClient, check_page, text_of
from trackmycrime.auth.links import invitation_url
from trackmycrime.contact_details import uk_today
from trackmycrime.models import AuditEvent, Message, OutboxMessage, Party, UpdateRead, WebSession

from .officer_world import build_world, sign_in_as
from .test_victim_registration import confirm_form, progress_of
from .victim_data import add_crime, add_party, add_update, make_victim_case, sign_in

pytestmark = pytest.mark.anyio

HELPER_BORN = dt.date(1975, 6, 1)
HELPER_PASSWORD = "the helper's own passphrase"  # noqa: S105


def helper_form(prefix: str = "helper_", **changes: str) -> dict[str, str]:
    form = {
        f"{prefix}forenames": "Jo",
        f"{prefix}surname": "Carer",
        f"{prefix}date_of_birth-day": str(HELPER_BORN.day),
        f"{prefix}date_of_birth-month": str(HELPER_BORN.month),
        f"{prefix}date_of_birth-year": str(HELPER_BORN.year),
        f"{prefix}relationship": "carer",
        f"{prefix}email": "jo.carer@example.org",
        f"{prefix}mobile": "",
    }
    form.update({prefix + name: value for name, value in changes.items()})
    return form


def years_before(day: dt.date, years: int) -> dt.date:
    return (
        day.replace(year=day.year - years) if (day.month, day.day) != (2, 29) else day - dt.timedelta(days=1)
    )


async def helpers_in_db(db, party_id: int) -> list[Party]:
    async with db.session() as session:
        found = await session.exec(select(Party).where(Party.helps_party_id == party_id).order_by(Party.id))
        return list(found.all())


@dataclass
class Helping:
    """A victim signed in on one browser, and the helper they added, registered, on another."""

    case: object
    helper: Party
    victim_browser: WebClient
    helper_browser: WebClient


async def add_helper_as_victim(client: WebClient, **changes: str):
    await client.page("/helpers")
    return await client.submit("/helpers", helper_form(**changes))


async def register_helper(client: WebClient, settings, helper: Party) -> None:
    page = await client.page(invitation_url(settings, helper).removeprefix(settings.base_url))
    form = confirm_form(
        type("Case", (), {"party": helper})(),
        progress_of(page),
    )
    page = await client.submit("/register/confirm", form)
    await client.submit("/register/password", {"progress": progress_of(page), "password": HELPER_PASSWORD})


async def sign_in_helper(client: WebClient, case, helper: Party, expect: int | None = 200, **changes: str):
    """Sign in with the helper's own details; with expect=None, (status, page) whatever the answer."""
    await client.page("/sign-in")
    form = {
        "surname": helper.surname,
        "reference": case.crime.reference,
        "date_of_birth-day": str(helper.date_of_birth.day),
        "date_of_birth-month": str(helper.date_of_birth.month),
        "date_of_birth-year": str(helper.date_of_birth.year),
        "password": HELPER_PASSWORD,
    }
    form.update(changes)
    if expect is not None:
        return await client.submit("/sign-in", form, expect=expect)
    response = await client.post("/sign-in", form, follow=True)
    return response.status_code, check_page(response.text)


@pytest.fixture
async def helping(db, app, settings):
    case = await make_victim_case(db, forenames="Alex Sam")
    async with db.transaction() as session:
        add_update(session, case.crime, "A man was arrested on Friday.", author=case.officer)
    victim_browser = WebClient(app)
    helper_browser = WebClient(app)
    await sign_in(victim_browser, case)
    await add_helper_as_victim(victim_browser)
    (helper,) = await helpers_in_db(db, case.party.id)
    await register_helper(helper_browser, settings, helper)
    helper_browser.http.cookies.clear()
    await sign_in_helper(helper_browser, case, helper)
    yield Helping(case, helper, victim_browser, helper_browser)
    await victim_browser.http.aclose()
    await helper_browser.http.aclose()


# ---------------------------------------------------------------- adding


async def test_a_victim_adds_a_helper_who_is_invited_with_no_case_detail(client, db, victim):
    await sign_in(client, victim)
    page = await add_helper_as_victim(client)
    assert text_of(page.select_one(".notification__title")) == "We have asked them to sign up"
    assert f"Tell them your crime reference number, {victim.crime.reference}." in text_of(
        page.select_one(".notification")
    )
    assert "Jo Carer, carer (not signed up yet)" in text_of(page.select_one("main ul.list"))
    (helper,) = await helpers_in_db(db, victim.party.id)
    assert (helper.role, helper.crime_id, helper.helper_added_by) == ("helper", victim.crime.id, "party")
    assert helper.surname_key == "carer" and helper.date_of_birth == HELPER_BORN
    async with db.session() as session:
        (invitation,) = (
            await session.exec(select(OutboxMessage).where(OutboxMessage.party_id == helper.id))
        ).all()
        audit = (await session.exec(select(AuditEvent).where(AuditEvent.action == "helper.add"))).one()
    assert (invitation.kind, invitation.channel, invitation.recipient) == (
        "invitation",
        "email",
        "jo.carer@example.org",
    )
    assert json.loads(invitation.context_json) == {"force_name": victim.force.name}
    assert (audit.actor_kind, audit.actor_id, audit.party_id) == ("party", victim.party.id, victim.party.id)


async def test_a_helper_with_only_a_mobile_is_invited_by_text(client, db, victim):
    await sign_in(client, victim)
    await add_helper_as_victim(client, email="", mobile="07700 900456")
    (helper,) = await helpers_in_db(db, victim.party.id)
    async with db.session() as session:
        invitation = (
            await session.exec(select(OutboxMessage).where(OutboxMessage.party_id == helper.id))
        ).one()
    assert (invitation.channel, invitation.recipient) == ("sms", "07700 900456")


async def test_mistakes_are_shown_by_their_fields_with_a_summary_and_a_400(client, db, victim):
    await sign_in(client, victim)
    await client.page("/helpers")
    page = await client.submit(
        "/helpers",
        helper_form(
            forenames="", relationship="cousin", email="not an address", **{"date_of_birth-year": ""}
        ),
        expect=400,
    )
    assert text_of(page.title).startswith("Error: People who help you")
    links = {text_of(a): a["href"] for a in page.select(".error-summary a")}
    assert links == {
        "Enter the helper's first name": "#field-helper_forenames",
        "Date of birth must include a year": "#field-helper_date_of_birth-day",
        "Choose who the helper is": "#field-helper_relationship",
        "Check the email. It should look like name@example.com": "#field-helper_email",
    }
    assert page.select_one("#field-helper_surname")["value"] == "Carer", "what was typed is kept"
    page = await client.submit("/helpers", helper_form(email="", mobile=""), expect=400)
    assert [text_of(a) for a in page.select(".error-summary a")] == [
        "Give their email or mobile, so we can ask them to join"
    ]
    assert await helpers_in_db(db, victim.party.id) == []


async def test_no_more_than_three_helpers(client, db, victim):
    await sign_in(client, victim)
    for surname in ("One", "Two", "Three"):
        await add_helper_as_victim(client, surname=surname)
    page = await client.page("/helpers")
    assert page.select_one('form[action="/helpers"]') is None
    assert "up to 3 people" in text_of(page.select_one("main"))
    page = await client.submit("/helpers", helper_form(surname="Four"), expect=400)
    assert "There are 3 helpers. That is the most" in text_of(page.select_one(".error-summary"))
    assert [h.surname for h in await helpers_in_db(db, victim.party.id)] == ["One", "Two", "Three"]


async def test_the_limit_of_three_helpers_holds_when_requests_arrive_together(client, db, victim):
    """Six adds at the same moment (real parallel requests on PostgreSQL): three are kept, never more."""
    await sign_in(client, victim)
    await client.page("/helpers")
    answers = await asyncio.gather(
        *(client.post("/helpers", helper_form(surname=f"Carer{n}")) for n in range(6))
    )
    assert sorted(answer.status_code for answer in answers) == [303] * 3 + [400] * 3
    assert len(await helpers_in_db(db, victim.party.id)) == 3


@pytest.mark.parametrize(
    ("years", "days_more", "allowed"),
    [
        (12, 0, False),  # 12 today: may have their own account
        (12, -1, True),  # 12 tomorrow: still under 12
        (13, 0, False),
        (5, 0, True),
    ],
)
async def test_a_parent_is_added_only_for_a_child_under_12(client, db, app, years, days_more, allowed):
    born = years_before(uk_today(), years) - dt.timedelta(days=days_more)
    case = await make_victim_case(db, born=born, forenames="Kai")
    await sign_in(client, case)
    await client.page("/helpers")
    page = await client.submit("/helpers", helper_form(relationship="parent"), expect=200 if allowed else 400)
    helpers = await helpers_in_db(db, case.party.id)
    if allowed:
        assert [h.helper_relationship for h in helpers] == ["parent"]
    else:
        assert helpers == []
        assert text_of(page.select_one("#field-helper_relationship-error")).endswith(
            "This child is 12 or older. They can have their own account. A parent can only help a child "
            "under 12"
        )


async def test_an_officer_adds_and_removes_a_helper_on_the_crime_page(client, db, app):
    world = await build_world(db)
    await sign_in_as(client, db, world.oic)
    page = await client.page(f"/officer/crimes/{world.crime.id}")
    pid = world.victim.id
    form = page.select_one(f"#helpers-{pid} form")
    assert form["action"] == f"/officer/crimes/{world.crime.id}/parties/{pid}/helpers"
    page = await client.submit(form["action"], helper_form(f"helper_{pid}_", relationship="isva"))
    section = page.select_one(f"#helpers-{pid}")
    assert "Jo Carer, independent sexual violence adviser (ISVA)" in text_of(section.select_one("ul"))
    assert "Added by an officer" in text_of(section)
    (helper,) = await helpers_in_db(db, pid)
    assert helper.helper_added_by == "officer"
    assert page.select_one(f"#party-{helper.id}-heading") is None, "a helper is not listed as a party"

    response = await client.post(
        f"/officer/crimes/{world.crime.id}/parties/{pid}/helpers/{helper.id}/remove", htmx=True
    )
    fragment = check_page(response.text, fragment=True)
    assert text_of(fragment.select_one("#announcer[hx-swap-oob]")) == "Jo Carer is no longer a helper."
    assert fragment.select_one(f"#helper-{helper.id}") is None
    async with db.session() as session:
        assert (await session.get(Party, helper.id)).account_deleted_at is not None
        audit = (await session.exec(select(AuditEvent).where(AuditEvent.action == "helper.remove"))).one()
    assert (audit.actor_kind, audit.actor_id) == ("officer", world.oic.id)


async def test_an_officers_mistakes_stay_in_the_persons_section(client, db, app):
    world = await build_world(db)
    await sign_in_as(client, db, world.oic)
    await client.page(f"/officer/crimes/{world.crime.id}")
    pid = world.victim.id
    response = await client.post(
        f"/officer/crimes/{world.crime.id}/parties/{pid}/helpers",
        helper_form(f"helper_{pid}_", surname=""),
        htmx=True,
    )
    fragment = check_page(response.text, fragment=True)
    assert [text_of(a) for a in fragment.select(f"#helpers-{pid} .error-summary a")] == [
        "Enter the helper's last name"
    ]
    assert await helpers_in_db(db, pid) == []


async def test_an_officer_cannot_add_or_remove_helpers_on_a_crime_they_cannot_see(client, db, app):
    world = await build_world(db)
    async with db.transaction() as session:
        helper = await add_party(
            session, world.crime, surname="Carer", email="jo@example.org", rms_party_id="HELPER-1"
        )
        helper.helps_party_id = world.victim.id
        helper.role = "helper"
        session.add(helper)
    await sign_in_as(client, db, world.outsider)
    await client.page("/officer")
    base = f"/officer/crimes/{world.crime.id}/parties/{world.victim.id}/helpers"
    pid = world.victim.id
    assert (await client.post(base, helper_form(f"helper_{pid}_"))).status_code == 404
    assert (await client.post(f"{base}/{helper.id}/remove")).status_code == 404
    client.http.cookies.clear()
    await sign_in_as(client, db, world.oic)
    await client.page("/officer")
    # A helper is not a party an officer may act on by its own id.
    wrong = f"/officer/crimes/{world.crime.id}/parties/{helper.id}/helpers"
    assert (await client.post(wrong, helper_form(f"helper_{helper.id}_"))).status_code == 404
    assert len(await helpers_in_db(db, world.victim.id)) == 1


# ---------------------------------------------------------------- signed in as a helper


async def test_a_helper_signs_in_as_themselves_and_sees_what_the_victim_sees(db, helping):
    page = helping.helper_browser.last_page
    assert text_of(page.h1) == "Your case"
    assert text_of(page.select_one("#helper-banner-title")) == "You are helping Alex"
    assert "A man was arrested on Friday." in text_of(page.select_one("main"))
    assert helping.case.crime.reference in text_of(page)
    assert page.select_one('a[href="/preferences"]') is None
    async with db.session() as session:
        sessions = (await session.exec(select(WebSession).where(WebSession.ended_at.is_(None)))).all()
    assert {s.party_id for s in sessions} == {helping.case.party.id, helping.helper.id}


async def test_a_helpers_poll_tells_of_an_update_for_victims_as_the_victims_does(db, helping):
    """A helper's case is the victim's, seen with the victim's role: the poll's numbers for them are
    the victim's (read on their own, as the session's look-up has the helper's role, not the victim's)."""
    import html
    import re

    polls = {}
    for name, browser in (("victim", helping.victim_browser), ("helper", helping.helper_browser)):
        page = (await browser.get("/case")).text
        found = re.search(r'hx-get="(/case/activity\?seen=[^"]*)"', page)
        assert found, "the case page polls for news"
        polls[name] = html.unescape(found.group(1))
        assert (await browser.get(polls[name], htmx=True, expect=204)).status_code == 204
    async with db.transaction() as session:
        add_update(session, helping.case.crime, "A date for the trial is set.", audience="victims")
    for name, browser in (("victim", helping.victim_browser), ("helper", helping.helper_browser)):
        news = await browser.get(polls[name], htmx=True)
        assert "A date for the trial is set." in news.text, name


async def test_the_victims_own_details_do_not_sign_a_helper_in_nor_the_helpers_another_crime(db, helping):
    browser = helping.helper_browser
    browser.http.cookies.clear()
    page = await sign_in_helper(browser, helping.case, helping.helper, password=helping.case.password)
    assert "do not match what we have" in text_of(page.select_one(".error-summary"))
    async with db.transaction() as session:
        other = await add_crime(session, helping.case.force, helping.case.officer)
    page = await sign_in_helper(browser, type("C", (), {"crime": other})(), helping.helper)
    assert "do not match what we have" in text_of(page.select_one(".error-summary"))


async def test_a_helpers_sign_in_is_limited_and_locks_as_a_victims_does(db, helping):
    browser = helping.helper_browser
    browser.http.cookies.clear()
    answers = [
        (await sign_in_helper(browser, helping.case, helping.helper, password="wrong password", expect=None))
        for _ in range(5)
    ]
    assert [status for status, _page in answers] == [200, 200, 200, 200, 429]
    status, page = await sign_in_helper(browser, helping.case, helping.helper, expect=None)
    assert status == 429 and text_of(page.h1) == "You cannot sign in at the moment"
    await helping.victim_browser.page("/case")  # the victim is not locked out by their helper's attempts


async def test_a_helper_whose_party_is_on_another_crime_sees_nothing(db, app, helping):
    async with db.transaction() as session:
        other = await add_crime(session, helping.case.force, helping.case.officer)
        stranger = await add_party(session, other, surname="Stranger")
        helper = await session.get(Party, helping.helper.id)
        helper.helps_party_id = stranger.id
        session.add(helper)
    response = await helping.helper_browser.get("/case", expect=303)
    assert response.headers["location"].startswith("/sign-in")


async def test_a_helpers_message_is_marked_as_theirs_on_both_sides(client, db, helping):
    browser = helping.helper_browser
    page = await browser.submit("/case/messages", {"message": "Alex would like a call on Monday."})
    mine = page.select("main .timeline__item--messages")[0]  # newest first
    assert "From Jo Carer, carer" in text_of(mine)
    async with db.session() as session:
        message = (await session.exec(select(Message).where(Message.body.startswith("Alex would")))).one()
        audit = (await session.exec(select(AuditEvent).where(AuditEvent.action == "message.send"))).one()
    assert (message.party_id, message.helper_id) == (helping.case.party.id, helping.helper.id)
    assert (audit.actor_kind, audit.actor_id) == ("helper", helping.helper.id)

    page = await helping.victim_browser.page("/case")
    assert "From Jo Carer, carer" in text_of(page.select("main .timeline__item--messages")[0])

    await sign_in_as(client, db, helping.case.officer)
    page = await client.page(f"/officer/crimes/{helping.case.crime.id}")
    thread = page.select_one(f"#conversation-{helping.case.party.id}")
    assert "From Jo Carer, carer" in text_of(thread.select(".thread__meta")[-1])


async def test_every_page_a_helper_opens_is_audited_as_theirs_and_reads_nothing_for_the_victim(db, helping):
    await helping.helper_browser.page("/support")
    async with db.session() as session:
        views = (await session.exec(select(AuditEvent).where(AuditEvent.action == "helper.view"))).all()
        reads = (await session.exec(select(UpdateRead))).all()
    assert {(v.actor_kind, v.actor_id, v.detail) for v in views} >= {
        ("helper", helping.helper.id, "/case"),
        ("helper", helping.helper.id, "/support"),
    }
    assert all(v.party_id == helping.case.party.id and v.crime_id == helping.case.crime.id for v in views)
    assert [r.party_id for r in reads] == [helping.case.party.id], "only the victim's own visit counts"


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/preferences"),
        ("POST", "/preferences"),
        ("POST", "/opt-out"),
        ("GET", "/delete-account"),
        ("POST", "/delete-account"),
        ("GET", "/helpers"),
        ("POST", "/helpers"),
        ("GET", "/feedback"),
    ],
)
async def test_a_helper_cannot_change_the_victims_account(db, helping, method, url):
    browser = helping.helper_browser
    if method == "GET":
        page = await browser.page(url, expect=403)
    else:
        response = await browser.post(
            url, {"alert_channel": "none", **helper_form(surname="Sneaky")}, expect=403
        )
        page = check_page(response.text)
    assert text_of(page.h1) == "Only they can change this"
    async with db.session() as session:
        party = await session.get(Party, helping.case.party.id)
    assert party.account_deleted_at is None and party.opted_out_at is None
    assert party.alert_channel == "email"
    assert len(await helpers_in_db(db, party.id)) == 1


async def test_a_helper_signing_out_everywhere_signs_only_themselves_out(db, helping):
    await helping.helper_browser.post("/sign-out-everywhere", expect=303)
    await helping.victim_browser.page("/case")
    await helping.helper_browser.get("/case", expect=303)


# ---------------------------------------------------------------- removing


async def test_a_removed_helpers_open_session_gets_the_sign_in_page_next(db, helping):
    victim = helping.victim_browser
    page = await victim.page("/helpers")
    form = page.select_one(f"#helper-{helping.helper.id} form")
    page = await victim.submit(form["action"], {"helper_id": form.select_one('[name="helper_id"]')["value"]})
    assert text_of(page.select_one(".notification__title")) == "They can no longer see your case"
    response = await helping.helper_browser.get("/case", expect=303)
    assert response.headers["location"] == "/sign-in?signed_out=1"
    page = await helping.helper_browser.page(response.headers["location"])
    assert text_of(page.h1) == "Sign in"
    page = await sign_in_helper(helping.helper_browser, helping.case, helping.helper)
    assert "do not match what we have" in text_of(page.select_one(".error-summary"))
    async with db.session() as session:
        live = (
            await session.exec(
                select(WebSession).where(
                    WebSession.party_id == helping.helper.id, WebSession.ended_at.is_(None)
                )
            )
        ).all()
        audit = (await session.exec(select(AuditEvent).where(AuditEvent.action == "helper.remove"))).one()
    assert live == []
    assert (audit.actor_kind, audit.actor_id) == ("party", helping.case.party.id)


async def test_an_officer_removing_a_helper_ends_their_session_at_once(client, db, helping):
    await sign_in_as(client, db, helping.case.officer)
    page = await client.page(f"/officer/crimes/{helping.case.crime.id}")
    form = page.select_one(f"#helper-{helping.helper.id} form")
    await client.submit(form["action"], {})
    await helping.helper_browser.get("/case", expect=303)


async def test_a_victim_cannot_remove_someone_elses_helper(db, app, helping):
    async with db.transaction() as session:
        crime = await add_crime(session, helping.case.force, helping.case.officer)
        party = await add_party(session, crime, surname="Other")
    other = type(helping.case)(helping.case.force, helping.case.officer, crime, party)
    async with WebClient(app) as browser:
        await sign_in(browser, other)
        await browser.page("/helpers")
        response = await browser.post("/helpers/remove", {"helper_id": str(helping.helper.id)})
        assert response.status_code == 404
    await helping.helper_browser.page("/case")


async def test_deleting_the_victims_account_removes_their_helpers(db, helping):
    victim = helping.victim_browser
    await victim.page("/delete-account")
    await victim.post("/delete-account", expect=303)
    await helping.helper_browser.get("/case", expect=303)
    (helper,) = await helpers_in_db(db, helping.case.party.id)
    assert helper.account_deleted_at is not None
