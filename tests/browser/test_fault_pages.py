"""Pages seen when things go wrong, and the demo mailbox, in Chromium: axe-clean, readable at 320 px."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import httpx
import pytest

from tests.axe import assert_accessible
from tests.browser_fixtures import run_outside_event_loop
from tests.web.test_outage import client_for, port_where_nothing_listens


async def _outage_page() -> str:
    async with client_for(f"postgresql://postgres@127.0.0.1:{port_where_nothing_listens()}/test") as browser:
        response: httpx.Response = await browser.get("/sign-in")
        assert response.status_code == 503
        return response.text


@pytest.mark.parametrize("width", [320, 1280])
def test_the_service_unavailable_page_is_accessible(page, live_server, width):
    html = run_outside_event_loop(_outage_page)
    # Served from the live server's address, so its fingerprinted stylesheet loads as it would.
    page.route(
        f"{live_server.url}/outage",
        lambda route: route.fulfill(status=503, body=html, content_type="text/html"),
    )
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/outage")
    assert page.locator("h1").inner_text() == "Sorry, the service is unavailable"
    assert_accessible(page, f"503 at {width}px")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_demo_email_with_its_html_part_is_accessible_and_its_link_works(page, live_server):
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "no-reply@demo.example", "alex@example.org", "You are invited"
    mail.set_content(f"Create your account: {live_server.url}/register")
    link = f"{live_server.url}/register/a-long-token-that-must-wrap-at-320-pixels-without-scrolling"
    mail.add_alternative(
        f'<h1>You are invited</h1><p>Create your account:</p><p><a href="{link}">{link}</a></p>',
        subtype="html",
    )
    with smtplib.SMTP(live_server.mail.host, live_server.mail.port) as smtp:
        smtp.send_message(mail)
    number = len(live_server.mail.messages)

    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}/demo/mail")
    assert_accessible(page, "mailbox at 320px")
    page.goto(f"{live_server.url}/demo/mail/{number}")
    assert page.locator("h1").inner_text() == "You are invited"
    assert_accessible(page, "email at 320px")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert page.locator(".mail-preview a").get_attribute("href") == link
