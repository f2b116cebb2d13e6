"""Odd, hostile and oversized input to every victim form gets a page with a message, never a 500."""

import pytest

from .victim_data import sign_in

pytestmark = pytest.mark.anyio

NASTY_VALUES = [
    "",
    " ",
    "\x00",
    "a\x00b\x1b[31m",
    "‮ǝɯɐu",
    "😀" * 50,
    "<script>alert(1)</script>",
    "{{ 7*7 }}{% raw %}",
    "' OR 1=1 --",
    "x" * 20000,
    "%FF%FE",
    "\r\n\r\n",
]

SIGNED_OUT_FORMS = {
    "/sign-in": [
        "surname",
        "reference",
        "date_of_birth-day",
        "date_of_birth-month",
        "date_of_birth-year",
        "password",
        "show_password",
        "force",
    ],
    "/register": ["reference", "code", "force"],
    "/register/confirm": ["progress", "surname", "date_of_birth-day"],
    "/register/password": ["progress", "password", "show_password"],
    "/forgotten-password": ["surname", "reference", "date_of_birth-year", "force"],
    "/reset-password/abc": ["password"],
}
SIGNED_IN_FORMS = {
    "/case/messages": ["message"],
    "/preferences": ["alert_channel"],
    "/feedback": ["rating", "comment"],
}


@pytest.mark.parametrize("url", sorted(SIGNED_OUT_FORMS))
async def test_signed_out_forms_survive_anything(client, victim, url):
    for value in NASTY_VALUES:
        form = dict.fromkeys(SIGNED_OUT_FORMS[url], value)
        response = await client.post(url, form)
        assert response.status_code < 500, (url, value[:20], response.status_code)
        assert "<script>alert(1)</script>" not in response.text


@pytest.mark.parametrize("url", sorted(SIGNED_IN_FORMS))
async def test_signed_in_forms_survive_anything(client, victim, url):
    await sign_in(client, victim)
    for value in NASTY_VALUES:
        form = dict.fromkeys(SIGNED_IN_FORMS[url], value)
        response = await client.post(url, form)
        assert response.status_code < 500, (url, value[:20], response.status_code)
        assert "<script>alert(1)</script>" not in response.text


async def test_a_message_with_markup_is_shown_as_text(client, victim):
    await sign_in(client, victim)
    message = "<b>bold</b> <script>alert(1)</script> {{ 7*7 }}"
    await client.post("/case/messages", {"message": message}, expect=303)
    html = (await client.get("/case")).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<b>bold</b>" not in html
    assert "{{ 7*7 }}" in html, "never rendered as a template"


async def test_invalid_utf8_and_repeated_fields_are_handled(client, victim):
    token = await client.csrf_token()
    body = f"csrf_token={token}&surname=%FF%FE&surname=second&reference=%C0%80&password=%00".encode()
    response = await client.http.post(
        "/sign-in", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 200


async def test_a_multipart_form_is_read_too(client, victim):
    token = await client.csrf_token()
    response = await client.http.post(
        "/sign-in",
        files={"surname": (None, "O'Brien"), "upload": ("evil.txt", b"data", "text/plain")},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 200


async def test_an_oversized_body_gets_a_friendly_page(client, victim):
    await sign_in(client, victim)
    response = await client.post("/case/messages", {"message": "x" * 70000})
    assert response.status_code == 413
    assert "What you sent is too long" in response.text
