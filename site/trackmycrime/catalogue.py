"""The translation catalogues: extract, update, and list what a victim would still see in English.

One command after adding or changing words (from the repository's top folder):

    python -m trackmycrime.catalogue update

extracts every `_()` string into locale/messages.pot, merges it into each language's messages.po
and prints, per language, the victim-facing messages with no finished translation. `check` prints
the same list and exits 1 if there is any (tests/unit/test_catalogues.py runs the same check).
"""

from __future__ import annotations

import re
import sys
from contextlib import chdir
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from .i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES
from .paths import LOCALE_DIR

ROOT = LOCALE_DIR.parent
TEMPLATE_FILE = LOCALE_DIR / "messages.pot"
TRANSLATED_LANGUAGES = tuple(language for language in SUPPORTED_LANGUAGES if language != DEFAULT_LANGUAGE)
# Messages found only in these files are read by officers alone and may stay in English.
OFFICER_ONLY = ("templates/officer/", "site/trackmycrime/officer/", "templates/demo/")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


def _pybabel(*arguments: str) -> None:
    with chdir(ROOT):  # locations relative to the repository, as a translator reads them
        CommandLineInterface().run(["pybabel", "-q", *arguments])


def extract() -> Catalog:
    """Every translatable string in the code and templates, with the files it appears in."""
    _pybabel(
        "extract", "-F", "babel.cfg", "-o", str(TEMPLATE_FILE), "--add-location=file",
        "--sort-output", "--no-wrap", "--omit-header", "--project=TrackMyCrime", ".",
    )  # fmt: skip
    with TEMPLATE_FILE.open("rb") as file:
        return read_po(file)


def update() -> None:
    extract()
    for language in TRANSLATED_LANGUAGES:
        _pybabel(
            "update", "-i", str(TEMPLATE_FILE), "-o", str(po_path(language)), "-l", language,
            "--no-wrap", "--ignore-obsolete",
        )  # fmt: skip


# ...except the standard updates, which officers post for victims to read.
READ_BY_VICTIMS = ("site/trackmycrime/officer/update_templates.py",)


def is_victim_facing(message: Message) -> bool:
    return any(
        str(location).startswith(READ_BY_VICTIMS) or not str(location).startswith(OFFICER_ONLY)
        for location, _line in message.locations
    )


def victim_facing_ids(template: Catalog) -> list[str | tuple[str, ...]]:
    return [
        message.id if isinstance(message.id, str) else tuple(message.id)
        for message in template
        if message.id and is_victim_facing(message)
    ]


def _placeholders(text: str) -> set[str]:
    return {"".join(match) for match in PLACEHOLDER.findall(text)}


@dataclass(frozen=True)
class Problem:
    language: str
    msgid: str
    reason: str

    def __str__(self) -> str:
        return f"{self.language}: {self.reason}: {self.msgid!r}"


def read_catalogue(language: str) -> Catalog:
    with po_path(language).open("rb") as file:
        return read_po(file, locale=language)


def problems(language: str, template: Catalog, catalog: Catalog | None = None) -> list[Problem]:
    """What a victim reading `language` would trip over: untranslated, fuzzy or broken messages."""
    catalog = catalog if catalog is not None else read_catalogue(language)
    plural_count = catalog.num_plurals
    found: list[Problem] = []
    for msgid in victim_facing_ids(template):
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        message = catalog.get(msgid)
        if message is None or not message.string or not all(message.string):
            found.append(Problem(language, key, "missing"))
            continue
        if message.fuzzy:
            found.append(Problem(language, key, "fuzzy"))
            continue
        strings = (message.string,) if isinstance(message.string, str) else tuple(message.string)
        originals = msgid if isinstance(msgid, tuple) else (msgid,)
        if isinstance(msgid, tuple) and len(strings) != plural_count:
            found.append(Problem(language, key, f"{len(strings)} plural forms, not {plural_count}"))
        expected = set().union(*(_placeholders(original) for original in originals))
        for text in strings:
            used = _placeholders(text)
            # A plural form may leave out the number ("one day"); nothing may be added or renamed.
            if used - expected or (not isinstance(msgid, tuple) and used != expected):
                found.append(Problem(language, key, f"placeholders {sorted(_placeholders(text))}"))
                break
    return found


def main(arguments: list[str]) -> int:
    command = arguments[0] if arguments else "check"
    if command == "update":
        update()
    template = extract() if command == "check" else read_po(TEMPLATE_FILE.open("rb"))
    found = [problem for language in TRANSLATED_LANGUAGES for problem in problems(language, template)]
    for problem in found:
        print(problem)
    print(f"{len(found)} victim-facing messages need a translator's attention.", file=sys.stderr)
    return 1 if found and command == "check" else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
