"""Whole-site accessibility audit: every page and state, per role and width, with axe-core and more."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.axe import WCAG_TAGS, axe_violations

WIDTHS = (320, 768, 1280)
ROLES = ("visitor", "victim", "officer", "supervisor", "admin")
FOLDER = Path(__file__).resolve().parent
REPORT = FOLDER / "report.md"
SUMMARY = FOLDER.parent / "site" / "trackmycrime" / "data" / "accessibility-audit.json"
TITLE_FORM = re.compile(r"^(?:Error: )?(?P<page>.+) – TrackMyCrime – (?P<force>.+)$")

# Known problems that no automated check can settle: they go into the statement as they are.
KNOWN_ISSUES = [
    "The service has not yet had a full audit by accessibility specialists or been tested with disabled "
    "users, so there may be problems that automated testing cannot find.",
]

Step = Callable[[Any], None]


@dataclass(frozen=True)
class State:
    """One page in one state, as one role sees it. `path` may name {crime_id}."""

    role: str
    page: str
    state: str
    path: str
    steps: tuple[Step, ...] = ()
    failed_submit: bool = False
    optional: bool = False  # a page still being built: skipped while it answers 404


@dataclass
class Finding:
    role: str
    page: str
    state: str
    width: int | None
    check: str
    message: str


@dataclass
class AuditResult:
    date: dt.date
    axe_version: str
    widths: tuple[int, ...]
    tested: list[State] = field(default_factory=list)
    skipped: list[State] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def pages(self) -> list[str]:
        return sorted({state.page for state in self.tested})


# Steps a state is reached by.


def fill(label: str, value: str) -> Step:
    return lambda page: page.get_by_label(label, exact=True).fill(value)


def press(button: str) -> Step:
    return lambda page: page.get_by_role("button", name=button, exact=True).first.click()


def follow(link: str) -> Step:
    def step(page: Any) -> None:
        with page.expect_navigation():
            page.get_by_role("link", name=link, exact=True).first.click()

    return step


def wait_for(selector: str) -> Step:
    return lambda page: page.locator(selector).first.wait_for(state="visible")


def show_idle_warning(page: Any) -> None:
    """Open the idle-timeout warning as tmc.js does when the session is about to end."""
    page.locator("[data-idle-warning]").evaluate("dialog => dialog.showModal()")
    page.locator("[data-idle-warning]").wait_for(state="visible")


ERRORS = wait_for(".error-summary")


def page_states() -> list[State]:
    """Every page of the site and the states it has. Add new pages here."""
    states = [
        State("visitor", "Start page", "empty", "/"),
        State("visitor", "Accessibility statement", "empty", "/accessibility"),
        State("visitor", "Sign in", "empty", "/sign-in"),
        State(
            "visitor",
            "Sign in",
            "filled",
            "/sign-in",
            (fill("Surname", "Smith"), fill("Crime reference number", "DP-2026-000123"), fill("Day", "4")),
        ),
        State(
            "visitor", "Sign in", "with errors", "/sign-in", (press("Sign in"), ERRORS), failed_submit=True
        ),
        State("visitor", "Register", "empty", "/register"),
        State(
            "visitor", "Register", "with errors", "/register", (press("Continue"), ERRORS), failed_submit=True
        ),
        State("visitor", "Forgotten password", "empty", "/forgotten-password"),
        State(
            "visitor",
            "Forgotten password",
            "with errors",
            "/forgotten-password",
            (press("Send reset link"), ERRORS),
            failed_submit=True,
        ),
        State(
            "visitor",
            "Reset link sent",
            "empty",
            "/forgotten-password",
            (
                fill("Surname", "Nobody"),
                fill("Crime reference number", "DP-2026-999999"),
                fill("Day", "1"),
                fill("Month", "2"),
                fill("Year", "1980"),
                press("Send reset link"),
                lambda page: page.wait_for_url("**/forgotten-password/sent*"),
            ),
        ),
        State("visitor", "Signed out", "empty", "/signed-out"),
        State("visitor", "Officer sign in", "empty", "/officer/sign-in"),
        State(
            "visitor",
            "Officer sign in",
            "with errors",
            "/officer/sign-in",
            (press("Sign in"), ERRORS),
            failed_submit=True,
        ),
        State("victim", "Your case", "empty", "/case"),
        State(
            "victim",
            "Your case",
            "message filled",
            "/case",
            (fill("Your message", "Thank you for the update."),),
        ),
        State(
            "victim",
            "Your case",
            "message with errors (htmx swap)",
            "/case",
            (press("Send message"), ERRORS),
            failed_submit=True,
        ),
        State(
            "victim",
            "Your case",
            "message sent (htmx swap)",
            "/case",
            (
                fill("Your message", "Thank you for the update."),
                press("Send message"),
                wait_for("#send-message .notification"),
            ),
        ),
        State("victim", "Your case", "timeout warning shown", "/case", (show_idle_warning,)),
        State("victim", "Alerts and account", "empty", "/preferences"),
        State("victim", "Opt out", "empty", "/opt-out"),
        State("victim", "Feedback", "empty", "/feedback"),
        State(
            "victim",
            "Feedback",
            "with errors",
            "/feedback",
            (press("Send feedback"), ERRORS),
            failed_submit=True,
        ),
        State(
            "victim",
            "Feedback sent",
            "empty",
            "/feedback",
            (
                lambda page: page.locator("form[action='/feedback'] input[type=radio]").first.check(),
                press("Send feedback"),
                lambda page: page.wait_for_url("**/feedback/thank-you*"),
            ),
        ),
        State("victim", "Delete account", "empty", "/delete-account"),
        State("victim", "Your rights", "empty", "/rights", optional=True),
        State("victim", "Support", "empty", "/support", optional=True),
        State("victim", "Property", "empty", "/property", optional=True),
        State("officer", "Inbox", "empty", "/officer"),
        State("officer", "Inbox", "search results", "/officer?q=o%27brien"),
        State("officer", "Inbox", "no search results", "/officer?q=nobody-at-all"),
        State("officer", "Your account", "empty", "/officer/account"),
        State("officer", "Change password", "empty", "/officer/password"),
        State(
            "officer",
            "Change password",
            "with errors",
            "/officer/password",
            (fill("Current password", "wrong"), press("Change password"), ERRORS),
            failed_submit=True,
        ),
        State("officer", "Two-step verification", "empty", "/officer/two-factor"),
        State("officer", "Crime", "empty", "/officer/crimes/{crime_id}"),
        State(
            "officer",
            "Crime",
            "standard update chosen (htmx swap)",
            "/officer/crimes/{crime_id}",
            (lambda page: page.locator("#field-template").select_option(index=1), press("Use this text")),
        ),
        State(
            "officer",
            "Crime",
            "reply with errors (htmx swap)",
            "/officer/crimes/{crime_id}",
            (lambda page: page.locator("[id^=send-reply-]").first.click(), ERRORS),
            failed_submit=True,
        ),
        State(
            "officer", "Crime", "timeout warning shown", "/officer/crimes/{crime_id}", (show_idle_warning,)
        ),
        State("supervisor", "All crimes", "empty", "/officer/crimes"),
        State("supervisor", "All crimes", "filtered to none", "/officer/crimes?status=court_date_set"),
        State(
            "supervisor",
            "Crime",
            "with people not yet registered",
            "/officer/crimes",
            (follow("DP-2026-001012"),),
        ),
        State("supervisor", "Crime", "closed", "/officer/crimes", (follow("DP-2026-000789"),)),
        State("supervisor", "Victims' Code compliance", "empty", "/officer/compliance"),
        State(
            "supervisor",
            "Victims' Code compliance",
            "with errors",
            "/officer/compliance?period=custom&from-day=31&from-month=2&from-year=2026&to-day=1&to-month=13&to-year=2026",
        ),
        State("supervisor", "Statistics", "empty", "/officer/statistics"),
        State("supervisor", "Statistics", "last 12 months", "/officer/statistics?period=last-12-months"),
        State("admin", "Admin", "empty", "/officer/admin"),
        State("admin", "Officers", "empty", "/officer/admin/officers"),
        State("admin", "An officer", "empty", "/officer/admin/officers", (follow("DC Lee Evans"),)),
        State("admin", "Add an officer", "empty", "/officer/admin/officers/new"),
        State(
            "admin",
            "Add an officer",
            "with errors",
            "/officer/admin/officers/new",
            (press("Add officer"), ERRORS),
            failed_submit=True,
        ),
        State("admin", "API keys", "empty", "/officer/admin/api-keys"),
        State(
            "admin",
            "API keys",
            "with errors",
            "/officer/admin/api-keys",
            (press("Create key"), ERRORS),
            failed_submit=True,
        ),
        State("admin", "Force settings", "empty", "/officer/admin/force"),
        State(
            "admin",
            "Force settings",
            "with errors",
            "/officer/admin/force",
            (fill("Force name", ""), press("Save settings"), ERRORS),
            failed_submit=True,
        ),
        # Last of all: it ends the victim's account, which the officer states above still need.
        State(
            "victim",
            "Account deleted",
            "empty",
            "/delete-account",
            (press("Delete my account"), lambda page: page.wait_for_url("**/account-deleted")),
        ),
    ]
    return states


# Checks beyond axe, made in the page in one go.

PAGE_FACTS = """() => {
  const shown = e => e.getClientRects().length > 0;
  // The error summary's heading comes before the h1 (the GOV.UK pattern) and a dialog's heading
  // starts an outline of its own: neither belongs to the page's heading order.
  const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter(shown)
    .filter(h => !h.closest(".error-summary, dialog"));
  const active = document.activeElement;
  return {
    lang: document.documentElement.getAttribute("lang") || "",
    title: document.title,
    levels: headings.map(h => Number(h.tagName[1])),
    scrollWidth: document.documentElement.scrollWidth,
    inputs: [...document.querySelectorAll("input, select, textarea")].filter(shown).map(i => ({
      name: i.name || "", type: (i.getAttribute("type") || "").toLowerCase(),
      autocomplete: i.hasAttribute("autocomplete") ? i.getAttribute("autocomplete") : null })),
    focusInErrorSummary: !!(active && active.closest("[data-error-summary], .error-summary")),
  };
}"""

# Field name -> autocomplete tokens that fit (WCAG 1.3.5). "off" only where staff enter someone else's data.
AUTOCOMPLETE = [
    (re.compile(r"(^|[_-])(surname|family_name|last_name)$"), {"family-name"}),
    (re.compile(r"(^|[_-])(first_name|given_name)$"), {"given-name"}),
    (re.compile(r"^(full_)?name$"), {"name"}),
    (re.compile(r"e-?mail"), {"email", "username"}),
    (re.compile(r"(phone|mobile|^tel$)"), {"tel", "tel-national"}),
    (re.compile(r"(date_of_birth|dob|born)-day$"), {"bday-day"}),
    (re.compile(r"(date_of_birth|dob|born)-month$"), {"bday-month"}),
    (re.compile(r"(date_of_birth|dob|born)-year$"), {"bday-year"}),
]
PASSWORD_TOKENS = {"current-password", "new-password"}


def autocomplete_problems(inputs: Iterable[dict[str, Any]], staff: bool) -> list[str]:
    problems = []
    for field_ in inputs:
        is_password = field_["type"] == "password" or "password" in field_["name"]  # shown passwords are text
        wanted = PASSWORD_TOKENS if is_password else None
        for pattern, tokens in AUTOCOMPLETE:
            if wanted is None and pattern.search(field_["name"]):
                wanted = tokens
        if wanted is None:
            continue
        given = (field_["autocomplete"] or "").split()
        token = given[-1] if given else ""
        if token not in wanted and not (staff and token == "off" and not is_password):
            given_text = repr(field_["autocomplete"])
            problems.append(
                f"`{field_['name']}` has autocomplete={given_text}, expected one of {sorted(wanted)}"
            )
    return problems


def heading_problems(levels: list[int]) -> list[str]:
    problems = []
    if levels.count(1) != 1:
        problems.append(f"{levels.count(1)} h1 elements (expected one)")
    previous = 0
    for level in levels:
        if level > previous + 1:
            problems.append(f"h{level} follows h{previous or '-'} (a level skipped)")
        previous = level
    return problems


class Auditor:
    """Visits each state once per role's signed-in page, then checks it at each width."""

    def __init__(self, base_url: str, pages_by_role: dict[str, Any], params: dict[str, Any]) -> None:
        self.base_url = base_url
        self.pages_by_role = pages_by_role
        self.params = params
        self.result = AuditResult(date=dt.date.today(), axe_version="", widths=WIDTHS)
        self.titles: dict[str, set[str]] = {}

    def note(self, state: State, width: int | None, check: str, message: str) -> None:
        self.result.findings.append(Finding(state.role, state.page, state.state, width, check, message))

    def visit(self, state: State) -> None:
        page = self.pages_by_role[state.role]
        page.set_default_timeout(10_000)  # a state that cannot be reached fails fast
        page.set_viewport_size({"width": max(WIDTHS), "height": 900})
        response = page.goto(self.base_url + state.path.format(**self.params))
        if state.optional and response is not None and response.status == 404:
            self.result.skipped.append(state)
            return
        for step in state.steps:
            step(page)
        self.result.tested.append(state)
        self.check_facts(state, page)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for violation in axe_violations(page):
                targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
                self.note(state, width, f"axe: {violation['id']}", f"{violation['help']} ({targets})")
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                self.note(state, width, "reflow", f"scrolls sideways: {scroll_width}px of content")
        if not self.result.axe_version:
            self.result.axe_version = page.evaluate("window.axe ? axe.version : ''")

    def check_facts(self, state: State, page: Any) -> None:
        facts = page.evaluate(PAGE_FACTS)
        if not facts["lang"]:
            self.note(state, None, "language", "the html element has no lang attribute")
        match = TITLE_FORM.match(facts["title"])
        if not match:
            self.note(state, None, "title", f"title {facts['title']!r} is not 'Page – TrackMyCrime – Force'")
        else:
            self.titles.setdefault(match["page"], set()).add(state.page)
        for problem in heading_problems(facts["levels"]):
            self.note(state, None, "headings", problem)
        for problem in autocomplete_problems(
            facts["inputs"], staff=state.role in ("officer", "supervisor", "admin")
        ):
            self.note(state, None, "autocomplete", problem)
        if state.failed_submit and not facts["focusInErrorSummary"]:
            self.note(state, None, "error focus", "focus is not on the error summary after a failed submit")

    def check_unique_titles(self) -> None:
        for title, pages in sorted(self.titles.items()):
            if len(pages) > 1:
                first = next(s for s in self.result.tested if s.page in pages)
                self.note(first, None, "unique titles", f"{sorted(pages)} share the title {title!r}")

    def run(self, states: Iterable[State]) -> AuditResult:
        for state in states:
            try:
                self.visit(state)
            except Exception as error:  # noqa: BLE001 - a state that cannot be reached is a finding
                self.result.tested.append(state)
                self.note(
                    state,
                    None,
                    "reached",
                    f"could not reach this state: {type(error).__name__}: {error}"[:300],
                )
        self.check_unique_titles()
        return self.result


def run_audit(base_url: str, pages_by_role: dict[str, Any], params: dict[str, Any]) -> AuditResult:
    """Audit with one signed-in Playwright page per role (see page_states for the roles)."""
    return Auditor(base_url, pages_by_role, params).run(page_states())


# Output: a Markdown report and the summary the accessibility statement is built from.


def report_markdown(result: AuditResult) -> str:
    lines = [
        "# Accessibility audit report",
        "",
        f"Date: {result.date.isoformat()}",
        "",
        f"Tools: axe-core {result.axe_version} (rules tagged {', '.join(WCAG_TAGS)}, plus target-size) in "
        "Chromium through Playwright; the audit's own checks for reflow, headings, page titles, the language "
        "attribute, autocomplete and focus after a failed submit (`accessibility/audit.py`).",
        "",
        f"Pages: {len(result.pages)}; states: {len(result.tested)}; widths: "
        + ", ".join(f"{width} px" for width in result.widths)
        + f"; problems found: {len(result.findings)}.",
        "",
        "| Role | Page | State | "
        + " | ".join(f"{width} px" for width in result.widths)
        + " | Other checks |",
        "|---|---|---|" + "---|" * len(result.widths) + "---|",
    ]
    for state in result.tested:
        mine = [
            f for f in result.findings if (f.role, f.page, f.state) == (state.role, state.page, state.state)
        ]
        cells = []
        for width in result.widths:
            count = sum(1 for f in mine if f.width == width)
            cells.append("pass" if not count else f"**{count} problem(s)**")
        other = sum(1 for f in mine if f.width is None)
        lines.append(
            f"| {state.role} | {state.page} | {state.state} | "
            + " | ".join(cells)
            + f" | {'pass' if not other else f'**{other} problem(s)**'} |"
        )
    if result.skipped:
        lines += [
            "",
            "Not yet built, so not tested: "
            + ", ".join(f"{s.page} (`{s.path}`)" for s in result.skipped)
            + ".",
        ]
    lines += ["", "## Problems", ""]
    if not result.findings:
        lines.append("None found.")
    for finding in result.findings:
        where = f" at {finding.width} px" if finding.width else ""
        lines.append(
            f"- {finding.role}, {finding.page}, {finding.state}{where}: {finding.check}: {finding.message}"
        )
    return "\n".join(lines) + "\n"


def summary(result: AuditResult) -> dict[str, Any]:
    return {
        "date": result.date.isoformat(),
        "standard": "WCAG 2.2 AA",
        "axe_version": result.axe_version,
        "widths": list(result.widths),
        "roles": list(ROLES),
        "pages": result.pages,
        "pages_tested": len(result.pages),
        "states_tested": len(result.tested),
        "checks": [
            "axe-core rules for WCAG 2.0, 2.1 and 2.2 A and AA, including target size",
            "no horizontal scrolling at each width",
            "headings in order with one level-1 heading",
            "page titles unique and in the form 'Page – TrackMyCrime – Force'",
            "language attribute set",
            "autocomplete on fields that ask for personal details",
            "focus moves to the error summary after a failed submit",
        ],
        "automated_problems": [
            f"{f.page} ({f.state}{f', {f.width} px' if f.width else ''}): {f.message}"
            for f in result.findings
        ],
        "known_issues": list(KNOWN_ISSUES),
    }


def write(result: AuditResult, report: Path = REPORT, summary_file: Path = SUMMARY) -> None:
    report.write_text(report_markdown(result), encoding="utf-8")
    summary_file.write_text(
        json.dumps(summary(result), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def main() -> int:
    """Regenerate the committed report and summary: runs the audit test with writing switched on."""
    import os

    import pytest

    os.environ["TMC_ACCESSIBILITY_WRITE"] = "1"
    return pytest.main(["tests/browser/test_accessibility_audit.py", "-n", "0", "-q"])


if __name__ == "__main__":
    raise SystemExit(main())
