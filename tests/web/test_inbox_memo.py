"""The memoised officer inbox (page_memo.py, officer/inbox.py) is never stale: after any change to
anything it shows, it is the page a fresh render gives; each part of the key is needed; no page
crosses officers or sessions. The helpers are test_page_memo.py's (the same memo, the same key).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from trackmycrime import audit_actions
from trackmycrime.database import Database
from trackmycrime.models import AuditEvent, Force, Message, Officer, Party, utcnow
from trackmycrime.page_memo import KEY_PARTS, PageMemo

from .officer_world import sign_in_as
from .test_page_memo import (
    _set,
    add_entitlement,
    asked_for_update,
    change_status,
    close_the_case,
    fresh,
    memoised,
    message_read_by_police,
    move_team,
    new_officer_in_charge,
    new_update,
    primed,
    rename_officer,
)
from .victim_data import VictimCase, add_crime, add_message, add_officer, add_party, make_victim_case

pytestmark = pytest.mark.anyio

INBOX, TEAM, SEARCH = "/officer", "/officer?show=team", "/officer?q=Teamcase"
Change = Callable[[AsyncSession, VictimCase], Awaitable[None]]


async def inbox_case(db: Database) -> VictimCase:
    """The officer's case with an unread message, and a teammate's case on the team inbox."""
    case = await make_victim_case(db)
    async with db.transaction() as session:
        await _set(session, Officer, col(Officer.id) == case.officer.id, team="North CID")
        add_message(session, case.party, "Any news?", days_ago=2)
        add_message(session, case.party, "Not yet.", officer=case.officer, days_ago=1, read=True)
        force = await session.get(Force, case.force.id)
        assert force is not None
        mate = await add_officer(session, force, name="PC Ali Mate")
        mate.team = "North CID"
        session.add(mate)
        crime = await add_crime(session, force, mate)
        other = await add_party(session, crime, surname="Teamcase", email="t@example.org", password=None)
        add_message(session, other, "Hello?", days_ago=1)
    return case


async def new_message_from_party(session: AsyncSession, case: VictimCase) -> None:
    add_message(session, case.party, "Someone is outside my house again.", days_ago=0.01)


async def due_soon(session: AsyncSession, case: VictimCase) -> None:
    add_entitlement(session, case, "status_changed", due_in=dt.timedelta(days=1))


async def reassigned_to_the_officer(session: AsyncSession, case: VictimCase) -> None:
    force = await session.get(Force, case.force.id)
    assert force is not None
    somebody = await add_officer(session, force, name="PC Elsewhere")
    crime = await add_crime(session, force, somebody)
    await add_party(session, crime, surname="Handedover", email="h@example.org", password=None)
    await session.flush()
    crime.officer_in_charge_id = case.officer.id
    session.add(crime)
    session.add(
        AuditEvent(
            force_id=case.force.id,
            actor_kind="officer",
            actor_id=somebody.id,
            action=audit_actions.CRIME_REASSIGN,
            crime_id=crime.id,
            at=utcnow(),
        )
    )


async def party_renamed(session: AsyncSession, case: VictimCase) -> None:
    await _set(session, Party, col(Party.id) == case.party.id, surname="Renamed")


async def teammate_renamed(session: AsyncSession, case: VictimCase) -> None:
    """Not the officer signed in (the session check reads their row anew): a name on the team's list."""
    await _set(session, Officer, col(Officer.name) == "PC Ali Mate", name="DC Ali Mate")


async def teammate_moves_team(session: AsyncSession, case: VictimCase) -> None:
    await _set(session, Officer, col(Officer.name) == "PC Ali Mate", team="South CID")


async def teammate_case_read(session: AsyncSession, case: VictimCase) -> None:
    await _set(session, Message, col(Message.party_id) != case.party.id, read_at=utcnow())


# Each change, and the inbox it shows on (the team's for the team and a teammate's case).
CHANGES: list[tuple[Change, str]] = [
    (new_message_from_party, INBOX),
    (message_read_by_police, INBOX),
    (new_update, INBOX),
    (asked_for_update, INBOX),
    (due_soon, INBOX),
    (new_officer_in_charge, INBOX),
    (reassigned_to_the_officer, INBOX),
    (rename_officer, TEAM),
    (move_team, TEAM),
    (party_renamed, INBOX),
    (change_status, INBOX),
    (close_the_case, INBOX),
    (teammate_case_read, TEAM),
    (teammate_renamed, TEAM),
    (teammate_moves_team, TEAM),
]
# Changes the inbox does not show (the status), or not on this case (its officer has written since).
NOT_SHOWN = {change_status, new_update, close_the_case}


@pytest.mark.parametrize(
    ("change", "url"), CHANGES, ids=[f"{change.__name__} {url}" for change, url in CHANGES]
)
async def test_after_each_change_the_memoised_inbox_is_a_fresh_render(app, client, db, change, url):
    case = await inbox_case(db)
    await sign_in_as(client, db, case.officer)
    before = await primed(app, client, url)
    async with db.transaction() as session:
        await change(session, case)
    after = await memoised(client, url)
    assert after == await fresh(app, client, url)
    if change not in NOT_SHOWN:
        assert after != before, "the change shows on the inbox"


async def test_text_moved_from_one_column_to_the_next_changes_the_memoised_inbox(app, client, db):
    """Each row's text keeps its values apart (victim/queries.py, digest_ordered_rows_text: on
    PostgreSQL the row's record text, which quotes a value holding a comma; on SQLite, _row_text):
    "Alex," "Brien" and "Alex" ",Brien" are two names on the inbox, and must be two digests."""
    case = await inbox_case(db)
    async with db.transaction() as session:
        await _set(session, Party, col(Party.id) == case.party.id, forenames="Alex,", surname="Brien")
    await sign_in_as(client, db, case.officer)
    before = await primed(app, client, INBOX)
    async with db.transaction() as session:
        await _set(session, Party, col(Party.id) == case.party.id, forenames="Alex", surname=",Brien")
    after = await memoised(client, INBOX)
    assert after != before
    assert after == await fresh(app, client, INBOX)


async def test_a_deadline_passing_changes_the_inbox_and_the_memo_follows(app, client, db):
    case = await inbox_case(db)
    async with db.transaction() as session:
        add_entitlement(session, case, "status_changed", due_in=dt.timedelta(seconds=1.5))
    await sign_in_as(client, db, case.officer)
    before = await primed(app, client, INBOX)
    assert "Update overdue" not in before
    await asyncio.sleep(1.6)
    after = await memoised(client, INBOX)
    assert "Update overdue" in after
    assert after == await fresh(app, client, INBOX)


async def test_a_search_is_rendered_at_every_visit(app, client, db):
    """Not memoised: what it can find is any crime the officer can see (officer/inbox.py)."""
    case = await inbox_case(db)
    await sign_in_as(client, db, case.officer)
    await primed(app, client, INBOX)
    memo = app.state.page_memo
    entries, hits = len(memo), memo.hits
    before = await memoised(client, SEARCH)
    async with db.transaction() as session:
        await teammate_case_read(session, case)
    after = await memoised(client, SEARCH)
    assert (len(memo), memo.hits) == (entries, hits)
    assert after != before and after == await fresh(app, client, SEARCH)


@pytest.mark.parametrize("url", ["/officer?q=Teamcase", "/officer?show=team", "/officer?q=nothing"])
async def test_a_search_or_filter_in_the_url_is_another_page(app, client, db, url):
    case = await inbox_case(db)
    await sign_in_as(client, db, case.officer)
    await primed(app, client, INBOX)
    assert await memoised(client, url) == await fresh(app, client, url)
    assert await memoised(client, url) != await memoised(client, INBOX)


async def test_signing_out_ends_the_memoised_inbox(app, client, db):
    case = await inbox_case(db)
    await sign_in_as(client, db, case.officer)
    await primed(app, client, INBOX)
    response = await client.post("/officer/sign-out", {}, expect=None)
    assert response.status_code in (200, 303)
    assert (await client.http.get(INBOX)).status_code == 303


async def test_two_officers_never_share_an_inbox(app, client, db):
    case = await inbox_case(db)
    async with db.transaction() as session:
        force = await session.get(Force, case.force.id)
        assert force is not None
        other = await add_officer(session, force, name="PC Nobody Else")
    await sign_in_as(client, db, case.officer)
    mine = await primed(app, client, INBOX)
    await sign_in_as(client, db, other)
    theirs = await primed(app, client, INBOX)
    assert len(app.state.page_memo) == 2
    assert "Any news?" not in theirs and mine != theirs
    assert theirs == await fresh(app, client, INBOX)


async def test_htmx_requests_for_the_inbox_are_not_memoised(app, client, db):
    case = await inbox_case(db)
    await sign_in_as(client, db, case.officer)
    response = await client.http.get(INBOX, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert len(app.state.page_memo) == 0


# ---------------------------------------------------------------- each part of the key is needed


async def _stale_digest(app: Any, client: Any, db: Database, case: VictimCase) -> tuple[str, str]:
    await sign_in_as(client, db, case.officer)
    await primed(app, client, INBOX)
    async with db.transaction() as session:
        await new_message_from_party(session, case)
    return await memoised(client, INBOX), await fresh(app, client, INBOX)


async def _stale_url(app: Any, client: Any, db: Database, case: VictimCase) -> tuple[str, str]:
    await sign_in_as(client, db, case.officer)
    await primed(app, client, INBOX)
    return await memoised(client, TEAM), await fresh(app, client, TEAM)


async def _stale_session(app: Any, client: Any, db: Database, case: VictimCase) -> tuple[str, str]:
    """Another officer signs in on the same browser (a session and an officer of their own)."""
    async with db.transaction() as session:
        force = await session.get(Force, case.force.id)
        assert force is not None
        other = await add_officer(session, force, name="PC Nobody Else")
    await sign_in_as(client, db, case.officer)
    await primed(app, client, INBOX)
    await sign_in_as(client, db, other)
    return await memoised(client, INBOX), await fresh(app, client, INBOX)


async def _stale_csrf_token(app: Any, client: Any, db: Database, case: VictimCase) -> tuple[str, str]:
    await sign_in_as(client, db, case.officer)
    await primed(app, client, INBOX)
    for cookie in list(client.http.cookies.jar):
        if "csrf" in cookie.name:
            client.http.cookies.delete(cookie.name, domain=cookie.domain)
    return await memoised(client, INBOX), await fresh(app, client, INBOX)


async def _stale_time(app: Any, client: Any, db: Database, case: VictimCase) -> tuple[str, str]:
    async with db.transaction() as session:
        add_entitlement(session, case, "status_changed", due_in=dt.timedelta(seconds=1.5))
    await sign_in_as(client, db, case.officer)
    await primed(app, client, INBOX)
    await asyncio.sleep(1.6)
    return await memoised(client, INBOX), await fresh(app, client, INBOX)


LEFT_OUT = [
    (("digest",), _stale_digest),
    (("url",), _stale_url),
    (("party", "session", "digest"), _stale_session),
    (("csrf_token",), _stale_csrf_token),
    (("time",), _stale_time),
]


def test_every_part_of_the_key_is_left_out_in_turn():
    """All but the language: officer pages are in English whatever the reader picks (below)."""
    assert {part for parts, _stale in LEFT_OUT for part in parts} == set(KEY_PARTS) - {"language"}


async def test_the_inbox_is_in_english_whatever_language_is_picked(app, client, db):
    case = await inbox_case(db)
    await sign_in_as(client, db, case.officer)
    english = await primed(app, client, INBOX)
    client.http.cookies.set("tmc_lang", "cy", domain="testserver.local")
    app.state.page_memo = PageMemo(1000, key_parts=[part for part in KEY_PARTS if part != "language"])
    assert await fresh(app, client, INBOX + "?lang=cy") == await fresh(app, client, INBOX) == english


@pytest.mark.parametrize(("left_out", "stale"), LEFT_OUT, ids=["+".join(parts) for parts, _stale in LEFT_OUT])
async def test_without_each_part_of_the_key_a_stale_inbox_gets_through(app, client, db, left_out, stale):
    case = await inbox_case(db)
    app.state.page_memo = PageMemo(1000, key_parts=[part for part in KEY_PARTS if part not in left_out])
    served, fresh_page = await stale(app, client, db, case)
    assert served != fresh_page


async def test_a_change_while_the_inbox_is_rendered_is_not_kept(app, client, db, monkeypatch):
    """The digest is asked again once the page is rendered (officer/inbox.py, _memoised_inbox): a
    team move while the lists were read must not leave the page kept under the key of the rows as
    they were before."""
    from trackmycrime.officer import inbox as inbox_module

    case = await inbox_case(db)
    await sign_in_as(client, db, case.officer)
    digest = inbox_module.inbox_digest
    moved: list[bool] = []

    async def team_moved_first(reading: AsyncSession, officer: Officer) -> str:
        if not moved:
            moved.append(True)
            async with db.transaction() as session:
                await move_team(session, case)
        return await digest(reading, officer)

    monkeypatch.setattr(inbox_module, "inbox_digest", team_moved_first)
    await memoised(client, TEAM)
    assert await memoised(client, TEAM) == await fresh(app, client, TEAM)


async def test_the_key_is_of_the_officer_s_row_the_page_is_drawn_from(app, client, db, monkeypatch):
    """The page is drawn from the officer's row as the session check read it (their team, their
    role's navigation), so its key is the digest computed in that same statement: a team move just
    after the check must not be kept under the key of the new rows, where the next visit, reading
    them, would find it (officer_required's `added`, inbox_digest_column)."""
    from trackmycrime.officer import inbox as inbox_module

    case = await inbox_case(db)
    await sign_in_as(client, db, case.officer)
    memoised_inbox = inbox_module._memoised_inbox
    moved: list[bool] = []

    async def team_moved_after_the_check(*args: Any) -> Any:
        if not moved:
            moved.append(True)
            async with db.transaction() as session:
                await move_team(session, case)
        return await memoised_inbox(*args)

    monkeypatch.setattr(inbox_module, "_memoised_inbox", team_moved_after_the_check)
    first = await memoised(client, TEAM)
    assert "Teamcase" in first, "drawn from the row as the check read it: the old team's cases"
    after = await memoised(client, TEAM)
    assert "Teamcase" not in after
    assert after == await fresh(app, client, TEAM)
