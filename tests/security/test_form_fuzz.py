"""Every form, signed out and signed in, posted with odd values and a valid CSRF token: never a 5xx.

The forms are found by reading the pages each kind of visitor can open, so a form added later is
fuzzed without anyone listing it here; a meta-test fails if a POST route has no form on any page.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup, Tag
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_party
from tests.web.officer_world import World, sign_in_as
from tests.webclient import WebClient
from trackmycrime.auth.links import invitation_url, password_reset_url
from trackmycrime.models import Officer, Party

from .forms import fill
from .routes import PATH_PARAMETER, has_parameters, routes_with
from .test_csrf import FORM_POSTS

pytestmark = pytest.mark.anyio

# Values that broke, or could break, parsing: past a C int, past a 64-bit int, signs, unicode digits,
# NUL, and a paste far longer than any field takes.
NUMBER_EDGES = ["2147483648", "9" * 25, "-1", "0", "1e309", "٣", "²"]
TEXT_EDGES = ["\x00", "x" * 5000, "\ud7ff\U0010ffff"]
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
ODD_VALUE = st.one_of(st.sampled_from(NUMBER_EDGES + TEXT_EDGES), st.integers().map(str), ANY_TEXT)
FUZZ = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Forms that end the visitor's session or account go last, so the others are posted signed in.
ENDING = ("sign-out", "delete-account")
# Pages that are files or polls, not pages with forms.
# "/leave" is the quick exit: opening it ends the visitor's session, as it should.
NOT_PAGES = (
    "/static/",
    "/api/",
    "/demo/",
    ".csv",
    ".json",
    ".ics",
    "/health",
    "/metrics",
    "/case/activity",
    "/leave",
    "/officer/sso/",
)


# POST routes whose form only shows in a state the test world does not set up (a second step, an item,
# a key, an opted-out victim), or that scripts post (the idle warning's "stay signed in").
NOT_IN_THE_WORLD = {
    "/keep-alive",
    "/register/password",
    "/opt-in",
    "/property/{item_id}/messages",
    "/officer/sign-in/code",
    "/officer/two-factor/turn-off",
    "/officer/admin/api-keys/{key_id}/revoke",
    "/officer/admin/officers/{officer_id}/enable",
    "/officer/admin/officers/{officer_id}/two-factor",
    "/officer/crimes/{crime_id}/parties/{party_id}/portal-override",
    "/officer/crimes/{crime_id}/property/{item_id}",
    "/leave",  # posted by the quick exit's script; without JavaScript it is a plain link
    "/case/decisions/{decision_id}/review",  # a decision not to charge
    "/officer/crimes/{crime_id}/officer-conflicts/{handover_id}",  # a held change of officer
    "/officer/crimes/{crime_id}/updates/{update_id}/correct",  # an update the officer posted
    "/officer/crimes/{crime_id}/updates/{update_id}/withdraw",
    "/officer/texts/{text_id}/route",  # a text that matched nobody
}


@dataclass
class Visitor:
    """Someone who opens pages: signed out, or signed in as a party or an officer."""

    name: str
    who: Officer | Party | None


@dataclass
class FoundForm:
    action: str
    values: dict[str, str]
    typed: list[str]  # fields a person types into
    numeric: list[str]  # fields for numbers (date parts and the like)


def form_fields(form: Tag) -> FoundForm:
    values = fill(form, "", only=())
    values.pop("csrf_token", None)  # the posting browser sends its own
    typed, numeric = [], []
    for field in form.select("input, textarea"):
        name = str(field.get("name") or "")
        if not name or field.get("type") in ("hidden", "submit", "radio", "checkbox", "button"):
            continue
        typed.append(name)
        if field.get("inputmode") == "numeric" or field.get("type") == "number":
            numeric.append(name)
    plausible = {"day": "29", "month": "2", "year": "1980"}
    for name in numeric:
        values[name] = plausible.get(name.rsplit("-", 1)[-1], "1")
    return FoundForm(str(form["action"]), values, typed, numeric)


def page_urls(app, world: World, settings) -> list[str]:
    urls = [p for p in routes_with(app, "GET") if not has_parameters(p)]
    urls += [
        f"/officer/crimes/{world.crime.id}",
        f"/officer/admin/officers/{world.colleague.id}",
        invitation_url(settings, world.witness).removeprefix(settings.base_url),
        password_reset_url(settings, world.victim).removeprefix(settings.base_url),
    ]
    return [url for url in urls if not any(part in url for part in NOT_PAGES)]


async def open_as(client: WebClient, db, visitor: Visitor) -> None:
    client.http.cookies.clear()
    client.last_page = None
    if visitor.who is not None:
        await sign_in_as(client, db, visitor.who)


async def forms_of(app, db, settings, world: World, visitor: Visitor) -> list[FoundForm]:
    found: dict[str, FoundForm] = {}
    async with WebClient(app) as client:
        await open_as(client, db, visitor)
        for url in page_urls(app, world, settings):
            response = await client.http.get(url)
            if response.status_code != 200 or not response.headers["content-type"].startswith("text/html"):
                continue
            for form in BeautifulSoup(response.text, "html.parser").select('form[method="post"]'):
                found.setdefault(str(form["action"]), form_fields(form))
    return sorted(found.values(), key=lambda form: (any(word in form.action for word in ENDING), form.action))


@dataclass
class FuzzWorld(World):
    helper: Party | None = None


@pytest.fixture
async def fuzz_world(db, app, world):
    """The officer tests' world, with a registered trusted helper of the victim (issue 21), so that
    the forms to remove a helper show and a helper's own pages are fuzzed too."""
    async with db.transaction() as session:
        helper = await make_party(
            session,
            world.crime,
            rms_party_id="helper-1",
            role="helper",
            forenames="Jo",
            surname="Carer",
            date_of_birth=dt.date(1975, 6, 1),
            email="jo.carer@example.org",
            helps_party_id=world.victim.id,
            helper_relationship="carer",
            password_hash=world.victim.password_hash,
            registered_at=world.victim.registered_at,
        )
    return FuzzWorld(**vars(world), helper=helper)


@pytest.fixture
async def every_form(app, db, settings, fuzz_world) -> list[tuple[Visitor, list[FoundForm]]]:
    world = fuzz_world
    return [(visitor, await forms_of(app, db, settings, world, visitor)) for visitor in visitors(world)]


def visitors(world: World) -> list[Visitor]:
    return [
        Visitor("signed out", None),
        # Before the victim, whose last form deletes their account (and so removes their helper).
        Visitor("helper", world.helper),
        Visitor("victim", world.victim),
        Visitor("officer in charge", world.oic),
        Visitor("supervisor", world.supervisor),
        Visitor("force admin", world.admin),
    ]


class Poster:
    """One browser per visitor, signed in again after a form that ends the session."""

    def __init__(self, app, db, visitor: Visitor) -> None:
        self.db = db
        self.visitor = visitor
        self.client = WebClient(app)

    async def __aenter__(self) -> Poster:
        await self.sign_in()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.__aexit__(*exc)

    async def sign_in(self) -> None:
        await open_as(self.client, self.db, self.visitor)
        await self.client.page("/accessibility")  # this browser's CSRF token

    async def post(self, form: FoundForm, values: dict[str, str], *, htmx: bool = False) -> None:
        response = await self.client.post(form.action, values, htmx=htmx)
        where = f"{self.visitor.name}: POST {form.action} {values!r}"[:600]
        assert response.status_code < 500, f"{where}: {response.text[:300]}"
        assert response.status_code != 403, f"{where}: the CSRF token was refused, nothing was fuzzed"
        if any(word in form.action for word in ENDING):
            await self.sign_in()


async def test_every_post_route_has_a_form_that_is_fuzzed(every_form):
    actions = {form.action for _visitor, forms in every_form for form in forms}
    reached = {route for route in FORM_POSTS for action in actions if _route_matches(route, action)}
    unreached = set(FORM_POSTS) - reached - NOT_IN_THE_WORLD
    assert not unreached, f"POST routes no page offers a form for (fuzz them here): {sorted(unreached)}"
    found = {visitor.name: {form.action for form in forms} for visitor, forms in every_form}
    assert {"/sign-in", "/forgotten-password", "/register", "/register/confirm"} <= found["signed out"]
    assert {"/case/messages", "/preferences", "/helpers", "/helpers/remove"} <= found["victim"]
    assert "/case/messages" in found["helper"] and "/helpers" not in found["helper"]
    # The Victim Personal Statement (issue 22): the victim's two forms and the officer's offer.
    assert {"/case/personal-statement", "/case/personal-statement/in-person"} <= found["victim"]
    assert any(action.endswith("/personal-statement-offer") for action in found["officer in charge"])
    assert "/officer/admin/force" in found["force admin"]


def _route_matches(route: str, action: str) -> bool:
    pattern = "".join(
        "[^/]+" if index % 2 else re.escape(part) for index, part in enumerate(PATH_PARAMETER.split(route))
    )
    return re.fullmatch(pattern, action.split("?")[0]) is not None


async def test_every_number_field_of_every_form_takes_out_of_range_numbers(app, db, every_form):
    """One field at a time, the rest plausible: a day of 2147483648 once was a 500 on /sign-in."""
    for visitor, forms in every_form:
        async with Poster(app, db, visitor) as poster:
            for form in forms:
                for name in form.numeric:
                    for value in NUMBER_EDGES:
                        await poster.post(form, {**form.values, name: value})


async def test_every_text_field_of_every_form_takes_odd_text(app, db, every_form):
    for visitor, forms in every_form:
        async with Poster(app, db, visitor) as poster:
            for form in forms:
                for value in TEXT_EDGES:
                    await poster.post(form, {**form.values, **dict.fromkeys(form.typed, value)})


@FUZZ
@given(data=st.data())
async def test_every_form_survives_whatever_is_typed(app, db, every_form, data):
    for visitor, forms in every_form:
        async with Poster(app, db, visitor) as poster:
            for form in forms:
                values = dict(form.values)
                for name in form.typed:
                    if data.draw(st.booleans(), label=f"change {name}"):
                        values[name] = data.draw(ODD_VALUE, label=name)
                await poster.post(form, values, htmx=data.draw(st.booleans(), label="htmx"))
