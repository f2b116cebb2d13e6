"""After PostgreSQL drops the site's connections (a restart), the next request still answers.

The pool checks a connection before handing it out without a round trip to the server (see
database._refuse_closed_connection): a connection the server closed is thrown away and another
one opened, so no browser sees an error for a restart that is already over.
"""

from __future__ import annotations

import anyio
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from trackmycrime.database import Database, async_url

from ..web.officer_world import sign_in_as
from ..web.victim_data import add_crime, add_force, add_officer, add_party

pytestmark = [pytest.mark.anyio, pytest.mark.postgresql_only]


async def end_every_connection_of_the_site(db: Database) -> int:
    """What the site's pool sees of a restart: the server ends each of its connections."""
    admin = create_async_engine(async_url(db.url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    end_the_others = text(
        "SELECT pg_terminate_backend(site.pid) FROM pg_stat_activity AS site"
        " WHERE site.datname = current_database() AND site.pid <> pg_backend_pid()"
    )
    async with admin.connect() as connection:
        ended = (await connection.execute(end_the_others)).all()
    await admin.dispose()
    await anyio.sleep(0.2)  # the ended connections' sockets are read by the event loop
    return len(ended)


async def test_the_case_page_answers_right_after_the_database_ends_every_connection(client, db):
    async with db.transaction() as session:
        force = await add_force(session)
        officer = await add_officer(session, force)
        crime = await add_crime(session, force, officer)
        party = await add_party(session, crime)
    await sign_in_as(client, db, party)
    assert (await client.http.get("/case")).status_code == 200
    assert db.engine.sync_engine.pool.checkedin() >= 1  # type: ignore[attr-defined]

    assert await end_every_connection_of_the_site(db) >= 1

    for _ in range(3):  # as many requests as there were connections in the pool, and more
        again = await client.http.get("/case")
        assert again.status_code == 200
        assert crime.reference in again.text
