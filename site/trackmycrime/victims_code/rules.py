"""The Victims' Code rules table (rules.toml, or the file TMC_VICTIMS_CODE_RULES names), checked on load."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SettingsError
from ..models import PartyRole
from ..statuses import EVENT_CODES, STATUS_CODES
from .working_days import WorkingCalendar

DEFAULT_RULES_PATH = Path(__file__).with_name("rules.toml")
REGULAR_CONTACT = "regular_contact"
MAX_WORKING_DAYS = 60


class RulesError(SettingsError):
    """The rules file cannot be used; the message names the file and the problem, in one line."""


@dataclass(frozen=True)
class EventRule:
    """An event (a status from the records system) that parties must be told of, and how soon."""

    status: str
    owed_to: frozenset[str]
    working_days: int
    enhanced_rights_working_days: int

    def is_owed_to(self, role: str) -> bool:
        return role in self.owed_to

    def deadline_in_working_days(self, enhanced_rights: bool) -> int:
        return self.enhanced_rights_working_days if enhanced_rights else self.working_days


@dataclass(frozen=True)
class PersonalStatementRule:
    """Who may make a Victim Personal Statement, and how soon after which events they must be offered it."""

    owed_to: frozenset[str] = frozenset({PartyRole.VICTIM})
    offer_after: frozenset[str] = frozenset({"charged", "decision_charged"})
    working_days: int = 5
    enhanced_rights_working_days: int = 1

    def is_owed_to(self, role: str) -> bool:
        return role in self.owed_to

    def deadline_in_working_days(self, enhanced_rights: bool) -> int:
        return self.enhanced_rights_working_days if enhanced_rights else self.working_days


@dataclass(frozen=True)
class Rules:
    """Which events are owed to whom and by when, who is owed regular contact, and the calendar."""

    events: Mapping[str, EventRule]
    working_days: int
    enhanced_rights_working_days: int
    regular_contact_owed_to: frozenset[str]
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    source: str = ""
    personal_statement: PersonalStatementRule = field(default_factory=PersonalStatementRule)

    def event(self, status: str | None) -> EventRule | None:
        """The rule for a status code, or None when that status owes nobody anything."""
        return self.events.get(status) if status else None

    def deadline_in_working_days(self, enhanced_rights: bool) -> int:
        """The general deadline, for things owed that are not status events (e.g. a request)."""
        return self.enhanced_rights_working_days if enhanced_rights else self.working_days


# ---------------------------------------------------------------- checking a file


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, problem: str) -> RulesError:
        return RulesError(f"Victims' Code rules in {self.source}: {problem}")

    def table(self, data: Mapping[str, Any], name: str, allowed: set[str]) -> Mapping[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            raise self.fail(f"[{name}] must be a table.")
        self.no_unknown_keys(value, allowed, f"[{name}]")
        return value

    def no_unknown_keys(self, data: Mapping[str, Any], allowed: set[str], where: str) -> None:
        unknown = sorted(set(data) - allowed)
        if unknown:
            known = ", ".join(sorted(allowed))
            raise self.fail(f"unknown setting {unknown[0]!r} in {where} (known settings: {known}).")

    def working_days(self, value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{where} must be a whole number of working days, not {value!r}.")
        if not 0 <= value <= MAX_WORKING_DAYS:
            raise self.fail(f"{where} must be between 0 and {MAX_WORKING_DAYS} working days, not {value}.")
        return value

    def roles(self, value: Any, where: str) -> frozenset[str]:
        if not isinstance(value, list) or not all(isinstance(role, str) for role in value):
            raise self.fail(f'{where} must be a list such as ["victim", "witness"], not {value!r}.')
        for role in value:
            if role not in PartyRole.ALL:
                raise self.fail(f'{where} names {role!r}: use "victim" or "witness".')
        return frozenset(value)

    def dates(self, value: Any, where: str) -> frozenset[dt.date]:
        if not isinstance(value, list):
            raise self.fail(f'{where} must be a list of dates such as ["2027-06-07"], not {value!r}.')
        found = set()
        for item in value:
            if isinstance(item, dt.date) and not isinstance(item, dt.datetime):
                found.add(item)
                continue
            try:
                found.add(dt.date.fromisoformat(str(item)))
            except ValueError:
                raise self.fail(f"{where} has {item!r}, which is not a date like 2027-06-07.") from None
        return frozenset(found)


_TOP_LEVEL = {"deadlines", "regular_contact", "calendar", "events", "personal_statement"}
_PERSONAL_STATEMENT_KEYS = {"owed_to", "offer_after", "working_days", "enhanced_rights_working_days"}
_EVENT_KEYS = {"status", "owed_to", "working_days", "enhanced_rights_working_days"}


def parse_rules(data: Mapping[str, Any], source: str = "rules") -> Rules:
    """Check a parsed rules table and build the Rules; RulesError names the first problem found."""
    check = _Checker(source)
    check.no_unknown_keys(data, _TOP_LEVEL, "the file")
    deadlines = check.table(data, "deadlines", {"working_days", "enhanced_rights_working_days"})
    for name in ("working_days", "enhanced_rights_working_days"):
        if name not in deadlines:
            raise check.fail(f"[deadlines] needs {name}.")
    general = check.working_days(deadlines["working_days"], "[deadlines] working_days")
    enhanced = check.working_days(
        deadlines["enhanced_rights_working_days"], "[deadlines] enhanced_rights_working_days"
    )
    regular = check.table(data, "regular_contact", {"owed_to"})
    calendar = check.table(data, "calendar", {"extra_bank_holidays"})
    events = _parse_events(check, data.get("events", []), general, enhanced)
    personal_statement = _parse_personal_statement(check, data, general, enhanced)
    return Rules(
        events=events,
        working_days=general,
        enhanced_rights_working_days=enhanced,
        regular_contact_owed_to=check.roles(
            regular.get("owed_to", [PartyRole.VICTIM]), "[regular_contact] owed_to"
        ),
        calendar=WorkingCalendar(
            check.dates(calendar.get("extra_bank_holidays", []), "[calendar] extra_bank_holidays")
        ),
        source=source,
        personal_statement=personal_statement,
    )


def _parse_personal_statement(
    check: _Checker, data: Mapping[str, Any], general: int, enhanced: int
) -> PersonalStatementRule:
    table = check.table(data, "personal_statement", _PERSONAL_STATEMENT_KEYS)
    if not table:
        return PersonalStatementRule(working_days=general, enhanced_rights_working_days=enhanced)
    where = "[personal_statement]"
    offer_after = table.get("offer_after", sorted(PersonalStatementRule.offer_after))
    if not isinstance(offer_after, list) or not offer_after:
        raise check.fail(f'{where} offer_after must be a list such as ["charged"], not {offer_after!r}.')
    for code in offer_after:
        if code not in STATUS_CODES + EVENT_CODES:
            raise check.fail(f"{where} offer_after names {code!r}, which is not a status code or case event.")
    return PersonalStatementRule(
        owed_to=check.roles(table.get("owed_to", [PartyRole.VICTIM]), f"{where} owed_to"),
        offer_after=frozenset(offer_after),
        working_days=check.working_days(table.get("working_days", general), f"{where} working_days"),
        enhanced_rights_working_days=check.working_days(
            table.get("enhanced_rights_working_days", enhanced), f"{where} enhanced_rights_working_days"
        ),
    )


def _parse_events(check: _Checker, rows: Any, general: int, enhanced: int) -> dict[str, EventRule]:
    if not isinstance(rows, list) or not rows:
        raise check.fail("there are no [[events]]: list the events parties must be told of.")
    events: dict[str, EventRule] = {}
    for number, row in enumerate(rows, start=1):
        where = f"[[events]] number {number}"
        if not isinstance(row, dict):
            raise check.fail(f"{where} must be a table.")
        check.no_unknown_keys(row, _EVENT_KEYS, where)
        status = row.get("status")
        if status not in STATUS_CODES + EVENT_CODES:
            raise check.fail(
                f"{where} has status {status!r}, which is not a status code or case event "
                f"(one of: {', '.join(STATUS_CODES + EVENT_CODES)})."
            )
        where = f"[[events]] {status}"
        if status in events:
            raise check.fail(f"{where} is listed twice.")
        if "owed_to" not in row:
            raise check.fail(f'{where} needs owed_to, e.g. ["victim"].')
        events[status] = EventRule(
            status=status,
            owed_to=check.roles(row["owed_to"], f"{where} owed_to"),
            working_days=check.working_days(row.get("working_days", general), f"{where} working_days"),
            enhanced_rights_working_days=check.working_days(
                row.get("enhanced_rights_working_days", enhanced), f"{where} enhanced_rights_working_days"
            ),
        )
    return events


def load_rules(path: str | Path | None = None) -> Rules:
    """Read and check a rules file (the shipped one when no path is given)."""
    path = Path(path) if path else DEFAULT_RULES_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulesError(f"Victims' Code rules file {path} does not exist.") from None
    except OSError as error:
        raise RulesError(f"Victims' Code rules file {path} cannot be read: {error.strerror}.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RulesError(f"Victims' Code rules in {path}: not valid TOML ({error}).") from None
    return parse_rules(data, str(path))
