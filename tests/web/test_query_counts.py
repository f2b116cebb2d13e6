"""No N+1: the hot pages send as many SQL statements for a long history as for a short one.

Each page is shown once for a case with 1 update and 1 message (or an inbox with 1 case) and once
for one with 100 of each (or 100 cases); both are visited once first, so that what is counted is
a steady visit, and the counts must be equal.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import event

from trackmycrime.database import Database
from trackmycrime.models import Crime, Officer, Party

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
def statements_sent(db: Database) -> Iterator[list[str]]:
    sent: list[str] = []

    def note(_connection: object, _cursor: object, statement: str, *_rest: object) -> None:
        if not statement.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE")):
            sent.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", note)


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
