"""The demo mailbox: each email keeps its address as more arrive, and its HTML part is shown with links."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest

from tests import conftest
from tests.webclient import WebClient, text_of
from trackmycrime.app import create_app
from trackmycrime.database import Database
from trackmycrime.demo.mail_catcher import MailCatcher
from trackmycrime.migrations import upgrade_with_connection

pytestmark = pytest.mark.anyio


def send(catcher: MailCatcher, subject: str, html: str) -> None:
    mail = EmailMessage()
    mail["From"] = "no-reply@demoshire-police.example"
    mail["To"] = "alex@example.org"
    mail["Subject"] = subject
    mail.set_content("Sign in: https://portal.example/sign-in")
    mail.add_alternative(html, subtype="html")
    with smtplib.SMTP(catcher.host, catcher.port) as smtp:
        smtp.send_message(mail)


@pytest.fixture
async def mailbox(tmp_path, smtp_server):
    """The demo's own kind of database: demo mode is refused on any other (issue 15)."""
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    database = Database(url)
    async with database.engine.begin() as connection:
        await connection.run_sync(upgrade_with_connection)
    app = create_app(conftest.test_settings(url, mode="demo"), database)
    app.state.mail_catcher = smtp_server
    async with WebClient(app) as browser:
        yield browser, smtp_server
    await database.dispose()


async def test_an_email_keeps_its_address_when_newer_ones_arrive(mailbox):
    browser, catcher = mailbox
    send(catcher, "First: you are invited", "<p>First</p>")
    first = (await browser.page("/demo/mail")).select_one("tbody a")
    assert text_of(first) == "First: you are invited" and first["href"] == "/demo/mail/1"

    send(catcher, "Second: an update is waiting", "<p>Second</p>")
    send(catcher, "Third: a new message", "<p>Third</p>")
    links = (await browser.page("/demo/mail")).select("tbody a")
    assert [(text_of(a), a["href"]) for a in links] == [
        ("Third: a new message", "/demo/mail/3"),
        ("Second: an update is waiting", "/demo/mail/2"),
        ("First: you are invited", "/demo/mail/1"),
    ]
    assert text_of((await browser.page("/demo/mail/1")).h1) == "First: you are invited"
    await browser.page("/demo/mail/4", expect=404)


async def test_the_html_part_is_shown_with_its_links_clickable_and_nothing_unsafe(mailbox):
    browser, catcher = mailbox
    html = (
        "<html><head><title>You are invited</title><style>p{color:red}</style></head><body>"
        "<h1>You are invited</h1><p>Create your account:</p>"
        '<p><a href="https://portal.example/register/abc">https://portal.example/register/abc</a></p>'
        '<p><a href="javascript:alert(1)">bad</a><img src=x onerror=alert(1)><script>alert(2)</script></p>'
        "</body></html>"
    )
    send(catcher, "You are invited", html)
    page = await browser.page("/demo/mail/1")

    shown = page.select_one(".mail-preview")
    assert "Create your account:" in text_of(shown)
    assert [a.get("href") for a in shown.select("a")] == ["https://portal.example/register/abc", None]
    assert not shown.select("img, script, style, h1") and "alert(2)" not in shown.get_text()
