"""The Welsh and Polish catalogues (issue 20): complete for everything a victim or witness can see,
with the same placeholders as the English and the right number of plural forms.

When this fails it lists each message to translate; `python -m trackmycrime.catalogue update` then
`check` is the workflow (docs/translations.md)."""

import re

import pytest
from babel.messages.catalog import Catalog

from trackmycrime import i18n
from trackmycrime.catalogue import TRANSLATED_LANGUAGES, extract, problems, read_catalogue, victim_facing_ids


@pytest.fixture(scope="module")
def template() -> Catalog:
    return extract()


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_message_a_victim_can_see_is_translated(template, language):
    found = problems(language, template)
    assert not found, f"{len(found)} messages to translate or fix:\n" + "\n".join(map(str, found))


def test_welsh_and_polish_are_both_offered():
    assert set(TRANSLATED_LANGUAGES) == {"cy", "pl"}


def test_officer_only_pages_are_the_only_ones_left_out(template):
    victim_ids = set(victim_facing_ids(template))
    assert "Sign in" in victim_ids and "Leave this site" in victim_ids
    assert "What we know" in victim_ids, "a Victims' Code text"
    officer_only = [m.id for m in template if m.id and m.id not in victim_ids]
    assert officer_only, "officer pages exist and may stay in English"
    for message in template:
        if message.id in officer_only:
            assert all(
                str(path).startswith(("templates/officer/", "site/trackmycrime/officer/", "templates/demo/"))
                for path, _line in message.locations
            )


def _template_with(*messages: tuple[object, str]) -> Catalog:
    template = Catalog()
    for msgid, path in messages:
        template.add(msgid, locations=[(path, 1)])
    return template


def test_the_check_names_missing_fuzzy_renamed_and_short_plural_messages():
    template = _template_with(
        ("Sign in", "templates/victim/sign_in.html"),
        ("Crime reference %(reference)s", "templates/victim/case.html"),
        ("Status", "templates/victim/case.html"),
        (("%(num)d day", "%(num)d days"), "templates/email/invitation.txt"),
        ("Inbox", "templates/officer/inbox.html"),
        ("Due by %(date)s", "templates/victim/rights.html"),
    )
    catalog = Catalog(locale="cy")
    catalog.add("Crime reference %(reference)s", "Cyfeirnod trosedd %(cyfeirnod)s")
    catalog.add("Status", "Statws", flags=["fuzzy"])
    catalog.add(("%(num)d day", "%(num)d days"), ("%(num)d diwrnod", "%(num)d diwrnod"))
    catalog.add("Due by %(date)s", "Erbyn %(date)s")
    found = {(problem.msgid, problem.reason.split(" ")[0]) for problem in problems("cy", template, catalog)}
    assert found == {
        ("Sign in", "missing"),
        ("Crime reference %(reference)s", "placeholders"),
        ("Status", "fuzzy"),
        ("%(num)d day", "2"),
    }, "the officer-only 'Inbox' is not asked for; the good translation passes"


@pytest.mark.parametrize(("language", "forms"), [("cy", 6), ("pl", 3)])
def test_plural_forms_follow_the_language(language, forms):
    catalog = read_catalogue(language)
    assert catalog.num_plurals == forms
    plurals = [message for message in catalog if isinstance(message.id, tuple) and message.string[0]]
    assert plurals and all(len(message.string) == forms for message in plurals)


def test_polish_picks_the_form_for_each_number():
    token = i18n.current_language.set("pl")
    try:
        said = {
            n: i18n.ngettext("This link works once, for %(num)d day.", "", n) % {"num": n}
            for n in (1, 3, 5, 22)
        }
    finally:
        i18n.current_language.reset(token)
    assert said == {
        1: "Ten link działa raz, przez 1 dzień.",
        3: "Ten link działa raz, przez 3 dni.",
        5: "Ten link działa raz, przez 5 dni.",
        22: "Ten link działa raz, przez 22 dni.",
    }


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_translation_formats_with_the_values_the_code_passes(language):
    """A stray % or a misspelt {name} would raise when the page renders: format each one now."""
    for message in read_catalogue(language):
        if not message.id or not message.string:
            continue
        originals = message.id if isinstance(message.id, tuple) else (message.id,)
        names = {name for text in originals for name in re.findall(r"%\((\w+)\)", text)}
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            if "%(" in "".join(originals) or "%%" in text:
                text % {name: 1 for name in names}  # noqa: B018 - raises on a broken translation
            for name in re.findall(r"\{(\w*)\}", text):
                assert "{" + name + "}" in "".join(originals), (language, message.id, text)
