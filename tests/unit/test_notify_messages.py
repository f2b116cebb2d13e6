"""Alert wording: every kind renders for email (subject, text, HTML) and text message, says only
which force, that something is waiting and where to sign in, and never any detail of the case."""

from __future__ import annotations

import datetime as dt

import pytest

from trackmycrime.auth.links import link_still_valid, party_id_from_link
from trackmycrime.auth.tokens import INVITATION, PASSWORD_RESET
from trackmycrime.models import Force, Officer, Party
from trackmycrime.notify.messages import message_fields, reader_language, render_email, render_sms
from trackmycrime.notify.outbox import AlertKind
from trackmycrime.settings import Settings

SETTINGS = Settings(mode="test", secret_key="x" * 40, base_url="https://portal.example")
FORCE = Force(id=7, code="DC", name="Devon & Cornwall Police", non_emergency_phone="101")
OFFICER = Officer(id=3, force_id=7, email="sam.jones@police.example", name="PC Sam Jones")
DATE_OF_BIRTH = dt.date(1971, 3, 17)


def victim(**changes: object) -> Party:
    values = {
        "id": 41,
        "crime_id": 9,
        "rms_party_id": "P1",
        "forenames": "Perpetua",
        "surname": "Quartermain",
        "surname_key": "quartermain",
        "date_of_birth": DATE_OF_BIRTH,
        "email": "perpetua@example.org",
        "mobile": "+447700900123",
        **changes,
    }
    return Party(**values)


PERSONAL = [
    "Perpetua",
    "Quartermain",
    "perpetua@example.org",
    "+447700900123",
    "17 March 1971",
    "1971-03-17",
    "17/03/1971",
    "PC Sam Jones",
]


@pytest.mark.parametrize("kind", AlertKind.FOR_PARTIES)
def test_every_kind_renders_for_a_victim_with_force_sign_in_and_help_only(kind):
    fields = message_fields(SETTINGS, kind, FORCE, party=victim())
    email = render_email(fields)
    text = render_sms(fields)

    assert email.subject and "\n" not in email.subject
    assert fields.action_url in email.text
    assert fields.action_url in text or kind == AlertKind.ACCOUNT_LOCKED  # a warning, not an invitation
    assert f'<a href="{fields.action_url}">' in email.html
    assert "Devon & Cornwall Police" in email.text + email.subject
    assert "Devon &amp; Cornwall Police" in email.html and "Devon & Cornwall" not in email.html
    assert "call 101" in email.text and "call 999" in email.text
    assert "999" in text
    assert email.html.startswith("<!DOCTYPE html>") and '<html lang="en">' in email.html
    assert f"<title>{email.subject.replace('&', '&amp;')}</title>" in email.html
    assert "  " not in text and "\n\n\n" not in email.text
    for personal in PERSONAL:
        assert personal not in email.subject + email.text + email.html + text, (kind, personal)


@pytest.mark.parametrize("kind", [AlertKind.NEW_MESSAGE, AlertKind.UNREAD_REMINDER, AlertKind.UPDATE_WAITING])
def test_officers_are_sent_to_the_officer_sign_in_without_the_victims_help_lines(kind):
    fields = message_fields(SETTINGS, kind, FORCE, officer=OFFICER)
    email = render_email(fields)
    assert fields.action_url == "https://portal.example/officer/sign-in"
    assert fields.action_url in email.text
    assert "In an emergency" not in email.text
    assert "PC Sam Jones" not in email.text + email.html


def test_the_invitation_carries_a_working_single_use_registration_link_made_at_send_time():
    party = victim()
    fields = message_fields(SETTINGS, AlertKind.INVITATION, FORCE, party=party)
    token = fields.action_url.removeprefix("https://portal.example/register/")
    party_id, fingerprint = party_id_from_link(SETTINGS, INVITATION, token)
    assert party_id == party.id and link_still_valid(party, fingerprint)
    assert "for 14 days" in render_email(fields).text
    party.password_hash = "argon2id-after-registering"
    assert not link_still_valid(party, fingerprint)


def test_the_reset_email_carries_a_reset_link_that_works_for_two_hours():
    fields = message_fields(SETTINGS, AlertKind.PASSWORD_RESET, FORCE, party=victim(password_hash="h"))
    token = fields.action_url.removeprefix("https://portal.example/reset-password/")
    assert party_id_from_link(SETTINGS, PASSWORD_RESET, token)[0] == 41
    assert "for 2 hours" in render_email(fields).text
    assert party_id_from_link(SETTINGS, INVITATION, token) is None


def test_one_day_is_singular():
    fields = message_fields(
        SETTINGS.with_changes(invitation_days=1), AlertKind.INVITATION, FORCE, party=victim()
    )
    assert "for 1 day." in render_email(fields).text


def test_a_language_without_a_catalogue_falls_back_to_english_and_says_so():
    assert reader_language("cy") in ("cy", "en")
    fields = message_fields(SETTINGS, AlertKind.UPDATE_WAITING, FORCE, party=victim(preferred_language="cy"))
    assert f'<html lang="{fields.lang}">' in render_email(fields).html
    assert reader_language("xx") == "en" and reader_language(None) == "en"


def test_personalisation_for_the_gateway_holds_the_text_and_non_sensitive_fields_only():
    fields = message_fields(SETTINGS, AlertKind.UPDATE_WAITING, FORCE, party=victim())
    text = render_sms(fields)
    assert fields.personalisation(text) == {
        "message": text,
        "force_name": "Devon & Cornwall Police",
        "url": "https://portal.example/sign-in",
        "service_name": "TrackMyCrime",
    }


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown alert kind"):
        message_fields(SETTINGS, "case_details", FORCE, party=victim())


def test_texts_invite_replies_only_when_the_worker_reads_them():
    reading = message_fields(SETTINGS, AlertKind.UPDATE_WAITING, FORCE, party=victim())
    assert "You can reply to this text" in render_sms(reading)
    not_reading = message_fields(
        SETTINGS.with_changes(sms_replies_poll_seconds=0), AlertKind.UPDATE_WAITING, FORCE, party=victim()
    )
    assert "Do not reply to this text" in render_sms(not_reading)
    assert "You can reply" not in render_sms(not_reading)
