"""Standard updates an officer can start from: plain words, nothing to fill in, each with a status, in
each language the force writes in (issue 20)."""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, SUPPORTED_LANGUAGES, in_language
from ..i18n import gettext as _


@dataclass(frozen=True)
class UpdateTemplate:
    key: str
    title: str
    text: str
    status: str | None = None


def _templates() -> tuple[UpdateTemplate, ...]:
    return (
        UpdateTemplate(
            "no_news",
            _("No news yet"),
            _(
                "There is no news about your case right now. The investigation goes on, and we will tell you "
                "more soon. If you have anything to add, send us a message."
            ),
        ),
        UpdateTemplate(
            "enquiries",
            _("Enquiries under way"),
            _(
                "We are trying to find out more. For example, we look for camera film and talk to people who "
                "may have seen what happened. We will tell you when we have more news."
            ),
            "under_investigation",
        ),
        UpdateTemplate(
            "arrested",
            _("Suspect arrested"),
            _("A suspect has been arrested. We will tell you what happens next within 5 working days."),
            "suspect_arrested",
        ),
        UpdateTemplate(
            "interviewed",
            _("Suspect interviewed"),
            _(
                "A suspect has been interviewed under caution. We are now considering the evidence and "
                "will tell you what happens next."
            ),
            "suspect_interviewed",
        ),
        UpdateTemplate(
            "bail",
            _("Released on bail"),
            _(
                "The suspect has been let go on bail while we carry on with our work. If you are scared for "
                "your safety, call 999 if you need help now. At other times, call 101."
            ),
            "released_on_bail",
        ),
        UpdateTemplate(
            "released_under_investigation",
            _("Released under investigation"),
            _(
                "The suspect has been let go without bail while we carry on with our work. We will tell you "
                "when a choice is made."
            ),
            "released_under_investigation",
        ),
        UpdateTemplate(
            "charged",
            _("Suspect charged"),
            _(
                "A suspect has been charged. The case will now go to court. The Witness Care Unit will "
                "contact you about court dates and any support you need."
            ),
            "charged",
        ),
        UpdateTemplate(
            "no_further_action",
            _("No further action"),
            _(
                "We have decided to take no further action at the moment. This means no one will be "
                "charged unless new evidence comes to light. You have the right to ask for this "
                "decision to be reviewed: reply to this message to ask."
            ),
            "no_further_action",
        ),
        UpdateTemplate(
            "closed",
            _("Case closed"),
            _(
                "We have closed the investigation. If new information comes to light, we will look at "
                "the case again. Thank you for your help."
            ),
            "closed",
        ),
    )


def _languages(force_languages: str) -> list[str]:
    chosen = [code for code in force_languages.split() if code in SUPPORTED_LANGUAGES]
    return [DEFAULT_LANGUAGE, *(code for code in chosen if code != DEFAULT_LANGUAGE)]


def template_options(force_languages: str) -> list[tuple[str, str]]:
    """(key, title) of each standard update in each language the force writes in, English first;
    a key names its language after a colon ('no_news:cy')."""
    options = []
    for code in _languages(force_languages):
        with in_language(code):
            for template in _templates():
                if code == DEFAULT_LANGUAGE:
                    options.append((template.key, template.title))
                else:
                    options.append((f"{template.key}:{code}", f"{template.title} ({LANGUAGE_NAMES[code]})"))
    return options


def template_by_key(key: str) -> UpdateTemplate | None:
    """The standard update, its words in the language its key names."""
    name, _colon, code = key.partition(":")
    with in_language(code if code in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE):
        return next((t for t in _templates() if t.key == name), None)
