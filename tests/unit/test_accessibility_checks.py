"""The accessibility audit's own checks (beyond axe) catch what they are meant to catch."""

from __future__ import annotations

from accessibility.audit import autocomplete_problems, heading_problems, page_states


def field(name: str, autocomplete: str | None, type_: str = "text") -> dict[str, object]:
    return {"name": name, "type": type_, "autocomplete": autocomplete}


def test_headings_need_one_h1_and_no_skipped_level():
    assert heading_problems([1, 2, 3, 2, 2, 3]) == []
    assert heading_problems([2, 3]) == ["0 h1 elements (expected one)", "h2 follows h- (a level skipped)"]
    assert heading_problems([1, 3]) == ["h3 follows h1 (a level skipped)"]
    assert heading_problems([1, 2, 1]) == ["2 h1 elements (expected one)"]


def test_personal_details_need_the_right_autocomplete():
    fine = [
        field("surname", "family-name"),
        field("date_of_birth-day", "bday-day"),
        field("date_of_birth-year", "bday-year"),
        field("email", "email"),
        field("phone", "tel"),
        field("password", "current-password", "password"),
        field("password", "new-password", "text"),  # a password shown as text
        field("reference", None),  # not personal data
    ]
    assert autocomplete_problems(fine, staff=False) == []
    missing = [
        field("surname", None),
        field("date_of_birth-month", "off"),
        field("password", "off", "password"),
    ]
    assert len(autocomplete_problems(missing, staff=False)) == 3


def test_staff_may_turn_autocomplete_off_for_someone_elses_details_but_not_passwords():
    others = [field("name", "off"), field("email", "off")]
    assert autocomplete_problems(others, staff=True) == []
    assert autocomplete_problems(others, staff=False) != []
    assert autocomplete_problems([field("password", "off", "password")], staff=True) != []


def test_every_role_and_the_states_the_brief_names_are_audited():
    states = page_states()
    assert {state.role for state in states} == {
        "visitor",
        "victim",
        "helper",
        "victim before court",  # whose Victim Personal Statement can still be written
        "officer",
        "supervisor",
        "admin",
    }
    names = " ".join(state.state for state in states)
    for kind in ("empty", "filled", "with errors", "htmx swap", "timeout warning shown", "JavaScript off"):
        assert kind in names
    assert len({(s.role, s.page, s.state) for s in states}) == len(states)


def test_anyone_may_turn_autocomplete_off_for_a_helpers_details_but_not_their_own():
    helper = [
        field("helper_surname", "off"),
        field("helper_date_of_birth-day", "off"),
        field("helper_email", "off"),
    ]
    assert autocomplete_problems(helper, staff=False) == []
    assert autocomplete_problems([field("helper_surname", None)], staff=False) != []
    assert autocomplete_problems([field("surname", "off")], staff=False) != []


def test_the_handover_conflict_and_statement_panels_are_audited_with_javascript_on_and_off():
    audited = {(s.page, s.state.removesuffix(" (JavaScript off)"), s.js) for s in page_states()}
    for page, state in (
        ("Crime", "handover note read first"),
        ("Crime", "with a held change of officer"),
        ("Victim Personal Statement", "after the first hearing"),
        ("Victim Personal Statement", "with errors"),
    ):
        assert {(page, state, True), (page, state, False)} <= audited, (page, state)
