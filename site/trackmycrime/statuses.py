"""Crime status codes from the records system, in the plain English that parties read.

The one table of statuses: the ingest API validates against it, pages show its wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .i18n import current_language
from .i18n import gettext as _


@dataclass(frozen=True)
class Status:
    code: str
    label: str
    explanation: str
    closes_crime: bool = False


def _table() -> dict[str, Status]:
    rows = [
        Status(
            "recorded",
            _("Crime recorded"),
            _("Your report has been recorded. It will be looked at by an officer."),
        ),
        Status(
            "officer_assigned",
            _("Officer assigned"),
            _("An officer has been given your case and will be in touch."),
        ),
        Status("under_investigation", _("Under investigation"), _("Officers are investigating the crime.")),
        Status(
            "suspect_identified",
            _("Suspect identified"),
            _("The police think they know who may have done it."),
        ),
        Status("suspect_arrested", _("Suspect arrested"), _("A suspect has been arrested.")),
        Status(
            "suspect_interviewed",
            _("Suspect interviewed"),
            _("A suspect has been interviewed under caution."),
        ),
        Status(
            "released_on_bail",
            _("Suspect released on bail"),
            _(
                "The suspect has been let go on bail while the investigation goes on. Bail can come with "
                "rules, such as not to contact you."
            ),
        ),
        Status(
            "released_under_investigation",
            _("Suspect released under investigation"),
            _("The suspect has been let go without bail. The investigation goes on."),
        ),
        Status(
            "released_no_further_action",
            _("Suspect released without charge"),
            _("The suspect has been released and will not be charged at the moment."),
        ),
        Status(
            "charged",
            _("Suspect charged"),
            _("A suspect has been charged with an offence. The case will go to court."),
        ),
        Status("court_date_set", _("Court date set"), _("A date has been set for a court hearing.")),
        Status(
            "no_further_action",
            _("No further action"),
            _(
                "The police have chosen to take no further action for now. You can ask for this choice to be "
                "looked at again."
            ),
            closes_crime=True,
        ),
        Status("closed", _("Case closed"), _("The investigation has ended."), closes_crime=True),
    ]
    return {row.code: row for row in rows}


STATUS_CODES: tuple[str, ...] = tuple(_table())


def _event_table() -> dict[str, Status]:
    """Case events that are not a status of the crime (issue 22): they leave the status as it is."""
    rows = [
        Status(
            "hearing_listed",
            _("Court hearing arranged"),
            _("A court hearing has been arranged. The date and the court's address are on your case page."),
        ),
        Status(
            "hearing_moved",
            _("Court hearing moved"),
            _("A court hearing has been moved. Check the new date and place on your case page."),
        ),
        Status(
            "hearing_vacated",
            _("Court hearing cancelled"),
            _("A court hearing will not go ahead on the date you were told."),
        ),
        Status("hearing_outcome", _("Court hearing result"), _("A court hearing has finished.")),
        Status(
            "decision_charged",
            _("Decision: the suspect has been charged"),
            _("The suspect will have to answer the charge in court."),
        ),
        Status(
            "decision_no_further_action",
            _("Decision: no one will be charged at the moment"),
            _("You can ask for this decision to be reviewed."),
        ),
        Status(
            "decision_out_of_court_resolution",
            _("Decision: dealt with out of court"),
            _("You can ask for this decision to be reviewed."),
        ),
        Status("officer_changed", _("New officer in charge"), _("A new officer now has your case.")),
    ]
    return {row.code: row for row in rows}


EVENT_CODES: tuple[str, ...] = tuple(_event_table())


@cache
def _table_in(language: str) -> dict[str, Status]:
    """The table translated into `language` (the current one when it is first asked for), built once:
    pages look a status up for every update they show."""
    return _table()


def status(code: str) -> Status:
    """The status in the current language; unknown codes read as 'Under investigation'."""
    table = _table_in(current_language.get())
    return table.get(code, table["under_investigation"])


@cache
def _events_in(language: str) -> dict[str, Status]:
    return _event_table()


def case_event(code: str) -> Status:
    """A case event (EVENT_CODES) in the current language; unknown codes read as a plain update."""
    found = _events_in(current_language.get()).get(code)
    return found or Status(code, _("Update"), "")


def is_known(code: str) -> bool:
    return code in STATUS_CODES
