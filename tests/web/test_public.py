"""The start page, the accessibility statement, the health check and error pages."""

import pytest

from tests.webclient import text_of

pytestmark = pytest.mark.anyio


async def test_start_page_explains_the_service_and_how_to_sign_in(client):
    page = await client.page("/")
    assert text_of(page.h1) == "Follow your crime report online"
    links = {text_of(a): a["href"] for a in page.select("main a")}
    assert links["Sign in"] == "/sign-in"
    assert links["Sign up with your crime number and code"] == "/register"
    footer = text_of(page.select_one("footer"))
    assert "call 999" in footer and "call 101" in footer and "Victim Support" in footer
    assert page.select_one('footer a[href="/accessibility"]')


async def test_start_page_names_the_force_when_there_is_only_one(client, db):
    from trackmycrime.forces import add_force

    async with db.transaction() as session:
        await add_force(session, code="AS", name="Avon and Somerset Police")
    page = await client.page("/")
    assert text_of(page.title) == (
        "Follow your crime report online – TrackMyCrime – Avon and Somerset Police"
    )
    assert "Avon and Somerset Police" in text_of(page.select_one("header"))


async def test_every_public_page_offers_a_quick_exit_and_a_skip_link(client):
    for url in ("/", "/accessibility"):
        page = await client.page(url)
        assert text_of(page.select_one("[data-quick-exit]")).startswith("Leave this site")
        assert page.select_one('a.skip-link[href="#main-content"]')
        assert page.select_one("main#main-content")


async def test_accessibility_statement_has_the_sections_the_regulations_require(client):
    page = await client.page("/accessibility")
    headings = [text_of(h) for h in page.select("h2")]
    for required in (
        "Compliance status",
        "Non-accessible content",
        "Feedback and contact information",
        "Enforcement procedure",
        "Preparation of this accessibility statement",
    ):
        assert required in headings


async def test_health_checks_the_database(client):
    response = await client.get("/health")
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_unknown_page_gets_a_helpful_404(client):
    page = await client.page("/no-such-page", expect=404)
    assert text_of(page.h1) == "Page not found"


async def test_post_without_csrf_token_is_refused_with_a_friendly_page(client):
    response = await client.post("/", {"anything": "x"}, csrf=False)
    assert response.status_code == 403
    assert "Your form could not be sent" in response.text


async def test_post_with_a_token_from_another_browser_is_refused(app, client):
    from tests.webclient import WebClient

    async with WebClient(app) as other_browser:
        token = await other_browser.csrf_token()
    await client.get("/")  # this browser has its own CSRF cookie
    response = await client.post("/", {"csrf_token": token}, csrf=False)
    assert response.status_code == 403


async def test_post_with_a_valid_token_passes_the_csrf_check(client):
    response = await client.post("/", {"anything": "x"})
    assert response.status_code == 405  # the start page takes no POST, but CSRF let it through


async def test_oversized_form_gets_a_message_not_a_crash(client):
    response = await client.post("/", {"message": "x" * 100_000})
    assert response.status_code == 413
    assert "too long" in response.text
