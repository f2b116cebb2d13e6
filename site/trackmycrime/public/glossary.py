"""Words we use: the legal terms a victim meets in their case, each explained in plain English."""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import gettext as _


@dataclass(frozen=True)
class Term:
    anchor: str
    name: str
    meaning: tuple[str, ...]


def glossary() -> list[Term]:
    """In the order a case usually goes: the anchors are linked from statuses and the rights page."""
    return [
        Term(
            "interview-under-caution",
            _("Interview under caution"),
            (
                _("The police ask a suspect questions about the crime."),
                _("First they warn the suspect that what they say can be used in court."),
            ),
        ),
        Term(
            "bail",
            _("Bail"),
            (
                _("The suspect is let go while the police carry on with their work."),
                _("They must come back on a set date."),
                _("They may have to follow rules, such as not to contact you."),
            ),
        ),
        Term(
            "released-under-investigation",
            _("Released under investigation"),
            (
                _("The suspect is let go while the police carry on with their work."),
                _("There is no date for them to come back, and no rules for them to follow."),
            ),
        ),
        Term(
            "charged",
            _("Charged"),
            (
                _("It has been decided that the suspect will go to court for the crime."),
                _("The court will decide if they are guilty."),
            ),
        ),
        Term(
            "no-further-action",
            _("No further action"),
            (
                _("The police will stop work on the case for now."),
                _("This can change if they get new facts. You can ask for the choice to be checked again."),
            ),
        ),
        Term(
            "crown-prosecution-service",
            _("Crown Prosecution Service"),
            (
                _("The Crown Prosecution Service is also called the CPS."),
                _("For most crimes, its lawyers decide if a suspect should go to court."),
                _("They also take the case to court."),
            ),
        ),
        Term(
            "victim-personal-statement",
            _("Victim Personal Statement"),
            (
                _("This is your chance to say, in your own words, how the crime has hurt you."),
                _("The court may read it. Then it decides what happens to the person who did it."),
            ),
        ),
        Term(
            "victims-code",
            _("Victims' Code"),
            (
                _("This is a list of your rights as a victim of crime."),
                _("It says what the police, the courts and others must do for you."),
            ),
        ),
    ]


# Which status needs which explanation: the case page links the status to its term.
STATUS_TERMS = {
    "suspect_interviewed": "interview-under-caution",
    "released_on_bail": "bail",
    "released_under_investigation": "released-under-investigation",
    "charged": "charged",
    "no_further_action": "no-further-action",
    "released_no_further_action": "no-further-action",
}
