"""The words static/js/tmc.js counts with (the idle-timeout countdown, the characters left in a
box), in the reader's language with every plural form, for the page to carry as data attributes."""

from __future__ import annotations

from .i18n import ngettext, plural_forms


def idle_countdown_words() -> dict[str, dict[str, str]]:
    return {
        "minutes": plural_forms(lambda n: ngettext("%(num)s minute", "%(num)s minutes", n)),
        "seconds": plural_forms(lambda n: ngettext("%(num)s second", "%(num)s seconds", n)),
    }


def character_count_words() -> dict[str, dict[str, str]]:
    return {
        "remaining": plural_forms(
            lambda n: ngettext(
                "You have %(num)s character remaining", "You have %(num)s characters remaining", n
            )
        ),
        "too_many": plural_forms(
            lambda n: ngettext("%(num)s character too many", "%(num)s characters too many", n)
        ),
    }
