"""Feedback: a satisfaction rating and an optional comment, from every victim page."""

import pytest
from sqlmodel import select

from tests.webclient import text_of
from trackmycrime.models import Feedback

from .victim_data import sign_in

pytestmark = pytest.mark.anyio


async def test_feedback_is_linked_from_every_signed_in_page(client, victim):
    await sign_in(client, victim)
    for url in ("/case", "/preferences", "/opt-out", "/delete-account", "/feedback"):
        page = await client.page(url)
        assert page.select_one('footer a[href="/feedback"]'), url


async def test_giving_a_rating_and_a_comment(client, db, victim):
    await sign_in(client, victim)
    page = await client.page("/feedback")
    assert text_of(page.h1) == "Give feedback"
    options = [text_of(label) for label in page.select(".radios__label")]
    assert options[0] == "Very satisfied" and options[-1] == "Very dissatisfied"
    page = await client.submit("/feedback", {"rating": "4", "comment": "Quick replies.\r\nThank you."})
    assert text_of(page.h1) == "Thank you for your feedback"
    async with db.session() as session:
        feedback = (await session.exec(select(Feedback))).one()
    assert (feedback.rating, feedback.comment) == (4, "Quick replies.\nThank you.")
    assert (feedback.crime_id, feedback.party_id) == (victim.crime.id, victim.party.id)


async def test_the_comment_is_optional(client, db, victim):
    await sign_in(client, victim)
    page = await client.submit("/feedback", {"rating": "1"})
    assert text_of(page.h1) == "Thank you for your feedback"


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        ({}, ["Select how satisfied you are"]),
        ({"rating": "6"}, ["Select how satisfied you are"]),
        ({"rating": "5", "comment": "x" * 1201}, ["Your comments are too long: use up to 1,200 characters"]),
    ],
)
async def test_feedback_errors_keep_what_was_typed(client, db, victim, form, errors):
    await sign_in(client, victim)
    page = await client.submit("/feedback", form, expect=400)
    assert [text_of(a) for a in page.select(".error-summary a")] == errors
    assert page.select_one("#field-comment").get_text() == form.get("comment", "")
    async with db.session() as session:
        assert (await session.exec(select(Feedback))).all() == []


async def test_the_error_summary_links_to_the_first_radio_so_focus_moves_to_it(client, victim):
    await sign_in(client, victim)
    page = await client.submit("/feedback", {}, expect=400)
    target = page.select_one(page.select_one(".error-summary a")["href"])
    assert (target.name, target["type"]) == ("input", "radio")
    assert target == page.select_one("fieldset input[type=radio]"), "the first of the group"
