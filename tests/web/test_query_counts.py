"""No N+1: the hot pages send as many SQL statements for a long history as for a short one.

Each page is shown once for a case with 1 update and 1 message (or an inbox with 1 case) and once
for one with 100 of each (or 100 cases); both are visited once first, so that what is counted is
a steady visit, and the counts must be equal.
"""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import event

from trackmycrime.database import Database
from trackmycrime.models import Crime, Officer, Party
from trackmycrime.page_memo import PageMemo

from .officer_world import sign_in_as
from .victim_data import add_crime, add_force, add_message, add_officer, add_party, add_update

pytestmark = pytest.mark.anyio

LONG = 100


@dataclass
class Case:
    officer: Officer
    crime: Crime
    party: Party


@contextlib.contextmanager
def _noting(db: Database, event_name: str, keep: Callable[..., object | None]) -> Iterator[list[Any]]:
    """What keep() returns for each `event_name` event of the engine, while the block runs."""
    noted: list[Any] = []

    def note(*arguments: object) -> None:
        kept = keep(*arguments)
        if kept is not None:
            noted.append(kept)

    event.listen(db.engine.sync_engine, event_name, note)
    try:
        yield noted
    finally:
        event.remove(db.engine.sync_engine, event_name, note)


def statements_sent(db: Database) -> contextlib.AbstractContextManager[list[str]]:
    def statement(_connection: object, _cursor: object, sql: str, *_rest: object) -> str | None:
        return None if sql.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE")) else sql

    return _noting(db, "before_cursor_execute", statement)


def connections_taken(db: Database) -> contextlib.AbstractContextManager[list[object]]:
    """Each check-out of a connection from the pool."""
    return _noting(db, "checkout", lambda dbapi_connection, *_rest: dbapi_connection)


async def make_cases(db: Database) -> tuple[Case, Case]:
    """A case with a history of one, and one with a hundred updates, messages and inbox entries."""
    async with db.transaction() as session:
        force = await add_force(session)
        cases = []
        for size in (1, LONG):
            officer = await add_officer(session, force, name=f"PC Officer of {size}")
            crime = await add_crime(session, force, officer)
            party = await add_party(session, crime, email=f"victim{size}@example.org")
            for n in range(size):
                add_update(session, crime, f"Update {n}", days_ago=n + 1, author=officer if n % 2 else None)
                add_message(session, party, f"Question {n}", days_ago=n + 1)
                add_message(session, party, f"Answer {n}", officer=officer, days_ago=n + 0.5, read=True)
            for n in range(size - 1):  # more cases waiting for this officer, to fill the inbox
                other_crime = await add_crime(session, force, officer)
                other_party = await add_party(
                    session, other_crime, email=f"other{size}-{n}@example.org", password=None
                )
                add_message(session, other_party, "Is there any news?")
            cases.append(Case(officer, crime, party))
    return cases[0], cases[1]


async def count_for(client, db: Database, who: Officer | Party, url: str, **headers: str) -> list[str]:
    await sign_in_as(client, db, who)
    first = await client.http.get(url, headers=headers)
    assert first.status_code == 200, f"{url}: {first.status_code}"
    with statements_sent(db) as sent:
        again = await client.http.get(url, headers=headers)
    assert again.status_code in (200, 204), f"{url}: {again.status_code}"
    return sent


PAGES = [
    ("the victim's case page", "party", "/case", {}),
    ("the case page's polling", "party", "/case/activity?seen=0.0.0.0", {"HX-Request": "true"}),
    ("the officer's inbox", "officer", "/officer", {}),
    ("the officer's crime page", "officer", "/officer/crimes/{crime_id}", {}),
]


async def test_pages_take_as_many_queries_for_a_history_of_100_as_for_1(client, db):
    """One set-up for all four pages (building a hundred of everything twice is the slow part)."""
    cases = await make_cases(db)
    counts: dict[str, list[list[str]]] = {}
    for page, who, url, headers in PAGES:
        for case in cases:
            sent = await count_for(
                client, db, getattr(case, who), url.format(crime_id=case.crime.id), **headers
            )
            counts.setdefault(page, []).append(sent)
    differ = {page: (len(few), len(many)) for page, (few, many) in counts.items() if len(few) != len(many)}
    assert not differ, (
        "statements for a history of 1 and of 100 differ: "
        + "; ".join(f"{page}: {few} and {many}" for page, (few, many) in differ.items())
        + "\n\n"
        + "\n---\n".join(counts[next(iter(differ))][1])
    )
    assert len(counts["the victim's case page"][0]) <= 8, "the case page should stay a few queries"


async def test_signed_in_requests_take_one_statement_to_check_the_session_and_poll_takes_one(client, db):
    """The hot path (issue 24): the session and who it belongs to in one statement; the case page's
    polling, when nothing is new, has its numbers in that same statement and answers 204; the case
    page, rendered, takes four (the session with the digest of its rows, its summary, the timeline
    page, and "ask for an update") and the digest again, and memoised takes one (the session and the
    digest in one statement)."""
    few, _many = await make_cases(db)
    await sign_in_as(client, db, few.party)
    page = await client.http.get("/case")
    poll = re.search(r'hx-get="(/case/activity\?seen=[^"]*)"', page.text)
    assert poll, "the case page polls for news"
    with statements_sent(db) as sent, connections_taken(db) as taken:
        nothing_new = await client.http.get(html.unescape(poll.group(1)), headers={"HX-Request": "true"})
    assert nothing_new.status_code == 204
    assert len(sent) == 1, "\n---\n".join(sent)
    assert len(taken) == 1, "the poll asks on the session check's connection"
    assert "web_session" in sent[0] and "party" in sent[0] and "force" in sent[0]
    assert "max(case_update.id)" in sent[0], "the poll's numbers come with the session's look-up"
    with statements_sent(db) as sent:
        assert (await client.http.get("/case")).status_code == 200
    assert len(sent) == 5, "rendered: the four, and the digest after (page_memo.py)\n" + "\n-\n".join(sent)
    assert "web_session" in sent[0] and "md5" in sent[0] and "md5" in sent[-1]
    assert "web_session" not in sent[-1]
    with statements_sent(db) as sent, connections_taken(db) as taken:
        assert (await client.http.get("/case")).status_code == 200
    assert len(sent) == 1, "memoised: the session and the digest that finds the page, in one statement"
    assert len(taken) == 1
    assert "web_session" in sent[0] and "md5" in sent[0]


async def test_the_case_page_rendered_without_the_memo_takes_four_statements(app, client, db):
    app.state.page_memo = PageMemo(0)
    few, _many = await make_cases(db)
    await sign_in_as(client, db, few.party)
    await client.http.get("/case")
    with statements_sent(db) as sent:
        assert (await client.http.get("/case")).status_code == 200
    assert len(sent) == 4, "\n---\n".join(sent)
    assert "web_session" in sent[0] and "md5" not in sent[0], "no digest when nothing is memoised"


async def test_the_inbox_rendered_takes_its_statements_and_its_digest_again_and_memoised_one(app, client, db):
    """The officer inbox (page_memo.py): rendered, the session with the digest of the team's rows in
    its statement, the inbox's five and the digest again; memoised, the session with the digest
    alone, on the session check's connection (officer_required, share_reading, added)."""
    few, _many = await make_cases(db)
    await sign_in_as(client, db, few.officer)
    app.state.page_memo = PageMemo(0)
    with statements_sent(db) as unmemoised:
        assert (await client.http.get("/officer")).status_code == 200
    assert "web_session" in unmemoised[0] and "md5" not in unmemoised[0], "no digest when nothing is memoised"
    app.state.page_memo = PageMemo(10)
    with statements_sent(db) as sent:
        assert (await client.http.get("/officer")).status_code == 200
    assert len(sent) == len(unmemoised) + 1, "\n---\n".join(sent)
    assert "web_session" in sent[0] and "md5" in sent[0] and "md5" in sent[-1]
    with statements_sent(db) as sent, connections_taken(db) as taken:
        assert (await client.http.get("/officer")).status_code == 200
    assert len(sent) == 1, "memoised: the session, with the digest that finds the page\n" + "\n-\n".join(sent)
    assert len(taken) == 1, "the inbox reads on the session check's connection"
    assert "web_session" in sent[0] and "md5" in sent[0]
    with connections_taken(db) as taken:
        assert (await client.http.get("/officer?q=nothing")).status_code == 200
        assert (await client.http.get("/officer/search?q=nothing", follow_redirects=False)).status_code == 303
    assert len(taken) == 2, "a search, in the inbox or from the header, takes one connection too"
