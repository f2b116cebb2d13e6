"""Reading and checking the victim forms: values as typed, and errors keyed by field in plain English."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from starlette.datastructures import FormData
from starlette.requests import Request

from ..auth.passwords import MAX_PASSWORD_LENGTH
from ..case_events.messages import MESSAGE_MAX as MESSAGE_MAX
from ..i18n import gettext as _
from ..models import Force
from ..typed_text import without_invisible_characters

SURNAME_MAX = 100
REFERENCE_MAX = 40
CODE_MAX = 40
PASSWORD_FIELD_MAX = 1000
FEEDBACK_COMMENT_MAX = 1200
EARLIEST_BIRTH_YEAR = 1900
# Long enough for "September." and for a day or year typed with leading zeros; what is longer is no date.
DATE_PART_MAX = 12

_MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


@dataclass
class Form:
    """What the person typed (cleaned, never passwords unless asked) and what is wrong with it."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)


async def submitted(request: Request) -> FormData:
    """The posted fields. No victim form takes a file, so any file sent is closed and ignored."""
    form = await request.form()
    await form.close()
    return form


def text(form: FormData, name: str, *, multiline: bool = False) -> str:
    """A field's value as a person typed it: a string, without control characters."""
    raw = form.get(name)
    if not isinstance(raw, str):
        return ""
    if multiline:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
        return without_invisible_characters(raw).strip()
    return without_invisible_characters(raw.replace("\n", " ").replace("\r", " ").replace("\t", " ")).strip()


def wants_password_shown(form: FormData) -> bool | None:
    """True or False when the no-JavaScript "Show"/"Hide" password button was pressed; None otherwise."""
    choice = form.get("show_password")
    if choice not in ("0", "1"):
        return None
    return choice == "1"


def required_text(
    result: Form,
    form: FormData,
    name: str,
    *,
    missing: str,
    max_length: int,
    too_long: str,
    multiline: bool = False,
) -> str:
    value = text(form, name, multiline=multiline)
    result.values[name] = value
    if not value:
        result.error(name, missing)
    elif len(value) > max_length:
        result.error(name, too_long)
    return value


def surname(result: Form, form: FormData) -> str:
    return required_text(
        result,
        form,
        "surname",
        missing=_("Enter your surname"),
        max_length=SURNAME_MAX,
        too_long=_("Surname must be {n} letters or fewer").format(n=SURNAME_MAX),
    )


def crime_reference(result: Form, form: FormData) -> str:
    return required_text(
        result,
        form,
        "reference",
        missing=_("Enter your crime reference number"),
        max_length=REFERENCE_MAX,
        too_long=_("Crime reference number must be {n} characters or fewer").format(n=REFERENCE_MAX),
    )


def password(result: Form, form: FormData, *, missing: str | None = None) -> str:
    """The password exactly as typed (spaces count); never kept in result.values."""
    raw = form.get("password")
    value = raw if isinstance(raw, str) else ""
    if not value:
        result.error("password", missing or _("Enter your password"))
    elif len(value) > PASSWORD_FIELD_MAX:
        too_long = _("Password is too long: use up to {n} characters")
        result.error("password", too_long.format(n=MAX_PASSWORD_LENGTH))
    return value


def chosen_force(result: Form, form: FormData, forces: list[Force]) -> Force | None:
    """The force the person chose, when several share this deployment; the only one otherwise."""
    if len(forces) < 2:
        # With no force at all nothing can match; the caller answers as for any mismatch.
        return forces[0] if forces else None
    code = text(form, "force")
    result.values["force"] = code
    chosen = next((force for force in forces if force.code == code), None)
    if chosen is None:
        result.error("force", _("Choose the police force you told about the crime"))
    return chosen


def _digits(raw: str) -> bool:
    """Only 0 to 9: str.isdigit also accepts '²', which int() refuses."""
    return raw.isascii() and raw.isdigit()


def _month(raw: str) -> int | None:
    if _digits(raw):
        return int(raw)
    return _MONTH_NAMES.get(raw.strip(".").lower())


def date_of_birth(
    result: Form, form: FormData, *, name: str = "date_of_birth", missing: str | None = None
) -> dt.date | None:
    """A past date from three fields (day, month, year), with GOV.UK's date error messages."""
    parts = {part: text(form, f"{name}-{part}").replace(" ", "") for part in ("day", "month", "year")}
    for part, value in parts.items():
        result.values[f"{name}-{part}"] = value[:DATE_PART_MAX]
    missing_parts = [part for part in ("day", "month", "year") if not parts[part]]
    if len(missing_parts) == 3:
        result.error(name, missing or _("Enter your date of birth"))
        return None
    if missing_parts:
        words = {"day": _("a day"), "month": _("a month"), "year": _("a year")}
        result.error(
            name,
            _("Date of birth must include {parts}").format(
                parts=_(" and ").join(words[part] for part in missing_parts)
            ),
        )
        return None
    too_long = any(len(value) > DATE_PART_MAX for value in parts.values())
    month = None if too_long else _month(parts["month"])
    if month is None or not _digits(parts["day"]) or not _digits(parts["year"]):
        result.error(name, _("Date of birth must be a real date"))
        return None
    if len(parts["year"]) != 4:
        result.error(name, _("Year must include 4 numbers"))
        return None
    try:
        born = dt.date(int(parts["year"]), month, int(parts["day"]))
    except (ValueError, OverflowError):  # OverflowError: a day or month past the C int range
        result.error(name, _("Date of birth must be a real date"))
        return None
    if born >= dt.date.today():
        result.error(name, _("Date of birth must be in the past"))
        return None
    if born.year < EARLIEST_BIRTH_YEAR:
        result.error(name, _("Date of birth must be in {year} or later").format(year=1900))
        return None
    return born


def identifying_details(
    result: Form, form: FormData, forces: list[Force]
) -> tuple[Force | None, str, str, dt.date | None]:
    """The force, surname, crime reference and date of birth that identify a victim, in page order."""
    return (
        chosen_force(result, form, forces),
        surname(result, form),
        crime_reference(result, form),
        date_of_birth(result, form),
    )
