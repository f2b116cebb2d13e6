"""Forgotten password: the same answer whatever is entered, a single-use link, every session ended."""

import pytest
from sqlmodel import select

from tests.webclient import WebClient, text_of
from trackmycrime.auth.links import password_reset_url
from trackmycrime.models import OutboxMessage, Party, WebSession

from .victim_data import sign_in

pytestmark = pytest.mark.anyio


def reset_form(case, **changes):
    form = case.sign_in_form(**changes)
    del form["password"]
    return form


def reset_path(settings, party):
    return password_reset_url(settings, party).removeprefix(settings.base_url)


async def outbox(db):
    async with db.session() as session:
        return (await session.exec(select(OutboxMessage))).all()


async def test_the_form_asks_for_the_sign_in_details_without_the_password(client, victim):
    page = await client.page("/forgotten-password")
    assert text_of(page.h1) == "Reset your password"
    labels = [text_of(label) for label in page.select("main form label")]
    assert labels == ["Surname", "Crime reference number", "Day", "Month", "Year"]


async def test_matching_details_queue_a_reset_email_to_the_address_on_file(client, db, victim):
    page = await client.submit("/forgotten-password", reset_form(victim, surname="o'brien"))
    assert text_of(page.h1) == "Check your email"
    alerts = await outbox(db)
    assert [(a.kind, a.channel, a.recipient) for a in alerts] == [
        ("password_reset", "email", victim.party.email)
    ]
    assert "reset" not in alerts[0].context_json, "the link is signed when sent, never stored"


async def test_every_request_gets_the_same_answer(client, db, victim):
    answers = set()
    for form in (
        reset_form(victim),
        reset_form(victim, reference="AS-1999-000001"),
        reset_form(victim, surname="Nobody"),
    ):
        response = await client.post("/forgotten-password", form)
        answers.add((response.status_code, response.headers["location"]))
    assert answers == {(303, "/forgotten-password/sent")}
    assert len(await outbox(db)) == 1


async def test_no_email_is_sent_to_a_party_without_one(client, db, app):
    from .victim_data import make_victim_case

    case = await make_victim_case(db, email="")
    page = await client.submit("/forgotten-password", reset_form(case))
    assert text_of(page.h1) == "Check your email"
    assert await outbox(db) == []


async def test_repeated_requests_for_the_same_details_stop_sending_but_answer_the_same(client, db, victim):
    for _ in range(5):
        response = await client.post("/forgotten-password", reset_form(victim))
        assert response.headers["location"] == "/forgotten-password/sent"
    assert len(await outbox(db)) == 3


async def test_one_client_asking_too_often_is_told_to_wait(app, db, victim):
    async with WebClient(app, client_ip="203.0.113.50") as client:
        for number in range(10):
            await client.post(
                "/forgotten-password", reset_form(victim, reference=f"AS-1-{number}"), expect=303
            )
        page = await client.submit("/forgotten-password", reset_form(victim), expect=429)
        assert text_of(page.h1) == "You have asked too many times"


async def test_form_errors_are_shown_and_values_kept(client, victim):
    page = await client.submit(
        "/forgotten-password", reset_form(victim, surname="", **{"date_of_birth-year": "19"})
    )
    assert [text_of(a) for a in page.select(".error-summary a")] == [
        "Enter your surname",
        "Year must include 4 numbers",
    ]
    assert page.select_one("#field-reference")["value"] == victim.crime.reference


async def test_the_link_sets_a_new_password_ends_every_session_and_signs_in(
    app, client, db, settings, victim
):
    async with WebClient(app) as other_device:
        await sign_in(other_device, victim)
        path = reset_path(settings, victim.party)
        page = await client.page(path)
        assert text_of(page.h1) == "Choose a new password"
        assert page.select_one("#field-password")["autocomplete"] == "new-password"
        response = await client.post(path, {"password": "a brand new passphrase"}, expect=303)
        assert response.headers["location"] == "/case?password_changed=1"
        page = await client.page(response.headers["location"])
        assert "Your password has been changed" in text_of(page.select_one("main"))
        response = await other_device.get("/case", expect=303)
        assert response.headers["location"] == "/sign-in?signed_out=1"
    async with db.session() as session:
        live = (await session.exec(select(WebSession).where(WebSession.ended_at.is_(None)))).all()
    assert len(live) == 1
    victim.password = "a brand new passphrase"
    async with WebClient(app) as later:
        assert text_of((await sign_in(later, victim)).h1) == "Your case"


async def test_the_reset_link_works_once(client, settings, victim):
    path = reset_path(settings, victim.party)
    await client.post(path, {"password": "a brand new passphrase"}, expect=303)
    page = await client.page(path, expect=404)
    assert text_of(page.h1) == "This link has expired or has already been used"
    response = await client.post(path, {"password": "yet another passphrase"})
    assert response.status_code == 404


async def test_the_reset_link_expires_after_two_hours(client, settings, victim, monkeypatch):
    path = reset_path(settings, victim.party)
    import itsdangerous.timed

    real_time = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real_time() + 2 * 3600 + 5)
    await client.page(path, expect=404)


async def test_an_invitation_link_cannot_reset_a_password(client, settings, victim):
    from trackmycrime.auth.links import invitation_url

    token = invitation_url(settings, victim.party).rsplit("/", 1)[1]
    await client.page(f"/reset-password/{token}", expect=404)


async def test_a_reset_unlocks_a_locked_account(client, db, settings, victim):
    for _ in range(5):
        await client.post("/sign-in", victim.sign_in_form(password="wrong password"))
    await client.post(reset_path(settings, victim.party), {"password": "a brand new passphrase"}, expect=303)
    await client.post("/sign-out", {})
    victim.password = "a brand new passphrase"
    assert text_of((await sign_in(client, victim)).h1) == "Your case"
    async with db.session() as session:
        party = await session.get(Party, victim.party.id)
    assert party.failed_sign_ins == 0 and party.locked_until is None


@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("", "Enter a new password"),
        ("too short", "Password must be 10 characters or more"),
        ("qwertyuiop", "This password is too common. Choose one that is harder to guess"),
    ],
)
async def test_the_new_password_is_checked(client, settings, victim, password, error):
    path = reset_path(settings, victim.party)
    page = await client.submit(path, {"password": password})
    assert [text_of(a) for a in page.select(".error-summary a")] == [error]
    assert text_of(page.title).startswith("Error: Choose a new password")
    assert page.select_one("form")["action"] == path


async def test_show_password_without_javascript_on_the_reset_page(client, settings, victim):
    path = reset_path(settings, victim.party)
    page = await client.submit(path, {"password": "half typed", "show_password": "1"})
    assert page.select_one("#field-password")["value"] == "half typed"
    assert not page.select(".error-summary")


async def test_a_deleted_account_cannot_be_reset(client, db, settings, victim):
    path = reset_path(settings, victim.party)
    await sign_in(client, victim)
    await client.post("/delete-account", {}, expect=303)
    await client.page(path, expect=404)


async def test_timing_does_not_tell_whether_the_details_matched(client, victim):
    import time

    def median(values):
        return sorted(values)[len(values) // 2]

    async def timed(form):
        started = time.perf_counter()
        await client.post("/forgotten-password", form)
        return time.perf_counter() - started

    known = [await timed(reset_form(victim)) for _ in range(3)]
    unknown = [await timed(reset_form(victim, reference=f"AS-1999-{n}")) for n in range(3)]
    assert median(known) < 4 * median(unknown) + 0.05


async def test_an_answer_takes_the_same_fixed_time_whether_or_not_an_account_exists(client, victim):
    import time

    from trackmycrime.victim.password_reset import RESET_ANSWER_SECONDS

    async def timed(form):
        started = time.perf_counter()
        await client.post("/forgotten-password", form, expect=303)
        return time.perf_counter() - started

    # Interleaved, so a busy machine slows both kinds alike; the fastest of each is the least
    # disturbed by other work, and both must sit on the same fixed floor.
    known, unknown = [], []
    for n in range(4):
        known.append(await timed(reset_form(victim)))
        unknown.append(await timed(reset_form(victim, reference=f"AS-1999-{n}")))
    assert min(known + unknown) >= RESET_ANSWER_SECONDS
    assert abs(min(known) - min(unknown)) < 0.05
