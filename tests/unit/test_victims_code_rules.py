"""The Victims' Code rules table: the shipped one, a force's own, and clear errors for mistakes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trackmycrime.app import create_app
from trackmycrime.case_updates import is_visible_to
from trackmycrime.cli import main
from trackmycrime.models import Audience, CaseUpdate, Crime, Message, MessageDirection, Party, PartyRole
from trackmycrime.settings import Settings, SettingsError, load_settings
from trackmycrime.statuses import STATUS_CODES
from trackmycrime.victims_code.entitlements import PERSONAL_STATEMENT_OFFER, _closure_at, owed_rows
from trackmycrime.victims_code.rules import (
    DEFAULT_RULES_PATH,
    REGULAR_CONTACT,
    RulesError,
    load_rules,
)
from trackmycrime.victims_code.working_days import LONDON

GOOD = """
[deadlines]
working_days = 5
enhanced_rights_working_days = 1

[regular_contact]
owed_to = ["victim", "witness"]

[calendar]
extra_bank_holidays = ["2027-06-07", 2027-06-08]

[[events]]
status = "charged"
owed_to = ["victim", "witness"]
working_days = 3

[[events]]
status = "closed"
owed_to = ["victim"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_rules_follow_the_code() -> None:
    rules = load_rules()
    assert rules.working_days == 5
    assert rules.enhanced_rights_working_days == 1
    assert set(rules.events) == {
        "suspect_arrested",
        "suspect_interviewed",
        "released_no_further_action",
        "released_on_bail",
        "released_under_investigation",
        "charged",
        "no_further_action",
        "court_date_set",
        "closed",
        "hearing_listed",
        "hearing_moved",
        "hearing_vacated",
        "hearing_outcome",
        "decision_charged",
        "decision_no_further_action",
        "decision_out_of_court_resolution",
    }
    for hearing_event in ("hearing_listed", "hearing_moved", "hearing_vacated", "hearing_outcome"):
        rule = rules.event(hearing_event)
        assert rule is not None and rule.is_owed_to("victim") and rule.is_owed_to("witness")
        assert rule.deadline_in_working_days(enhanced_rights=False) == 1
    arrested = rules.event("suspect_arrested")
    assert arrested is not None
    assert arrested.is_owed_to("victim") and not arrested.is_owed_to("witness")
    assert arrested.deadline_in_working_days(enhanced_rights=True) == 1
    assert arrested.deadline_in_working_days(enhanced_rights=False) == 5
    assert rules.event("officer_assigned") is None
    assert rules.event(None) is None
    assert rules.regular_contact_owed_to == {"victim"}


def test_a_forces_own_rules_file(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, GOOD))
    charged = rules.event("charged")
    assert charged is not None
    assert charged.owed_to == {"victim", "witness"}
    assert charged.working_days == 3
    assert charged.enhanced_rights_working_days == 1  # from [deadlines]
    assert rules.event("suspect_arrested") is None
    assert rules.regular_contact_owed_to == {"victim", "witness"}
    assert not rules.calendar.is_working_day(dt.date(2027, 6, 7))
    assert not rules.calendar.is_working_day(dt.date(2027, 6, 8))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("working_days = 5\n", "working_days = -1\n"), "[deadlines] working_days must be between 0 and 60"),
        (
            ("working_days = 5\n", 'working_days = "five"\n'),
            "[deadlines] working_days must be a whole number",
        ),
        (("working_days = 5\n", ""), "[deadlines] needs working_days"),
        (('status = "charged"', 'status = "arrested"'), "[[events]] number 1 has status 'arrested'"),
        (('status = "closed"', 'status = "charged"'), "[[events]] charged is listed twice"),
        (('owed_to = ["victim"]\n', 'owed_to = ["victims"]\n'), "[[events]] closed owed_to names 'victims'"),
        (('owed_to = ["victim"]\n', 'owed_to = "victim"\n'), "[[events]] closed owed_to must be a list"),
        (('owed_to = ["victim"]\n', ""), "[[events]] closed needs owed_to"),
        (("working_days = 3", "workingdays = 3"), "unknown setting 'workingdays' in [[events]] number 1"),
        (("[calendar]", "[calender]"), "unknown setting 'calender' in the file"),
        (('"2027-06-07"', '"7 June 2027"'), "[calendar] extra_bank_holidays has '7 June 2027'"),
        (("[[events]]", "[[event]]"), "unknown setting 'event'"),
        (("= 1\n", "= 1\nx = \n"), "not valid TOML"),
    ],
)
def test_a_mistake_in_the_rules_is_named(tmp_path: Path, change: tuple[str, str], problem: str) -> None:
    old, new = change
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    message = str(caught.value)
    assert problem in message
    assert str(path) in message
    assert "\n" not in message


def test_the_personal_statement_offer_is_in_the_rules(tmp_path: Path) -> None:
    shipped = load_rules().personal_statement
    assert shipped.owed_to == {"victim"} and shipped.offer_after == {"charged", "decision_charged"}
    assert load_rules(write(tmp_path, GOOD)).personal_statement.working_days == 5  # from [deadlines]

    def with_statement(owed_to: str, offer_after: str) -> str:
        return GOOD + f"\n[personal_statement]\nowed_to = {owed_to}\noffer_after = {offer_after}\n"

    rule = load_rules(
        write(tmp_path, with_statement('["victim", "witness"]', '["charged"]'))
    ).personal_statement
    assert rule.is_owed_to("witness") and rule.offer_after == {"charged"}
    for owed_to, offer_after, problem in (
        ('["victim"]', '["arrested"]', "[personal_statement] offer_after names 'arrested'"),
        ('["victims"]', '["charged"]', "[personal_statement] owed_to names 'victims'"),
    ):
        with pytest.raises(RulesError, match=re.escape(problem)):
            load_rules(write(tmp_path, with_statement(owed_to, offer_after)))


def test_rules_without_events_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.split("[[events]]")[0])
    with pytest.raises(RulesError, match=r"there are no \[\[events\]\]"):
        load_rules(path)


def test_a_missing_rules_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="does not exist"):
        load_rules(tmp_path / "nowhere.toml")


def test_the_setting_is_checked_when_settings_are_read(tmp_path: Path) -> None:
    assert load_settings({}).victims_code_rules == ""
    good = write(tmp_path, GOOD)
    assert load_settings({"TMC_VICTIMS_CODE_RULES": str(good)}).victims_code_rules == str(good)
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings({"TMC_VICTIMS_CODE_RULES": str(tmp_path / "nowhere.toml")})


def test_the_app_uses_the_rules_file_the_settings_name(tmp_path: Path) -> None:
    good = write(tmp_path, GOOD)
    app = create_app(
        Settings(
            mode="test", database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}", victims_code_rules=str(good)
        )
    )
    assert app.state.rules.source == str(good)
    app = create_app(Settings(mode="test", database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}"))
    assert app.state.rules.source == str(DEFAULT_RULES_PATH)


def test_the_check_command_summarises_or_names_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["victims-code", "check", str(write(tmp_path, GOOD))])
    shown = capsys.readouterr().out
    assert "charged: victim, witness within 3 working days (1 with enhanced rights)" in shown
    assert "Extra bank holidays: 2027-06-07, 2027-06-08" in shown

    with pytest.raises(SystemExit) as stopped:
        main(["victims-code", "check", str(write(tmp_path, GOOD.replace("= 5", "= 99")))])
    assert stopped.value.code == 2
    assert "must be between 0 and 60 working days, not 99" in capsys.readouterr().err


def test_the_bank_holidays_command_lists_a_year(capsys: pytest.CaptureFixture[str]) -> None:
    main(["victims-code", "bank-holidays", "2026"])
    shown = capsys.readouterr().out.splitlines()
    assert "2026-05-25 Monday: Spring Bank Holiday" in shown
    assert "2026-12-28 Monday: Boxing Day (observed)" in shown


# ---------------------------------------------------------------- the entitlement rules, as properties

BASE = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
offsets = st.integers(min_value=0, max_value=120 * 24 * 60).map(
    lambda minutes: BASE + dt.timedelta(minutes=minutes)
)


@st.composite
def histories(draw: st.DrawFn) -> tuple[Crime, list[Party], list[CaseUpdate], list[Message]]:
    crime = Crime(
        id=1,
        force_id=1,
        reference="CR1",
        reference_key="CR1",
        offence="Theft",
        reported_at=BASE,
        created_at=BASE,
    )
    parties = [
        Party(
            id=number,
            crime_id=1,
            rms_party_id=f"P{number}",
            surname="Party",
            surname_key="party",
            role=draw(st.sampled_from(PartyRole.ALL)),
            enhanced_rights=draw(st.booleans()),
            update_interval_days=draw(st.sampled_from([0, 7, 14, 28])),
            created_at=BASE,
            # Told by the portal only once registered (issue 18): from the start, later, or never.
            registered_at=draw(st.one_of(st.just(BASE), st.none(), offsets)),
        )
        for number in range(1, draw(st.integers(1, 3)) + 1)
    ]
    updates = []
    for number in range(1, draw(st.integers(0, 8)) + 1):
        occurred = draw(offsets)
        party = draw(st.sampled_from(parties))
        audience = draw(st.sampled_from([Audience.ALL, Audience.VICTIMS, Audience.PARTY]))
        updates.append(
            CaseUpdate(
                id=number,
                crime_id=1,
                status=draw(st.sampled_from([None, *STATUS_CODES])),
                text=draw(st.sampled_from(["", "  ", "News for you."])),
                audience=audience,
                party_id=party.id if audience == Audience.PARTY else None,
                occurred_at=occurred,
                created_at=occurred + dt.timedelta(hours=draw(st.integers(0, 240))),
            )
        )
    messages = [
        Message(
            id=number,
            crime_id=1,
            party_id=draw(st.sampled_from(parties)).id,
            direction=MessageDirection.TO_PARTY,
            created_at=draw(offsets),
        )
        for number in range(1, draw(st.integers(0, 5)) + 1)
    ]
    if draw(st.booleans()):
        crime.closed_at = draw(offsets)
    return crime, parties, updates, messages


def tellings_of(
    party: Party, updates: list[CaseUpdate], messages: list[Message]
) -> list[tuple[dt.datetime, dt.datetime, str]]:
    """(about, at, by) for everything that told the party something: through the portal, only once
    they registered (what was there before counts from then), never while unregistered."""
    if party.registered_at is None:
        return []
    opens = party.registered_at
    told = [
        (u.occurred_at, max(u.occurred_at, u.created_at, opens), "update")
        for u in updates
        if u.text.strip() and is_visible_to(u, party)
    ]
    return told + [
        (m.created_at, max(m.created_at, opens), "message") for m in messages if m.party_id == party.id
    ]


@given(histories())
@settings(max_examples=300, deadline=None)
def test_what_is_owed_follows_the_rules(
    history: tuple[Crime, list[Party], list[CaseUpdate], list[Message]],
) -> None:
    crime, parties, updates, messages = history
    rules = load_rules()
    rows, _ = owed_rows(crime, parties, updates, messages, rules)
    closure_at = _closure_at(crime, updates)
    # The events: each change of the crime's status, in the order they happened (a repeat is none).
    changes, current = set(), None
    for update in sorted(updates, key=lambda u: (u.occurred_at, u.id)):
        if update.status and update.status != current:
            changes.add(update.id)
        current = update.status or current
    for party in parties:
        told = tellings_of(party, updates, messages)
        mine = {key: owed for key, owed in rows.items() if key[0] == party.id}
        for (_, event, event_key), owed in mine.items():
            local_due = owed.due_at.astimezone(LONDON)
            assert local_due.time() == dt.time(23, 59, 59, 999999)
            assert rules.calendar.is_working_day(local_due.date())
            assert owed.enhanced_rights == party.enhanced_rights
            if owed.met_at is not None:
                assert owed.met_at >= owed.event_at
                assert (owed.met_at, owed.met_by) in {(at, by) for _, at, by in told}
            if event == PERSONAL_STATEMENT_OFFER:
                # Owed from the first event the rules name, met only by recording the offer (none here).
                statement_rule = rules.personal_statement
                first = min(
                    (u for u in updates if u.id in changes and u.status in statement_rule.offer_after),
                    key=lambda u: (u.occurred_at, u.id),
                )
                assert event_key == str(first.id) and statement_rule.is_owed_to(party.role)
                assert owed.met_at is None and owed.event_at == first.occurred_at
                assert owed.due_at == rules.calendar.deadline(
                    owed.event_at, statement_rule.deadline_in_working_days(party.enhanced_rights)
                )
                continue
            if event == REGULAR_CONTACT:
                assert owed.met_at is None or owed.met_at > owed.due_at  # only lapsed periods are kept
                assert closure_at is None or owed.due_at <= closure_at
                continue
            # An event: met by the earliest telling about something at or after it, and by nothing else.
            after = sorted(at for about, at, _ in told if about >= owed.event_at)
            assert owed.met_at == (after[0] if after else None)
            update = next(u for u in updates if str(u.id) == event_key)
            # Owed whoever the update was addressed to: its audience decides only who it tells.
            assert update.status == event and update.id in changes
            rule = rules.event(event)
            assert rule is not None and rule.is_owed_to(party.role)
            assert owed.due_at == rules.calendar.deadline(
                owed.event_at, rule.deadline_in_working_days(party.enhanced_rights)
            )
        # Every event the rules give this party is owed, until they were told of the closure.
        closure_told = None
        if closure_at is not None:
            told_after_closure = sorted(at for about, at, _ in told if about >= closure_at)
            closure_told = told_after_closure[0] if told_after_closure else None
        for update in updates:
            rule = rules.event(update.status)
            owed = rule is not None and rule.is_owed_to(party.role) and update.id in changes
            if closure_told is not None and update.occurred_at > closure_told:
                owed = False
            assert ((party.id, update.status, str(update.id)) in mine) == owed
        open_regular = [
            key for key, owed in mine.items() if key[1] == REGULAR_CONTACT and owed.met_at is None
        ]
        assert len(open_regular) <= 1
        if (
            crime.closed_at is None
            and party.update_interval_days > 0
            and party.role in rules.regular_contact_owed_to
        ):
            assert len(open_regular) == 1
