"""Victim sign-in: the contract's labels, forgiving matching, one answer for any mismatch, lockout."""

import datetime as dt
import re
import statistics
import time

import pytest
from sqlmodel import select

from tests.webclient import WebClient, text_of
from trackmycrime.auth.passwords import hash_password_now
from trackmycrime.models import AuditEvent, OutboxMessage, Party, Throttle, WebSession

from .victim_data import add_crime, add_force, add_officer, add_party, make_victim_case, sign_in

pytestmark = pytest.mark.anyio


def main_text(html: str) -> str:
    """The page as a person reads it, without the per-page CSRF token."""
    from bs4 import BeautifulSoup

    page = BeautifulSoup(html, "html.parser")
    for token in page.select('input[name="csrf_token"]'):
        token.decompose()
    return str(page.select_one("main"))


async def test_sign_in_page_has_exactly_the_contract_labels(client, victim):
    page = await client.page("/sign-in")
    assert text_of(page.h1) == "Sign in"
    labels = [text_of(label) for label in page.select("main form label")]
    assert labels == ["Surname", "Crime reference number", "Day", "Month", "Year", "Password"]
    legend = page.select_one("main fieldset legend")
    assert text_of(legend) == "Date of birth"
    buttons = [text_of(b) for b in page.select("main form button") if b.get("aria-hidden") != "true"]
    assert buttons == ["Show password", "Sign in"]
    assert page.select_one("#field-password")["autocomplete"] == "current-password"
    assert page.select_one("#field-date_of_birth-day")["autocomplete"] == "bday-day"
    assert page.select_one("#field-force") is None, "one force: nothing to choose"
    assert page.select_one('a[href="/forgotten-password"]')
    assert page.select_one("[data-quick-exit]")


async def test_the_right_details_sign_in_and_show_the_case(client, victim):
    page = await sign_in(client, victim)
    assert text_of(page.h1) == "Your case"
    assert victim.crime.reference in text_of(page.select_one("main"))


async def test_matching_forgives_case_spaces_accents_and_separators(client, db, app):
    case = await make_victim_case(db, surname="Zoë Núñez")
    page = await sign_in(
        client,
        case,
        surname="  zoe nunez ",
        reference=case.crime.reference.lower().replace("-", " "),
        **{"date_of_birth-day": "029", "date_of_birth-month": "Feb"},
    )
    assert text_of(page.h1) == "Your case"


async def test_signing_in_starts_a_new_session_and_records_it(client, db, victim):
    await client.get("/sign-in")
    await sign_in(client, victim)
    first_cookie = client.http.cookies.get("tmc_session")
    await sign_in(client, victim)
    assert client.http.cookies.get("tmc_session") != first_cookie
    async with db.session() as session:
        sessions = (
            await session.exec(select(WebSession).where(WebSession.party_id == victim.party.id))
        ).all()
        party = await session.get(Party, victim.party.id)
        events = (await session.exec(select(AuditEvent).where(AuditEvent.action == "party.sign_in"))).all()
    assert len(sessions) == 2
    assert sum(1 for s in sessions if s.ended_at is None) == 1, "the earlier session of this browser ended"
    assert party.last_sign_in_at is not None
    assert len(events) == 2 and events[0].ip_address == "127.0.0.1"


async def test_an_old_hash_is_upgraded_at_sign_in(client, db, victim):
    from argon2 import PasswordHasher

    old_hash = PasswordHasher(time_cost=1, memory_cost=4096, parallelism=1).hash(victim.password)
    async with db.transaction() as session:
        party = await session.get(Party, victim.party.id)
        party.password_hash = old_hash
        session.add(party)
    await sign_in(client, victim)
    async with db.session() as session:
        party = await session.get(Party, victim.party.id)
    assert party.password_hash != old_hash
    assert party.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("surname", "", "Enter your surname"),
        ("reference", "", "Enter your crime reference number"),
        ("password", "", "Enter your password"),
        ("date_of_birth-day", "", "Date of birth must include a day"),
        ("date_of_birth-day", "31", "Date of birth must be a real date"),
        ("date_of_birth-year", "80", "Year must include 4 numbers"),
        ("date_of_birth-year", "2996", "Date of birth must be in the past"),
        ("date_of_birth-month", "Brumaire", "Date of birth must be a real date"),
        ("surname", "x" * 101, "Surname must be 100 letters or fewer"),
        ("reference", "1" * 41, "Crime reference number must be 40 characters or fewer"),
    ],
)
async def test_missing_or_malformed_fields_get_a_message_by_the_field(client, victim, field, value, message):
    form = victim.sign_in_form(**{field: value})
    if field == "date_of_birth-day" and value == "31":
        form["date_of_birth-month"] = "2"
    page = await client.submit("/sign-in", form)
    assert text_of(page.title).startswith("Error: Sign in")
    summary = page.select_one(".error-summary")
    assert summary["role"] == "alert"
    assert [text_of(a) for a in summary.select("a")] == [message]
    target = summary.select_one("a")["href"]
    assert page.select_one(target) is not None, "the summary links to the field"
    inline = page.select(".error-message")
    assert len(inline) == 1 and message in text_of(inline[0])
    kept = page.select_one("#field-surname")["value"]
    assert kept == (form["surname"] if len(form["surname"]) <= 200 else kept)
    assert page.select_one("#field-password").get("value") is None, "a password is never sent back"


async def test_all_fields_empty_lists_every_problem_in_order(client, victim):
    page = await client.submit("/sign-in", {})
    messages = [text_of(a) for a in page.select(".error-summary a")]
    assert messages == [
        "Enter your surname",
        "Enter your crime reference number",
        "Enter your date of birth",
        "Enter your password",
    ]
    assert page.select_one('.error-summary a[href="#field-date_of_birth-day"]')


async def test_what_was_typed_is_kept_except_the_password(client, victim):
    page = await client.submit("/sign-in", victim.sign_in_form(password="wrong password"))
    assert page.select_one("#field-surname")["value"] == victim.party.surname
    assert page.select_one("#field-reference")["value"] == victim.crime.reference
    assert page.select_one("#field-date_of_birth-year")["value"] == "1980"
    assert "wrong password" not in str(page)


async def test_show_password_without_javascript_redisplays_the_form_with_it_visible(client, victim):
    page = await client.submit("/sign-in", victim.sign_in_form(show_password="1"))
    field = page.select_one("#field-password")
    assert field["type"] == "text" and field["value"] == victim.password
    assert text_of(page.select_one("[data-password-toggle]")) == "Hide password"
    assert not page.select(".error-summary")
    page = await client.submit("/sign-in", victim.sign_in_form(show_password="0"))
    assert page.select_one("#field-password")["type"] == "password"


async def test_the_enter_key_signs_in_rather_than_showing_the_password(client, victim):
    page = await client.page("/sign-in")
    first_button = page.select_one("main form button")
    assert first_button.get("name") is None and first_button["tabindex"] == "-1"
    assert first_button["aria-hidden"] == "true"


async def test_every_mismatch_gets_the_same_answer(client, db, victim):
    async with db.transaction() as session:
        unregistered = await add_party(session, victim.crime, surname="Smith", password=None)
    attempts = {
        "unknown crime": victim.sign_in_form(reference="AS-1999-999999"),
        "wrong surname": victim.sign_in_form(surname="Obrian"),
        "wrong date of birth": victim.sign_in_form(**{"date_of_birth-day": "28"}),
        "wrong password": victim.sign_in_form(password="not the password"),
        "not registered": victim.sign_in_form(surname=unregistered.surname, password="anything at all"),
    }
    answers = {}
    for name, form in attempts.items():
        response = await client.post("/sign-in", form)
        answers[name] = (response.status_code, main_text(response.text).replace(form["surname"], "S"))
        answers[name] = (answers[name][0], re.sub(r'value="[^"]*"', "", answers[name][1]))
    assert len(set(answers.values())) == 1, answers.keys()
    status, body = answers["unknown crime"]
    assert status == 200
    assert "The details you gave do not match what we have" in body


async def test_a_deleted_account_cannot_sign_in(client, db, victim):
    async with db.transaction() as session:
        party = await session.get(Party, victim.party.id)
        party.account_deleted_at = dt.datetime.now(dt.UTC)
        session.add(party)
    page = await sign_in(client, victim)
    assert "do not match what we have" in text_of(page.select_one(".error-summary"))


async def _fail(client, form, times):
    responses = []
    for _ in range(times):
        responses.append(await client.post("/sign-in", form))
    return responses


async def test_five_failures_lock_the_account_even_for_the_right_password(client, db, victim):
    responses = await _fail(client, victim.sign_in_form(password="wrong password"), 5)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    page = await client.submit("/sign-in", victim.sign_in_form(), expect=429)
    assert text_of(page.h1) == "You cannot sign in at the moment"
    assert "30 minutes" in text_of(page.select_one("main"))
    assert client.http.cookies.get("tmc_session") is None
    async with db.session() as session:
        party = await session.get(Party, victim.party.id)
        alerts = (await session.exec(select(OutboxMessage))).all()
    assert party.failed_sign_ins == 5 and party.locked_until is not None
    assert [alert.kind for alert in alerts] == ["account_locked"]
    assert alerts[0].recipient == victim.party.email


async def test_the_lock_looks_the_same_whether_or_not_the_account_exists(client, db, victim):
    real = await _fail(client, victim.sign_in_form(password="wrong password"), 6)
    invented = await _fail(client, victim.sign_in_form(reference="AS-1999-000001"), 6)
    assert [r.status_code for r in real] == [r.status_code for r in invented]
    assert main_text(real[-1].text) == main_text(invented[-1].text)


async def test_the_lock_ends_after_thirty_minutes(client, db, victim):
    await _fail(client, victim.sign_in_form(password="wrong password"), 5)
    async with db.transaction() as session:
        for row in (await session.exec(select(Throttle))).all():
            row.window_started_at -= dt.timedelta(minutes=31)
            session.add(row)
    page = await sign_in(client, victim)
    assert text_of(page.h1) == "Your case"


async def test_a_successful_sign_in_clears_the_failure_count(client, db, victim):
    await _fail(client, victim.sign_in_form(password="wrong password"), 4)
    await sign_in(client, victim)
    responses = await _fail(client, victim.sign_in_form(password="wrong password"), 4)
    assert all(r.status_code == 200 for r in responses)


async def test_one_client_trying_many_accounts_is_slowed_down(app, db, victim):
    async with WebClient(app, client_ip="203.0.113.9") as attacker:
        for number in range(20):
            form = victim.sign_in_form(reference=f"AS-2026-{number:06d}")
            await attacker.post("/sign-in", form, expect=200)
        blocked = await attacker.post("/sign-in", victim.sign_in_form(), expect=429)
        assert "You cannot sign in at the moment" in blocked.text
    async with WebClient(app, client_ip="198.51.100.1") as someone_else:
        page = await sign_in(someone_else, victim)
        assert text_of(page.h1) == "Your case"


async def test_unknown_crime_and_wrong_password_take_similar_time(client, db, victim):
    """Both verify a password hash: a fast answer would tell an attacker there is no such account."""

    async def timed(form):
        started = time.perf_counter()
        await client.post("/sign-in", form)
        return time.perf_counter() - started

    unknown, wrong = [], []
    for number in range(8):
        unknown.append(await timed(victim.sign_in_form(reference=f"AS-1999-{number:06d}")))
        wrong.append(await timed(victim.sign_in_form(password=f"wrong password {number}", surname="O'Brien")))
        if number == 3:  # stay under the lock
            async with db.transaction() as session:
                for row in (await session.exec(select(Throttle))).all():
                    await session.delete(row)
    assert statistics.median(unknown) > 0.33 * statistics.median(wrong)
    assert statistics.median(wrong) > 0.33 * statistics.median(unknown)


async def test_a_password_hash_is_verified_whether_or_not_there_is_an_account(client, victim, monkeypatch):
    from trackmycrime.victim import sign_in as sign_in_module

    verified = []
    real_verify = sign_in_module.verify_password

    async def spy(hasher, stored_hash, password):
        verified.append(stored_hash is not None)
        return await real_verify(hasher, stored_hash, password)

    monkeypatch.setattr(sign_in_module, "verify_password", spy)
    await client.post("/sign-in", victim.sign_in_form(reference="AS-1999-000001"))
    await client.post("/sign-in", victim.sign_in_form(password="wrong password"))
    for _ in range(4):
        await client.post("/sign-in", victim.sign_in_form(reference="AS-1999-000002"))
    await client.post("/sign-in", victim.sign_in_form(reference="AS-1999-000002"), expect=429)
    assert verified == [False, True, False, False, False, False, False], "once per attempt, locked or not"


async def test_where_several_forces_share_the_deployment_the_force_is_chosen(client, db, app):
    async with db.transaction() as session:
        avon = await add_force(session, "AS", "Avon and Somerset Police")
        dorset = await add_force(session, "DO", "Dorset Police")
        officer = await add_officer(session, dorset)
        crime = await add_crime(session, dorset, officer, reference="AS-2026-000123")
        party = await add_party(session, crime)
        await add_crime(session, avon, None, reference="AS-2026-000123")
    from .victim_data import VictimCase

    case = VictimCase(dorset, officer, crime, party)
    page = await client.page("/sign-in")
    options = [text_of(o) for o in page.select("#field-force option")]
    assert options == ["Choose a police force", "Avon and Somerset Police", "Dorset Police"]
    page = await client.submit("/sign-in", case.sign_in_form())
    assert [text_of(a) for a in page.select(".error-summary a")] == [
        "Choose the police force you told about the crime"
    ]
    page = await client.submit("/sign-in", case.sign_in_form(force="AS"))
    assert "do not match what we have" in text_of(page.select_one(".error-summary"))
    page = await client.submit("/sign-in", case.sign_in_form(force="DO"))
    assert text_of(page.h1) == "Your case"
    assert "Dorset Police" in text_of(page.title)


async def test_control_characters_and_odd_input_never_cause_an_error(client, victim):
    nasty = {
        "surname": "O'Brien\x00\x07",
        "reference": "<script>alert(1)</script>",
        "date_of_birth-day": "١٢",
        "date_of_birth-month": "\x00",
        "date_of_birth-year": "9" * 30,
        "password": "p\x00ss",
    }
    response = await client.post("/sign-in", nasty)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text


async def test_sign_out_ends_the_session(client, db, victim):
    await sign_in(client, victim)
    page = await client.submit("/sign-out", {})
    assert text_of(page.h1) == "You have signed out"
    response = await client.get("/case", expect=303)
    assert response.headers["location"] == "/sign-in"


async def test_sign_out_everywhere_ends_every_session(app, client, db, victim):
    async with WebClient(app) as phone:
        await sign_in(phone, victim)
        await sign_in(client, victim)
        page = await client.submit("/sign-out-everywhere", {})
        assert text_of(page.h1) == "You have signed out"
        assert "each phone or computer" in text_of(page.select_one("main"))
        response = await phone.get("/case", expect=303)
        assert response.headers["location"] == "/sign-in?signed_out=1"


async def test_an_idle_session_ends_and_the_sign_in_page_says_why(client, db, victim):
    await sign_in(client, victim)
    async with db.transaction() as session:
        for row in (await session.exec(select(WebSession))).all():
            row.last_seen_at -= dt.timedelta(minutes=21)
            session.add(row)
    response = await client.get("/case", expect=303)
    page = await client.page(response.headers["location"])
    assert "We signed you out because you did nothing for 20 minutes" in text_of(page.select_one("main"))


async def test_keep_alive_answers_scripts_with_no_content_and_people_with_the_case(client, victim):
    await sign_in(client, victim)
    token = await client.csrf_token()
    response = await client.http.post("/keep-alive", headers={"X-CSRF-Token": token})
    assert response.status_code == 204
    response = await client.post("/keep-alive", {}, expect=303)
    assert response.headers["location"] == "/case"


async def test_a_password_hash_is_not_needed_to_reach_the_form(client):
    assert hash_password_now  # the form works with an empty database too
    page = await client.page("/sign-in")
    assert page.select_one("#field-surname")
    response = await client.post(
        "/sign-in",
        {
            "surname": "Nobody",
            "reference": "X-1",
            "date_of_birth-day": "1",
            "date_of_birth-month": "1",
            "date_of_birth-year": "1990",
            "password": "whatever it is",
        },
    )
    assert response.status_code == 200 and "do not match what we have" in response.text


async def test_a_party_flagged_as_living_with_a_suspect_can_no_longer_use_the_portal(client, db, victim):
    await sign_in(client, victim)
    await client.page("/case")
    async with db.transaction() as session:
        party = await session.get(Party, victim.party.id)
        party.shares_address_with_suspect = True
    response = await client.get("/case", expect=303)
    assert response.headers["location"].startswith("/sign-in")
    page = await client.submit("/sign-in", victim.sign_in_form())
    assert "do not match what we have" in text_of(page.select_one(".error-summary"))
    assert text_of(page.h1) == "Sign in"
