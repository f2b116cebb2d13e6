"""Agreed contact: the party chooses how often and how to hear from the police; the change is dated."""

import datetime as dt

import pytest
from sqlmodel import select

from tests.webclient import text_of
from trackmycrime.models import ContactAgreement, Entitlement, Party

from .officer_world import sign_in_as
from .victim_data import make_victim_case, sign_in

pytestmark = pytest.mark.anyio


async def agreements(db, party_id):
    async with db.session() as session:
        return (
            await session.exec(select(ContactAgreement).where(ContactAgreement.party_id == party_id))
        ).all()


async def regular_contact_due(db, party_id):
    async with db.session() as session:
        rows = (
            await session.exec(
                select(Entitlement).where(
                    Entitlement.party_id == party_id,
                    Entitlement.event == "regular_contact",
                    Entitlement.met_at.is_(None),
                )
            )
        ).all()
    return [row.due_at for row in rows]


async def test_choosing_how_often_is_recorded_with_its_date_and_moves_the_deadline(client, db, app):
    case = await make_victim_case(db, mobile="+447700900123")
    await sign_in(client, case)
    page = await client.page("/preferences")
    labels = [text_of(label) for label in page.select("#field-update_interval-fieldset .radios__label")]
    assert labels == ["Every 2 weeks", "Every 4 weeks", "Every 8 weeks"]
    assert page.select_one('input[name="update_interval"][value="28"]').has_attr("checked")
    assert not page.select("#agreed-contact")
    before = await regular_contact_due(db, case.party.id)

    page = await client.submit("/preferences", {"alert_channel": "sms", "update_interval": "56"})
    assert "Your alert choices have been saved" in text_of(page.select_one(".notification"))
    assert page.select_one('input[name="update_interval"][value="56"]').has_attr("checked")
    assert "You last changed these choices on" in text_of(page.select_one("#agreed-contact"))
    async with db.session() as session:
        party = await session.get(Party, case.party.id)
    assert (party.update_interval_days, party.alert_channel) == (56, "sms")
    [agreement] = await agreements(db, case.party.id)
    assert (agreement.interval_days, agreement.channel, agreement.agreed_by) == (56, "sms", "party")
    assert agreement.agreed_at > dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    after = await regular_contact_due(db, case.party.id)
    assert after and (not before or max(after) > max(before))


async def test_saving_without_a_change_records_nothing(client, db, app):
    case = await make_victim_case(db)
    await sign_in(client, case)
    await client.submit("/preferences", {"alert_channel": "email", "update_interval": "28"})
    assert await agreements(db, case.party.id) == []


@pytest.mark.parametrize("interval", ["7", "0", "-14", "every week", "9" * 400])
async def test_an_interval_not_offered_is_refused(client, db, app, interval):
    case = await make_victim_case(db)
    await sign_in(client, case)
    page = await client.submit(
        "/preferences", {"alert_channel": "email", "update_interval": interval}, expect=400
    )
    assert text_of(page.title).startswith("Error: Alerts and account")
    assert [a["href"] for a in page.select(".error-summary a")] == ["#field-update_interval"]
    assert page.select_one('input[name="alert_channel"][value="email"]').has_attr("checked")
    async with db.session() as session:
        assert (await session.get(Party, case.party.id)).update_interval_days == 28
    assert await agreements(db, case.party.id) == []


async def test_the_officer_sees_the_choice_and_its_date(client, db, app):
    case = await make_victim_case(db)
    await sign_in(client, case)
    await client.submit("/preferences", {"alert_channel": "email", "update_interval": "14"})
    await client.submit("/sign-out", {})
    await sign_in_as(client, db, case.officer)
    page = await client.page(f"/officer/crimes/{case.crime.id}")
    row = next(r for r in page.select(".summary-list__row") if "Regular updates" in text_of(r))
    assert "Every 14 days" in text_of(row)
    assert "chosen by the victim on" in text_of(row)
