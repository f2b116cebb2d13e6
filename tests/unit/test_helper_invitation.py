"""A trusted helper's invitation (issue 21): it says they will help someone, and nothing about the case."""

from __future__ import annotations

import dataclasses

import pytest

from trackmycrime.notify.messages import message_fields, render_email, render_sms, with_registration_code
from trackmycrime.notify.outbox import AlertKind

from .test_notify_languages import GWENT
from .test_notify_messages import FORCE, SETTINGS, victim


def helper(**changes: object):
    return victim(
        id=42,
        rms_party_id="helper-1",
        role="helper",
        helps_party_id=41,
        helper_relationship="carer",
        **changes,
    )


def test_a_helpers_email_invitation_says_whose_report_it_is_and_where_the_reference_comes_from():
    email = render_email(message_fields(SETTINGS, AlertKind.INVITATION, FORCE, party=helper()))
    assert email.subject.startswith("Help someone follow their crime report")
    assert "to help someone follow their crime report" in email.text
    assert "Ask the person you help, or the officer, for the crime reference number." in email.text
    assert "/register/" in email.text
    for detail in ("Perpetua", "Quartermain", "carer", "Burglary"):
        assert detail not in email.text and detail not in email.html
    own = render_email(message_fields(SETTINGS, AlertKind.INVITATION, FORCE, party=victim()))
    assert "help someone" not in own.text


@pytest.mark.parametrize("language", ["en", "cy", "pl"])
def test_a_helpers_text_invitation_fits_as_the_english_does(language):
    fields = message_fields(SETTINGS, AlertKind.INVITATION, GWENT, party=helper(preferred_language=language))
    fields = with_registration_code(fields, "ABCD-EFGH-JK")
    text = render_sms(fields)
    english = render_sms(dataclasses.replace(fields, lang="en"))
    assert "ABCD-EFGH-JK" in text
    assert len(text) <= len(english)
    assert "help someone follow a crime report" in english
