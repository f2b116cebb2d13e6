"""The whole-site accessibility audit passes: every page, state, role and width, axe-core and more."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from accessibility import audit
from tests.axe import JS_OFF_PAGES
from tests.browser import officer_browsers, victim_pages


def signed_in_pages(browser: Any, live_server: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """One browser context per role, signed in once; the victim is a party of this test's own."""
    pages: dict[str, Any] = {}
    for role in audit.ROLES:
        pages[role] = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    case = victim_pages.new_victim(live_server)
    victim_pages.add_property(live_server, case)
    victim_pages.add_hearings(live_server, case)
    victim_pages.add_history(live_server, case)
    decision_id = victim_pages.add_decision(live_server, case)
    victim_pages.sign_in(pages["victim"], live_server, case)
    victim_pages.add_helper(live_server, case, registered=True)
    victim_pages.sign_in_as_helper(pages["helper"], live_server, case)
    # A victim whose case has had no hearing yet: their personal statement can still be written.
    victim_pages.sign_in(pages["victim before court"], live_server, victim_pages.new_victim(live_server))
    handover_crime_id = victim_pages.add_handover_and_conflict(live_server)
    logins = live_server.logins
    for role, email in (
        ("officer", logins.officer_email),
        ("supervisor", logins.supervisor_email),
        ("admin", logins.admin_email),
    ):
        officer_browsers.sign_in(pages[role], live_server.url, email, logins.officer_password)
    params = {"crime_id": case.crime.id, "decision_id": decision_id, "handover_crime_id": handover_crime_id}
    return pages, params


def js_off_pages(browser: Any, pages: dict[str, Any]) -> dict[str, Any]:
    """For each role with states to see without JavaScript: a context with it off, signed in the same."""
    roles = {state.role for state in audit.page_states() if not state.js}
    off = {}
    for role in roles:
        context = browser.new_context(
            storage_state=pages[role].context.storage_state(),
            java_script_enabled=False,
            viewport={"width": 1280, "height": 900},
        )
        off[role] = context.new_page()
        JS_OFF_PAGES.add(off[role])
    return off


def test_every_page_in_every_state_passes_the_audit(browser, live_server, tmp_path: Path):
    pages, params = signed_in_pages(browser, live_server)
    without_js = js_off_pages(browser, pages)
    try:
        result = audit.run_audit(live_server.url, pages, params, without_js)
    finally:
        for page in [*pages.values(), *without_js.values()]:
            JS_OFF_PAGES.discard(page)
            page.context.close()

    if os.environ.get("TMC_ACCESSIBILITY_WRITE") == "1":  # python -m accessibility.audit
        audit.write(result)
    else:
        audit.write(result, tmp_path / "report.md", tmp_path / "summary.json")
    report = (tmp_path / "report.md").read_text() if not os.environ.get("TMC_ACCESSIBILITY_WRITE") else ""

    assert result.axe_version, "axe-core did not run"
    assert result.text_browser.startswith("w3m"), "w3m is needed to read pages as text (apt-get install w3m)"
    assert {state.role for state in result.tested} == set(audit.ROLES)
    assert len(result.tested) >= 60
    assert sum(1 for state in result.tested if not state.js) >= 10
    assert len(result.read_in_text_browser) >= 40
    problems = "\n".join(
        f"{f.role}, {f.page}, {f.state}{f' at {f.width}px' if f.width else ''}: {f.check}: {f.message}"
        for f in result.findings
    )
    assert not result.findings, f"{len(result.findings)} accessibility problem(s):\n{problems}"
    if report:
        assert "| victim | Your case | timeout warning shown | pass | pass | pass | pass |" in report
        assert "| officer | Crime | reply sent (JavaScript off) | pass | pass | pass | pass |" in report
        assert "| victim | Your case | reading an update (JavaScript off) | pass |" in report
        assert json.loads((tmp_path / "summary.json").read_text())["states_tested"] == len(result.tested)
