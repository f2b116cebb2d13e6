"""Alerts and account: alert choices, opting out and back in, deleting the account."""

import pytest
from sqlmodel import select

from tests.webclient import WebClient, text_of
from trackmycrime.models import AuditEvent, CaseUpdate, Message, Party, WebSession

from .victim_data import add_message, add_update, make_victim_case, sign_in

pytestmark = pytest.mark.anyio


@pytest.fixture
async def victim_with_mobile(db, app):
    return await make_victim_case(db, mobile="+447700900123")


async def stored_party(db, party_id):
    async with db.session() as session:
        return await session.get(Party, party_id)


async def test_the_page_offers_what_fits_the_contact_details_on_file(client, db, victim_with_mobile):
    await sign_in(client, victim_with_mobile)
    page = await client.page("/preferences")
    assert text_of(page.h1) == "Alerts and account"
    assert page.select_one('nav a[aria-current="page"]')["href"] == "/preferences"
    options = [text_of(label) for label in page.select("#field-alert_channel-fieldset .radios__label")]
    assert options == ["By email", "By text message", "By email and text message", "No alerts"]
    assert "To alex@example.org" in text_of(page.select_one(".radios"))
    assert page.select_one('input[value="email"]').has_attr("checked")


async def test_text_alerts_are_offered_only_with_a_mobile_number(client, db, app):
    case = await make_victim_case(db, mobile="")
    await sign_in(client, case)
    page = await client.page("/preferences")
    labels = [text_of(label) for label in page.select("#field-alert_channel-fieldset .radios__label")]
    assert labels == ["By email", "No alerts"]
    page = await client.submit("/preferences", {"alert_channel": "sms"}, expect=400)
    assert [text_of(a) for a in page.select(".error-summary a")] == [
        "Select how you want to be told about news on your case"
    ]
    assert (await stored_party(db, case.party.id)).alert_channel == "email"


async def test_choosing_text_messages(client, db, victim_with_mobile):
    await sign_in(client, victim_with_mobile)
    page = await client.submit("/preferences", {"alert_channel": "both"})
    assert "Your alert choices have been saved" in text_of(page.select_one(".notification"))
    assert page.select_one('input[value="both"]').has_attr("checked")
    assert (await stored_party(db, victim_with_mobile.party.id)).alert_channel == "both"
    async with db.session() as session:
        event = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "party.alert_preferences"))
        ).one()
    assert event.detail == "alert_channel=both"


async def test_nothing_chosen_or_nonsense_is_refused(client, db, victim_with_mobile):
    await sign_in(client, victim_with_mobile)
    for form in ({}, {"alert_channel": "carrier pigeon"}, {"alert_channel": "x" * 5000}):
        page = await client.submit("/preferences", form, expect=400)
        assert text_of(page.title).startswith("Error: Alerts and account")
        assert page.select_one(".error-summary a")["href"] == "#field-alert_channel"


async def test_opting_out_and_back_in(client, db, victim_with_mobile):
    await sign_in(client, victim_with_mobile)
    page = await client.page("/opt-out")
    assert text_of(page.h1) == "Are you sure you want to opt out of this service?"
    page = await client.submit("/opt-out", {})
    assert "You have opted out" in text_of(page.select_one(".notification"))
    assert "You opted out of this service on" in text_of(page.select_one("main"))
    assert not page.select('input[name="alert_channel"]')
    assert (await stored_party(db, victim_with_mobile.party.id)).opted_out_at is not None
    page = await client.submit("/opt-in", {})
    assert "You have opted back in" in text_of(page.select_one(".notification"))
    assert (await stored_party(db, victim_with_mobile.party.id)).opted_out_at is None


async def test_deleting_the_account_keeps_the_police_record(app, client, db, victim_with_mobile):
    async with db.transaction() as session:
        add_update(session, victim_with_mobile.crime, "We are investigating.")
        add_message(session, victim_with_mobile.party, "Thank you.")
    async with WebClient(app) as phone:
        await sign_in(phone, victim_with_mobile)
        await sign_in(client, victim_with_mobile)
        page = await client.page("/delete-account")
        assert text_of(page.h1) == "Are you sure you want to delete your account?"
        assert page.select_one('a[href="/preferences"]'), "a way back"
        page = await client.submit("/delete-account", {})
        assert text_of(page.h1) == "Your account has been deleted"
        await phone.get("/case", expect=303)
    party = await stored_party(db, victim_with_mobile.party.id)
    assert party.password_hash is None and party.account_deleted_at is not None
    async with db.session() as session:
        assert len((await session.exec(select(Message))).all()) == 1
        assert len((await session.exec(select(CaseUpdate))).all()) == 1
        assert all(s.ended_at for s in (await session.exec(select(WebSession))).all())
    response = await client.post("/sign-in", victim_with_mobile.sign_in_form())
    assert "do not match what we have" in response.text


async def test_account_pages_are_linked_from_the_alerts_page(client, victim_with_mobile):
    await sign_in(client, victim_with_mobile)
    page = await client.page("/preferences")
    links = {a["href"] for a in page.select("main a")}
    assert {"/opt-out", "/delete-account"} <= links
    assert page.select_one('main form[action="/sign-out-everywhere"]')


async def test_a_witness_is_not_promised_regular_updates(client, db, app):
    witness = await make_victim_case(db, role="witness")
    await sign_in(client, witness)
    page = await client.page("/preferences")
    assert not page.select("input[name=update_interval]")
    assert "at least this often" not in text_of(page.select_one("main"))
    await client.submit("/preferences", {"alert_channel": "email", "update_interval": "14"})
    assert (
        await stored_party(db, witness.party.id)
    ).update_interval_days == witness.party.update_interval_days
