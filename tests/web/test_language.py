"""Language choice (issue 20): the switch, the cookie, the party's language, Accept-Language, and a
`<html lang>` that is always true."""

import pytest

from tests.webclient import text_of
from trackmycrime.auth.links import invitation_url
from trackmycrime.models import Party

from .victim_data import add_crime, add_party, make_victim_case, sign_in

pytestmark = pytest.mark.anyio

START_HEADING = {
    "en": "Follow your crime report online",
    "cy": "Dilynwch eich adroddiad trosedd ar-lein",
    "pl": "Śledź swoje zgłoszenie przestępstwa w internecie",
}


def switch_of(page):
    return page.select_one("nav.language-switch")


async def test_every_public_page_has_a_switch_of_plain_links_marked_with_their_language(client, victim):
    for url in ("/", "/sign-in", "/register", "/accessibility", "/words-we-use", "/forgotten-password"):
        page = await client.page(url)
        switch = switch_of(page)
        assert switch is not None, url
        current = switch.select_one('[aria-current="true"]')
        assert text_of(current) == "English" and current["lang"] == "en"
        links = {a["hreflang"]: a for a in switch.select("a")}
        assert sorted(links) == ["cy", "pl"], url
        assert [(a["lang"], text_of(a)) for a in links.values()] == [("cy", "Cymraeg"), ("pl", "Polski")]
        assert links["cy"]["href"] == f"{url}?lang=cy"


async def test_choosing_welsh_translates_the_page_and_is_remembered_without_the_link(client, victim):
    page = await client.page("/?lang=cy")
    assert page.html["lang"] == "cy"
    assert text_of(page.h1) == START_HEADING["cy"]
    assert client.http.cookies.get("tmc_lang") == "cy"
    page = await client.page("/sign-in")
    assert page.html["lang"] == "cy"
    assert text_of(page.h1) == "Mewngofnodi"
    assert [text_of(label) for label in page.select("main form label")] == [
        "Cyfenw",
        "Cyfeirnod trosedd",
        "Diwrnod",
        "Mis",
        "Blwyddyn",
        "Cyfrinair",
    ]
    response = await client.get("/sign-in")
    assert response.headers["content-language"] == "cy"


async def test_the_switch_keeps_the_rest_of_the_address(client, victim):
    page = await client.page("/sign-in?signed_out=1&lang=pl")
    assert page.html["lang"] == "pl"
    hrefs = {a["hreflang"]: a["href"] for a in switch_of(page).select("a")}
    assert hrefs == {"en": "/sign-in?signed_out=1&lang=en", "cy": "/sign-in?signed_out=1&lang=cy"}


async def test_accept_language_is_the_last_fallback(client, victim):
    response = await client.http.get("/", headers={"Accept-Language": "fr-FR, pl;q=0.8, en;q=0.5"})
    assert f'<h1 class="heading-xl">{START_HEADING["pl"]}</h1>' in response.text
    assert response.headers["content-language"] == "pl"
    response = await client.http.get("/", headers={"Accept-Language": "en-GB, cy;q=0.9"})
    assert response.headers["content-language"] == "en"
    await client.get("/?lang=cy")
    response = await client.http.get("/", headers={"Accept-Language": "pl"})
    assert response.headers["content-language"] == "cy", "the reader's own choice beats the browser"


async def test_an_unknown_language_leaves_the_page_in_english_and_says_so(client, victim):
    page = await client.page("/?lang=xx")
    assert page.html["lang"] == "en" and text_of(page.h1) == START_HEADING["en"]
    assert client.http.cookies.get("tmc_lang") is None


async def test_officer_pages_stay_english_and_have_no_switch(client, victim):
    await client.get("/?lang=cy")
    page = await client.page("/officer/sign-in")
    assert page.html["lang"] == "en"
    assert switch_of(page) is None


async def test_a_signed_in_party_reads_in_their_recorded_language(client, db, app):
    case = await make_victim_case(db, preferred_language="cy")
    page = await sign_in(client, case)
    assert page.html["lang"] == "cy"
    assert text_of(page.h1) == "Eich achos"


async def test_switching_while_signed_in_is_stored_on_the_party_so_alerts_follow(client, db, victim):
    await sign_in(client, victim)
    page = await client.page("/case?lang=pl")
    assert page.html["lang"] == "pl" and text_of(page.h1) == "Twoja sprawa"
    async with db.session() as session:
        assert (await session.get(Party, victim.party.id)).preferred_language == "pl"
    client.http.cookies.clear()
    client.last_page = None
    page = await sign_in(client, victim)
    assert page.html["lang"] == "pl", "the stored choice, on another browser"


async def test_another_partys_choice_is_not_stored_on_this_one(client, db, victim):
    async with db.transaction() as session:
        crime = await add_crime(session, victim.force, victim.officer)
        other = await add_party(session, crime, surname="Evans")
    await sign_in(client, victim)
    await client.get("/case?lang=cy")
    async with db.session() as session:
        assert (await session.get(Party, other.id)).preferred_language == "en"


async def test_an_invitation_opens_in_the_language_the_records_system_sent(client, db, settings):
    case = await make_victim_case(db, password=None, preferred_language="cy")
    page = await client.page(invitation_url(settings, case.party).removeprefix(settings.base_url))
    assert page.html["lang"] == "cy"
    assert text_of(page.h1) == "Cadarnhewch eich manylion"


async def test_dates_are_written_in_the_readers_language(client, db, app):
    case = await make_victim_case(db, preferred_language="cy")
    page = await sign_in(client, case)
    reported = case.crime.reported_at
    welsh_months = ["Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst"]
    welsh_months += ["Medi", "Hydref", "Tachwedd", "Rhagfyr"]
    assert f"{welsh_months[reported.month - 1]} {reported.year}" in text_of(page.select_one("#case-summary"))


async def test_the_words_we_use_page_explains_the_legal_terms(client, victim):
    page = await client.page("/words-we-use")
    terms = [text_of(h2) for h2 in page.select("main h2")]
    for term in ("Bail", "Released under investigation", "Charged", "No further action"):
        assert term in terms
    for term in ("Interview under caution", "Crown Prosecution Service", "Victim Personal Statement"):
        assert term in terms
    page = await client.page("/words-we-use?lang=cy")
    assert "Mechnïaeth" in [text_of(h2) for h2 in page.select("main h2")]


async def test_a_status_with_a_legal_term_links_to_its_explanation(client, db, app):
    case = await make_victim_case(db)
    async with db.transaction() as session:
        from trackmycrime.models import Crime

        crime = await session.get(Crime, case.crime.id)
        crime.status = "released_under_investigation"
    page = await sign_in(client, case)
    link = page.select_one('#case-summary a[href^="/words-we-use"]')
    assert link["href"] == "/words-we-use#released-under-investigation"
    target = (await client.page(link["href"])).select_one("#released-under-investigation")
    assert text_of(target) == "Released under investigation"


async def test_every_registration_step_stays_in_the_partys_language(client, db, settings):
    case = await make_victim_case(db, password=None, preferred_language="cy")
    page = await client.page(invitation_url(settings, case.party).removeprefix(settings.base_url))
    progress = page.select_one('input[name="progress"]')["value"]
    form = {"progress": progress, "surname": "Someone Else", "date_of_birth-day": "1"}
    form |= {"date_of_birth-month": "1", "date_of_birth-year": "1990"}
    page = await client.submit("/register/confirm", form)
    assert page.html["lang"] == "cy"
    assert "Nid y cyfenw neu'r dyddiad geni" in text_of(page.select_one(".error-summary"))
