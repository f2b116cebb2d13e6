"""Whole-site accessibility audit: every page and state, per role and width, with axe-core and more."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag

from tests.axe import WCAG_TAGS, axe_ready, axe_violations
from trackmycrime.public.accessibility import CHECKS, KNOWN_ISSUES

WIDTHS = (320, 768, 1280)
# Text twice its usual size (the browser's font-size setting at 32 px) in a 1280 px window at 100 % and
# at 200 % zoom: WCAG 1.4.4 with 1.4.10's "no scrolling in two dimensions". 320 px itself is 1.4.10.
TEXT_ZOOM_WIDTHS = (1280, 640)
MOTION_LIMIT_SECONDS = 0.01
ROLES = ("visitor", "victim", "victim before court", "helper", "officer", "supervisor", "admin")
FOLDER = Path(__file__).resolve().parent
REPORT = FOLDER / "report.md"
SUMMARY = FOLDER.parent / "site" / "trackmycrime" / "data" / "accessibility-audit.json"
TITLE_FORM = re.compile(r"^(?:(?:Error|Gwall|Błąd): )?(?P<page>.+) – TrackMyCrime – (?P<force>.+)$")


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
    js: bool = True  # False: in a browser context with JavaScript turned off


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
    text_browser: str = ""  # the text browser's name and version
    read_in_text_browser: list[State] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)  # worth knowing, but no WCAG failure

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


def choose(label: str) -> Step:
    return lambda page: page.get_by_label(label, exact=True).check()


def follow_first(selector: str) -> Step:
    def step(page: Any) -> None:
        with page.expect_navigation():
            page.locator(selector).first.click()

    return step


def click(link: str) -> Step:
    """Follow a link that htmx answers in place (no navigation to wait for)."""
    return lambda page: page.get_by_role("link", name=link, exact=True).first.click()


def timeline_showing(show: str) -> Step:
    return wait_for(f".timeline-filter a[aria-current][href*='show={show}']")


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
        State("visitor", "Words we use", "empty", "/words-we-use"),
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
        State(
            "visitor",
            "You could not be signed in",
            "single sign-on link too old",
            "/officer/sso/callback?state=old",
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
        State("victim", "Your case", "with court hearings", "/case", (wait_for("#hearings-heading"),)),
        State("victim", "Your case", "with a decision to review", "/case", (wait_for("#decisions-heading"),)),
        State(
            "victim",
            "Your case",
            "timeline filtered to updates (htmx swap)",
            "/case",
            (click("Updates"), timeline_showing("updates")),
        ),
        State(
            "victim",
            "Your case",
            "timeline filter with nothing to show (htmx swap)",
            "/case",
            (click("Your requests"), timeline_showing("requests")),
        ),
        State(
            "victim",
            "Your case",
            "timeline with earlier entries shown (htmx swap)",
            "/case",
            (click("Show earlier entries"), wait_for("#timeline-entries > li:nth-child(21)")),
        ),
        State("victim", "Ask for a decision to be reviewed", "empty", "/case/decisions/{decision_id}/review"),
        State(
            "victim",
            "Ask for a decision to be reviewed",
            "with errors",
            "/case/decisions/{decision_id}/review",
            (
                fill("Why do you think the decision is wrong? (optional)", "x" * 5001),
                press("Ask for the review"),
                ERRORS,
            ),
            failed_submit=True,
        ),
        # The Victim Personal Statement (issue 22): read-only for the victim whose first hearing has been.
        State("victim", "Victim Personal Statement", "after the first hearing", "/case/personal-statement"),
        State("victim before court", "Victim Personal Statement", "empty", "/case/personal-statement"),
        State(
            "victim before court",
            "Victim Personal Statement",
            "with errors",
            "/case/personal-statement",
            (press("Send to the police"), ERRORS),
            failed_submit=True,
        ),
        State(
            "victim before court",
            "Victim Personal Statement",
            "draft saved",
            "/case/personal-statement",
            (
                fill("What do you want to say?", "I do not sleep well since the break-in."),
                press("Save as a draft"),
                wait_for(".notification--success"),
            ),
        ),
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
        # Trusted helpers (issue 21): the victim's list and form, and the case as their helper sees it.
        State("victim", "People who help you", "with a helper", "/helpers"),
        State(
            "victim",
            "People who help you",
            "with errors",
            "/helpers",
            (press("Add and invite"), ERRORS),
            failed_submit=True,
        ),
        State("helper", "Your case", "as a helper", "/case"),
        State(
            "helper",
            "Your case",
            "message sent by a helper",
            "/case",
            (
                fill("Your message", "Alex would like a call on Monday."),
                press("Send message"),
                wait_for("#send-message .notification"),
            ),
        ),
        State("helper", "Support", "as a helper", "/support", optional=True),
        State("victim", "Your rights", "empty", "/rights", optional=True),
        State("victim", "Support", "empty", "/support", optional=True),
        State("victim", "Property", "empty", "/property"),
        State(
            "victim",
            "Property",
            "with errors (htmx swap)",
            "/property",
            (lambda page: page.locator("section.property-item button").first.click(), ERRORS),
            failed_submit=True,
        ),
        State(
            "victim",
            "Property",
            "message sent (htmx swap)",
            "/property",
            (
                lambda page: page.locator("section.property-item textarea").first.fill("Serial C02XK1ABJGH5"),
                lambda page: page.locator("section.property-item button").first.click(),
                wait_for("section.property-item .notification"),
            ),
        ),
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
            "timeline filtered to messages (htmx swap)",
            "/officer/crimes/{crime_id}",
            (lambda page: page.locator(".timeline-filter").get_by_role("link", name="Messages").click(),)
            + (timeline_showing("messages"),),
        ),
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
        State(
            "officer",
            "Crime",
            "property state with errors (htmx swap)",
            "/officer/crimes/{crime_id}",
            (lambda page: page.locator("#property button").first.click(), ERRORS),
            failed_submit=True,
        ),
        State(
            "officer",
            "Crime",
            "property state changed (htmx swap)",
            "/officer/crimes/{crime_id}",
            (
                lambda page: page.locator("#property select").first.select_option("recovered"),
                lambda page: page.locator("#property button").first.click(),
                wait_for("#property .notification"),
            ),
        ),
        State(
            "officer",
            "Crime",
            "told outside the portal with errors (htmx swap)",
            "/officer/crimes/{crime_id}",
            (lambda page: page.locator("[id^=record-told-]").first.click(), ERRORS),
            failed_submit=True,
        ),
        State(
            "officer",
            "Crime",
            "add a helper with errors (htmx swap)",
            "/officer/crimes/{crime_id}",
            (
                lambda page: page.locator("[id^=add-helper-][id$=-summary]").first.click(),
                lambda page: page.locator("button[id^=add-helper-]").first.click(),
                ERRORS,
            ),
            failed_submit=True,
        ),
        State(
            "officer",
            "Correct an update",
            "filled",
            "/officer/crimes/{crime_id}",
            (
                lambda page: page.locator("#field-text").fill("We have spoken to a witness."),
                lambda page: page.locator("#post-update").click(),
                wait_for(".timeline a[href$='/correct']"),
                follow_first("a[href$='/correct']"),
            ),
        ),
        State(
            "officer",
            "Crime",
            "handover note read first",
            "/officer/crimes/{handover_crime_id}",
            (wait_for("#handover"),),
        ),
        State(
            "supervisor",
            "Crime",
            "with a held change of officer",
            "/officer/crimes/{handover_crime_id}",
            (wait_for("#officer-conflicts"),),
        ),
        State(
            "officer",
            "Crime",
            "Victim Personal Statement offered",
            "/officer/crimes/{handover_crime_id}",
            (
                lambda page: page.locator("form[action$='/personal-statement-offer'] button").first.click(),
                wait_for("#statements-heading ~ div .notification"),
            ),
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
        State("supervisor", "Texts to route", "with a text waiting", "/officer/texts"),
        State(
            "supervisor",
            "Texts to route",
            "with errors",
            "/officer/texts",
            (press("Add to their messages"), ERRORS),
            failed_submit=True,
        ),
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
        *journeys_without_javascript(),
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


def journeys_without_javascript() -> list[State]:
    """The pages of the victim's and the officer's main journeys as full page loads, with no htmx."""
    off = " (JavaScript off)"
    crime = "/officer/crimes/{crime_id}"
    return [
        State("visitor", "Sign in", "empty" + off, "/sign-in", js=False),
        State(
            "visitor",
            "Sign in",
            "with errors" + off,
            "/sign-in",
            (fill("Surname", "O'Brien"), press("Sign in"), ERRORS),
            js=False,
        ),
        State(
            "victim",
            "Your case",
            "reading an update" + off,
            "/case",
            (wait_for("#case-timeline .timeline__item"),),
            js=False,
        ),
        State("victim", "Your case", "timeline filtered to updates" + off, "/case?show=updates", js=False),
        State(
            "victim",
            "Your case",
            "timeline filter with nothing to show" + off,
            "/case?show=requests",
            js=False,
        ),
        State(
            "victim",
            "Your case",
            "timeline's second page" + off,
            "/case",
            (follow("Show earlier entries"), wait_for("#timeline-entries")),
            js=False,
        ),
        State(
            "victim",
            "Ask for a decision to be reviewed",
            "empty" + off,
            "/case/decisions/{decision_id}/review",
            js=False,
        ),
        State(
            "victim",
            "Your case",
            "with court hearings" + off,
            "/case",
            (wait_for("#hearings-heading"),),
            js=False,
        ),
        State(
            "victim",
            "Your case",
            "message with errors" + off,
            "/case",
            (press("Send message"), ERRORS),
            js=False,
        ),
        State(
            "victim",
            "Your case",
            "message sent" + off,
            "/case",
            (
                fill("Your message", "Sent without JavaScript."),
                press("Send message"),
                wait_for("#send-message .notification"),
            ),
            js=False,
        ),
        State("victim", "Alerts and account", "empty" + off, "/preferences", js=False),
        State("victim", "People who help you", "with a helper" + off, "/helpers", js=False),
        State(
            "victim",
            "People who help you",
            "with errors" + off,
            "/helpers",
            (press("Add and invite"), ERRORS),
            js=False,
        ),
        State("helper", "Your case", "as a helper" + off, "/case", js=False),
        State(
            "officer",
            "Crime",
            "add a helper with errors" + off,
            crime,
            (
                lambda page: page.locator("[id^=add-helper-][id$=-summary]").first.click(),
                lambda page: page.locator("button[id^=add-helper-]").first.click(),
                ERRORS,
            ),
            js=False,
        ),
        State(
            "victim",
            "Alerts and account",
            "choices saved" + off,
            "/preferences",
            (choose("Every 8 weeks"), press("Save alert choices"), wait_for(".notification--success")),
            js=False,
        ),
        State("officer", "Crime", "empty" + off, crime, js=False),
        State("officer", "Crime", "timeline filtered to messages" + off, crime + "?show=messages", js=False),
        State(
            "officer",
            "Crime",
            "handover note read first" + off,
            "/officer/crimes/{handover_crime_id}",
            js=False,
        ),
        State(
            "supervisor",
            "Crime",
            "with a held change of officer" + off,
            "/officer/crimes/{handover_crime_id}",
            js=False,
        ),
        State(
            "victim",
            "Victim Personal Statement",
            "after the first hearing" + off,
            "/case/personal-statement",
            js=False,
        ),
        State(
            "victim before court",
            "Victim Personal Statement",
            "with errors" + off,
            "/case/personal-statement",
            (fill("What do you want to say?", ""), press("Send to the police"), ERRORS),
            js=False,
        ),
        State(
            "victim before court",
            "Victim Personal Statement",
            "statement sent" + off,
            "/case/personal-statement",
            (
                fill("What do you want to say?", "My children are scared to be at home alone."),
                press("Send to the police"),
                wait_for(".notification--success"),
            ),
            js=False,
        ),
        State(
            "officer",
            "Crime",
            "standard update chosen" + off,
            crime,
            (lambda page: page.locator("#field-template").select_option(index=1), press("Use this text")),
            js=False,
        ),
        State(
            "officer",
            "Crime",
            "reply with errors" + off,
            crime,
            (lambda page: page.locator("[id^=send-reply-]").first.click(), ERRORS),
            js=False,
        ),
        State(
            "officer",
            "Crime",
            "reply sent" + off,
            crime,
            (
                lambda page: page.locator("textarea[id^=field-reply-]").first.fill("We will call tomorrow."),
                lambda page: page.locator("[id^=send-reply-]").first.click(),
                wait_for(".conversation .notification"),
            ),
            js=False,
        ),
    ]


# Checks beyond axe, made in the page in one go.

PAGE_FACTS = """() => {
  const shown = e => e.getClientRects().length > 0;
  // The error summary's and a notification banner's headings come before the h1 (the GOV.UK
  // patterns) and a dialog's heading starts an outline of its own: none belongs to the page's order.
  const h1 = document.querySelector("h1");
  const banner = h => h.closest(".notification") && h1 && (h.compareDocumentPosition(h1) & 4);
  const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter(shown)
    .filter(h => !h.closest(".error-summary, dialog") && !banner(h));
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

# Field name -> autocomplete tokens that fit (WCAG 1.3.5). "off" only where someone else's data is
# entered: by staff, or anyone's trusted helper's details (fields named helper_*, issue 21), which
# a browser must not fill with the person's own.
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
        someone_else = staff or field_["name"].startswith("helper_")
        if token not in wanted and not (someone_else and token == "off" and not is_password):
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


# Motion, asked for less (WCAG 2.3.3, and 2.2.2 for anything that moves by itself): with
# prefers-reduced-motion emulated, nothing animates, transitions or scrolls smoothly for longer than
# a moment, including in the classes htmx adds while it swaps and settles content.
MOTION = """limit => {
  const seconds = list => Math.max(...list.split(",").map(
    part => parseFloat(part) * (part.trim().endsWith("ms") ? 0.001 : 1)));
  const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + [...e.classList].filter(c => !c.startsWith("htmx-")).map(c => "." + c).join("");
  const htmxClasses = ["htmx-request", "htmx-swapping", "htmx-settling", "htmx-added"];
  const elements = [document.documentElement, ...document.querySelectorAll("body, body *")];
  const moving = [];
  const inspect = () => {
    for (const element of elements) {
      for (const pseudo of [null, "::before", "::after", "::backdrop"]) {
        const style = getComputedStyle(element, pseudo);
        const what = name(element) + (pseudo || "");
        if (style.animationName !== "none" && seconds(style.animationDuration) > limit) {
          moving.push(what + " animates for " + style.animationDuration);
        }
        if (style.transitionProperty !== "none" && seconds(style.transitionDuration) > limit) {
          moving.push(what + " has a " + style.transitionDuration + " transition");
        }
        if (!pseudo && style.scrollBehavior === "smooth") { moving.push(what + " scrolls smoothly"); }
      }
    }
  };
  inspect();
  elements.forEach(e => e.classList.add(...htmxClasses));
  try { inspect(); } finally { elements.forEach(e => e.classList.remove(...htmxClasses)); }
  for (const running of document.getAnimations()) {
    const timing = running.effect && running.effect.getComputedTiming();
    if (timing && timing.activeDuration / 1000 > limit) {
      moving.push((running.effect.target ? name(running.effect.target) : "something") + " is animating");
    }
  }
  return [...new Set(moving)];
}"""

# At 200 % text: how wide the page is, and what cuts off text it cannot fit (overflow hidden or clip).
# Left out: what is hidden on purpose (1 px across, off the page, aria-hidden), scrolling containers
# (data tables may scroll, WCAG 1.4.10) and form fields, whose contents scroll within them.
OVERFLOW = """() => {
  const cut = [];
  for (const e of document.querySelectorAll("body *")) {
    const box = e.getBoundingClientRect();
    if (e.clientWidth <= 1 || e.clientHeight <= 1 || box.right <= 0 || e.closest("[aria-hidden=true]")
        || e.matches("input, textarea, select")) { continue; }
    const style = getComputedStyle(e);
    const hides = value => value === "hidden" || value === "clip";
    if ((hides(style.overflowX) && e.scrollWidth > e.clientWidth + 1)
        || (hides(style.overflowY) && e.scrollHeight > e.clientHeight + 1)) {
      cut.push(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
        + [...e.classList].map(c => "." + c).join(""));
    }
  }
  return { scrollWidth: document.documentElement.scrollWidth, cut: cut };
}"""


# Reading in a text browser (w3m): what a person with no CSS and no JavaScript gets, in source order.

TEXT_BROWSER = ["w3m", "-dump", "-T", "text/html", "-cols", "400", "-I", "UTF-8", "-O", "UTF-8"]
# Left in the text when a template or a translation was not filled in, or text was escaped twice.
LEFTOVERS = re.compile(
    r"\{\{|\}\}|\{%|%\}|\{#|#\}|%\([a-z_]+\)[sd]|\{[a-z_]+\}|&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.I
)


def text_browser_version() -> str:
    if not shutil.which(TEXT_BROWSER[0]):
        return ""
    version = [TEXT_BROWSER[0], "-version"]
    answer = subprocess.run(version, capture_output=True, text=True, check=True)  # noqa: S603 - fixed command
    return answer.stdout.split(",")[0].split()[-1].replace("/", " ")  # "w3m version w3m/0.5.3+git…"


def text_browser_dump(html: str) -> str:
    dump = subprocess.run(  # noqa: S603 - a fixed command; the page goes in on stdin
        TEXT_BROWSER, input=html.encode(), capture_output=True, check=True, timeout=30
    )
    return dump.stdout.decode("utf-8")


def squeezed(text: str, length: int = 40) -> str:
    """Text without white space, which a text browser adds and takes away as it wraps and lays out."""
    return re.sub(r"\s+", "", text)[:length]


def unseen(tag: Tag) -> bool:
    """Shown to no one in a browser; a text browser shows it all the same."""
    return (
        tag.name in ("script", "style", "template")
        or tag.has_attr("hidden")
        or (tag.name == "dialog" and not tag.has_attr("open"))
    )


def seen_strings(root: Tag) -> list[NavigableString]:
    """The text in `root` that people see, in source order (what is in form fields left out)."""
    return [
        text
        for text in root.find_all(string=True)
        if type(text) is NavigableString
        and text.strip()
        and not text.find_parent(lambda tag: unseen(tag) or tag.name in ("select", "textarea"))
    ]


def field_value(field_: Any) -> str:
    """What a text browser shows in a field: the text in a text box, the chosen option."""
    if not isinstance(field_, Tag):
        return ""
    if field_.name == "textarea":
        return field_.get_text()
    if field_.name == "select":
        chosen = field_.find("option", selected=True) or field_.find("option")
        return chosen.get_text() if isinstance(chosen, Tag) else ""
    typed = ("text", "email", "tel", "search")
    if field_.name == "input" and str(field_.get("type", "text")).lower() in typed:
        return str(field_.get("value", ""))
    return ""


def landmarks(soup: BeautifulSoup) -> list[tuple[str, str]]:
    """What must be read in this order: the skip link, the h1, the main content after it, the footer."""
    skip, main, h1, footer = (
        soup.find("a", href=re.compile("^#")),
        soup.find("main"),
        soup.find("h1"),
        soup.find("footer"),
    )
    if not (
        isinstance(skip, Tag) and isinstance(main, Tag) and isinstance(h1, Tag) and isinstance(footer, Tag)
    ):
        return []
    in_main, heading = seen_strings(main), seen_strings(h1)
    ends = [i for i, text in enumerate(in_main) if heading and text is heading[-1]]
    after_h1 = in_main[ends[0] + 1 :] if ends else []
    order = [("the skip link", skip.get_text()), ("the h1", h1.get_text())]
    if after_h1:
        order.append(("the main content after the h1", after_h1[0]))
    if len(after_h1) > 1:
        order.append(("the end of the main content", after_h1[-1]))
    order += [("the footer", text) for text in seen_strings(footer)[:1]]
    return [(what, str(words)) for what, words in order]


def reading_order_problems(html: str, dump: str) -> list[str]:
    """Problems reading the page in a text browser: order, labels before values, left-over code."""
    soup = BeautifulSoup(html, "html.parser")
    text = squeezed(dump, len(dump))
    problems = []
    leftovers = sorted(set(LEFTOVERS.findall(dump)))
    if leftovers:
        problems.append(f"left-over template code or escaped text: {', '.join(leftovers[:5])}")
    order = landmarks(soup)
    if not order:
        return problems + ["no skip link, main, h1 and footer to read in order"]
    if not text.startswith(squeezed(order[0][1])):
        problems.append(f"the text does not start with the skip link ({order[0][1].strip()!r})")
    at, previous = 0, "the start"
    for what, words in order:
        found = text.find(squeezed(words), at)
        if found < 0:
            problems.append(f"{what} ({words.strip()[:40]!r}) is missing or comes before {previous}")
            continue
        at, previous = found + len(squeezed(words)), what
    return problems + label_order_problems(soup)


def label_order_problems(soup: BeautifulSoup) -> list[str]:
    """Each filled-in field's label comes before it in the page (radios and checkboxes are not checked)."""
    problems = []
    for label, field_ in filled_fields(soup):
        if source_position(field_) < source_position(label):
            problems.append(f"the label {label.get_text(' ', strip=True)!r} comes after its field")
    return problems


def filled_fields(soup: BeautifulSoup) -> list[tuple[Tag, Tag]]:
    filled = []
    for label in soup.select("label[for]"):
        field_ = soup.find(id=str(label["for"]))
        if isinstance(field_, Tag) and field_value(field_).strip():
            filled.append((label, field_))
    return filled


def source_position(tag: Tag) -> tuple[int, int]:
    return (tag.sourceline or 0, tag.sourcepos or 0)


def text_browser_notes(html: str, dump: str) -> list[str]:
    """What reads oddly in a text browser although the page is in a sensible order: hidden content it
    shows before the h1, and what is in a field drawn before the field's label."""
    soup = BeautifulSoup(html, "html.parser")
    text = squeezed(dump, len(dump))
    notes = hidden_but_read_first(soup)
    at = 0
    for label, field_ in filled_fields(soup):
        name = label.get_text(" ", strip=True)
        label_at = text.find(squeezed(name), at)
        value_at = text.find("[" + squeezed(field_value(field_), 10), max(label_at, 0))
        if label_at >= 0 and value_at >= 0:
            at = value_at
        elif source_position(label) < source_position(field_):
            notes.append(
                f"text browsers draw the first line of “{name}” above its label (a box of several lines "
                "beside a label that is not a block of its own)"
            )
    return notes


def hidden_but_read_first(soup: BeautifulSoup) -> list[str]:
    """Content hidden from everyone (a closed dialog, [hidden]) that text browsers show before the h1."""
    h1 = soup.find("h1")
    if not isinstance(h1, Tag):
        return []
    notes = []
    for tag in soup.find_all(unseen):
        words = " ".join(tag.get_text(" ", strip=True).split()[:6])
        if tag.name in ("script", "style") or not words or source_position(tag) > source_position(h1):
            continue
        where = f"{tag.name}#{tag['id']}" if tag.has_attr("id") else tag.name
        notes.append(f"text browsers show the hidden {where} (“{words}…”) before the h1")
    return notes


class Auditor:
    """Visits each state once on its role's signed-in page, then checks it at each width."""

    def __init__(
        self,
        base_url: str,
        pages_by_role: dict[str, Any],
        params: dict[str, Any],
        js_off_pages_by_role: dict[str, Any],
    ) -> None:
        self.base_url = base_url
        self.pages = {True: pages_by_role, False: js_off_pages_by_role}
        self.params = params
        self.result = AuditResult(
            date=dt.date.today(), axe_version="", widths=WIDTHS, text_browser=text_browser_version()
        )
        self.titles: dict[str, set[str]] = {}
        for page in [*pages_by_role.values(), *js_off_pages_by_role.values()]:
            page.emulate_media(reduced_motion="reduce")

    def note(self, state: State, width: int | None, check: str, message: str) -> None:
        self.result.findings.append(Finding(state.role, state.page, state.state, width, check, message))

    def visit(self, state: State) -> None:
        page = self.pages[state.js][state.role]
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
        self.check_motion(state, page)
        self.check_widths(state, page)
        self.check_text_at_200_percent(state, page)
        # What a text browser would be sent: the page as served, or as a page load with no script left it.
        if not state.js:
            self.check_text_browser(state, page.content())
        elif not state.steps and response is not None:
            self.check_text_browser(state, response.text())

    def check_facts(self, state: State, page: Any) -> None:
        if state.failed_submit and state.js:
            settle_focus(page)
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

    def check_motion(self, state: State, page: Any) -> None:
        for problem in page.evaluate(MOTION, MOTION_LIMIT_SECONDS):
            self.note(state, None, "reduced motion", problem)

    def check_widths(self, state: State, page: Any) -> None:
        with axe_ready(page) as checked:
            for width in WIDTHS:
                for resized in {page, checked}:
                    resized.set_viewport_size({"width": width, "height": 900})
                for violation in axe_violations(checked):
                    targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
                    self.note(state, width, f"axe: {violation['id']}", f"{violation['help']} ({targets})")
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                if scroll_width > width:
                    self.note(state, width, "reflow", f"scrolls sideways: {scroll_width}px of content")
            if not self.result.axe_version:
                self.result.axe_version = checked.evaluate("window.axe ? axe.version : ''")

    def check_text_at_200_percent(self, state: State, page: Any) -> None:
        """As with the browser's text size at 200 %: rem and em sizes double, pixel sizes stay."""
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        try:
            for width in TEXT_ZOOM_WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                layout = page.evaluate(OVERFLOW)
                if layout["scrollWidth"] > width:
                    self.note(
                        state,
                        None,
                        "text at 200%",
                        f"at {width} px scrolls sideways: {layout['scrollWidth']}px of content",
                    )
                for element in layout["cut"][:3]:
                    self.note(state, None, "text at 200%", f"at {width} px {element} cuts off its content")
        finally:
            page.evaluate("document.documentElement.style.removeProperty('font-size')")

    def check_text_browser(self, state: State, html: str) -> None:
        if not self.result.text_browser:
            self.note(state, None, "text browser", f"{TEXT_BROWSER[0]} is not installed")
            return
        self.result.read_in_text_browser.append(state)
        dump = text_browser_dump(html)
        for problem in reading_order_problems(html, dump):
            self.note(state, None, "text browser", problem)
        for message in text_browser_notes(html, dump):
            self.result.notes.append(
                Finding(state.role, state.page, state.state, None, "text browser", message)
            )

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
                if state not in self.result.tested:
                    self.result.tested.append(state)
                self.note(
                    state,
                    None,
                    "reached",
                    f"could not reach or check this state: {type(error).__name__}: {error}"[:300],
                )
        self.check_unique_titles()
        return self.result


def run_audit(
    base_url: str, pages_by_role: dict[str, Any], params: dict[str, Any], js_off_pages_by_role: dict[str, Any]
) -> AuditResult:
    """Audit with one signed-in Playwright page per role (see page_states for the roles), and one per
    role with JavaScript off for the journeys that need it."""
    return Auditor(base_url, pages_by_role, params, js_off_pages_by_role).run(page_states())


# The audit in each language (issue 20): longer words, other headings, and a `lang` that must be true.

SWITCH_FACTS = """() => [...document.querySelectorAll(
    "nav.language-switch a, nav.language-switch [aria-current]")]
  .map(e => ({text: e.textContent.trim(), lang: e.getAttribute("lang") || "",
              hreflang: e.getAttribute("hreflang"), current: e.hasAttribute("aria-current")}))"""
ENGLISH_ONLY_PATHS = ("/officer",)


class LanguageAuditor(Auditor):
    """The auditor, with the page read in `language`: its `lang` and the switch's are checked too."""

    def __init__(self, base_url: str, pages_by_role: dict[str, Any], params: dict[str, Any], language: str):
        super().__init__(base_url, pages_by_role, params, {})
        self.language = language

    def check_facts(self, state: State, page: Any) -> None:
        super().check_facts(state, page)
        english_only = state.path.startswith(ENGLISH_ONLY_PATHS)
        expected = "en" if english_only else self.language
        lang = page.evaluate("document.documentElement.getAttribute('lang')")
        if lang != expected:
            self.note(state, None, "language", f"the page says lang={lang!r}, but is read in {expected!r}")
        switch = page.evaluate(SWITCH_FACTS)
        if not english_only and len(switch) != 3:
            self.note(state, None, "language switch", f"{len(switch)} languages offered, not 3")
        for option in switch:
            if not option["lang"] or (not option["current"] and option["hreflang"] != option["lang"]):
                self.note(
                    state, None, "language switch", f"{option['text']!r} lacks a matching lang and hreflang"
                )
            if option["current"] and option["lang"] != expected:
                self.note(
                    state, None, "language switch", f"{option['text']!r} is marked current on a {lang} page"
                )


def language_states() -> list[State]:
    """What a visitor or victim sees on arriving at each page (a state reached by filling in a form
    is reached with English labels, so the English audit covers those)."""
    return [s for s in page_states() if s.role in ("visitor", "victim") and not s.steps and s.js]


def run_language_audit(
    base_url: str, pages_by_role: dict[str, Any], params: dict[str, Any], language: str
) -> AuditResult:
    """Pages of the role's signed-in Playwright page must already be read in `language` (a cookie)."""
    return LanguageAuditor(base_url, pages_by_role, params, language).run(language_states())


# Output: a Markdown report and the summary the accessibility statement is built from.


FOCUS_IN_ERROR_SUMMARY = (
    "() => !!(document.activeElement"
    " && document.activeElement.closest('[data-error-summary], .error-summary'))"
)


def settle_focus(page: Any) -> None:
    """htmx moves focus when the swap settles, a moment after the summary appears; wait that moment
    (at most two seconds, far less than anyone would notice) before asking where focus is."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    try:
        page.wait_for_function(FOCUS_IN_ERROR_SUMMARY, timeout=2000)
    except PlaywrightTimeoutError:
        pass  # reported by the caller as an "error focus" finding


def findings_for(findings: list[Finding], state: State) -> list[Finding]:
    return [f for f in findings if (f.role, f.page, f.state) == (state.role, state.page, state.state)]


def passed(count: int) -> str:
    return "pass" if not count else f"**{count} problem(s)**"


def report_markdown(result: AuditResult) -> str:
    without_js = sum(1 for state in result.tested if not state.js)
    lines = [
        "# Accessibility audit report",
        "",
        f"Date: {result.date.isoformat()}",
        "",
        f"Tools: axe-core {result.axe_version} (rules tagged {', '.join(WCAG_TAGS)}, plus target-size) in "
        f"Chromium through Playwright; {result.text_browser or 'no text browser'} for reading without CSS "
        "or JavaScript; the audit's own checks for reflow, text at 200 %, reduced motion, headings, page "
        "titles, the language attribute, autocomplete and focus after a failed submit "
        "(`accessibility/audit.py`).",
        "",
        f"Pages: {len(result.pages)}; states: {len(result.tested)} ({without_js} of them with JavaScript "
        "off); widths: "
        + ", ".join(f"{width} px" for width in result.widths)
        + f"; text at 200 % at {' and '.join(f'{width} px' for width in TEXT_ZOOM_WIDTHS)}"
        + f"; read in a text browser: {len(result.read_in_text_browser)} states"
        + f"; problems found: {len(result.findings)}.",
        "",
        'Every state is checked with reduced motion asked for. "Other checks" are those made once per '
        "state: headings, title, language, autocomplete, error focus, reduced motion, text at 200 % and, "
        "where the state can be fetched without JavaScript, reading order in the text browser.",
        "",
        "| Role | Page | State | "
        + " | ".join(f"{width} px" for width in result.widths)
        + " | Other checks |",
        "|---|---|---|" + "---|" * len(result.widths) + "---|",
    ]
    for state in result.tested:
        mine = findings_for(result.findings, state)
        cells = [passed(sum(1 for f in mine if f.width == width)) for width in result.widths]
        other = passed(sum(1 for f in mine if f.width is None))
        lines.append(
            f"| {state.role} | {state.page} | {state.state} | " + " | ".join(cells) + f" | {other} |"
        )
    if result.skipped:
        lines += [
            "",
            "Not yet built, so not tested: "
            + ", ".join(f"{s.page} (`{s.path}`)" for s in result.skipped)
            + ".",
        ]
    lines += text_browser_section(result)
    lines += ["", "## Problems", ""]
    if not result.findings:
        lines.append("None found.")
    for finding in result.findings:
        where = f" at {finding.width} px" if finding.width else ""
        lines.append(
            f"- {finding.role}, {finding.page}, {finding.state}{where}: {finding.check}: {finding.message}"
        )
    return "\n".join(lines) + "\n"


def text_browser_section(result: AuditResult) -> list[str]:
    lines = [
        "",
        "## Reading in a text browser",
        "",
        f"Each state below was read with `{' '.join(TEXT_BROWSER)}` from the HTML the server sent (with "
        "JavaScript off, the page as it was left). Checked: the text starts with the skip link; the h1, "
        "the main content after it and the footer come in that order; each filled-in field's label comes "
        "before the field; no template code, unfilled placeholder or doubly escaped character is left. "
        "Where the text browser shows what is in a field before its label, that is a note below.",
        "",
        "| Role | Page | State | Reading order |",
        "|---|---|---|---|",
    ]
    for state in result.read_in_text_browser:
        mine = [f for f in findings_for(result.findings, state) if f.check == "text browser"]
        lines.append(f"| {state.role} | {state.page} | {state.state} | {passed(len(mine))} |")
    notes = sorted({note.message for note in result.notes})
    if notes:
        lines += ["", "Notes (not WCAG failures, but worth fixing for text-browser readers):", ""]
        for message in notes:
            states = [f"{n.page} ({n.state})" for n in result.notes if n.message == message]
            count = f"{len(states)} state{'s' if len(states) > 1 else ''}"
            lines.append(f"- {message}: {count}, for example {states[0]}.")
    return lines


def summary(result: AuditResult) -> dict[str, Any]:
    return {
        "date": result.date.isoformat(),
        "standard": "WCAG 2.2 AA",
        "axe_version": result.axe_version,
        "text_browser": result.text_browser,
        "widths": list(result.widths),
        "roles": list(ROLES),
        "pages": result.pages,
        "pages_tested": len(result.pages),
        "states_tested": len(result.tested),
        "states_without_javascript": sum(1 for state in result.tested if not state.js),
        "states_read_in_text_browser": len(result.read_in_text_browser),
        "checks": list(CHECKS),
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
