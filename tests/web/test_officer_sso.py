"""Officer single sign-on (OpenID Connect) against a real OpenID Provider started on loopback."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import anyio
import httpx
import pytest
from sqlmodel import col, select

from tests.oidc_server import CLIENT_ID, CLIENT_SECRET, OpenIdProvider, visit_provider
from tests.webclient import check_page, text_of
from trackmycrime.auth import oidc
from trackmycrime.forces import add_force, force_by_code
from trackmycrime.models import AuditEvent, ForceSso, Officer, OfficerRole, WebSession, utcnow
from trackmycrime.officer import sso, totp

from .officer_world import build_world

pytestmark = pytest.mark.anyio

SAM = "sam.jones@as.example"
TENANT = "as-tenant-0001"


@pytest.fixture(scope="module")
def running_provider():
    running = OpenIdProvider()  # a few seconds to start on a busy machine: once for the file
    yield running
    running.stop()


@pytest.fixture
def provider(running_provider):
    running_provider.reset()
    # Each test starts as a fresh web process would: no discovery or key set kept from the last
    # test (a key-rotation test leaves the key set in its refetch cooldown).
    oidc._discovered.clear()
    oidc._key_sets.clear()
    return running_provider


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "client-secret"
    path.write_text(CLIENT_SECRET + "\n")
    return path


async def use_single_sign_on(db, provider, secret_file, **options):
    async with db.transaction() as session:
        force = await force_by_code(session, "AS")
        await sso.configure(
            session,
            force,
            issuer=provider.issuer,
            client_id=CLIENT_ID,
            client_secret_file=str(secret_file),
            tenant=TENANT,
            **options,
        )


@pytest.fixture
async def sso_world(db, world, provider, secret_file):
    """The officer tests' world, its force signing in through the provider (PC Sam Jones has an account)."""
    await use_single_sign_on(db, provider, secret_file)
    provider.add_account("sam", email=SAM, name="PC Sam Jones", tid=TENANT)
    provider.next_sign_in("sam")
    return world


async def sign_in_with_force_account(client) -> httpx.Response:
    """Click "Sign in with your force account", sign in at the provider, come back."""
    page = await client.page("/officer/sign-in")
    link = page.find("a", string=lambda text: text and "Sign in with your force account" in text)
    assert link is not None, "the sign-in page offers single sign-on"
    start = await client.get(link["href"], expect=303)
    back_at = await visit_provider(start.headers["location"])
    assert back_at.startswith("/officer/sso/callback?")
    return await client.http.get(back_at)


async def audit_rows(db, action):
    async with db.session() as session:
        return (await session.exec(select(AuditEvent).where(AuditEvent.action == action))).all()


async def live_sessions(db):
    async with db.session() as session:
        return (await session.exec(select(WebSession).where(col(WebSession.ended_at).is_(None)))).all()


def refused(response: httpx.Response, status: int = 403) -> str:
    assert response.status_code == status, response.text[:300]
    page = check_page(response.text)
    assert text_of(page.h1) == "You could not be signed in"
    return text_of(page.select_one("main"))


async def test_an_officer_signs_in_with_their_force_account(client, db, sso_world, provider):
    response = await sign_in_with_force_account(client)
    assert response.status_code == 303 and response.headers["location"] == "/officer"
    page = await client.page("/officer")
    assert text_of(page.h1).startswith("Inbox")
    [web_session] = await live_sessions(db)
    assert web_session.officer_id == sso_world.oic.id
    assert web_session.sso_force_id == sso_world.force.id
    # The session holds the ID token's expiry (the provider's default: an hour).
    assert abs(web_session.sso_expires_at - (utcnow() + dt.timedelta(hours=1))) < dt.timedelta(minutes=1)
    assert CLIENT_SECRET not in web_session.sso_refresh_token
    [row] = await audit_rows(db, "officer.sso_sign_in")
    assert row.actor_id == sso_world.oic.id and row.force_id == sso_world.force.id


async def test_the_authorisation_request_carries_pkce_state_and_nonce(client, db, sso_world):
    start = await client.get("/officer/sso/start?force=AS", expect=303)
    query = parse_qs(urlsplit(start.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["redirect_uri"] == ["http://testserver/officer/sso/callback"]
    again = await client.get("/officer/sso/start?force=AS", expect=303)
    assert parse_qs(urlsplit(again.headers["location"]).query)["state"] != query["state"]


async def test_an_account_from_another_tenant_is_refused(client, db, sso_world, provider):
    provider.add_account("sam", email=SAM, tid="someone-elses-tenant")
    text = refused(await sign_in_with_force_account(client))
    assert "could not be used to sign in here" in text
    assert await live_sessions(db) == []
    [row] = await audit_rows(db, "officer.sso_refused")
    assert "tenant" in row.detail


async def test_a_tampered_id_token_is_refused(client, db, sso_world, provider):
    provider.faults(tamper="admin@as.example")
    refused(await sign_in_with_force_account(client))
    assert await live_sessions(db) == []
    [row] = await audit_rows(db, "officer.sso_refused")
    assert "Signature verification failed" in row.detail


async def test_an_expired_id_token_is_refused(client, db, sso_world, provider):
    provider.faults(issued_hours_ago=2)
    refused(await sign_in_with_force_account(client))
    assert await live_sessions(db) == []
    [row] = await audit_rows(db, "officer.sso_refused")
    assert "expired" in row.detail


async def test_an_id_token_without_our_nonce_is_refused(client, db, sso_world, provider):
    provider.faults(drop_nonce=True)
    refused(await sign_in_with_force_account(client))
    [row] = await audit_rows(db, "officer.sso_refused")
    assert "nonce" in row.detail


async def test_a_state_works_once(client, db, sso_world, provider):
    start = await client.get("/officer/sso/start?force=AS", expect=303)
    flow_cookie = client.http.cookies.get("tmc_officer_sso")
    back_at = await visit_provider(start.headers["location"])
    assert (await client.http.get(back_at)).status_code == 303
    client.http.cookies.set("tmc_officer_sso", flow_cookie)  # an attacker who kept the cookie
    text = refused(await client.http.get(back_at), status=400)
    assert "already used" in text
    assert "state already used" in [row.detail for row in await audit_rows(db, "officer.sso_refused")]
    assert len(await live_sessions(db)) == 1


async def test_a_callback_without_this_browsers_state_is_refused(client, db, sso_world, provider):
    start = await client.get("/officer/sso/start?force=AS", expect=303)
    back_at = await visit_provider(start.headers["location"])
    client.http.cookies.clear()  # another browser, sent the link
    refused(await client.http.get(back_at), status=400)
    assert await live_sessions(db) == []


async def test_rotated_keys_are_fetched_when_a_token_names_an_unknown_key(client, db, sso_world, provider):
    assert (await sign_in_with_force_account(client)).status_code == 303
    provider.rotate_keys()
    await anyio.sleep(oidc.KEY_REFRESH_COOLDOWN_SECONDS)
    client.http.cookies.clear()
    assert (await sign_in_with_force_account(client)).status_code == 303
    assert len(await live_sessions(db)) == 2


async def test_a_token_signed_by_a_key_the_provider_does_not_publish_is_refused(
    client, db, sso_world, provider
):
    provider.rotate_keys()  # a key id this process has not seen
    provider.faults(hide_keys=True)
    refused(await sign_in_with_force_account(client))
    [row] = await audit_rows(db, "officer.sso_refused")
    assert "no key" in row.detail


async def test_an_account_the_provider_disabled_cannot_sign_in(client, db, sso_world, provider):
    provider.add_account("sam", email=SAM, tid=TENANT, disabled=True)
    refused(await sign_in_with_force_account(client))
    [row] = await audit_rows(db, "officer.sso_refused")
    assert "access_denied" in row.detail


async def test_an_officer_disabled_here_cannot_sign_in_with_their_force_account(client, db, sso_world):
    async with db.transaction() as session:
        (await session.get(Officer, sso_world.oic.id)).disabled_at = utcnow()
    refused(await sign_in_with_force_account(client))
    [row] = await audit_rows(db, "officer.sso_refused")
    assert row.actor_id == sso_world.oic.id and row.detail == "account disabled here"


async def test_someone_without_an_account_is_told_to_ask_for_one(client, db, sso_world, provider):
    provider.add_account("new", email="new.starter@as.example", tid=TENANT)
    provider.next_sign_in("new")
    text = refused(await sign_in_with_force_account(client))
    assert "There is no TrackMyCrime account for your force account" in text
    async with db.session() as session:
        assert (
            await session.exec(select(Officer).where(Officer.email == "new.starter@as.example"))
        ).first() is None


async def expire_id_token(db) -> None:
    """As if the hour the ID token lasts has passed."""
    async with db.transaction() as session:
        for web_session in (await session.exec(select(WebSession))).all():
            web_session.sso_expires_at = utcnow() - dt.timedelta(seconds=1)


async def test_when_the_id_token_expires_the_provider_is_asked_again(client, db, sso_world, provider):
    await sign_in_with_force_account(client)
    await expire_id_token(db)
    page = await client.page("/officer")
    assert text_of(page.h1).startswith("Inbox")
    [web_session] = await live_sessions(db)
    assert web_session.sso_expires_at > utcnow() + dt.timedelta(minutes=50)


async def test_the_session_ends_once_the_provider_no_longer_accepts_the_account(
    client, db, sso_world, provider
):
    await sign_in_with_force_account(client)
    assert text_of((await client.page("/officer")).h1).startswith("Inbox")
    provider.add_account("sam", email=SAM, tid=TENANT, disabled=True)  # a leaver
    assert text_of((await client.page("/officer")).h1).startswith("Inbox"), "until the token expires"
    await expire_id_token(db)
    response = await client.get("/officer", expect=303)
    assert response.headers["location"] == "/officer/sign-in?signed_out=1"
    assert await live_sessions(db) == []
    [row] = await audit_rows(db, "officer.sso_session_ended")
    assert row.actor_id == sso_world.oic.id


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        (["tmc-admins"], OfficerRole.ADMIN),
        (["tmc-supervisors"], OfficerRole.SUPERVISOR),
        (["tmc-supervisors", "tmc-admins"], OfficerRole.ADMIN),
        (["tmc-admins", "tmc-supervisors"], OfficerRole.ADMIN),
        (["canteen"], OfficerRole.OFFICER),
        ([], OfficerRole.OFFICER),
    ],
)
async def test_a_new_officer_gets_the_role_their_groups_map_to(
    client, db, sso_world, provider, secret_file, groups, role
):
    await use_single_sign_on(
        db,
        provider,
        secret_file,
        group_roles=["tmc-admins=admin", "tmc-supervisors=supervisor"],
        create_accounts=True,
    )
    provider.add_account("kim", email="Kim.Lee@AS.example", name="DC Kim Lee", tid=TENANT, groups=groups)
    provider.next_sign_in("kim", amr=("pwd", "mfa"))
    assert (await sign_in_with_force_account(client)).status_code == 303
    async with db.session() as session:
        kim = (await session.exec(select(Officer).where(Officer.email == "kim.lee@as.example"))).one()
    assert (kim.role, kim.name, kim.force_id) == (role, "DC Kim Lee", sso_world.force.id)
    page = await client.page("/officer/admin" if role == OfficerRole.ADMIN else "/officer")
    assert page.h1


async def test_an_existing_officers_role_follows_their_groups(client, db, sso_world, provider, secret_file):
    await use_single_sign_on(db, provider, secret_file, group_roles=["tmc-supervisors=supervisor"])
    provider.add_account("sam", email=SAM, tid=TENANT, groups=["tmc-supervisors"])
    await sign_in_with_force_account(client)
    async with db.session() as session:
        assert (await session.get(Officer, sso_world.oic.id)).role == OfficerRole.SUPERVISOR
    assert len(await audit_rows(db, "officer.sso_role_changed")) == 1


async def test_the_providers_second_factor_skips_ours(client, db, sso_world, provider):
    async with db.transaction() as session:
        (await session.get(Officer, sso_world.oic.id)).totp_secret = totp.new_secret()
    provider.next_sign_in("sam", amr=("pwd", "mfa"))
    response = await sign_in_with_force_account(client)
    assert response.headers["location"] == "/officer"
    [web_session] = await live_sessions(db)
    assert web_session.sso_mfa


async def test_without_the_providers_second_factor_our_code_is_still_asked_for(
    client, db, sso_world, provider
):
    secret = totp.new_secret()
    async with db.transaction() as session:
        (await session.get(Officer, sso_world.oic.id)).totp_secret = secret
    response = await sign_in_with_force_account(client)
    assert response.headers["location"] == "/officer/sign-in/code"
    assert await live_sessions(db) == []
    page = await client.submit("/officer/sign-in/code", {"code": totp.code_at(secret, utcnow())})
    assert text_of(page.h1).startswith("Inbox")
    [web_session] = await live_sessions(db)
    assert web_session.sso_force_id == sso_world.force.id and not web_session.sso_mfa
    assert web_session.sso_expires_at > utcnow()


async def test_a_force_whose_provider_enforces_a_second_factor_skips_ours(
    client, db, sso_world, provider, secret_file
):
    await use_single_sign_on(db, provider, secret_file, provider_enforces_mfa=True)
    async with db.transaction() as session:
        (await session.get(Officer, sso_world.oic.id)).totp_secret = totp.new_secret()
    assert (await sign_in_with_force_account(client)).headers["location"] == "/officer"


async def test_signing_out_also_signs_out_at_the_provider(client, db, sso_world, provider):
    await sign_in_with_force_account(client)
    await client.page("/officer")
    response = await client.post("/officer/sign-out", expect=200)
    page = check_page(response.text)
    assert text_of(page.h1) == "You have been signed out"
    link = page.find("a", string="Sign out of your force account")["href"]
    assert response.headers["refresh"] == f"0; url={link}"
    location = urlsplit(link)
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{provider.issuer}/session/end"
    assert parse_qs(location.query) == {
        "client_id": [CLIENT_ID],
        "post_logout_redirect_uri": ["http://testserver/officer/sign-in?signed_out=1"],
    }
    assert await live_sessions(db) == []
    async with httpx.AsyncClient() as browser:
        assert (await browser.get(link)).status_code == 200


async def test_a_password_session_signs_out_here_only(client, db, sso_world):
    from .officer_world import sign_in_with_form

    await sign_in_with_form(client, SAM)
    response = await client.post("/officer/sign-out", expect=303)
    assert response.headers["location"] == "/officer/sign-in?signed_out=1"


async def test_the_sign_in_page_offers_single_sign_on_only_where_a_force_has_it(client, db):
    await build_world(db)
    page = await client.page("/officer/sign-in")
    assert "Sign in with your force account" not in text_of(page)


async def test_the_admin_sees_the_settings_but_never_the_secret(client, db, sso_world, secret_file):
    from .officer_world import sign_in_with_form

    await sign_in_with_form(client, "admin@as.example")
    page = await client.page("/officer/admin/force")
    section = text_of(page.select_one("#single-sign-on").find_parent())
    assert CLIENT_ID in section and TENANT in section and str(secret_file) in section
    assert "http://testserver/officer/sso/callback" in section
    assert CLIENT_SECRET not in page.decode()
    async with db.session() as session:
        row = (await session.exec(select(ForceSso))).one()
    assert CLIENT_SECRET not in " ".join(str(value) for value in row.model_dump().values())


@pytest.mark.parametrize(
    "query", ["", "?state=", "?code=abc", "?state=made-up&code=abc", "?error=access_denied", "?state=%00%ff"]
)
async def test_a_callback_with_bad_input_gets_a_page_never_a_500(client, db, sso_world, query):
    refused(await client.http.get(f"/officer/sso/callback{query}"), status=400)


async def test_starting_for_a_force_without_single_sign_on_goes_back_to_sign_in(client, db, sso_world):
    response = await client.get("/officer/sso/start?force=NT", expect=303)
    assert response.headers["location"] == "/officer/sign-in"


async def test_the_refusal_page_names_the_force_in_its_title_in_a_single_force_deployment(client, db):
    async with db.transaction() as session:
        await add_force(session, code="AS", name="Avon and Somerset Police")
    page = check_page((await client.http.get("/officer/sso/callback?state=old")).text)
    assert text_of(page.title) == "You could not be signed in – TrackMyCrime – Avon and Somerset Police"
