"""The memoised case page (page_memo.py) is never stale: after any change to anything the page shows,
it is the page a fresh render gives; each part of the key is needed; no page crosses parties or sessions.

A fresh render is the same app with the memo turned off. The CSRF token in a page is masked afresh at
each render (auth/csrf.py), so pages are compared with each token unmasked.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from trackmycrime import models
from trackmycrime.auth.csrf import unmask
from trackmycrime.database import Database
from trackmycrime.models import (
    CaseUpdate,
    Crime,
    Entitlement,
    Force,
    Message,
    Officer,
    Party,
    PropertyItem,
    UpdateRequest,
    utcnow,
)
from trackmycrime.page_memo import KEY_PARTS, PageMemo

from .officer_world import sign_in_as
from .victim_data import VictimCase, add_message, add_officer, add_party, add_update, make_victim_case

pytestmark = pytest.mark.anyio

_TOKEN = re.compile(r'(name="csrf_token" value="|"X-CSRF-Token": ")([A-Za-z0-9_=-]+)')


def unmasked(html: str) -> str:
    return _TOKEN.sub(lambda found: found.group(1) + str(unmask(found.group(2))), html)


async def memoised(client: Any, url: str = "/case") -> str:
    response = await client.http.get(url)
    assert response.status_code == 200, response.status_code
    return unmasked(response.text)


async def fresh(app: Any, client: Any, url: str = "/case") -> str:
    memo = app.state.page_memo
    app.state.page_memo = PageMemo(0)
    try:
        return await memoised(client, url)
    finally:
        app.state.page_memo = memo


async def primed(app: Any, client: Any, url: str = "/case") -> str:
    """The page, kept in the memo (shown once first, so that nothing is left to mark read)."""
    await fresh(app, client, url)
    page = await memoised(client, url)
    hits = app.state.page_memo.hits
    assert await memoised(client, url) == page
    assert app.state.page_memo.hits == hits + 1, "the second visit is served from the memo"
    return page


async def add_helper(db: Database, case: VictimCase, *, writes: str = "") -> Party:
    async with db.transaction() as session:
        helper = await add_party(
            session,
            case.crime,
            surname="Carer",
            forenames="Sam",
            email="sam@example.org",
            born=dt.date(1970, 1, 1),
        )
        helper.helps_party_id, helper.helper_relationship = case.party.id, "carer"
        session.add(helper)
        if writes:
            message = add_message(session, case.party, writes)
            message.helper_id = helper.id
    return helper


# ---------------------------------------------------------------- every input, changed one at a time

Change = Callable[[AsyncSession, VictimCase], Awaitable[None]]


async def _set(session: AsyncSession, model: Any, where: Any, **values: Any) -> None:
    await session.exec(update(model).where(where).values(**values))  # type: ignore[call-overload]


async def rename_officer(session: AsyncSession, case: VictimCase) -> None:
    await _set(session, Officer, col(Officer.id) == case.officer.id, name="DC Robin Vale")


async def move_team(session: AsyncSession, case: VictimCase) -> None:
    await _set(session, Officer, col(Officer.id) == case.officer.id, team="South CID")


async def new_officer_in_charge(session: AsyncSession, case: VictimCase) -> None:
    force = await session.get(Force, case.force.id)
    assert force is not None
    other = await add_officer(session, force, name="PC Kim Other")
    await _set(session, Crime, col(Crime.id) == case.crime.id, officer_in_charge_id=other.id)


async def blank_for_retention(session: AsyncSession, case: VictimCase) -> None:
    """What retention blanks (it ends the sessions too: the digest must not rely on that)."""
    await _set(session, Message, col(Message.crime_id) == case.crime.id, body="")
    await _set(session, CaseUpdate, col(CaseUpdate.crime_id) == case.crime.id, text="")
    await _set(session, Crime, col(Crime.id) == case.crime.id, personal_data_removed_at=utcnow())


async def change_status(session: AsyncSession, case: VictimCase) -> None:
    await _set(session, Crime, col(Crime.id) == case.crime.id, status="suspect_arrested")


async def close_the_case(session: AsyncSession, case: VictimCase) -> None:
    await _set(session, Crime, col(Crime.id) == case.crime.id, status="closed", closed_at=utcnow())


async def new_message(session: AsyncSession, case: VictimCase) -> None:
    add_message(session, case.party, "We have found your bike.", officer=case.officer, days_ago=0.01)


async def message_read_by_police(session: AsyncSession, case: VictimCase) -> None:
    await _set(session, Message, col(Message.party_id) == case.party.id, read_at=utcnow())


async def new_update(session: AsyncSession, case: VictimCase) -> None:
    add_update(session, case.crime, "A witness came forward.", days_ago=0.01, author=case.officer)


async def update_corrected(session: AsyncSession, case: VictimCase) -> None:
    await _set(
        session,
        CaseUpdate,
        col(CaseUpdate.crime_id) == case.crime.id,
        text="Corrected.",
        corrected_at=utcnow(),
    )


async def update_withdrawn(session: AsyncSession, case: VictimCase) -> None:
    await _set(session, CaseUpdate, col(CaseUpdate.crime_id) == case.crime.id, withdrawn_at=utcnow())


async def update_redated(session: AsyncSession, case: VictimCase) -> None:
    when = utcnow() - dt.timedelta(days=5)
    await _set(session, CaseUpdate, col(CaseUpdate.crime_id) == case.crime.id, occurred_at=when)


async def new_hearing(session: AsyncSession, case: VictimCase) -> None:
    session.add(
        models.Hearing(
            crime_id=case.crime.id,
            rms_hearing_id="H-1",
            court_name="Bristol Crown Court",
            starts_at=utcnow() + dt.timedelta(days=20),
            hearing_type="trial",
        )
    )


async def new_decision(session: AsyncSession, case: VictimCase) -> None:
    decision = models.Decision(crime_id=case.crime.id, rms_decision_id="D-1", agency="cps")
    decision.decision, decision.reason = "no_further_action", "Not enough evidence."
    decision.decided_at = utcnow() - dt.timedelta(days=1)
    session.add(decision)


async def new_property(session: AsyncSession, case: VictimCase) -> None:
    item = PropertyItem(
        crime_id=case.crime.id, rms_item_id="I-1", description="A red bicycle", category="other"
    )
    session.add(item)
    await session.flush()
    await _set(session, Party, col(Party.id) == case.party.id, has_property=True)
    message = add_message(session, case.party, "Is it mine?", days_ago=0.01)
    message.property_item_id = item.id


async def helper_renamed(session: AsyncSession, case: VictimCase) -> None:
    await _set(session, Party, col(Party.helps_party_id) == case.party.id, forenames="Samantha")


def add_entitlement(
    session: AsyncSession, case: VictimCase, event: str, *, due_in: dt.timedelta
) -> Entitlement:
    due = Entitlement(
        force_id=case.force.id,
        crime_id=case.crime.id,
        party_id=case.party.id,
        event=event,
        event_key="1",
        event_at=utcnow(),
        due_at=utcnow() + due_in,
    )
    session.add(due)
    return due


async def asked_for_update(session: AsyncSession, case: VictimCase) -> None:
    due = add_entitlement(session, case, "update_requested", due_in=dt.timedelta(days=5))
    await session.flush()
    request = UpdateRequest(
        crime_id=case.crime.id, party_id=case.party.id, note="Any news?", entitlement_id=due.id
    )
    session.add(request)


async def force_phone_changed(session: AsyncSession, case: VictimCase) -> None:
    await _set(session, Force, col(Force.id) == case.force.id, non_emergency_phone="0300 123 4567")


async def language_changed(session: AsyncSession, case: VictimCase) -> None:
    await _set(session, Party, col(Party.id) == case.party.id, preferred_language="cy")


CHANGES: list[Change] = [
    rename_officer,
    move_team,
    new_officer_in_charge,
    blank_for_retention,
    change_status,
    close_the_case,
    new_message,
    message_read_by_police,
    new_update,
    update_corrected,
    update_withdrawn,
    update_redated,
    new_hearing,
    new_decision,
    new_property,
    helper_renamed,
    asked_for_update,
    force_phone_changed,
    language_changed,
]


async def case_with_history(db: Database) -> VictimCase:
    case = await make_victim_case(db)
    await add_helper(db, case, writes="I am writing for Alex.")
    async with db.transaction() as session:
        add_update(session, case.crime, "Recorded.", status="recorded", days_ago=3, author=case.officer)
        add_message(session, case.party, "Any news?", days_ago=2)
        add_message(session, case.party, "Not yet.", officer=case.officer, days_ago=1, read=True)
    return case


@pytest.mark.parametrize("change", CHANGES, ids=[change.__name__ for change in CHANGES])
async def test_after_each_change_the_memoised_page_is_a_fresh_render(app, client, db, change):
    case = await case_with_history(db)
    await sign_in_as(client, db, case.party)
    before = await primed(app, client)
    async with db.transaction() as session:
        await change(session, case)
    await fresh(app, client)  # marks what is new read, which a fresh render does too
    after = await memoised(client)
    assert after == await fresh(app, client)
    assert after != before, "the change shows on the page"


# The rows kept by the party's id: for a trusted helper, the digest must be of the party they help.
AS_HELPER = [new_message, message_read_by_police, asked_for_update]


@pytest.mark.parametrize("change", AS_HELPER, ids=[change.__name__ for change in AS_HELPER])
async def test_a_helpers_memoised_page_follows_the_helped_partys_rows(app, client, db, change):
    case = await case_with_history(db)
    async with db.reading() as session:
        helper = (await session.exec(select(Party).where(col(Party.helps_party_id) == case.party.id))).one()
    await sign_in_as(client, db, helper)
    before = await primed(app, client)
    assert "You are helping" in before
    async with db.transaction() as session:
        await change(session, case)
    after = await memoised(client)
    assert after == await fresh(app, client)
    assert after != before, "the change shows on the helper's page"


async def test_time_passing_a_deadline_changes_the_page_and_the_memo_follows(app, client, db):
    case = await case_with_history(db)
    async with db.transaction() as session:
        add_entitlement(session, case, "status_changed", due_in=dt.timedelta(seconds=1.5))
    await sign_in_as(client, db, case.party)
    before = await primed(app, client)
    assert "This update is late" not in before
    await asyncio.sleep(1.6)
    after = await memoised(client)
    assert "This update is late" in after
    assert after == await fresh(app, client)


async def test_a_url_with_another_query_is_another_page(app, client, db):
    case = await case_with_history(db)
    await sign_in_as(client, db, case.party)
    await primed(app, client)
    assert await memoised(client, "/case?sent=1") == await fresh(app, client, "/case?sent=1")


async def test_signing_out_everywhere_ends_the_memoised_page_too(app, client, db):
    case = await case_with_history(db)
    await sign_in_as(client, db, case.party)
    await primed(app, client)
    response = await client.post("/sign-out-everywhere", {}, expect=None)
    assert response.status_code in (200, 303)
    assert (await client.http.get("/case")).status_code == 303


async def test_a_row_stored_again_unchanged_keeps_the_memoised_page(app, client, db):
    """The digest joins the rows it reads whole (the officers the page names) in the order of their
    ids. A row stored again as it was goes to the end of PostgreSQL's table, and an aggregate with
    no order could then read the rows in another order: a different digest with nothing changed,
    and the page rendered again."""
    case = await case_with_history(db)
    async with db.transaction() as session:
        colleague = await add_officer(session, case.force, "DC Jo Patel")
        add_update(session, case.crime, "Statement taken.", days_ago=1, author=colleague)
    await sign_in_as(client, db, case.party)
    page = await primed(app, client)
    async with db.transaction() as session:
        for officer in (case.officer, colleague):
            await _set(session, Officer, col(Officer.id) == officer.id, name=officer.name)
    hits = app.state.page_memo.hits
    assert await memoised(client) == page
    assert app.state.page_memo.hits == hits + 1, "the same rows, the same digest: served from the memo"


# ---------------------------------------------------------------- each part of the key is needed


async def _stale_digest(app: Any, client: Any, db: Database, case: VictimCase) -> tuple[str, str]:
    await sign_in_as(client, db, case.party)
    await primed(app, client)
    async with db.transaction() as session:
        await rename_officer(session, case)
    return await memoised(client), await fresh(app, client)


async def _stale_url(app: Any, client: Any, db: Database, case: VictimCase) -> tuple[str, str]:
    await sign_in_as(client, db, case.party)
    await primed(app, client)
    return await memoised(client, "/case?sent=1"), await fresh(app, client, "/case?sent=1")


async def _stale_session(app: Any, client: Any, db: Database, case: VictimCase) -> tuple[str, str]:
    """The helper signs in on the party's browser: the same party's case, another session."""
    helper = await add_helper(db, case)
    await sign_in_as(client, db, case.party)
    await primed(app, client)
    await sign_in_as(client, db, helper)
    return await memoised(client), await fresh(app, client)


async def _stale_party(app: Any, client: Any, db: Database, case: VictimCase) -> tuple[str, str]:
    """Another party of the same crime signs in on the same browser."""
    async with db.transaction() as session:
        crime = await session.get(Crime, case.crime.id)
        assert crime is not None
        witness = await add_party(session, crime, surname="Witness", email="w@example.org", role="witness")
    await sign_in_as(client, db, case.party)
    await primed(app, client)
    await sign_in_as(client, db, witness)
    return await memoised(client), await fresh(app, client)


async def _stale_csrf_token(app: Any, client: Any, db: Database, case: VictimCase) -> tuple[str, str]:
    """The browser's CSRF cookie is new (cleared): a page with the old token would refuse every form."""
    await sign_in_as(client, db, case.party)
    await primed(app, client)
    for cookie in list(client.http.cookies.jar):
        if "csrf" in cookie.name:
            client.http.cookies.delete(cookie.name, domain=cookie.domain)
    return await memoised(client), await fresh(app, client)


async def _stale_language(app: Any, client: Any, db: Database, case: VictimCase) -> tuple[str, str]:
    await sign_in_as(client, db, case.party)
    await primed(app, client)
    client.http.cookies.set("tmc_lang", "cy", domain="testserver.local")
    return await memoised(client), await fresh(app, client)


async def _stale_time(app: Any, client: Any, db: Database, case: VictimCase) -> tuple[str, str]:
    async with db.transaction() as session:
        add_entitlement(session, case, "status_changed", due_in=dt.timedelta(seconds=1.5))
    await sign_in_as(client, db, case.party)
    await primed(app, client)
    await asyncio.sleep(1.6)
    return await memoised(client), await fresh(app, client)


# The party's id and language are implied by the session and the digest (the party's row holds their
# language): they are in the key too, so that it does not rest on that; left out, so must those be.
LEFT_OUT = [
    (("digest",), _stale_digest),
    (("url",), _stale_url),
    (("session",), _stale_session),
    (("party", "session", "digest"), _stale_party),
    (("csrf_token",), _stale_csrf_token),
    (("language", "digest"), _stale_language),
    (("time",), _stale_time),
]


def test_every_part_of_the_key_is_left_out_in_turn():
    assert {part for parts, _stale in LEFT_OUT for part in parts} == set(KEY_PARTS)


@pytest.mark.parametrize(("left_out", "stale"), LEFT_OUT, ids=["+".join(parts) for parts, _stale in LEFT_OUT])
async def test_without_each_part_of_the_key_a_stale_page_gets_through(app, client, db, left_out, stale):
    """The other tests can fail: with a part left out of the key, the memo serves a stale page."""
    case = await case_with_history(db)
    app.state.page_memo = PageMemo(1000, key_parts=[part for part in KEY_PARTS if part not in left_out])
    served, fresh_page = await stale(app, client, db, case)
    assert served != fresh_page
    app.state.page_memo = PageMemo(1000)
    assert await memoised(client, "/case?sent=1" if stale is _stale_url else "/case") == fresh_page


# ---------------------------------------------------------------- isolation, and what is sent


async def test_parties_and_sessions_each_get_their_own_page(app, client, db):
    case = await case_with_history(db)
    helper_session = await add_helper(db, case)
    async with db.transaction() as session:
        crime = await session.get(Crime, case.crime.id)
        assert crime is not None
        witness = await add_party(session, crime, surname="Witness", email="w@example.org", role="witness")
    pages = {}
    for who in (case.party, witness, helper_session, case.party):
        await sign_in_as(client, db, who)  # each a new session, on the same browser
        pages.setdefault(who.id, []).append(await primed(app, client))
    assert len(app.state.page_memo) == 4, "one page for each session"
    assert "Witness" not in pages[case.party.id][0]
    assert "You are helping Alex" in pages[helper_session.id][0]
    assert "You are helping" not in pages[case.party.id][1]


def _comparable_headers(response: Any) -> list[tuple[str, str]]:
    """Every header but the request's own id, and the length of a gzipped page: the masked CSRF
    token is random, and its bytes compress to a few more or fewer."""
    gzipped = response.headers.get("content-encoding") == "gzip"
    left_out = {"x-request-id", "content-length"} if gzipped else {"x-request-id"}
    return sorted((name, value) for name, value in response.headers.multi_items() if name not in left_out)


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
async def test_a_memoised_page_is_sent_with_the_headers_of_a_fresh_one(app, client, db, encoding):
    case = await case_with_history(db)
    await sign_in_as(client, db, case.party)
    await primed(app, client)
    headers = {"Accept-Encoding": encoding}
    memo = app.state.page_memo
    hits = memo.hits
    served = await client.http.get("/case", headers=headers)
    assert memo.hits == hits + 1
    app.state.page_memo = PageMemo(0)
    rendered = await client.http.get("/case", headers=headers)
    app.state.page_memo = memo
    assert _comparable_headers(served) == _comparable_headers(rendered)
    assert "nonce" not in served.headers["content-security-policy"], "a nonce would be in the memoised bytes"
    assert served.headers.get("content-encoding") == ("gzip" if encoding == "gzip" else None)
    assert unmasked(served.text) == unmasked(rendered.text)


async def test_htmx_requests_and_a_memo_of_none_are_not_memoised(app, client, db):
    case = await case_with_history(db)
    await sign_in_as(client, db, case.party)
    await client.http.get("/case", headers={"HX-Request": "true"})
    await client.http.get("/case", headers={"HX-Request": "true"})
    assert len(app.state.page_memo) == 0
    app.state.page_memo = PageMemo(0)
    await client.http.get("/case")
    await client.http.get("/case")
    assert len(app.state.page_memo) == 0


async def test_a_view_that_marks_updates_read_is_not_kept(app, client, db):
    case = await case_with_history(db)
    await sign_in_as(client, db, case.party)
    await memoised(client)
    assert len(app.state.page_memo) == 0, "the first view marked the update read"
    await memoised(client)
    assert len(app.state.page_memo) == 1


def test_the_memo_keeps_the_most_recently_used_pages():
    from trackmycrime.page_memo import memoise

    memo = PageMemo(2)
    later = utcnow() + dt.timedelta(hours=1)
    for key in "abc":
        memo.put(key, memoise(key, later))
        if key == "b":
            assert memo.get("a", utcnow()) is not None
    assert memo.get("a", utcnow()) is not None and memo.get("c", utcnow()) is not None
    assert memo.get("b", utcnow()) is None
    assert memo.get("a", later) is None, "not served once its time bucket has ended"
