"""Registering from an invitation link or with a crime reference and one-time code."""

import datetime as dt
import re

import pytest
from sqlmodel import select

from tests.webclient import text_of
from trackmycrime.auth.links import invitation_url
from trackmycrime.models import AuditEvent, Party, Throttle, utcnow

from .victim_data import add_party, give_registration_code, make_victim_case, sign_in

pytestmark = pytest.mark.anyio


@pytest.fixture
async def invited(db, app):
    """An unregistered victim, invited by email, who also holds a registration code."""
    case = await make_victim_case(db, password=None, surname="Núñez", forenames="Sam")
    async with db.transaction() as session:
        party = await session.get(Party, case.party.id)
        case.code = await give_registration_code(session, party)
    return case


def confirm_form(case, progress, **changes):
    form = {
        "progress": progress,
        "surname": case.party.surname,
        "date_of_birth-day": str(case.party.date_of_birth.day),
        "date_of_birth-month": str(case.party.date_of_birth.month),
        "date_of_birth-year": str(case.party.date_of_birth.year),
    }
    form.update(changes)
    return form


def progress_of(page):
    return page.select_one('input[name="progress"]')["value"]


def link_path(settings, case):
    return invitation_url(settings, case.party).removeprefix(settings.base_url)


async def register_with_link(client, settings, case, password="my new long passphrase"):  # noqa: S107
    page = await client.page(link_path(settings, case))
    page = await client.submit("/register/confirm", confirm_form(case, progress_of(page)))
    return await client.submit("/register/password", {"progress": progress_of(page), "password": password})


async def test_the_start_page_offers_the_code_form(client, invited):
    page = await client.page("/register")
    assert text_of(page.h1) == "Register with your registration code"
    labels = [text_of(label) for label in page.select("main form label")]
    assert labels == ["Crime reference number", "Registration code"]
    assert page.select_one("#field-code")["autocomplete"] == "one-time-code"


async def test_registering_from_the_invitation_link(client, db, settings, invited):
    page = await client.page(link_path(settings, invited))
    assert text_of(page.h1) == "Confirm your details"
    assert "Avon and Somerset Police" in text_of(page.title)
    page = await client.submit(
        "/register/confirm", confirm_form(invited, progress_of(page), surname=" nunez ")
    )
    assert text_of(page.h1) == "Create a password"
    field = page.select_one("#field-password")
    assert field["autocomplete"] == "new-password" and field["type"] == "password"
    assert page.select_one("#field-password").get("maxlength") is None, "pasting long passphrases works"
    response = await client.post(
        "/register/password", {"progress": progress_of(page), "password": "my new long passphrase"}
    )
    assert response.status_code == 303 and response.headers["location"] == "/case?welcome=1"
    page = await client.page("/case?welcome=1")
    assert text_of(page.h1) == "Your case"
    assert "You have registered" in text_of(page.select_one("main"))
    async with db.session() as session:
        party = await session.get(Party, invited.party.id)
        events = [e.action for e in (await session.exec(select(AuditEvent))).all()]
    assert party.password_hash and party.registered_at
    assert party.registration_code_hash is None, "the code dies too"
    assert "party.register" in events


async def test_the_new_password_signs_in(client, app, settings, invited):
    await register_with_link(client, settings, invited)
    from tests.webclient import WebClient

    async with WebClient(app) as later:
        invited.password = "my new long passphrase"
        page = await sign_in(later, invited)
        assert text_of(page.h1) == "Your case"


async def test_an_invitation_link_works_once(client, app, settings, invited):
    await register_with_link(client, settings, invited)
    from tests.webclient import WebClient

    async with WebClient(app) as someone_else:
        page = await someone_else.page(link_path(settings, invited), expect=404)
        assert text_of(page.h1) == "This link has expired or has already been used"


async def test_a_progress_note_cannot_be_replayed_after_registering(client, db, settings, invited):
    page = await client.page(link_path(settings, invited))
    page = await client.submit("/register/confirm", confirm_form(invited, progress_of(page)))
    progress = progress_of(page)
    await client.post(
        "/register/password", {"progress": progress, "password": "my new long passphrase"}, expect=303
    )
    page = await client.submit(
        "/register/password", {"progress": progress, "password": "another long one here"}, expect=400
    )
    assert text_of(page.h1) == "You need to start again"


async def test_forged_and_tampered_links_are_refused(client, settings, invited):
    good = link_path(settings, invited)
    for path in ("/register/not-a-token", good[:-3] + "abc", "/register/" + "x" * 5000):
        page = await client.page(path, expect=404)
        assert text_of(page.h1) == "This link has expired or has already been used"


async def test_an_invitation_link_expires(client, db, settings, invited, monkeypatch):
    path = link_path(settings, invited)
    import itsdangerous.timed

    real_time = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real_time() + 15 * 86400)
    page = await client.page(path, expect=404)
    assert text_of(page.h1) == "This link has expired or has already been used"


async def test_a_reset_link_cannot_be_used_to_register(client, settings, invited):
    from trackmycrime.auth.links import password_reset_url

    token = password_reset_url(settings, invited.party).rsplit("/", 1)[1]
    await client.page(f"/register/{token}", expect=404)


async def test_registering_with_the_code(client, db, invited):
    page = await client.submit(
        "/register",
        {"reference": invited.crime.reference.lower(), "code": invited.code.lower().replace("-", " ")},
    )
    assert text_of(page.h1) == "Confirm your details"
    page = await client.submit("/register/confirm", confirm_form(invited, progress_of(page)))
    page = await client.submit(
        "/register/password", {"progress": progress_of(page), "password": "my new long passphrase"}
    )
    assert text_of(page.h1) == "Your case"
    response = await client.post("/register", {"reference": invited.crime.reference, "code": invited.code})
    assert "do not match what we have" in response.text, "the code works once"


async def test_a_wrong_code_and_an_unknown_crime_get_the_same_answer(client, invited):
    wrong_code = await client.post(
        "/register", {"reference": invited.crime.reference, "code": "ABCD-EFGH-JK"}
    )
    unknown = await client.post("/register", {"reference": "AS-1999-123456", "code": invited.code})
    assert wrong_code.status_code == unknown.status_code == 200

    def main(html):
        html = re.sub(r'name="csrf_token" value="[^"]*"', "", html)
        return re.sub(r'value="[^"]*"', "", html.split("<main", 1)[1].split("</main>", 1)[0])

    assert main(wrong_code.text) == main(unknown.text)
    assert "do not match what we have" in wrong_code.text


async def test_an_expired_code_does_not_work(client, db, invited):
    async with db.transaction() as session:
        party = await session.get(Party, invited.party.id)
        party.registration_code_expires_at = utcnow() - dt.timedelta(minutes=1)
        session.add(party)
    response = await client.post("/register", {"reference": invited.crime.reference, "code": invited.code})
    assert "do not match what we have" in response.text


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        ({}, ["Enter your crime reference number", "Enter your registration code"]),
        ({"reference": "AS-1", "code": "ABC"}, ["The code must be 10 letters and numbers"]),
        ({"reference": "AS-1", "code": "A" * 41}, ["The code must be 10 letters and numbers"]),
    ],
)
async def test_code_form_validation(client, invited, form, errors):
    page = await client.submit("/register", form)
    assert [text_of(a) for a in page.select(".error-summary a")] == errors
    assert text_of(page.title).startswith("Error: ")


async def test_guessing_codes_is_stopped_for_the_crime_and_the_client(client, app, invited):
    from tests.webclient import WebClient

    for number in range(10):
        await client.post(
            "/register", {"reference": invited.crime.reference, "code": f"ABCD-EFGH-{number:02d}"}, expect=200
        )
    blocked = await client.post(
        "/register", {"reference": invited.crime.reference, "code": invited.code}, expect=429
    )
    assert "You cannot sign up right now" in blocked.text
    async with WebClient(app, client_ip="198.51.100.7") as elsewhere:
        response = await elsewhere.post(
            "/register", {"reference": invited.crime.reference, "code": invited.code}
        )
        assert response.status_code == 429, "the crime's own limit holds across clients"
        response = await elsewhere.post("/register", {"reference": "AS-1999-000001", "code": "ABCD-EFGH-JK"})
        assert response.status_code == 200


async def test_confirming_the_wrong_details_is_refused_then_stopped(client, db, settings, invited):
    page = await client.page(link_path(settings, invited))
    progress = progress_of(page)
    page = await client.submit("/register/confirm", confirm_form(invited, progress, surname="Smith"))
    assert "is not what we have" in text_of(page.select_one(".error-summary"))
    assert page.select_one("#field-surname")["value"] == "Smith"
    for _ in range(4):
        await client.post("/register/confirm", confirm_form(invited, progress, **{"date_of_birth-day": "1"}))
    response = await client.post("/register/confirm", confirm_form(invited, progress), expect=429)
    assert "You cannot sign up right now" in response.text


async def test_confirm_step_validation(client, settings, invited):
    page = await client.page(link_path(settings, invited))
    page = await client.submit(
        "/register/confirm",
        confirm_form(invited, progress_of(page), surname="", **{"date_of_birth-month": "13"}),
    )
    assert [text_of(a) for a in page.select(".error-summary a")] == [
        "Enter your surname",
        "Date of birth must be a real date",
    ]
    assert page.select_one('input[name="progress"]')["value"], "still registering"


CONTEXT = "Your password must not include your surname, date of birth or crime reference number"


@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("", "Enter a password"),
        ("short one", "Password must be 10 characters or more"),
        ("password123", "This password is too common. Choose one that is harder to guess"),
        ("Nunez12345", CONTEXT),
        ("a very long núñez phrase", CONTEXT),
        ("happy birthday 29/02/1980", CONTEXT),
        ("born in 1980 and proud", CONTEXT),
        ("Password 123!", "This password is too common. Choose one that is harder to guess"),
        ("Sam is my name ok", None),
        ("x" * 257, "Password is too long: use up to 256 characters"),
    ],
)
async def test_password_rules_are_length_and_common_passwords_only(
    client, settings, invited, password, error
):
    page = await client.page(link_path(settings, invited))
    page = await client.submit("/register/confirm", confirm_form(invited, progress_of(page)))
    page = await client.submit("/register/password", {"progress": progress_of(page), "password": password})
    if error is None:
        assert text_of(page.h1) == "Your case"
        return
    assert [text_of(a) for a in page.select(".error-summary a")] == [error]
    assert page.select_one("#field-password").get("value") is None


async def test_a_password_with_the_crime_reference_in_it_is_refused(client, settings, invited):
    page = await client.page(link_path(settings, invited))
    page = await client.submit("/register/confirm", confirm_form(invited, progress_of(page)))
    squashed = invited.crime.reference.replace("-", "").lower()
    page = await client.submit(
        "/register/password", {"progress": progress_of(page), "password": f"my crime {squashed}"}
    )
    assert [text_of(a) for a in page.select(".error-summary a")] == [CONTEXT]


async def test_no_composition_rules(client, settings, invited):
    page = await register_with_link(client, settings, invited, password="all lower case words")
    assert text_of(page.h1) == "Your case"


async def test_show_password_without_javascript_while_registering(client, settings, invited):
    page = await client.page(link_path(settings, invited))
    page = await client.submit("/register/confirm", confirm_form(invited, progress_of(page)))
    page = await client.submit(
        "/register/password",
        {"progress": progress_of(page), "password": "typed so far", "show_password": "1"},
    )
    assert text_of(page.h1) == "Create a password" and not page.select(".error-summary")
    assert page.select_one("#field-password")["value"] == "typed so far"


async def test_a_progress_note_for_step_two_cannot_skip_to_step_three(client, settings, invited):
    page = await client.page(link_path(settings, invited))
    step_two_note = progress_of(page)
    page = await client.submit(
        "/register/password", {"progress": step_two_note, "password": "my new long passphrase"}, expect=400
    )
    assert text_of(page.h1) == "You need to start again"


async def test_a_deleted_account_cannot_come_back_through_an_old_link(client, db, settings, invited):
    path = link_path(settings, invited)
    async with db.transaction() as session:
        party = await session.get(Party, invited.party.id)
        party.account_deleted_at = utcnow()
        session.add(party)
    await client.page(path, expect=404)
    async with db.transaction() as session:
        party = await session.get(Party, invited.party.id)
        party.invited_at = utcnow() + dt.timedelta(seconds=1)
        session.add(party)
    page = await client.page(invitation_url(settings, party).removeprefix(settings.base_url))
    assert text_of(page.h1) == "Confirm your details", "a new invitation works"


async def test_registered_parties_have_no_code_route_in(client, db, invited):
    async with db.transaction() as session:
        other = await add_party(session, invited.crime, surname="Taylor")
        code = await give_registration_code(session, other)
    response = await client.post("/register", {"reference": invited.crime.reference, "code": code})
    assert "do not match what we have" in response.text


async def test_registration_attempts_leave_no_trace_of_the_code(client, db, invited):
    await client.post("/register", {"reference": invited.crime.reference, "code": "ZZZZ-ZZZZ-ZZ"})
    async with db.session() as session:
        keys = [row.key for row in (await session.exec(select(Throttle))).all()]
    assert all("ZZZZ" not in key for key in keys)


async def test_where_several_forces_share_the_deployment_the_code_form_asks_which(client, db, invited):
    from .victim_data import add_force

    async with db.transaction() as session:
        await add_force(session, "DO", "Dorset Police")
    page = await client.page("/register")
    assert page.select_one("#field-force")
    form = {"reference": invited.crime.reference, "code": invited.code}
    page = await client.submit("/register", form)
    assert [text_of(a) for a in page.select(".error-summary a")] == [
        "Choose the police force you told about the crime"
    ]
    page = await client.submit("/register", {**form, "force": "DO"})
    assert "do not match what we have" in text_of(page.select_one(".error-summary"))
    page = await client.submit("/register", {**form, "force": "AS"})
    assert text_of(page.h1) == "Confirm your details"


async def test_a_code_costs_one_hash_whatever_the_crime_holds_and_none_once_limited(
    client, db, invited, monkeypatch
):
    """The time taken must not tell whether a crime exists or how many codes it has pending."""
    from trackmycrime.victim import registration

    async with db.transaction() as session:
        for _ in range(3):
            others = await add_party(session, invited.crime, password=None)
            await give_registration_code(session, others)
    hashed = []
    real_verify = registration.verify_password

    async def counting(hasher, stored_hash, code):
        hashed.append(stored_hash is not None)
        return await real_verify(hasher, stored_hash, code)

    monkeypatch.setattr(registration, "verify_password", counting)
    await client.post("/register", {"reference": invited.crime.reference, "code": "ABCD-EFGH-JK"})
    await client.post("/register", {"reference": "AS-1999-123456", "code": "ABCD-EFGH-JK"})
    page = await client.submit("/register", {"reference": invited.crime.reference, "code": invited.code})
    assert text_of(page.h1) == "Confirm your details"
    assert hashed == [False, False, True], "one hash each: none for a wrong code, the holder's for theirs"
    for _ in range(10):
        await client.post("/register", {"reference": "AS-1999-123456", "code": "ABCD-EFGH-JK"})
    hashed.clear()
    await client.post("/register", {"reference": invited.crime.reference, "code": invited.code}, expect=429)
    assert hashed == [], "no hashing once limited"


async def test_a_party_flagged_after_the_invitation_cannot_register(client, db, settings, invited):
    link = link_path(settings, invited)
    page = await client.page(link)
    progress = progress_of(page)
    async with db.transaction() as session:
        party = await session.get(Party, invited.party.id)
        party.shares_address_with_suspect = True
    await client.page(link, expect=404)
    response = await client.post("/register", {"reference": invited.crime.reference, "code": invited.code})
    assert "do not match what we have" in response.text
    response = await client.post("/register/confirm", confirm_form(invited, progress))
    assert response.status_code == 400, "the step already reached is closed too"
