"""Update requests in the officer inbox (issue 12): top of the list, with the note and deadline."""

from __future__ import annotations

import pytest

from tests.factories import SHIPPED_RULES
from tests.webclient import text_of
from trackmycrime.models import Entitlement, Message, MessageDirection, utcnow
from trackmycrime.victims_code import refresh_entitlements

from .officer_world import days_ago, sign_in_as, world_crime, world_party

pytestmark = pytest.mark.anyio


def references(page) -> list[str]:
    return [text_of(a) for a in page.select("main table tbody tr td:first-child a")]


async def test_an_update_request_goes_to_the_top_of_the_inbox_until_answered(client, db, world):
    async with db.transaction() as session:
        late = await world_crime(session, world.force, "AS-2026-000555", world.oic, created_days_ago=40)
        late_victim = await world_party(session, late, "P1", "Jamie", "Lee")
        session.add(
            Entitlement(
                force_id=world.force.id,
                crime_id=late.id,
                party_id=late_victim.id,
                event="suspect_arrested",
                event_key="x",
                event_at=days_ago(20),
                due_at=days_ago(10),
            )
        )
        quiet = await world_crime(session, world.force, "AS-2026-000777", world.oic, created_days_ago=40)
        asker = await world_party(session, quiet, "P1", "Chris", "Day")
    await sign_in_as(client, db, asker)
    await client.page("/case")
    await client.submit("/case/ask-for-update", {"note": "Has the CCTV been looked at?"})

    client.http.cookies.clear()
    await sign_in_as(client, db, world.oic)
    page = await client.page("/officer")
    assert references(page)[0] == "AS-2026-000777"
    assert references(page)[1] == "AS-2026-000555"  # overdue, but nobody asked
    first = text_of(page.select_one("main table tbody tr"))
    assert "Asked for an update" in first and "Has the CCTV been looked at?" in first
    assert "due in 5 working days" in first or "due on" in first

    # Another force's officer and a colleague's inbox do not show it.
    client.http.cookies.clear()
    await sign_in_as(client, db, world.other_admin)
    assert "AS-2026-000777" not in references(await client.page("/officer"))

    # A message to the party answers the request: it leaves the top of the inbox.
    async with db.transaction() as session:
        session.add(
            Message(
                crime_id=quiet.id,
                party_id=asker.id,
                direction=MessageDirection.TO_PARTY,
                officer_id=world.oic.id,
                body="We have looked at the CCTV.",
                created_at=utcnow(),
            )
        )
        await session.flush()
        await refresh_entitlements(session, quiet.id, SHIPPED_RULES)
    client.http.cookies.clear()
    await sign_in_as(client, db, world.oic)
    page = await client.page("/officer")
    assert "AS-2026-000777" not in references(page)
    assert "Asked for an update" not in text_of(page.select_one("main"))


async def test_a_force_admin_sets_how_often_parties_may_ask(client, db, world):
    from trackmycrime.models import Force

    await sign_in_as(client, db, world.admin)
    page = await client.page("/officer/admin/force")
    values = {
        field["name"]: field.get("value", "")
        for field in page.select("main form input")
        if field.get("name") and field.get("type") != "hidden"
    }
    assert values["update_request_interval_days"] == "7"
    page = await client.submit("/officer/admin/force", {**values, "update_request_interval_days": "0"})
    assert "The update request interval must be a whole number from 1 to 90" in text_of(
        page.select_one(".error-summary")
    )
    await client.submit("/officer/admin/force", {**values, "update_request_interval_days": "14"})
    async with db.session() as session:
        assert (await session.get(Force, world.force.id)).update_request_interval_days == 14
        assert (await session.get(Force, world.other_force.id)).update_request_interval_days == 7
