"""The officer's crime page: what it shows, replying, marking read, posting updates, inviting."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from tests.webclient import check_page, text_of
from trackmycrime.auth.passwords import FAST_HASHER, verify_password
from trackmycrime.models import (
    AuditEvent,
    CaseUpdate,
    Crime,
    Entitlement,
    Message,
    OutboxMessage,
    OutboxStatus,
    Party,
    utcnow,
)
from trackmycrime.notify.outbox import AlertKind

from .officer_world import days_ago, sign_in_as

pytestmark = pytest.mark.anyio


def crime_url(world) -> str:
    return f"/officer/crimes/{world.crime.id}"


async def outbox_rows(db, **where) -> list[OutboxMessage]:
    async with db.session() as session:
        query = select(OutboxMessage)
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        return list((await session.exec(query)).all())


async def test_the_crime_page_shows_status_parties_thread_and_timeline(oic_client, world):
    page = await oic_client.page(crime_url(world))
    assert text_of(page.h1) == "Crime AS-2026-000123"
    assert text_of(page.select_one("#crime-status")) == "Under investigation"
    people = text_of(page.select_one(f"#party-{world.victim.id}-heading").find_parent("section"))
    assert "Registered on" in people and "Last signed in" in people and "Email" in people
    witness = text_of(page.select_one(f"#party-{world.witness.id}-heading").find_parent("section"))
    assert "Not registered" in witness
    thread = text_of(page.select_one(f"#conversation-{world.victim.id}"))
    assert "Is there any news about the arrest?" in thread and "Unread" in thread
    assert "Your crime has been recorded." in text_of(page.select_one(".timeline"))
    assert page.select_one(f'label[for="field-reply-{world.victim.id}"]')


async def test_every_view_of_a_crime_is_audited(oic_client, db, world):
    await oic_client.page(crime_url(world))
    async with db.session() as session:
        events = (await session.exec(select(AuditEvent).where(AuditEvent.action == "crime.view"))).all()
    assert [(e.crime_id, e.actor_id, e.actor_kind) for e in events] == [
        (world.crime.id, world.oic.id, "officer")
    ]


async def test_a_reply_is_stored_marks_the_thread_read_and_alerts_the_party(oic_client, db, world):
    url = f"{crime_url(world)}/parties/{world.victim.id}/messages"
    body = "We have arrested a man and he has been interviewed."
    await oic_client.page(crime_url(world))
    response = await oic_client.post(url, {f"reply-{world.victim.id}": body}, expect=303)
    assert response.headers["location"] == (
        f"{crime_url(world)}?done=reply&party={world.victim.id}#conversation-{world.victim.id}"
    )
    page = await oic_client.page(response.headers["location"])
    conversation = page.select_one(f"#conversation-{world.victim.id}")
    assert body in text_of(conversation)
    assert "Your reply has been sent" in text_of(conversation)
    assert "Unread" not in text_of(conversation)

    alerts = await outbox_rows(db, party_id=world.victim.id)
    assert [(a.kind, a.channel, a.recipient, a.status) for a in alerts] == [
        (AlertKind.NEW_MESSAGE, "email", "alex@example.org", OutboxStatus.PENDING)
    ]
    for alert in alerts:
        assert body not in alert.context_json and "arrest" not in alert.context_json
        assert "Burglary" not in alert.context_json
    async with db.session() as session:
        sent = (await session.exec(select(Message).where(Message.body == body))).one()
        assert sent.officer_id == world.oic.id and sent.direction == "to_party"
        actions = (await session.exec(select(AuditEvent.action))).all()
    assert "message.send" in actions


async def test_a_reply_to_someone_not_registered_is_kept_but_sends_no_alert(oic_client, db, world):
    await oic_client.page(crime_url(world))
    await oic_client.post(
        f"{crime_url(world)}/parties/{world.witness.id}/messages",
        {f"reply-{world.witness.id}": "Please call me on 101."},
        expect=303,
    )
    assert await outbox_rows(db, party_id=world.witness.id) == []


async def test_an_empty_reply_shows_an_error_linked_to_its_field_without_javascript(oic_client, world):
    await oic_client.page(crime_url(world))
    page = await oic_client.submit(
        f"{crime_url(world)}/parties/{world.victim.id}/messages", {f"reply-{world.victim.id}": "   "}
    )
    assert text_of(page.title).startswith("Error: Crime AS-2026-000123")
    link = page.select_one(".error-summary a")
    assert text_of(link) == "Enter your message" and link["href"] == f"#field-reply-{world.victim.id}"
    assert "Enter your message" in text_of(page.select_one(f"#field-reply-{world.victim.id}-error"))


async def test_a_too_long_reply_keeps_what_was_typed(oic_client, world):
    await oic_client.page(crime_url(world))
    typed = "x" * 5001
    page = await oic_client.submit(
        f"{crime_url(world)}/parties/{world.victim.id}/messages", {f"reply-{world.victim.id}": typed}
    )
    assert "5,000 characters or fewer" in text_of(page.select_one(".error-summary"))
    assert page.select_one(f"#field-reply-{world.victim.id}").get_text() == typed


async def test_an_htmx_reply_swaps_the_thread_resets_the_form_and_announces_it(oic_client, db, world):
    await oic_client.page(crime_url(world))
    response = await oic_client.post(
        f"{crime_url(world)}/parties/{world.victim.id}/messages",
        {f"reply-{world.victim.id}": "Thanks, we will be in touch."},
        htmx=True,
    )
    assert response.status_code == 200
    fragment = check_page(response.text, fragment=True)
    section = fragment.select_one(f"section#conversation-{world.victim.id}")
    assert "Thanks, we will be in touch." in text_of(section)
    assert section.select_one("textarea").get_text() == ""
    news = fragment.select_one("#announcer[hx-swap-oob]")
    assert text_of(news) == "Your reply to Alex O'Brien has been sent."
    assert fragment.select_one(f"#send-reply-{world.victim.id}"), "the button keeps its id, so focus stays"


async def test_an_htmx_reply_with_errors_gets_its_error_summary_in_the_fragment(oic_client, world):
    await oic_client.page(crime_url(world))
    response = await oic_client.post(
        f"{crime_url(world)}/parties/{world.victim.id}/messages", {f"reply-{world.victim.id}": ""}, htmx=True
    )
    fragment = check_page(response.text, fragment=True)
    assert text_of(fragment.select_one(".error-summary a")) == "Enter your message"


async def test_mark_as_read(oic_client, db, world):
    await oic_client.page(crime_url(world))
    page = await oic_client.submit(f"{crime_url(world)}/parties/{world.victim.id}/read", {})
    conversation = page.select_one(f"#conversation-{world.victim.id}")
    assert "Messages marked as read" in text_of(conversation)
    assert not conversation.select_one(f"#mark-read-{world.victim.id}")
    async with db.session() as session:
        unread = (await session.exec(select(Message).where(Message.read_at.is_(None)))).all()
    assert unread == []


async def test_posting_an_update_to_everyone_with_a_new_status(oic_client, db, world):
    await oic_client.page(crime_url(world))
    text = "A man has been charged with burglary."
    response = await oic_client.post(
        f"{crime_url(world)}/updates", {"text": text, "audience": "all", "status": "charged"}, expect=303
    )
    page = await oic_client.page(response.headers["location"])
    assert text_of(page.select_one("#crime-status")) == "Suspect charged"
    first = page.select_one(".timeline .timeline__item")
    assert "Suspect charged" in text_of(first) and text in text_of(first)
    assert "From: PC Sam Jones" in text_of(first) and "For: Everyone on this crime" in text_of(first)
    assert "Your update has been posted" in text_of(page.select_one("#updates"))
    alerts = await outbox_rows(db, kind=AlertKind.UPDATE_WAITING)
    assert [a.party_id for a in alerts] == [world.victim.id], "only the registered party is alerted"
    assert text not in alerts[0].context_json
    async with db.session() as session:
        crime = await session.get(Crime, world.crime.id)
    assert crime.status == "charged"


async def test_an_update_for_one_party_alerts_only_them(oic_client, db, world):
    async with db.transaction() as session:
        witness = await session.get(Party, world.witness.id)
        witness.password_hash, witness.registered_at = "$argon2id$x", utcnow()
    await oic_client.page(crime_url(world))
    await oic_client.post(
        f"{crime_url(world)}/updates",
        {"text": "Your statement has been received.", "audience": f"party-{world.witness.id}", "status": ""},
        expect=303,
    )
    alerts = await outbox_rows(db, kind=AlertKind.UPDATE_WAITING)
    assert [a.party_id for a in alerts] == [world.witness.id]
    async with db.session() as session:
        update = (
            await session.exec(select(CaseUpdate).where(CaseUpdate.author_officer_id == world.oic.id))
        ).one()
    assert (update.audience, update.party_id, update.status) == ("party", world.witness.id, None)


async def test_an_update_to_a_party_of_another_crime_is_refused(oic_client, db, world):
    await oic_client.page(crime_url(world))
    page = await oic_client.submit(
        f"{crime_url(world)}/updates",
        {"text": "Hello", "audience": f"party-{world.other_party.id}", "status": ""},
    )
    assert "Choose who the update is for" in text_of(page.select_one(".error-summary"))
    assert page.select_one("#field-text").get_text() == "Hello"


async def test_update_form_errors(oic_client, world):
    await oic_client.page(crime_url(world))
    page = await oic_client.submit(
        f"{crime_url(world)}/updates", {"text": "", "audience": "", "status": "made_up"}
    )
    errors = [text_of(a) for a in page.select(".error-summary a")]
    assert errors == ["Enter the update", "Choose who the update is for", "Choose a status from the list"]
    assert [a["href"] for a in page.select(".error-summary a")] == [
        "#field-text",
        "#field-audience",
        "#field-status",
    ]


async def test_choosing_a_standard_update_fills_in_the_text_and_status(oic_client, world):
    page = await oic_client.page(f"{crime_url(world)}?template=arrested")
    assert page.select_one("#field-text").get_text().startswith("A suspect has been arrested.")
    assert page.select_one("#field-status option[selected]")["value"] == "suspect_arrested"
    response = await oic_client.get(f"{crime_url(world)}/update-form?template=charged", htmx=True)
    fragment = check_page(response.text, fragment=True)
    assert (
        fragment.select_one("form#update-form #field-text")
        .get_text()
        .startswith("A suspect has been charged.")
    )


async def test_an_htmx_update_swaps_the_timeline_and_the_status(oic_client, world):
    await oic_client.page(crime_url(world))
    response = await oic_client.post(
        f"{crime_url(world)}/updates",
        {
            "text": "The suspect was interviewed today.",
            "audience": "victims",
            "status": "suspect_interviewed",
        },
        htmx=True,
    )
    fragment = check_page(response.text, fragment=True)
    assert "The suspect was interviewed today." in text_of(fragment.select_one("#updates .timeline"))
    assert fragment.select_one("#field-text").get_text() == ""
    assert text_of(fragment.select_one("#crime-summary[hx-swap-oob] #crime-status")) == "Suspect interviewed"
    assert text_of(fragment.select_one("#announcer")) == "Your update has been posted."
    assert fragment.title.get_text() == "Crime AS-2026-000123 – TrackMyCrime – Avon and Somerset Police"


async def test_inviting_a_party_again_queues_a_new_invitation_each_time(oic_client, db, world):
    url = f"{crime_url(world)}/parties/{world.witness.id}/invitation"
    await oic_client.page(crime_url(world))
    page = await oic_client.submit(url, {})
    assert "Invitation sent to Sam Taylor" in text_of(page.select_one(".notification"))
    await oic_client.submit(url, {})
    alerts = await outbox_rows(db, kind=AlertKind.INVITATION)
    assert [(a.party_id, a.recipient) for a in alerts] == [(world.witness.id, "sam.taylor@example.org")] * 2
    assert len({a.dedupe_key for a in alerts}) == 2


async def test_a_registration_code_is_shown_once_and_stored_only_as_a_hash(oic_client, db, world):
    await oic_client.page(crime_url(world))
    page = await oic_client.submit(f"{crime_url(world)}/parties/{world.witness.id}/registration-code", {})
    assert text_of(page.h1) == "Registration code for Sam Taylor"
    code = text_of(page.select_one(".panel code"))
    assert len(code) == 12 and code[4] == "-" and code[9] == "-"
    async with db.session() as session:
        witness = await session.get(Party, world.witness.id)
    assert code not in (witness.registration_code_hash or "")
    assert (await verify_password(FAST_HASHER, witness.registration_code_hash, code.replace("-", "")))[0]
    assert witness.registration_code_expires_at > utcnow()
    page = await oic_client.page(crime_url(world))
    assert code not in page.get_text()
    assert "Registration code given" in text_of(
        page.select_one(f"#party-{world.witness.id}-heading").find_parent("section")
    )


async def test_a_registered_party_gets_no_invitation_buttons(oic_client, world):
    page = await oic_client.page(crime_url(world))
    victim_section = page.select_one(f"#party-{world.victim.id}-heading").find_parent("section")
    # Only the forms to record telling them outside the portal and to add a helper, which everyone has.
    assert [form["action"] for form in victim_section.select("form")] == [
        f"{crime_url(world)}/parties/{world.victim.id}/told",
        f"{crime_url(world)}/parties/{world.victim.id}/helpers",
    ]


async def test_what_is_owed_is_listed_with_its_deadline(oic_client, db, world):
    async with db.transaction() as session:
        session.add(
            Entitlement(
                force_id=world.force.id,
                crime_id=world.crime.id,
                party_id=world.victim.id,
                event="suspect_arrested",
                event_key="x",
                event_at=days_ago(12),
                due_at=days_ago(5),
            )
        )
    page = await oic_client.page(crime_url(world))
    owed = text_of(page.select_one("#owed-heading").find_next("table"))
    assert "Alex O'Brien" in owed and "Suspect arrested" in owed and "overdue by" in owed


async def test_alerts_sent_and_failed_are_listed(oic_client, db, world):
    async with db.transaction() as session:
        session.add(
            OutboxMessage(
                force_id=world.force.id,
                kind=AlertKind.UPDATE_WAITING,
                channel="sms",
                party_id=world.victim.id,
                recipient="+447700900123",
                status=OutboxStatus.FAILED,
                last_error="The number is not in service",
                context_json=json.dumps({}),
            )
        )
        session.add(
            OutboxMessage(
                force_id=world.force.id,
                kind=AlertKind.INVITATION,
                channel="email",
                party_id=world.victim.id,
                recipient="alex@example.org",
                status=OutboxStatus.SENT,
                sent_at=days_ago(28),
            )
        )
    page = await oic_client.page(crime_url(world))
    alerts = text_of(page.select_one("#alerts-heading").find_next("table"))
    assert "Failed The number is not in service" in alerts
    assert "Invitation" in alerts and "Sent" in alerts


async def test_officers_cannot_reassign_but_supervisors_can(client, db, world):
    await sign_in_as(client, db, world.oic)
    page = await client.page(crime_url(world))
    assert not page.select_one("#field-officer_id")
    await sign_in_as(client, db, world.supervisor)
    page = await client.page(crime_url(world))
    options = [text_of(o) for o in page.select("#field-officer_id option")]
    assert "DC Lee Evans, North CID" in options and "Max Admin" not in " ".join(options)
    page = await client.submit(
        f"{crime_url(world)}/officer-in-charge", {"officer_id": str(world.colleague.id)}
    )
    assert text_of(page.select_one(".notification")) == "DC Lee Evans is now the officer in charge"
    async with db.session() as session:
        assert (await session.get(Crime, world.crime.id)).officer_in_charge_id == world.colleague.id
        actions = (
            await session.exec(select(AuditEvent.action).where(AuditEvent.crime_id == world.crime.id))
        ).all()
    assert "crime.reassign" in actions


async def test_reassigning_to_another_forces_officer_is_refused(client, db, world):
    await sign_in_as(client, db, world.supervisor)
    await client.page(crime_url(world))
    page = await client.submit(
        f"{crime_url(world)}/officer-in-charge", {"officer_id": str(world.other_admin.id)}
    )
    assert "Choose the officer to put in charge" in text_of(page.select_one(".error-summary"))
    async with db.session() as session:
        assert (await session.get(Crime, world.crime.id)).officer_in_charge_id == world.oic.id


async def test_a_party_of_another_crime_cannot_be_reached_through_this_one(oic_client, world):
    await oic_client.page(crime_url(world))
    response = await oic_client.post(
        f"{crime_url(world)}/parties/{world.other_party.id}/messages",
        {f"reply-{world.other_party.id}": "hello"},
    )
    assert response.status_code == 404
