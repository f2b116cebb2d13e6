"""The accessibility audit once per language (issue 20): every page a visitor or victim opens, read
in Welsh and in Polish, at 320, 768 and 1280 px, with axe, headings, titles and a true `lang`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from accessibility import audit
from tests.browser import victim_pages


def pages_in(browser: Any, live_server: Any, language: str) -> tuple[dict[str, Any], dict[str, Any]]:
    pages = {}
    for role in ("visitor", "victim"):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        host = urlsplit(live_server.url).hostname
        context.add_cookies([{"name": "tmc_lang", "value": language, "domain": host, "path": "/"}])
        pages[role] = context.new_page()
    case = victim_pages.new_victim(live_server)
    victim_pages.add_property(live_server, case)
    victim_pages.add_hearings(live_server, case)
    decision_id = victim_pages.add_decision(live_server, case)
    pages["victim"].goto(f"{live_server.url}/sign-in?lang=en")  # the sign-in form's English labels
    victim_pages.sign_in(pages["victim"], live_server, case)
    pages["victim"].goto(f"{live_server.url}/case?lang={language}")
    return pages, {"crime_id": case.crime.id, "decision_id": decision_id}


@pytest.mark.parametrize("language", ["cy", "pl"])
def test_every_page_a_victim_opens_passes_the_audit_in_each_language(browser, live_server, language):
    pages, params = pages_in(browser, live_server, language)
    try:
        result = audit.run_language_audit(live_server.url, pages, params, language)
    finally:
        for page in pages.values():
            page.context.close()
    assert result.axe_version, "axe-core did not run"
    assert len(result.tested) == len(audit.language_states()) >= 15
    assert 320 in result.widths
    problems = "\n".join(
        f"{f.role}, {f.page}, {f.state}{f' at {f.width}px' if f.width else ''}: {f.check}: {f.message}"
        for f in result.findings
    )
    assert not result.findings, f"{len(result.findings)} problem(s) in {language}:\n{problems}"
