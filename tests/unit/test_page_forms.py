"""Each form on the crime page reads its own errors and values (officer/forms.py's PageForms)."""

import pytest

from trackmycrime.officer.forms import NOT_SUBMITTED, PageForms

NAMES = ("update", "reassign")
PER_PARTY = ("reply",)


def test_only_the_submitted_form_has_its_errors_and_values():
    forms = PageForms(
        NAMES, PER_PARTY, submitted="update", errors={"text": "Enter the update"}, values={"text": ""}
    )

    assert forms.update.errors == {"text": "Enter the update"}
    assert forms.update.values == {"text": ""}
    assert forms.update.submitted
    assert forms.reassign is NOT_SUBMITTED
    assert forms.reply.of(7) is NOT_SUBMITTED


def test_a_form_each_person_has_is_submitted_only_for_that_person():
    forms = PageForms(NAMES, PER_PARTY, submitted="reply", errors={"reply-7": "Enter a message"}, party_id=7)

    assert forms.reply.of(7).errors == {"reply-7": "Enter a message"}
    assert forms.reply.of(8) is NOT_SUBMITTED
    assert forms.update is NOT_SUBMITTED


def test_nothing_submitted_leaves_every_form_empty():
    forms = PageForms(NAMES, PER_PARTY)

    assert forms.update is NOT_SUBMITTED
    assert not forms.update.errors and not forms.update.submitted
    assert forms.reply.of(None) is NOT_SUBMITTED


def test_a_form_the_page_does_not_have_is_an_error():
    with pytest.raises(ValueError):
        PageForms(NAMES, PER_PARTY, submitted="updaet")
    with pytest.raises(AttributeError):
        PageForms(NAMES, PER_PARTY).updaet  # noqa: B018
