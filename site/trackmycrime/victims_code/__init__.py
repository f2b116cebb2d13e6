"""Victims' Code entitlements, deadlines and working days.

The public API (import from trackmycrime.victims_code):

Keeping rows current (call in the writer's transaction):
    refresh_entitlements(db, crime_id, rules) -> None
    record_update_request(db, party, rules, requested_at=None) -> Entitlement
Reading what a party is owed:
    next_update_due(db, party_id) -> datetime | None     earliest unmet deadline (UTC), may be past
    owed_to_party(db, party_id) -> list[Entitlement]     unmet, soonest first
    event_label(event) -> str                            "Suspect arrested", "Regular update"
    portal_note(party) -> str | None                     opted out / deleted account: tell another way
Officers and supervisors:
    describe_due(calendar, due_at, now=None) -> str               "overdue by 2 working days", "due tomorrow"
    is_overdue(due_at, now=None) -> bool
    next_due_by_crime(db, force_id, crime_ids) -> dict[crime_id, datetime]
    next_due_by_crime_query(force_id) -> Select          (crime_id, next_due_at) to join and order by
    owed_items(db, force_id, officer_id=, team=, overdue_only=, now=) -> list[OwedItem]
    on_time_rate(db, force_id, start, end, officer_id=, team=, events=, now=) -> OnTimeRate
    on_time_rates_by_officer(db, force_id, start, end) -> list[(Officer | None, OnTimeRate)]
    on_time_rates_by_team(db, force_id, start, end) -> list[(team, OnTimeRate)]
    on_time_rates_by_event(db, force_id, start, end) -> list[(event, OnTimeRate)]
    monthly_on_time_rates(db, force_id, months=12, officer_id=, team=) -> list[(date of 1st, OnTimeRate)]
    due_soon_cutoff(calendar, now=None, working_days=1) -> datetime   end of the next working day, "due soon"
Working days (working_days.py): london_date, end_of_london_day, WorkingCalendar (one calendar,
    given its extra days; it knows nothing of the rules in use).
Rules (rules.py): load_rules(path), RulesError. The rules a process uses are loaded once from its
    settings (app.state.rules in the site; CLI commands and the worker load their own) and passed in.
Telling someone outside the portal (counts like any other telling): outside_contact.record_outside_contact.
The rules themselves, in words: entitlements.py's docstring and docs/victims-code.md.
"""

from .entitlements import (
    UPDATE_REQUESTED,
    event_label,
    next_update_due,
    owed_to_party,
    portal_note,
    record_update_request,
    refresh_entitlements,
)
from .reporting import (
    OnTimeRate,
    OwedItem,
    describe_due,
    due_soon_cutoff,
    is_overdue,
    monthly_on_time_rates,
    next_due_by_crime,
    next_due_by_crime_query,
    on_time_rate,
    on_time_rates_by_event,
    on_time_rates_by_officer,
    on_time_rates_by_team,
    owed_items,
)
from .rules import (
    REGULAR_CONTACT,
    Rules,
    RulesError,
    load_rules,
)
from .working_days import end_of_london_day, london_date

__all__ = [
    "REGULAR_CONTACT",
    "UPDATE_REQUESTED",
    "OnTimeRate",
    "OwedItem",
    "Rules",
    "RulesError",
    "describe_due",
    "due_soon_cutoff",
    "monthly_on_time_rates",
    "on_time_rates_by_event",
    "end_of_london_day",
    "event_label",
    "is_overdue",
    "load_rules",
    "london_date",
    "next_due_by_crime",
    "next_due_by_crime_query",
    "next_update_due",
    "on_time_rate",
    "on_time_rates_by_officer",
    "on_time_rates_by_team",
    "owed_items",
    "owed_to_party",
    "portal_note",
    "record_update_request",
    "refresh_entitlements",
]
