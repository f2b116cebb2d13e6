"""Plain English (issue 20): every English string a victim or witness reads, at reading age 9 or
below, measured over the extracted catalogue. Names of rights and legal terms are allowed
(tests/unit/reading_age.py) and explained on the "Words we use" page.
A string above reading age 9 fails here: rewrite it with shorter sentences and shorter words."""

from __future__ import annotations

import pytest

from trackmycrime.catalogue import extract, victim_facing_ids
from trackmycrime.public.glossary import glossary

from .reading_age import READING_AGE, TERMS, reading_age


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


def test_every_string_a_victim_reads_is_at_reading_age_9(victim_strings):
    too_hard = sorted(
        f"{reading_age(text):.1f}: {text}"
        for text in victim_strings
        if (reading_age(text) or 0) > READING_AGE
    )
    assert not too_hard, "rewrite these for a reading age of 9:\n" + "\n".join(too_hard)


# Other forms of a name the "Words we use" page explains under one heading.
SAME_TERM = {
    "code of practice for victims of crime in england and wales": "victims' code",
    "code of practice for victims of crime": "victims' code",
    "interviewed under caution": "interview under caution",
}


def test_every_term_the_measure_allows_is_explained_on_the_words_we_use_page():
    explained = {term.name.lower() for term in glossary()}
    unexplained = [term for term in TERMS if SAME_TERM.get(term.lower(), term.lower()) not in explained]
    assert not unexplained, "explain these in public/glossary.py, or rewrite the strings that use them"
