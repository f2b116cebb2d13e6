"""The officer sees how each person can be reached: why not, by what and when (issues 16 and 21)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.fake_notify import FakeNotify
from tests.webclient import text_of
from tests.worker_support import worker_settings
from trackmycrime.models import Crime, OutboxMessage, OutboxStatus
from trackmycrime.notify.outbox import AlertKind
from trackmycrime.notify.worker import send_due_alerts

from .officer_world import sign_in_as, world_party

pytestmark = pytest.mark.anyio


async def add_person(db, world, surname, **contact):
    async with db.transaction() as session:
        crime = await session.get(Crime, world.crime.id)
        return await world_party(
            session, crime, f"W-{surname}", "Jo", surname, role="witness", registered=False, **contact
        )


def rows_of(page, party) -> dict[str, str]:
    section = page.select_one(f"#party-{party.id}-heading").find_parent("section")
    return {
        text_of(row.select_one("dt")): text_of(row.select_one("dd"))
        for row in section.select(".summary-list__row")
    }


def buttons_of(page, party) -> list[str]:
    """The invitation buttons of the person's section, as they read on screen (without the hidden
    words that name the person for a screen reader)."""
    section = page.select_one(f"#party-{party.id}-heading").find_parent("section")
    words = []
    for form in section.select("form"):
        if form["action"].endswith(("/invitation", "/registration-code")):
            for button in form.select("button"):
                for hidden in button.select(".visually-hidden"):
                    hidden.decompose()
                words.append(text_of(button))
    return words


async def test_a_person_with_no_email_and_no_mobile_is_shown_as_unreachable(client, db, world):
    unreachable = await add_person(db, world, "Nobody")  # invited_at is set, but nothing was sent
    await sign_in_as(client, db, world.oic)
    page = await client.page(f"/officer/crimes/{world.crime.id}")
    rows = rows_of(page, unreachable)
    assert rows["Alerts by"] == (
        "Cannot be alerted: no email address, mobile number or postal address is recorded."
    )
    assert rows["Portal account"] == "Not registered"
    assert rows["Last reached"] == "Nothing sent yet"
    assert buttons_of(page, unreachable) == ["Give a registration code"]


async def test_a_person_who_chose_a_channel_we_have_no_details_for_is_told_apart(client, db, world):
    mobile_only = await add_person(db, world, "Textonly", mobile="+447700900555")  # alert_channel email
    await sign_in_as(client, db, world.oic)
    page = await client.page(f"/officer/crimes/{world.crime.id}")
    assert rows_of(page, mobile_only)["Alerts by"] == (
        "Cannot be alerted: they chose email, but we do not have the details for it."
    )
    assert rows_of(page, world.victim)["Alerts by"] == "Email"
    assert rows_of(page, world.witness)["Alerts by"] == "Email, once they register"


async def test_a_mobile_only_person_is_texted_a_code_and_the_officer_sees_when_it_arrived(client, db, world):
    person = await add_person(db, world, "Mobile", mobile="+447700900555")
    await sign_in_as(client, db, world.oic)
    url = f"/officer/crimes/{world.crime.id}"
    page = await client.page(url)
    assert buttons_of(page, person) == ["Text a new registration code", "Give a registration code"]
    page = await client.submit(f"{url}/parties/{person.id}/invitation", {})
    assert rows_of(page, person)["Portal account"] == (
        "Not registered. An invitation by text message is waiting to be sent"
    )
    notify = FakeNotify().start()
    try:
        settings = worker_settings(db.url).with_changes(
            sms_api_url=notify.url, sms_api_key=notify.api_key, sms_template_id=notify.template_id
        )
        await send_due_alerts(settings, db)
    finally:
        notify.stop()
    assert len(notify.sent) == 1
    page = await client.page(url)
    rows = rows_of(page, person)
    assert rows["Portal account"].startswith("Not registered. Invited by text message on ")
    assert "Registration code given, valid until" in rows["Portal account"]  # the texted code
    assert rows["Last reached"].startswith("By text message on ")


async def test_an_invitation_that_could_not_be_sent_says_so(client, db, world):
    async with db.transaction() as session:
        for row in (
            await session.exec(select(OutboxMessage).where(OutboxMessage.kind == AlertKind.INVITATION))
        ).all():
            await session.delete(row)
    await sign_in_as(client, db, world.oic)
    url = f"/officer/crimes/{world.crime.id}"
    await client.page(url)
    await client.submit(f"{url}/parties/{world.witness.id}/invitation", {})
    async with db.transaction() as session:
        row = (await session.exec(select(OutboxMessage))).one()
        row.status, row.last_error = OutboxStatus.FAILED, "550 user unknown"
        session.add(row)
    page = await client.page(url)
    assert rows_of(page, world.witness)["Portal account"] == (
        "Not registered. The invitation by email could not be sent"
    )
