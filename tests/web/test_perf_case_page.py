"""The case page's hot path stays lean (bench/README.md, "Server speed"): a view with nothing new on
it writes nothing, and a view takes one connection from the pool, whatever it shows."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import event

from tests.webclient import text_of
from trackmycrime.database import Database

from .victim_data import add_message, add_update, sign_in

pytestmark = pytest.mark.anyio


@dataclass
class Traffic:
    statements: list[str] = field(default_factory=list)
    checkouts: int = 0

    @property
    def writes(self) -> list[str]:
        return [s for s in self.statements if s.lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]


@contextlib.contextmanager
def traffic(db: Database) -> Iterator[Traffic]:
    seen = Traffic()

    def statement(_connection: object, _cursor: object, sql: str, *_rest: object) -> None:
        seen.statements.append(sql)

    def checkout(*_args: object) -> None:
        seen.checkouts += 1

    engine, pool = db.engine.sync_engine, db.engine.sync_engine.pool
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(pool, "checkout", checkout)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(pool, "checkout", checkout)


async def test_a_view_with_nothing_new_writes_nothing_on_one_connection(client, db, victim):
    await sign_in(client, victim)
    await client.page("/case")  # the first view records what it showed as read
    with traffic(db) as seen:
        page = await client.page("/case")
    assert text_of(page.h1) == "Your case"
    assert not seen.writes, seen.writes
    assert seen.checkouts == 1, "the signed-in check and the page share one connection"


async def test_a_view_with_news_marks_it_read_on_the_same_connection(client, db, victim):
    await sign_in(client, victim)
    await client.page("/case")
    async with db.transaction() as session:
        add_update(session, victim.crime, "Officers have spoken to a witness.", author=victim.officer)
        add_message(session, victim.party, "We have an update for you.", officer=victim.officer)
    with traffic(db) as seen:
        page = await client.page("/case")
    assert "Officers have spoken to a witness." in text_of(page.select_one("#case-timeline"))
    new_replies = page.select("#case-timeline .timeline__item--messages .tag")
    assert new_replies, "the new reply is shown as new on this view"
    assert len(seen.writes) == 2, "the reply and the update are recorded as read"
    assert seen.checkouts == 1
    with traffic(db) as seen:
        page = await client.page("/case")
    assert not page.select("#case-timeline .timeline__item--messages .tag") and not seen.writes
