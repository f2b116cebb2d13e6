"""Support and advice: local services from force settings, national services, rights and complaints."""

import json

import pytest

from tests.webclient import text_of
from trackmycrime.models import Force

from .victim_data import make_victim_case, sign_in

pytestmark = pytest.mark.anyio


async def set_services(db, force_id, raw: str) -> None:
    async with db.transaction() as session:
        force = await session.get(Force, force_id)
        force.support_services_json = raw
        session.add(force)


async def test_the_page_lists_local_and_national_services_and_rights(client, db, app):
    case = await make_victim_case(db)
    await set_services(
        db,
        case.force.id,
        json.dumps(
            [
                {
                    "name": "Lighthouse Victim Care",
                    "offers": "Help after any crime",
                    "phone": "0300 123 4567",
                    "website": "https://lighthouse.example",
                    "hours": "Monday to Friday, 9am to 5pm",
                }
            ]
        ),
    )
    await sign_in(client, case)
    page = await client.page("/support")
    assert text_of(page.h1) == "Support and advice"
    assert page.select_one('nav a[aria-current="page"]')["href"] == "/support"
    local = page.select_one("#local-service-1").parent
    assert "Help after any crime" in text_of(local)
    assert "Monday to Friday, 9am to 5pm" in text_of(local)
    assert local.select_one('a[href="tel:03001234567"]')
    assert local.select_one('a[href="https://lighthouse.example"]')
    names = [text_of(h) for h in page.select("h3")]
    assert names[1:] == [
        "Victim Support",
        "Citizens Advice Witness Service",
        "Samaritans",
        "National Domestic Abuse Helpline",
        "Action Fraud",
    ]
    main = text_of(page.select_one("main"))
    assert "08 08 16 89 111" in main and "116 123" in main and "0808 2000 247" in main
    assert "Victims' Code" in main
    assert page.select_one('main a[href="/rights"]'), "links to the Your rights page rather than repeating it"
    assert "Complain to Avon and Somerset Police first" in main
    assert "Parliamentary and Health Service Ombudsman" in main


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "{}",
        "[1, null, []]",
        json.dumps([{"name": ""}, {"offers": "no name"}, {"name": 7}]),
    ],
)
async def test_broken_force_settings_show_no_local_services_rather_than_an_error(client, db, app, raw):
    case = await make_victim_case(db)
    await set_services(db, case.force.id, raw)
    await sign_in(client, case)
    page = await client.page("/support")
    assert not page.select("[id^=local-service-]")
    assert "has not put any local help here yet" in text_of(page.select_one("main"))


async def test_an_unsafe_website_is_left_out(client, db, app):
    case = await make_victim_case(db)
    await set_services(
        db, case.force.id, json.dumps([{"name": "Odd", "website": "javascript:alert(1)", "phone": "call us"}])
    )
    await sign_in(client, case)
    page = await client.page("/support")
    service = page.select_one("#local-service-1").parent
    assert not service.select("a[href^=javascript]")
    assert "call us" in text_of(service) and not service.select("a[href^=tel]")


async def test_signed_out_visitors_are_sent_to_sign_in(client, db, app):
    response = await client.http.get("/support")
    assert response.status_code in (302, 303)
    assert "/sign-in" in response.headers["location"]


async def test_support_and_your_rights_list_the_same_rights(client, db, app):
    await sign_in(client, await make_victim_case(db))
    on_support = [
        text_of(li) for li in (await client.page("/support")).select("main ol.list--number")[0].select("li")
    ]
    on_rights = [
        text_of(li) for li in (await client.page("/rights")).select("main ol.list--number")[0].select("li")
    ]
    assert len(on_rights) == 12 and on_support == on_rights
