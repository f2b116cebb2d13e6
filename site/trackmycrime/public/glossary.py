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
            "crime-reference-number",
            _("Crime reference number"),
            (
                _("The police give each crime a number of its own."),
                _("Use it when you call or write to the police about the crime."),
            ),
        ),
        Term(
            "investigation",
            _("Investigation"),
            (
                _("The work the police do to find out what happened and who did it."),
                _("They look for facts, talk to people and keep things that may help."),
            ),
        ),
        Term(
            "suspect",
            _("Suspect"),
            (
                _("A person the police think may have done the crime."),
                _("Being a suspect does not mean they did it."),
            ),
        ),
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
        Term(
            "enhanced-rights",
            _("Enhanced rights"),
            (
                _("Some victims get more help, and get it sooner."),
                _(
                    "You have them if the crime was very bad. You also have them if someone keeps picking on "
                    "you, or if you are at risk or afraid."
                ),
            ),
        ),
        Term(
            "witness-care-unit",
            _("Witness Care Unit"),
            (
                _("A team that helps you if you have to go to court as a witness."),
                _("They tell you when you need to go and what will happen there."),
            ),
        ),
        Term(
            "restorative-justice",
            _("Restorative Justice"),
            (
                _("A time for you and the person who did it to talk, if you both want to."),
                _("It can help you say how the crime made you feel and to move on."),
            ),
        ),
        Term(
            "police-and-crime-commissioner",
            _("Police and Crime Commissioner"),
            (
                _("The person you vote for who checks how well your police force does its job."),
                _("You can ask them to look again at how we dealt with a complaint."),
            ),
        ),
        Term(
            "independent-office-for-police-conduct",
            _("Independent Office for Police Conduct"),
            (
                _("It is also called the IOPC. It looks at serious complaints about the police."),
                _("It is not part of the police."),
            ),
        ),
        Term(
            "parliamentary-and-health-service-ombudsman",
            _("Parliamentary and Health Service Ombudsman"),
            (
                _("It looks at complaints the police could not sort out."),
                _("Your MP has to send your complaint to it."),
            ),
        ),
        Term(
            "equality-and-human-rights-commission",
            _("Equality and Human Rights Commission"),
            (_("It is also called the EHRC. It makes sure sites like this one work for all."),),
        ),
        Term(
            "equality-advisory-and-support-service",
            _("Equality Advisory and Support Service"),
            (
                _(
                    "It is also called the EASS. It gives free help if you think you were treated badly "
                    "because of who you are."
                ),
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
