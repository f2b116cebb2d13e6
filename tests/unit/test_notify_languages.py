"""Alerts in the party's language (issue 20): Welsh and Polish emails and texts, Welsh-first
bilingual emails for Welsh forces, and texts in one language that cost no more than the English."""

from __future__ import annotations

import dataclasses
import re

import pytest

from trackmycrime.models import Force
from trackmycrime.notify.messages import GSM_CHARACTERS, message_fields, render_email, render_sms
from trackmycrime.notify.outbox import AlertKind

from .test_notify_messages import OFFICER, SETTINGS, victim

GWENT = Force(id=8, code="GW", name="Gwent Police", non_emergency_phone="101", welsh_first=True)
DEVON = Force(id=7, code="DC", name="Devon & Cornwall Police", non_emergency_phone="101")
PARTY_KINDS = [
    AlertKind.INVITATION,
    AlertKind.UPDATE_WAITING,
    AlertKind.UNREAD_REMINDER,
    AlertKind.NEW_MESSAGE,
    AlertKind.PASSWORD_RESET,
    AlertKind.ACCOUNT_LOCKED,
]
WELSH_INVITATION = "Mae Devon & Cornwall Police wedi gofyn i chi ddefnyddio TrackMyCrime"
ENGLISH_INVITATION = "Devon & Cornwall Police has asked you to use TrackMyCrime"


def test_a_welsh_reader_gets_a_welsh_invitation():
    email = render_email(
        message_fields(SETTINGS, AlertKind.INVITATION, DEVON, party=victim(preferred_language="cy"))
    )
    assert WELSH_INVITATION in email.text and ENGLISH_INVITATION not in email.text
    assert "am 14 diwrnod" in email.text
    assert '<html lang="cy">' in email.html


def test_a_polish_reader_gets_polish_with_the_right_plural():
    fields = message_fields(SETTINGS, AlertKind.INVITATION, DEVON, party=victim(preferred_language="pl"))
    assert "Ten link działa raz, przez 14 dni." in render_email(fields).text
    one_day = dataclasses.replace(fields, link_days=1)
    assert "Ten link działa raz, przez 1 dzień." in render_email(one_day).text
    subject = "Śledź swoje zgłoszenie przestępstwa w internecie – Devon & Cornwall Police"
    assert render_email(fields).subject == subject


@pytest.mark.parametrize("language", ["cy", "en"])
def test_a_welsh_first_force_sends_both_languages_welsh_first(language):
    fields = message_fields(
        SETTINGS, AlertKind.UPDATE_WAITING, GWENT, party=victim(preferred_language=language)
    )
    email = render_email(fields)
    welsh, english = (
        "Mae diweddariad newydd am eich adroddiad trosedd",
        "There is a new update about your crime",
    )
    assert email.text.index(welsh) < email.text.index(english)
    assert email.subject == "Diweddariad newydd gan Gwent Police / New update from Gwent Police"
    assert email.html.index('<div lang="cy">') < email.html.index('<div lang="en">')
    assert email.html.index(welsh) < email.html.index('<div lang="en">') < email.html.index(english)


def test_a_welsh_first_force_still_writes_to_a_polish_reader_in_polish_alone():
    email = render_email(
        message_fields(SETTINGS, AlertKind.UPDATE_WAITING, GWENT, party=victim(preferred_language="pl"))
    )
    assert "Jest nowa informacja" in email.text and "There is a new update" not in email.text


def test_without_welsh_first_an_english_reader_gets_english_alone():
    email = render_email(message_fields(SETTINGS, AlertKind.UPDATE_WAITING, DEVON, party=victim()))
    assert "Mae diweddariad" not in email.text and '<div lang="cy">' not in email.html


def test_officer_alerts_stay_english_at_a_welsh_first_force():
    email = render_email(message_fields(SETTINGS, AlertKind.NEW_MESSAGE, GWENT, officer=OFFICER))
    assert "Neges" not in email.subject and '<div lang="cy">' not in email.html


@pytest.mark.parametrize("language", ["cy", "pl"])
@pytest.mark.parametrize("kind", PARTY_KINDS)
def test_texts_are_in_the_chosen_language_only_and_in_the_gsm_alphabet(kind, language):
    fields = message_fields(SETTINGS, kind, GWENT, party=victim(preferred_language=language))
    text = render_sms(fields)
    english = render_sms(dataclasses.replace(fields, lang="en"))
    assert not set(text) - GSM_CHARACTERS, "one accented letter would make it 70 characters a fragment"
    sentences = [s for s in re.split(r"(?<=[.:]) ", english) if not re.search(r"http|Gwent|TrackMyCrime", s)]
    assert not any(sentence in text for sentence in sentences)


@pytest.mark.parametrize("language", ["cy", "pl"])
@pytest.mark.parametrize("kind", PARTY_KINDS)
@pytest.mark.parametrize(
    ("force_name", "url"), [("F", "U"), ("Gwent Police", "https://tmc.gwent.police.uk/s")]
)
def test_a_text_fits_one_fragment_whenever_the_english_does(kind, language, force_name, url):
    fields = message_fields(SETTINGS, kind, GWENT, party=victim(preferred_language=language))
    fields = dataclasses.replace(fields, force_name=force_name, action_url=url)
    english = render_sms(dataclasses.replace(fields, lang="en"))
    translated = render_sms(fields)
    assert len(translated) <= max(len(english), 160) or len(english) > 160, (english, translated)
    assert len(translated) <= len(english), "the same names and links go in, so never longer than English"
