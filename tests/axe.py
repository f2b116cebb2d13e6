"""Run axe-core (WCAG 2.0, 2.1 and 2.2, A and AA, with target-size on) and fail on any violation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
_axe = Axe()


AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],  # full detail only for violations: a much smaller answer
}


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.wait_for_load_state("domcontentloaded")
    # axe-core is injected once per document, so checking one page at several widths runs it again cheaply.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe.axe_script)
    response = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return list(response["violations"])


# Pages whose context has JavaScript off: axe cannot run in them, so it checks a copy of their
# document in a context where JavaScript runs but every script of ours is blocked.
JS_OFF_PAGES: set[Any] = set()


def _scripts_blocked_copy(page: Any) -> Any:
    context = page.context.browser.new_context(viewport=page.viewport_size, java_script_enabled=True)
    copy = context.new_page()
    copy.route("**/*.js", lambda route: route.abort())
    origin = page.url.split("/", 3)
    copy.goto("/".join(origin[:3]) + "/health")
    copy.set_content(page.content())
    return copy


def assert_accessible(page: Any, state: str = "") -> None:
    if page in JS_OFF_PAGES:
        copy = _scripts_blocked_copy(page)
        try:
            violations = axe_violations(copy)
        finally:
            copy.context.close()
    else:
        violations = axe_violations(page)
    if violations:
        lines = [f"axe-core found {len(violations)} WCAG 2.2 AA problem(s) on {page.url} {state}:"]
        for violation in violations:
            lines.append(f"- {violation['id']}: {violation['help']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    {node['target']}: {node.get('failureSummary', '')[:300]}")
        raise AssertionError("\n".join(lines))


@contextmanager
def axe_ready(page: Any) -> Iterator[Any]:
    """A page axe can run in: this one, or for a page with JavaScript off, its scripts-blocked copy."""
    if page not in JS_OFF_PAGES:
        yield page
        return
    copy = _scripts_blocked_copy(page)
    try:
        yield copy
    finally:
        copy.context.close()
