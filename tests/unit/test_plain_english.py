"""Plain English (issue 20): every English string a victim or witness reads, at reading age 9 or
below, measured over the extracted catalogue. Names of rights and legal terms are allowed
(tests/unit/reading_age.py) and explained on the "Words we use" page.

Strings written before this check and not yet rewritten are listed in plain_english_backlog.txt:
the list may only shrink. A new string above reading age 9 fails here; rewrite it, shorter
sentences and shorter words, rather than adding it to the list."""

from __future__ import annotations

from pathlib import Path

import pytest

from trackmycrime.catalogue import extract, victim_facing_ids

from .reading_age import READING_AGE, reading_age

BACKLOG = Path(__file__).with_name("plain_english_backlog.txt")


def backlog() -> set[str]:
    return {
        line for line in BACKLOG.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")
    }


@pytest.fixture(scope="module")
def victim_strings() -> list[str]:
    found = []
    for msgid in victim_facing_ids(extract()):
        found.extend(msgid if isinstance(msgid, tuple) else (msgid,))
    return found


def test_the_measure_tells_plain_from_hard_words():
    assert reading_age("The police think they know who may have done it.") <= READING_AGE
    hard = "Notwithstanding the aforementioned considerations, remuneration is discretionary."
    assert reading_age(hard) > READING_AGE


def test_legal_terms_and_names_of_rights_do_not_count_against_a_sentence():
    with_terms = "Ask the Crown Prosecution Service about your Victim Personal Statement."
    assert reading_age(with_terms) <= READING_AGE


def test_every_new_string_a_victim_reads_is_at_reading_age_9(victim_strings):
    too_hard = sorted(
        f"{reading_age(text):.1f}: {text}"
        for text in victim_strings
        if text not in backlog() and (reading_age(text) or 0) > READING_AGE
    )
    assert not too_hard, "rewrite these for a reading age of 9:\n" + "\n".join(too_hard)


def test_the_backlog_only_lists_strings_still_to_rewrite(victim_strings):
    present = set(victim_strings)
    stale = sorted(
        text for text in backlog() if text not in present or (reading_age(text) or 0) <= READING_AGE
    )
    assert not stale, "rewritten or gone: take these off plain_english_backlog.txt:\n" + "\n".join(stale)
