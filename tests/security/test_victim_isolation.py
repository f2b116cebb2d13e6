"""The victim side's access matrix: two parties on the SAME crime never see each other's messages or
one-party updates, and a witness never sees updates meant only for victims."""

from __future__ import annotations

import pytest

from tests.web.victim_data import VictimCase, add_message, add_party, add_update, make_victim_case, sign_in
from trackmycrime.models import Audience

pytestmark = pytest.mark.anyio

PAGES = ["/case", "/preferences", "/feedback", "/rights", "/support", "/opt-out", "/delete-account"]
FRAGMENTS = ["/case", "/case/activity?seen=0.0.0.0"]


@pytest.fixture
async def same_crime(db, app):
    """Alex (victim) and Jordan (witness) on one crime, each with things meant only for them."""
    alex = await make_victim_case(db)
    async with db.transaction() as session:
        jordan = await add_party(
            session, alex.crime, surname="Okafor", forenames="Jordan", role="witness", email="j@example.org"
        )
        add_update(session, alex.crime, "Shared news for everyone.")
        add_update(session, alex.crime, "Only for victims: ALEX-VICTIMS-ONLY", audience=Audience.VICTIMS)
        add_update(
            session, alex.crime, "Only for Alex: ALEX-ONE-PARTY", audience=Audience.PARTY, party=alex.party
        )
        add_update(
            session, alex.crime, "Only for Jordan: JORDAN-ONE-PARTY", audience=Audience.PARTY, party=jordan
        )
        add_message(session, alex.party, "ALEX-TO-POLICE message")
        add_message(session, alex.party, "POLICE-TO-ALEX reply", officer=alex.officer)
        add_message(session, jordan, "JORDAN-TO-POLICE message")
        add_message(session, jordan, "POLICE-TO-JORDAN reply", officer=alex.officer)
    return alex, VictimCase(alex.force, alex.officer, alex.crime, jordan)


async def everything_seen(client) -> str:
    seen = [(await client.get(url)).text for url in PAGES]
    seen += [(await client.get(url, htmx=True)).text for url in FRAGMENTS]
    return "\n".join(seen)


async def test_a_victim_sees_their_own_news_and_nothing_of_the_witness(client, same_crime):
    alex, _jordan = same_crime
    await sign_in(client, alex)
    html = await everything_seen(client)
    for own in ("Shared news", "ALEX-VICTIMS-ONLY", "ALEX-ONE-PARTY", "ALEX-TO-POLICE", "POLICE-TO-ALEX"):
        assert own in html, own
    for theirs in ("JORDAN-ONE-PARTY", "JORDAN-TO-POLICE", "POLICE-TO-JORDAN", "Okafor"):
        assert theirs not in html, theirs


async def test_a_witness_sees_their_own_news_and_nothing_meant_for_the_victim(client, same_crime):
    _alex, jordan = same_crime
    await sign_in(client, jordan)
    html = await everything_seen(client)
    for own in ("Shared news", "JORDAN-ONE-PARTY", "JORDAN-TO-POLICE", "POLICE-TO-JORDAN"):
        assert own in html, own
    for theirs in ("ALEX-VICTIMS-ONLY", "ALEX-ONE-PARTY", "ALEX-TO-POLICE", "POLICE-TO-ALEX", "O&#39;Brien"):
        assert theirs not in html, theirs


@pytest.mark.parametrize("field", ["party_id", "party", "id", "message_id", "update_id"])
async def test_naming_the_other_party_in_a_query_changes_nothing(client, same_crime, field):
    alex, jordan = same_crime
    await sign_in(client, jordan)
    html = (await client.get(f"/case?{field}={alex.party.id}")).text
    html += (await client.get(f"/case/activity?seen=0.0.0.0&{field}={alex.party.id}", htmx=True)).text
    assert "ALEX-ONE-PARTY" not in html and "POLICE-TO-ALEX" not in html
