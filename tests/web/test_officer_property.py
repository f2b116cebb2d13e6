"""The officer's view of the property on a crime: each item's state changed and the owners told."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from tests.factories import SHIPPED_RULES
from tests.webclient import check_page, text_of
from trackmycrime.models import (
    AuditEvent,
    CaseUpdate,
    Entitlement,
    Message,
    MessageDirection,
    OutboxMessage,
    PropertyItem,
)
from trackmycrime.notify.outbox import AlertKind
from trackmycrime.victims_code.entitlements import refresh_entitlements

from .officer_world import days_ago, sign_in_as
from .test_officer_case import crime_url

pytestmark = pytest.mark.anyio


@pytest.fixture
async def laptop(db, world) -> PropertyItem:
    async with db.transaction() as session:
        item = PropertyItem(
            crime_id=world.crime.id,
            rms_item_id="I-1",
            description="Silver laptop",
            category="Computers",
            state="missing",
            value_pence=89900,
            owner_party_id=world.victim.id,
        )
        session.add(item)
        await session.flush()
        session.add(
            Message(
                crime_id=world.crime.id,
                party_id=world.victim.id,
                direction=MessageDirection.FROM_PARTY,
                body="The serial number is C02XK1.",
                property_item_id=item.id,
            )
        )
    return item


def state_url(world, item) -> str:
    return f"/officer/crimes/{world.crime.id}/property/{item.id}"


async def new_updates(db, world) -> list[CaseUpdate]:
    async with db.session() as session:
        found = await session.exec(
            select(CaseUpdate)
            .where(CaseUpdate.crime_id == world.crime.id, col(CaseUpdate.author_officer_id).is_not(None))
            .order_by(col(CaseUpdate.id))
        )
        return list(found.all())


async def test_the_crime_page_lists_the_property_and_ties_messages_to_items(oic_client, world, laptop):
    page = await oic_client.page(crime_url(world))

    section = page.select_one("#property")
    assert text_of(section.select_one("h3")) == "Silver laptop"
    details = text_of(section)
    assert "Missing" in details and "£899" in details and "Computers" in details and "Alex O'Brien" in details
    assert section.select_one(f"#field-state-{laptop.id} option[selected]")["value"] == "missing"
    thread = page.select_one(f"#conversation-{world.victim.id}")
    about = thread.select_one(".thread__about a")
    assert text_of(about) == "About the property: Silver laptop"
    assert about["href"] == f"#item-{laptop.id}-heading"
    assert page.select_one(about["href"])


async def test_a_crime_without_property_says_so(oic_client, world):
    page = await oic_client.page(crime_url(world))

    assert "No property is recorded on this crime" in text_of(page.select_one("#property"))


async def test_changing_the_state_posts_an_update_to_the_owner_and_alerts_them(oic_client, db, world, laptop):
    page = await oic_client.submit(state_url(world, laptop), {f"state-{laptop.id}": "recovered"})

    notice = text_of(page.select_one("#property .notification"))
    assert "Silver laptop is now recorded as recovered" in notice
    [update] = await new_updates(db, world)
    assert (update.audience, update.party_id, update.author_officer_id) == (
        "party",
        world.victim.id,
        world.oic.id,
    )
    assert "Silver laptop" in update.text
    async with db.session() as session:
        item = await session.get(PropertyItem, laptop.id)
        assert item.state == "recovered"
        alerts = (
            await session.exec(select(OutboxMessage).where(OutboxMessage.kind == AlertKind.UPDATE_WAITING))
        ).all()
        assert [alert.party_id for alert in alerts] == [world.victim.id]
        assert "laptop" not in alerts[0].context_json.lower()
        [audit] = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "property.state_changed"))
        ).all()
        assert audit.detail == "item I-1: missing -> recovered" and audit.actor_id == world.oic.id


async def test_with_htmx_the_property_section_is_swapped_and_the_change_announced(oic_client, world, laptop):
    response = await oic_client.post(
        state_url(world, laptop), {f"state-{laptop.id}": "returned"}, htmx=True, expect=200
    )

    fragment = check_page(response.text, fragment=True)
    assert fragment.select_one("section")["id"] == "property"
    assert "Returned to the owner" in text_of(fragment.select_one("#property dl"))
    news = fragment.select_one("#announcer")
    assert news["hx-swap-oob"] == "innerHTML"
    assert text_of(news) == "Silver laptop is now recorded as returned to the owner."


@pytest.mark.parametrize(
    ("chosen", "error"),
    [
        ("missing", "Silver laptop is already recorded as missing: select a different state"),
        ("stolen", "Select the new state of Silver laptop"),
        ("", "Select the new state of Silver laptop"),
    ],
)
async def test_an_unchanged_or_unknown_state_is_refused_next_to_the_field(
    oic_client, db, world, laptop, chosen, error
):
    page = await oic_client.submit(state_url(world, laptop), {f"state-{laptop.id}": chosen})

    assert text_of(page.title).startswith("Error: Crime")
    assert [text_of(a) for a in page.select(".error-summary a")] == [error]
    assert page.select_one(".error-summary a")["href"] == f"#field-state-{laptop.id}"
    assert error in text_of(page.select_one(f"#field-state-{laptop.id}-error"))
    response = await oic_client.post(
        state_url(world, laptop), {f"state-{laptop.id}": chosen}, htmx=True, expect=200
    )
    assert error in response.text and "error-summary" in response.text
    assert await new_updates(db, world) == []


async def test_officers_who_cannot_see_the_crime_cannot_change_its_property(client, db, world, laptop):
    for outsider in (world.outsider, world.other_admin):
        await sign_in_as(client, db, outsider)
        await client.post(state_url(world, laptop), {f"state-{laptop.id}": "recovered"}, expect=404)
    await sign_in_as(client, db, world.oic)
    other_crime_url = f"/officer/crimes/{world.outsider_crime.id}/property/{laptop.id}"
    await client.post(other_crime_url, {f"state-{laptop.id}": "recovered"}, expect=404)
    await client.post(state_url(world, laptop), {f"state-{laptop.id}": "recovered"}, csrf=False, expect=403)
    assert await new_updates(db, world) == []


async def test_the_update_a_change_of_state_posts_tells_the_owner_what_they_were_owed(
    oic_client, db, world, laptop
):
    async with db.transaction() as session:
        session.add(CaseUpdate(crime_id=world.crime.id, status="suspect_arrested", occurred_at=days_ago(1)))
        await session.flush()
        await refresh_entitlements(session, world.crime.id, SHIPPED_RULES)
    assert [e.met_at for e in await owed_to(db, world.victim)] == [None]

    await oic_client.submit(state_url(world, laptop), {f"state-{laptop.id}": "recovered"})

    [owed] = await owed_to(db, world.victim)
    assert owed.met_at is not None and owed.met_by == "update"


async def owed_to(db, party) -> list[Entitlement]:
    async with db.session() as session:
        found = await session.exec(
            select(Entitlement).where(
                Entitlement.party_id == party.id, Entitlement.event == "suspect_arrested"
            )
        )
        return list(found.all())
