"""A short fuzz run of the victim sign-in and message forms: whatever is typed, never a server error."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.victim_data import make_victim_case, sign_in
from tests.webclient import WebClient

pytestmark = pytest.mark.anyio

# Any text at all: unicode from every plane, control characters, NUL, surrogates excluded (not encodable).
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
async def case(db, app):
    return await make_victim_case(db)


@FUZZ
@given(
    surname=ANY_TEXT,
    reference=ANY_TEXT,
    day=ANY_TEXT,
    month=st.sampled_from(["2", "", "13", "٣", "²", "0x1"]),
    year=ANY_TEXT,
    password=ANY_TEXT,
)
async def test_the_sign_in_form_never_fails(app, surname, reference, day, month, year, password):
    async with WebClient(app) as browser:
        await browser.page("/sign-in")
        form = {
            "surname": surname,
            "reference": reference,
            "date_of_birth-day": day,
            "date_of_birth-month": month,
            "date_of_birth-year": year,
            "password": password,
        }
        response = await browser.post("/sign-in", form)
        assert response.status_code in (200, 303, 429), response.text[:300]


@pytest.fixture
async def signed_in(app, case):
    """One signed-in browser for the whole run: each example is one more message."""
    async with WebClient(app) as browser:
        await browser.page("/sign-in")
        await sign_in(browser, case)
        yield browser


@FUZZ
@given(message=ANY_TEXT, extra=st.dictionaries(st.sampled_from(["message", "action", "id", "x"]), ANY_TEXT))
async def test_the_message_form_never_fails(signed_in, message, extra):
    for htmx in (False, True):
        response = await signed_in.post("/case/messages", {**extra, "message": message}, htmx=htmx)
        assert response.status_code in (200, 303, 400, 429), response.text[:300]


@FUZZ
@given(marker=ANY_TEXT)
async def test_the_case_activity_poll_never_fails(signed_in, marker):
    response = await signed_in.http.get(
        "/case/activity", params={"seen": marker}, headers={"HX-Request": "true"}
    )
    assert response.status_code < 500, response.text[:300]


CURSOR_LIKE = st.one_of(
    ANY_TEXT,
    st.integers().map(str),
    st.tuples(st.integers(), st.integers(), st.integers()).map(lambda parts: ".".join(map(str, parts))),
)


@FUZZ
@given(show=ANY_TEXT, before=CURSOR_LIKE)
async def test_the_timeline_filter_and_cursor_never_fail(signed_in, show, before):
    """?show= and ?before= on the case page and its timeline fragment, and in the page's own URL that
    a poll carries (HX-Current-URL): huge, negative or garbage, never a server error."""
    parameters = {"show": show, "before": before}
    response = await signed_in.http.get("/case", params=parameters)
    assert response.status_code == 200, response.text[:300]
    response = await signed_in.http.get("/case/timeline", params=parameters, headers={"HX-Request": "true"})
    assert response.status_code == 200, response.text[:300]
    page_url = "http://testserver/case?show=" + quote(show, safe="") + "&before=" + quote(before, safe="")
    poll = {"HX-Request": "true", "HX-Current-URL": page_url}
    response = await signed_in.http.get("/case/activity", params={"seen": "0.0.0.1"}, headers=poll)
    assert response.status_code == 200, response.text[:300]


async def test_superscript_digits_are_not_numbers(app, signed_in):
    """'²' is a digit to str.isdigit but not to int(): found by the fuzz run, once a server error."""
    response = await signed_in.http.get("/case/activity?seen=².1.1.1", headers={"HX-Request": "true"})
    assert response.status_code == 200
    form = {"surname": "x", "reference": "AS-1", "date_of_birth-day": "1", "date_of_birth-month": "²"}
    async with WebClient(app) as browser:
        await browser.page("/sign-in")
        response = await browser.post("/sign-in", {**form, "date_of_birth-year": "1980", "password": "p"})
        assert response.status_code == 200
        assert "Date of birth must be a real date" in response.text


@pytest.mark.parametrize("part", ["day", "month"])
@pytest.mark.parametrize("value", ["2147483648", "9" * 30, "0" * 40 + "1"])
async def test_a_day_or_month_past_any_integer_is_not_a_real_date(app, part, value):
    """A day of 2147483648 overflowed the date type: once a server error, found by fuzzing every form."""
    form = {"surname": "x", "reference": "AS-1", "password": "p"}
    form |= {"date_of_birth-day": "1", "date_of_birth-month": "2", "date_of_birth-year": "1980"}
    async with WebClient(app) as browser:
        page = await browser.page("/sign-in")
        page = await browser.submit("/sign-in", {**form, f"date_of_birth-{part}": value})
        assert "Date of birth must be a real date" in page.select_one(".error-summary").get_text()
        typed = page.select_one(f'input[name="date_of_birth-{part}"]')["value"]
        assert len(typed) <= 12
