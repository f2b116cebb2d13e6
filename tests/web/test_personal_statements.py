"""Victim Personal Statement: offered by the officer; written, saved, sent or made in person by the victim."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import col, select

from tests.factories import SHIPPED_RULES
from tests.webclient import text_of
from trackmycrime.models import (
    AuditEvent,
    CaseUpdate,
    Entitlement,
    Hearing,
    HearingStatus,
    Message,
    MessageDirection,
    Officer,
    Party,
    PersonalStatement,
    utcnow,
)
from trackmycrime.officer.compliance_export import export_rows
from trackmycrime.officer.periods import Period
from trackmycrime.officer_digests import news_for
from trackmycrime.victims_code.entitlements import refresh_entitlements
from trackmycrime.victims_code.rules import parse_rules

from .officer_world import sign_in_as
from .test_officer_case import crime_url

pytestmark = pytest.mark.anyio

PAGE = "/case/personal-statement"
IN_PERSON = "/case/personal-statement/in-person"
WORDS = "I do not sleep well since the break-in.\nMy children are scared to be at home alone."


async def as_victim(client, db, world):
    await sign_in_as(client, db, world.victim)
    return await client.page(PAGE)


async def statement(db, party) -> PersonalStatement | None:
    async with db.session() as session:
        found = await session.exec(select(PersonalStatement).where(PersonalStatement.party_id == party.id))
        return found.first()


async def statement_messages(db) -> list[Message]:
    """What reached the officers' thread about the statement (the world has other messages)."""
    async with db.session() as session:
        found = await session.exec(select(Message).where(col(Message.body).contains("Personal Statement")))
        return list(found.all())


async def add_hearing(db, world, starts_in: dt.timedelta, status: str = HearingStatus.LISTED) -> None:
    async with db.transaction() as session:
        session.add(
            Hearing(
                crime_id=world.crime.id,
                rms_hearing_id=f"H-{starts_in.total_seconds():.0f}-{status}",
                court_name="Bristol Crown Court",
                starts_at=utcnow() + starts_in,
                hearing_type="trial",
                status=status,
            )
        )


async def officer_panel(client, db, world):
    await sign_in_as(client, db, world.oic)
    page = await client.page(crime_url(world))
    return page.select_one(f"#statement-{world.victim.id}")


async def test_a_draft_is_kept_and_the_officer_sees_only_that_one_exists(client, db, world):
    page = await as_victim(client, db, world)
    assert text_of(page.h1) == "Victim Personal Statement"
    assert page.select_one('a[href="/words-we-use#victim-personal-statement"]') is not None

    page = await client.submit(PAGE, {"statement": WORDS, "action": "save"})

    assert "Your draft has been saved" in text_of(page.select_one("main"))
    assert page.select_one("#field-statement").text == WORDS  # there to carry on with
    saved = await statement(db, world.victim)
    assert saved.draft == WORDS and saved.sent_at is None
    panel = await officer_panel(client, db, world)
    assert "Being written (a draft, not sent yet)" in text_of(panel)
    assert "children are scared" not in text_of(panel)
    assert not await statement_messages(db), "a draft tells no one"


async def test_sending_reaches_the_officer_like_a_message_and_shows_the_statement(client, db, world):
    await as_victim(client, db, world)

    page = await client.submit(PAGE, {"statement": WORDS, "action": "send"})

    assert "Your statement has been sent to the police" in text_of(page.select_one("main"))
    [message] = await statement_messages(db)
    async with db.session() as session:
        actions = (await session.exec(select(AuditEvent.action))).all()
    assert message.direction == MessageDirection.FROM_PARTY and message.read_at is None
    assert message.party_id == world.victim.id and "Victim Personal Statement" in message.body
    assert "personal_statement.send" in actions
    async with db.session() as session:  # and it is in the officer's next alert, by crime reference only
        oic = await session.get(Officer, world.oic.id)
        news = await news_for(session, oic, utcnow() - dt.timedelta(minutes=5), utcnow())
    assert [(line.reference, line.messages) for line in news] == [(world.crime.reference, 1)]
    panel = await officer_panel(client, db, world)
    assert panel.select_one("[data-statement-state]")["data-statement-state"] == "sent"
    assert "children are scared to be at home alone" in text_of(panel)


async def test_a_change_after_sending_shows_as_changed_with_the_new_words(client, db, world):
    await as_victim(client, db, world)
    await client.submit(PAGE, {"statement": WORDS, "action": "send"})
    await client.submit(PAGE, {"statement": WORDS + "\nI have had to take time off work.", "action": "send"})

    panel = await officer_panel(client, db, world)

    assert panel.select_one("[data-statement-state]")["data-statement-state"] == "changed"
    assert "Changed after it was first sent" in text_of(panel)
    assert "time off work" in text_of(panel)


async def test_a_saved_change_is_not_sent_until_the_victim_sends_it(client, db, world):
    await as_victim(client, db, world)
    await client.submit(PAGE, {"statement": WORDS, "action": "send"})
    page = await client.submit(PAGE, {"statement": "Something else entirely.", "action": "save"})

    assert "You have changes you have not sent" in text_of(page.select_one("#statement-status"))
    panel = await officer_panel(client, db, world)
    assert "children are scared" in text_of(panel) and "Something else" not in text_of(panel)


async def test_asking_to_make_it_in_person_reaches_the_officer(client, db, world):
    page = await as_victim(client, db, world)
    assert page.select_one(f'form[action="{IN_PERSON}"]') is not None

    page = await client.submit(IN_PERSON, {})

    assert "You asked to make your statement in person" in text_of(page.select_one("main"))
    [message] = await statement_messages(db)
    assert "in person" in message.body
    panel = await officer_panel(client, db, world)
    assert panel.select_one("[data-statement-state]")["data-statement-state"] == "in_person"


async def test_sending_nothing_or_too_much_is_refused_next_to_the_field(client, db, world):
    await as_victim(client, db, world)

    empty = await client.submit(PAGE, {"statement": "  ", "action": "send"}, expect=400)
    long = await client.submit(PAGE, {"statement": "x" * 10001, "action": "save"}, expect=400)

    assert "Write your statement before you send it" in text_of(empty.select_one(".error-summary"))
    assert "Write your statement before you send it" in text_of(empty.select_one("#field-statement").parent)
    assert text_of(empty.title).startswith("Error:")
    assert "10,000 characters or fewer" in text_of(long.select_one(".error-summary"))
    assert await statement(db, world.victim) is None


async def test_it_may_be_changed_until_the_first_hearing_starts(client, db, world):
    await add_hearing(db, world, dt.timedelta(hours=1))
    await add_hearing(db, world, -dt.timedelta(days=2), status=HearingStatus.VACATED)  # never started
    await as_victim(client, db, world)

    page = await client.submit(PAGE, {"statement": WORDS, "action": "send"})

    assert "Your statement has been sent" in text_of(page.select_one("main"))
    assert (await statement(db, world.victim)).sent_text == WORDS


async def test_after_the_first_hearing_starts_it_is_read_only_and_changes_are_refused(client, db, world):
    await as_victim(client, db, world)
    await client.submit(PAGE, {"statement": WORDS, "action": "send"})
    await add_hearing(db, world, -dt.timedelta(minutes=1))
    await add_hearing(db, world, dt.timedelta(days=30))

    page = await client.page(PAGE)
    assert "You cannot change your statement now" in text_of(page.select_one("#statement-locked"))
    assert page.select_one("textarea") is None and page.select_one(f'main form[action^="{PAGE}"]') is None
    assert "children are scared" in text_of(page.select_one(".statement-text"))

    refused = await client.submit(PAGE, {"statement": "New words", "action": "send"}, expect=400)
    assert "Your statement was not changed" in text_of(refused.select_one("#statement-refused"))
    await client.submit(IN_PERSON, {}, expect=400)
    kept = await statement(db, world.victim)
    assert kept.sent_text == WORDS and kept.in_person_at is None
    assert len(await statement_messages(db)) == 1, "refused changes send no message"


async def test_a_post_without_the_csrf_token_changes_nothing(client, db, world):
    await as_victim(client, db, world)
    response = await client.post(PAGE, {"statement": WORDS, "action": "send"}, csrf=False)
    assert response.status_code == 403
    assert await statement(db, world.victim) is None


async def test_a_witness_has_no_statement_page_unless_the_rules_say_so(app, client, db, world, monkeypatch):
    async with db.transaction() as session:
        witness = await session.get(Party, world.witness.id)
        witness.password_hash, witness.registered_at = "$argon2id$not-a-real-hash", utcnow()
        session.add(witness)
    await sign_in_as(client, db, world.witness)
    case = await client.page("/case")
    assert case.select_one("#personal-statement-link") is None
    await client.get(PAGE, expect=404)
    assert (await client.post(PAGE, {"statement": WORDS, "action": "send"})).status_code == 404
    assert await statement(db, world.witness) is None

    monkeypatch.setattr(app.state, "rules", _rules_with_statement_owed_to(["victim", "witness"]))
    await client.page(PAGE)


def _rules_with_statement_owed_to(roles: list[str]):
    return parse_rules(
        {
            "deadlines": {"working_days": 5, "enhanced_rights_working_days": 1},
            "events": [{"status": "charged", "owed_to": ["victim"]}],
            "personal_statement": {"owed_to": roles, "offer_after": ["charged"]},
        }
    )


async def test_the_case_page_links_to_the_statement(client, db, world):
    await sign_in_as(client, db, world.victim)
    case = await client.page("/case")
    assert case.select_one("#personal-statement-link")["href"] == PAGE


async def test_another_victim_never_sees_or_changes_this_statement(client, db, world):
    await as_victim(client, db, world)
    await client.submit(PAGE, {"statement": WORDS, "action": "send"})

    await sign_in_as(client, db, world.other_party)
    page = await client.page(PAGE)
    assert "children are scared" not in text_of(page.select_one("main"))
    await client.submit(PAGE, {"statement": "Mine", "action": "send"})

    assert (await statement(db, world.victim)).sent_text == WORDS
    assert (await statement(db, world.other_party)).sent_text == "Mine"


async def test_an_officer_of_another_crime_cannot_record_an_offer_or_read_it(client, db, world):
    url = f"{crime_url(world)}/parties/{world.victim.id}/personal-statement-offer"
    await sign_in_as(client, db, world.outsider)
    await client.page("/officer")
    assert (await client.post(url, {})).status_code in (403, 404)
    other = f"/officer/crimes/{world.other_crime.id}/parties/{world.other_party.id}/personal-statement-offer"
    await sign_in_as(client, db, world.oic)
    assert (await client.post(other, {})).status_code in (403, 404)
    witness = f"{crime_url(world)}/parties/{world.witness.id}/personal-statement-offer"
    assert (await client.post(witness, {})).status_code == 404
    assert await statement(db, world.victim) is None
    assert await statement(db, world.other_party) is None


async def test_the_offer_is_a_victims_code_entitlement_met_when_recorded_and_exported(client, db, world):
    charged_at = utcnow() - dt.timedelta(days=1)
    async with db.transaction() as session:
        session.add(
            CaseUpdate(
                crime_id=world.crime.id,
                status="charged",
                text="A man has been charged.",
                occurred_at=charged_at,
            )
        )
        await session.flush()
        await refresh_entitlements(session, world.crime.id, SHIPPED_RULES)
    owed = await _offer_rows(db)
    assert [(row.party_id, row.met_at) for row in owed] == [(world.victim.id, None)]  # not the witness

    await sign_in_as(client, db, world.oic)
    await client.page(crime_url(world))
    page = await client.submit(f"{crime_url(world)}/parties/{world.victim.id}/personal-statement-offer", {})

    panel = page.select_one(f"#statement-{world.victim.id}")
    assert "Offer recorded" in text_of(panel) and "Offered" in text_of(panel)
    assert panel.select_one("form") is None, "offered once"
    [met] = await _offer_rows(db)
    assert met.met_at is not None and met.met_by == "offer" and met.met_at <= met.due_at
    async with db.session() as session:
        period = Period(charged_at.date() - dt.timedelta(days=1), utcnow().date() + dt.timedelta(days=30))
        exported = [
            r.fields(utcnow(), names=False) for r in await export_rows(session, world.force.id, period)
        ]
        actions = (await session.exec(select(AuditEvent.action))).all()
    [row] = [r for r in exported if r["event"] == "personal_statement_offer"]
    assert row["event_description"] == "Offer to make a Victim Personal Statement"
    assert row["outcome"] == "on_time" and row["met_by"] == "offer"
    assert json.dumps(row)  # the JSON export takes it as it is
    assert "personal_statement.offer" in actions


async def _offer_rows(db) -> list[Entitlement]:
    async with db.session() as session:
        query = select(Entitlement).where(col(Entitlement.event) == "personal_statement_offer")
        return list((await session.exec(query)).all())
