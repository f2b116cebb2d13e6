"""XSS and template injection: what people type comes back as text, in pages and never in emails.

Every text field of every victim and officer form, and the ingest API's text fields, receive
markup and template syntax. Pages must show it escaped (the raw tag never appears and `{{7*7}}`
never becomes 49); emails and texts never carry it at all (they hold no case detail).
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from tests.factories import make_api_key
from tests.web.officer_world import build_world, sign_in_as
from tests.web.victim_data import make_victim_case, sign_in
from tests.webclient import WebClient
from trackmycrime.models import Force, Officer, OutboxMessage, Party
from trackmycrime.notify.messages import message_fields, render_email, render_sms
from trackmycrime.notify.outbox import AlertKind

from .forms import fill, post_forms

pytestmark = pytest.mark.anyio

PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(1)>Q{{7*7}}Q{% raw %}Z${7*7}Z'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
VICTIM_PAGES = ["/case", "/preferences", "/feedback", "/opt-out", "/rights", "/support"]


def assert_inert(html: str, where: str) -> None:
    assert "<script>alert(1)" not in html, where
    assert "<img src=x" not in html, where
    assert "Q49Q" not in html and "Z49Z" not in html, where
    page = BeautifulSoup(html, "html.parser")
    assert not page.select("img[onerror]"), where
    assert all(script.get("src") for script in page.find_all("script")), where


async def submit_every_form(client: WebClient, url: str) -> None:
    page = await client.page(url)
    for form in post_forms(page):
        action = str(form.get("action"))
        response = await client.post(action, fill(form, PAYLOAD), follow=True)
        assert response.status_code < 500, f"{action}: {response.text[:300]}"
        assert_inert(response.text, action)
        await client.page(url)  # a fresh copy of the form for the next one


async def assert_no_payload_in_emails(db, settings) -> int:
    async with db.session() as session:
        alerts = (await session.exec(select(OutboxMessage))).all()
        for alert in alerts:
            force = await session.get(Force, alert.force_id)
            party = await session.get(Party, alert.party_id) if alert.party_id else None
            officer = await session.get(Officer, alert.officer_id) if alert.officer_id else None
            fields = message_fields(settings, alert.kind, force, party=party, officer=officer)
            email = render_email(fields)
            for text in (email.subject, email.text, email.html, render_sms(fields), alert.context_json):
                assert "alert(1)" not in text and "7*7" not in text and "Q49Q" not in text, alert.kind
    return len(alerts)


async def test_a_victims_text_is_shown_as_text_to_them_and_to_the_officer(app, client, db, settings):
    case = await make_victim_case(db)
    await client.page("/sign-in")
    await sign_in(client, case)
    for url in VICTIM_PAGES:
        await submit_every_form(client, url)
    for url in VICTIM_PAGES:
        assert_inert((await client.get(url)).text, url)
    case_page = (await client.get("/case")).text
    assert ESCAPED in case_page  # the message was kept, as text
    async with WebClient(app) as officer:
        await sign_in_as(officer, db, case.officer)
        html = (await officer.get(f"/officer/crimes/{case.crime.id}")).text
        assert_inert(html, "officer crime page")
        assert ESCAPED in html
    await assert_no_payload_in_emails(db, settings)


async def test_an_officers_text_is_shown_as_text_to_officers_and_victims(app, client, db, settings):
    world = await build_world(db)
    await sign_in_as(client, db, world.oic)
    crime_page = f"/officer/crimes/{world.crime.id}"
    await submit_every_form(client, crime_page)
    await submit_every_form(client, "/officer/account")
    html = (await client.get(crime_page)).text
    assert_inert(html, crime_page)
    assert ESCAPED in html
    async with WebClient(app) as victim:
        await sign_in_as(victim, db, world.victim)
        html = (await victim.get("/case")).text
        assert_inert(html, "victim case page")
        assert ESCAPED in html  # the update posted by the officer
    assert await assert_no_payload_in_emails(db, settings) > 0


async def test_admin_text_is_shown_as_text_everywhere(app, client, db, settings):
    world = await build_world(db)
    await sign_in_as(client, db, world.admin)
    for url in ("/officer/admin/officers/new", "/officer/admin/force", "/officer/admin/api-keys"):
        await submit_every_form(client, url)
    new_officer = {
        "name": PAYLOAD,
        "email": "xss@as.example",
        "shoulder_number": "",
        "role": "officer",
        "team": PAYLOAD,
        "password": "a long and unusual password",
        "password_confirm": "a long and unusual password",
    }
    await client.post("/officer/admin/officers", new_officer, expect=303)
    page = await client.page("/officer/admin/force")
    settings_form = next(f for f in post_forms(page) if f.get("action") == "/officer/admin/force")
    changed = fill(settings_form, "", only=())
    changed.update({"name": PAYLOAD, "service-1-name": PAYLOAD, "service-1-description": PAYLOAD})
    response = await client.post("/officer/admin/force", changed, follow=True)
    assert response.status_code == 200
    for url in (
        "/officer/admin/officers",
        "/officer/admin/force",
        "/officer/admin/audit",
        "/officer",
        "/officer/crimes",
    ):
        html = (await client.get(url)).text
        assert_inert(html, url)
    assert ESCAPED in (await client.get("/officer/admin/officers")).text
    async with WebClient(app) as victim:
        await sign_in_as(victim, db, world.victim)
        for url in ("/case", "/support", "/"):
            assert_inert((await victim.get(url)).text, url)
    # The force's name is in every email: escaped in the HTML part.
    async with db.session() as session:
        force = await session.get(Force, world.force.id)
        party = await session.get(Party, world.victim.id)
    assert force.name == PAYLOAD
    for kind in AlertKind.ALL:
        email = render_email(message_fields(settings, kind, force, party=party))
        assert_inert(email.html, kind)


async def test_text_from_the_records_system_is_shown_as_text(app, client, db, settings):
    world = await build_world(db)
    async with db.transaction() as session:
        _key, key_text = await make_api_key(session, world.force)
    api = {"Authorization": f"Bearer {key_text}"}
    crime = {
        "offence": PAYLOAD,
        "status": "under_investigation",
        "reported_at": "2026-11-20T14:05:00Z",
        "officer_in_charge": {"email": "sam.jones@as.example", "name": PAYLOAD},
        "parties": [
            {
                "rms_party_id": "P9",
                "role": "victim",
                "forenames": PAYLOAD,
                "surname": "Evans",
                "date_of_birth": "1980-02-29",
                "email": "evans@example.org",
                "preferred_language": "en",
                "enhanced_rights": False,
                "contact_consent": True,
            }
        ],
    }
    response = await client.http.put("/api/v1/crimes/AS-2026-000777", json=crime, headers=api)
    assert response.status_code in (200, 201), response.text
    # JSON is never served as a page a browser would run: the text comes back as data.
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-content-type-options"] == "nosniff"
    update = {
        "rms_update_id": "U-X",
        "text": PAYLOAD,
        "occurred_at": "2026-11-21T09:30:00Z",
        "audience": "all",
    }
    response = await client.http.post("/api/v1/crimes/AS-2026-000777/updates", json=update, headers=api)
    assert response.status_code in (200, 201), response.text
    async with db.session() as session:
        party = (await session.exec(select(Party).where(Party.rms_party_id == "P9"))).one()
    await sign_in_as(client, db, world.admin)
    html = (await client.get(f"/officer/crimes/{party.crime_id}")).text
    assert_inert(html, "officer crime page")
    assert ESCAPED in html
    assert_inert((await client.get("/officer/crimes")).text, "all crimes")
    async with WebClient(app) as victim:
        await sign_in_as(victim, db, party)
        html = (await victim.get("/case")).text
        assert_inert(html, "victim case page")
        assert ESCAPED in html
    assert await assert_no_payload_in_emails(db, settings) > 0
