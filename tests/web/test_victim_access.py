"""A party reaches only their own crime: no victim URL carries an id; ids slipped into forms are ignored."""

import pytest
from sqlmodel import select
from starlette.routing import Route

from tests.webclient import WebClient, text_of
from trackmycrime.models import Feedback, Message, Party
from trackmycrime.victim.routes import routes

from .victim_data import VictimCase, add_crime, add_message, add_party, add_update, make_victim_case, sign_in

pytestmark = pytest.mark.anyio

SIGNED_IN_PAGES = [
    "/case",
    "/property",
    "/preferences",
    "/opt-out",
    "/delete-account",
    "/feedback",
    "/feedback/thank-you",
]


@pytest.fixture
async def two_victims(db, app):
    """Alex, signed in below, and Morgan: another crime of the same force, with news of their own."""
    alex = await make_victim_case(db)
    async with db.transaction() as session:
        crime = await add_crime(session, alex.force, alex.officer, offence="Theft of a bicycle")
        morgan = await add_party(session, crime, surname="Price", email="morgan@example.org")
        add_update(session, crime, "Morgan's private update.")
        add_message(session, morgan, "Morgan's private message.", officer=alex.officer)
    return alex, VictimCase(alex.force, alex.officer, crime, morgan)


def test_no_victim_url_names_a_crime_or_party():
    for route in routes:
        assert isinstance(route, Route)
        # An item of property, a hearing or a decision is named, and checked against the signed-in
        # party's own crime (tests/web/test_victim_hearings.py and test_decisions.py try another's).
        assert set(route.param_convertors) <= {"token", "item_id", "hearing_id", "decision_id"}, route.path


async def test_signed_in_pages_show_nothing_of_another_crime(client, two_victims):
    alex, morgan = two_victims
    await sign_in(client, alex)
    for url in SIGNED_IN_PAGES:
        html = (await client.get(url)).text
        assert "Morgan" not in html and "bicycle" not in html, url
        assert morgan.crime.reference not in html, url


@pytest.mark.parametrize("field", ["party_id", "crime_id", "party", "crime", "id"])
async def test_ids_slipped_into_forms_and_queries_are_ignored(client, db, two_victims, field):
    alex, morgan = two_victims
    await sign_in(client, alex)
    other_id = str(morgan.party.id if "party" in field else morgan.crime.id)
    await client.post(f"/case/messages?{field}={other_id}", {"message": "Mine", field: other_id}, expect=303)
    await client.post(f"/feedback?{field}={other_id}", {"rating": "5", field: other_id}, expect=303)
    await client.post("/preferences", {"alert_channel": "none", field: other_id}, expect=303)
    html = (await client.get(f"/case?{field}={other_id}")).text
    assert "Morgan" not in html
    html = (await client.get(f"/case/activity?seen=0.0.0.0&{field}={other_id}", htmx=True)).text
    assert "Morgan" not in html
    async with db.session() as session:
        message = (await session.exec(select(Message).where(Message.body == "Mine"))).one()
        feedback = (await session.exec(select(Feedback))).one()
        morgan_row = await session.get(Party, morgan.party.id)
        morgan_reply = (await session.exec(select(Message).where(Message.party_id == morgan.party.id))).one()
    assert (message.party_id, message.crime_id) == (alex.party.id, alex.crime.id)
    assert (feedback.party_id, feedback.crime_id) == (alex.party.id, alex.crime.id)
    assert morgan_row.alert_channel == "email", "another party's preferences never change"
    assert morgan_reply.read_at is None, "another party's messages are never marked read"


async def test_one_partys_registration_note_cannot_register_another(client, db, settings, two_victims):
    from trackmycrime.auth.links import invitation_url

    alex, morgan = two_victims
    async with db.transaction() as session:
        for case in (alex, morgan):
            party = await session.get(Party, case.party.id)
            party.password_hash = None
            session.add(party)
            case.party = party
    page = await client.page(invitation_url(settings, alex.party).removeprefix(settings.base_url))
    progress = page.select_one('input[name="progress"]')["value"]
    form = {
        "progress": progress,
        "surname": "Price",
        "date_of_birth-day": "29",
        "date_of_birth-month": "2",
        "date_of_birth-year": "1980",
    }
    page = await client.submit("/register/confirm", form)
    assert "is not what we have" in text_of(page.select_one(".error-summary"))


async def test_a_session_cookie_from_another_browser_cannot_be_forged(app, client, two_victims):
    alex, _morgan = two_victims
    async with WebClient(app) as attacker:
        attacker.http.cookies.set("tmc_session", "forged.value.here")
        response = await attacker.get("/case", expect=303)
        assert response.headers["location"] == "/sign-in"
