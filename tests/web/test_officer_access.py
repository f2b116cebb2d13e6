"""Who may reach each officer page and action: every role against every URL, as a matrix.

Roles: the officer in charge of the crime, an officer of the same force on another team, a
supervisor, an admin, an admin of another force, someone signed out, and a signed-in victim.
Expected answers: a status code, or SIGN_IN (sent to the officer sign-in page). Another force's
officer gets 404 for every URL that names something of this force.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.webclient import WebClient
from trackmycrime.auth.api_keys import create_api_key

from .officer_world import PASSWORD, World, build_world, sign_in_as

pytestmark = pytest.mark.anyio

SIGN_IN = "sign-in"
ROLES = ("oic", "outsider", "supervisor", "admin", "other_admin", "signed_out", "victim")


@dataclass
class Check:
    method: str
    url: Callable[[World, int], str]
    # Expected answer for each role, in the order of ROLES.
    expected: tuple[Any, ...]
    data: Callable[[World], dict[str, str]] | None = None

    def answer_for(self, role: str) -> Any:
        return self.expected[ROLES.index(role)]


def R(*answers: Any) -> tuple[Any, ...]:  # noqa: N802 - reads as a table row
    assert len(answers) == len(ROLES)
    return answers


ANY_OFFICER = R(200, 200, 200, 200, 200, SIGN_IN, SIGN_IN)
ON_THE_CASE = R(200, 404, 200, 200, 404, SIGN_IN, SIGN_IN)
ACT_ON_CASE = R(303, 404, 303, 303, 404, SIGN_IN, SIGN_IN)
SUPERVISORS = R(403, 403, 200, 200, 200, SIGN_IN, SIGN_IN)
SUPERVISE_CASE = R(403, 403, 303, 303, 404, SIGN_IN, SIGN_IN)
ADMINS = R(403, 403, 403, 200, 200, SIGN_IN, SIGN_IN)
ADMIN_CREATES = R(403, 403, 403, 303, 303, SIGN_IN, SIGN_IN)
ADMIN_SHOWS_ONCE = R(403, 403, 403, 200, 200, SIGN_IN, SIGN_IN)
ADMIN_OF_THIS_FORCE = R(403, 403, 403, 200, 404, SIGN_IN, SIGN_IN)
ADMIN_ACTS_HERE = R(403, 403, 403, 303, 404, SIGN_IN, SIGN_IN)


def crime(w: World, _key: int) -> str:
    return f"/officer/crimes/{w.crime.id}"


def party(w: World, _key: int, party_id: int | None = None) -> str:
    return f"/officer/crimes/{w.crime.id}/parties/{party_id or w.victim.id}"


def colleague(w: World, _key: int) -> str:
    return f"/officer/admin/officers/{w.colleague.id}"


NEW_PASSWORD = {"password": "a brand new password 42", "password_confirm": "a brand new password 42"}
FORCE_SETTINGS = {
    "name": "Renamed Police",
    "non_emergency_phone": "101",
    "contact_email": "",
    "website": "",
    "crime_ref_pattern": r"[A-Z]{2}-\d{4}-\d{6}",
    "retention_days": "730",
    "unread_reminder_days": "3",
}

CHECKS = [
    Check("GET", lambda w, k: "/officer", ANY_OFFICER),
    Check("GET", lambda w, k: "/officer?show=team&q=obrien", ANY_OFFICER),
    Check("GET", lambda w, k: "/officer/two-factor", ANY_OFFICER),
    Check("GET", lambda w, k: "/officer/account", ANY_OFFICER),
    Check("GET", lambda w, k: "/officer/password", ANY_OFFICER),
    Check("POST", lambda w, k: "/officer/password", ANY_OFFICER, lambda w: {"current_password": "wrong"}),
    Check("POST", lambda w, k: "/officer/keep-alive", R(303, 303, 303, 303, 303, SIGN_IN, SIGN_IN)),
    Check("GET", crime, ON_THE_CASE),
    Check(
        "GET",
        lambda w, k: f"/officer/crimes/{w.crime.id}/update-form?template=arrested",
        R(303, 404, 303, 303, 404, SIGN_IN, SIGN_IN),
    ),
    Check(
        "GET",
        lambda w, k: f"/officer/crimes/{w.outsider_crime.id}",
        R(404, 200, 200, 200, 404, SIGN_IN, SIGN_IN),
    ),
    Check(
        "GET",
        lambda w, k: f"/officer/crimes/{w.other_crime.id}",
        R(404, 404, 404, 404, 200, SIGN_IN, SIGN_IN),
    ),
    Check("GET", lambda w, k: "/officer/crimes/999999", R(404, 404, 404, 404, 404, SIGN_IN, SIGN_IN)),
    Check(
        "POST",
        lambda w, k: party(w, k) + "/messages",
        ACT_ON_CASE,
        lambda w: {f"reply-{w.victim.id}": "Hello"},
    ),
    Check("POST", lambda w, k: party(w, k) + "/read", ACT_ON_CASE),
    Check(
        "POST",
        lambda w, k: crime(w, k) + "/updates",
        ACT_ON_CASE,
        lambda w: {"text": "An update", "audience": "all", "status": ""},
    ),
    Check("POST", lambda w, k: party(w, k, w.witness.id) + "/invitation", ACT_ON_CASE),
    Check(
        "POST",
        lambda w, k: party(w, k, w.victim.id) + "/portal-override",
        ACT_ON_CASE,
        lambda w: {f"portal_reason_{w.victim.id}": "Spoke to them"},
    ),
    Check(
        "POST",
        lambda w, k: party(w, k, w.witness.id) + "/registration-code",
        R(200, 404, 200, 200, 404, SIGN_IN, SIGN_IN),
    ),
    Check(
        "POST",
        lambda w, k: crime(w, k) + "/officer-in-charge",
        SUPERVISE_CASE,
        lambda w: {"officer_id": str(w.colleague.id)},
    ),
    Check("GET", lambda w, k: "/officer/crimes", SUPERVISORS),
    Check("GET", lambda w, k: "/officer/crimes?status=charged&officer=1&team=x&page=9", SUPERVISORS),
    Check("GET", lambda w, k: "/officer/compliance", SUPERVISORS),
    Check("GET", lambda w, k: "/officer/statistics", SUPERVISORS),
    Check("GET", lambda w, k: "/officer/statistics.csv?period=last-90-days", SUPERVISORS),
    Check("GET", lambda w, k: "/officer/compliance/export.csv?period=last-90-days", SUPERVISORS),
    Check("GET", lambda w, k: "/officer/compliance/export.json?include_names=yes", SUPERVISORS),
    Check("GET", lambda w, k: "/officer/admin", ADMINS),
    Check("GET", lambda w, k: "/officer/admin/officers", ADMINS),
    Check("GET", lambda w, k: "/officer/admin/officers/new", ADMINS),
    Check(
        "POST",
        lambda w, k: "/officer/admin/officers",
        ADMIN_CREATES,
        lambda w: {"name": "PC New", "email": "new.officer@example.org", "role": "officer", **NEW_PASSWORD},
    ),
    Check("GET", colleague, ADMIN_OF_THIS_FORCE),
    Check(
        "POST",
        lambda w, k: colleague(w, k) + "/details",
        ADMIN_ACTS_HERE,
        lambda w: {"role": "officer", "team": "East"},
    ),
    Check("POST", lambda w, k: colleague(w, k) + "/password", ADMIN_ACTS_HERE, lambda w: NEW_PASSWORD),
    Check("POST", lambda w, k: colleague(w, k) + "/two-factor", ADMIN_ACTS_HERE),
    Check("POST", lambda w, k: colleague(w, k) + "/disable", ADMIN_ACTS_HERE),
    Check("POST", lambda w, k: colleague(w, k) + "/enable", ADMIN_ACTS_HERE),
    Check("GET", lambda w, k: "/officer/admin/api-keys", ADMINS),
    Check("POST", lambda w, k: "/officer/admin/api-keys", ADMIN_SHOWS_ONCE, lambda w: {"label": "RMS"}),
    Check("POST", lambda w, k: f"/officer/admin/api-keys/{k}/revoke", ADMIN_ACTS_HERE),
    Check("GET", lambda w, k: "/officer/admin/force", ADMINS),
    Check("POST", lambda w, k: "/officer/admin/force", ADMIN_CREATES, lambda w: FORCE_SETTINGS),
]


async def _browser_for(role: str, client: WebClient, db, world: World) -> None:
    who = {
        "oic": world.oic,
        "outsider": world.outsider,
        "supervisor": world.supervisor,
        "admin": world.admin,
        "other_admin": world.other_admin,
        "victim": world.victim,
    }.get(role)
    if who is not None:
        await sign_in_as(client, db, who)


def _outcome(response) -> Any:
    if response.status_code in (302, 303) and response.headers["location"].startswith("/officer/sign-in"):
        return SIGN_IN
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_gets_the_expected_answer_from_every_officer_url(role, client, db):
    world = await build_world(db)
    async with db.transaction() as session:
        api_key, _text = await create_api_key(session, force_id=world.force.id, label="Force A key")
    await _browser_for(role, client, db, world)
    token = await client.csrf_token("/accessibility")
    wrong = []
    for check in CHECKS:
        url = check.url(world, api_key.id)
        if check.method == "GET":
            response = await client.http.get(url)
        else:
            data = {"csrf_token": token, **(check.data(world) if check.data else {})}
            response = await client.http.post(url, data=data)
        got, expected = _outcome(response), check.answer_for(role)
        if got != expected:
            wrong.append(f"{check.method} {url}: expected {expected}, got {got}")
    assert not wrong, f"as {role}:\n" + "\n".join(wrong)


async def test_the_sign_in_pages_are_open_to_everyone(client, db):
    await build_world(db)
    for url in ("/officer/sign-in",):
        await client.page(url)
    response = await client.post("/officer/sign-in", {"identifier": "nobody", "password": PASSWORD})
    assert response.status_code == 200


ODD_VALUES = [
    *("", " ", "²", "٣", "-1", "0", "9" * 40, "x" * 6000),
    *("<script>alert(1)</script>", "party-²", "\x00", "%00"),
]


async def test_odd_input_to_every_officer_form_never_causes_a_server_error(client, db):
    """As an admin (who may use every form), each field gets empty, huge, non-ASCII and hostile values."""
    world = await build_world(db)
    async with db.transaction() as session:
        api_key, _text = await create_api_key(session, force_id=world.force.id)
    await sign_in_as(client, db, world.admin)
    token = await client.csrf_token("/accessibility")
    for check in CHECKS:
        url = check.url(world, api_key.id)
        fields = list(check.data(world)) if check.data else ["anything"]
        for odd in ODD_VALUES:
            if check.method == "GET":
                query = urlencode({"q": odd, "page": odd, "period": odd, "from-day": odd, "status": odd})
                response = await client.http.get(url + ("&" if "?" in url else "?") + query)
            else:
                data = {"csrf_token": token, **dict.fromkeys(fields, odd)}
                response = await client.http.post(url, data=data)
            assert response.status_code < 500, f"{check.method} {url} with {odd!r}: {response.status_code}"
            assert "<script>alert(1)</script>" not in response.text
    for odd in ("²", "٣", "1.5", "-3", "9" * 30):
        assert (await client.http.get(f"/officer/crimes/{odd}")).status_code == 404
        assert (await client.http.get(f"/officer/admin/officers/{odd}")).status_code == 404
