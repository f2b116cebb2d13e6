"""Who is offered the portal (issue 12): offence codes, exclusions, shared addresses, overrides."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.webclient import text_of
from trackmycrime.eligibility import exclusion_reason, parse_codes
from trackmycrime.models import AuditEvent, Crime, Force, Officer, OutboxMessage, Party
from trackmycrime.notify.outbox import AlertKind

from .officer_world import build_world, sign_in_as
from .test_ingest import crime_body, make_rms, update_body, victim_body

pytestmark = pytest.mark.anyio


async def set_rules(db, force, offered: str = "", excluded: str = "") -> None:
    async with db.transaction() as session:
        row = await session.get(Force, force.id)
        row.portal_offence_codes, row.portal_excluded_offence_codes = offered, excluded


async def outbox_kinds(db) -> list[str]:
    async with db.session() as session:
        return list((await session.exec(select(OutboxMessage.kind).order_by(OutboxMessage.id))).all())


async def party_of(db) -> Party:
    async with db.session() as session:
        return (await session.exec(select(Party))).one()


def test_codes_are_read_as_forces_type_them():
    assert parse_codes(" 28e, 28E\n19c ;  ") == ["28E", "19C"]


def test_each_rule():
    force = Force(code="X", name="X")
    crime = Crime(force_id=1, reference="R", reference_key="R", offence="x", offence_code="19c")
    party = Party(crime_id=1, rms_party_id="P", surname="S", surname_key="s")
    assert exclusion_reason(force, crime, party) is None  # no rules: everyone
    force.portal_offence_codes = "28E\n49"
    assert "19C" in exclusion_reason(force, crime, party)  # not on the list offered
    force.portal_offence_codes = "19C"
    assert exclusion_reason(force, crime, party) is None
    force.portal_excluded_offence_codes = "19C"
    assert "19C" in exclusion_reason(force, crime, party)  # excluded wins
    force.portal_excluded_offence_codes = ""
    party.shares_address_with_suspect = True
    assert "share an address with a suspect" in exclusion_reason(force, crime, party)
    party.portal_override_reason = "Moved out; spoke to her on 3 December"
    assert exclusion_reason(force, crime, party) is None  # an officer's recorded reason


async def test_an_excluded_offence_gets_no_invitation_and_no_alert(db, client):
    rms = await make_rms(db, client.http)
    await set_rules(db, rms.force, excluded="19C")
    response = await rms.put_crime(crime_body(offence_code="19c"))
    assert response.status_code == 201
    assert await outbox_kinds(db) == []
    assert (await party_of(db)).invited_at is None
    # Even a registered party gets no alert of an update.
    async with db.transaction() as session:
        party = (await session.exec(select(Party))).one()
        party.password_hash = "$argon2id$registered"
    assert (await rms.post_update(update_body())).status_code == 201
    assert await outbox_kinds(db) == []


async def test_only_listed_offences_are_offered(db, client):
    rms = await make_rms(db, client.http)
    await set_rules(db, rms.force, offered="28E, 49")
    await rms.put_crime(crime_body(offence_code="19C"))
    assert await outbox_kinds(db) == []
    await rms.put_crime(crime_body(offence_code="28E"), reference="AS-2026-000124")
    assert await outbox_kinds(db) == [AlertKind.INVITATION]


async def test_a_party_sharing_an_address_with_a_suspect_is_never_invited(db, client):
    rms = await make_rms(db, client.http)
    body = crime_body(parties=[victim_body(shares_address_with_suspect=True)])
    assert (await rms.put_crime(body)).status_code == 201
    assert await outbox_kinds(db) == []
    assert (await party_of(db)).shares_address_with_suspect is True
    # The records system clearing the flag lets the invitation go.
    await rms.put_crime(crime_body())
    assert await outbox_kinds(db) == [AlertKind.INVITATION]


async def test_an_officer_offers_the_portal_with_a_recorded_reason(db, client):
    rms = await make_rms(db, client.http)
    await rms.put_crime(crime_body(parties=[victim_body(shares_address_with_suspect=True)]))
    async with db.session() as session:
        crime = (await session.exec(select(Crime))).one()
        oic = (await session.exec(select(Officer))).one()
    await sign_in_as(client, db, oic)
    page = await client.page(f"/officer/crimes/{crime.id}")
    party = await party_of(db)
    section = page.select_one(f"#party-{party.id}-heading").find_parent("section")
    assert "Not offered the portal." in text_of(section)
    assert "share an address with a suspect" in text_of(section)
    assert not section.select_one('form[action$="/invitation"]')
    url = f"/officer/crimes/{crime.id}/parties/{party.id}/portal-override"
    page = await client.submit(url, {f"portal_reason_{party.id}": "  "})
    assert "Enter the reason to offer them the portal" in text_of(page.select_one(".error-summary"))
    assert (await party_of(db)).portal_override_reason == ""
    await client.submit(url, {f"portal_reason_{party.id}": "She has moved out; confirmed by phone."})
    assert (await party_of(db)).portal_override_reason == "She has moved out; confirmed by phone."
    async with db.session() as session:
        events = (await session.exec(select(AuditEvent))).all()
    overrides = [e for e in events if e.action == "party.portal_override"]
    assert len(overrides) == 1
    assert "moved out" not in " ".join(e.detail for e in events), "free text stays out of the audit log"
    page = await client.page(f"/officer/crimes/{crime.id}")
    assert "Reason: She has moved out" in text_of(page.select_one("main"))
    await client.submit(f"/officer/crimes/{crime.id}/parties/{party.id}/invitation", {})
    assert await outbox_kinds(db) == [AlertKind.INVITATION]


async def test_a_force_admin_sets_the_offence_codes(db, client):
    world = await build_world(db)
    await sign_in_as(client, db, world.admin)
    page = await client.page("/officer/admin/force")
    values = {
        field["name"]: field.get("value", "")
        for field in page.select("main form input")
        if field.get("name") and field.get("type") != "hidden"
    }
    await client.submit(
        "/officer/admin/force",
        {**values, "portal_offence_codes": "28e, 49 49", "portal_excluded_offence_codes": "19C\n20"},
    )
    async with db.session() as session:
        force = await session.get(Force, world.force.id)
    assert (force.portal_offence_codes, force.portal_excluded_offence_codes) == ("28E\n49", "19C\n20")
    page = await client.page("/officer/admin/force")
    assert page.select_one("#field-portal_excluded_offence_codes").text.strip() == "19C\n20"
