"""The accessibility statement is built from the latest audit's summary, so it cannot drift from it."""

from __future__ import annotations

import json

import pytest

from tests.webclient import text_of
from trackmycrime.i18n import date_in_words
from trackmycrime.public.accessibility import SUMMARY_FILE, audit_summary

pytestmark = pytest.mark.anyio


def test_the_summary_is_packaged_with_the_code():
    assert SUMMARY_FILE.is_file()
    assert SUMMARY_FILE.parent.name == "data" and SUMMARY_FILE.parent.parent.name == "trackmycrime"


async def test_statement_shows_the_audits_date_and_figures(client):
    summary = json.loads(SUMMARY_FILE.read_text())
    page = await client.page("/accessibility")
    tested = text_of(page.select_one("#how-we-tested"))
    when = date_in_words(audit_summary().tested_on)
    assert f"last tested this site on {when}" in tested
    assert f"We tested {summary['pages_tested']} pages in {summary['states_tested']} ways" in tested
    assert ", ".join(str(width) for width in summary["widths"]) + " pixels" in tested
    assert summary["axe_version"] in text_of(page.select_one("main"))
    assert [text_of(li) for li in page.select("#checks li")] == summary["checks"]
    assert f"last checked it on {when}" in text_of(page.select_one("#statement-dates"))


async def test_statement_lists_known_issues_and_says_partially_compliant_while_there_are_any(client):
    summary = json.loads(SUMMARY_FILE.read_text())
    page = await client.page("/accessibility")
    listed = [text_of(li) for li in page.select("#non-accessible-content li")]
    assert listed == summary["automated_problems"] + summary["known_issues"]
    status = text_of(page.select_one("#compliance-status"))
    if listed:
        assert "meets most of the rules" in status
    else:
        assert "meets all of the rules" in status


async def test_a_welsh_reader_reads_what_was_checked_and_what_is_not_yet_known_in_welsh(client):
    summary = json.loads(SUMMARY_FILE.read_text())
    english = await client.page("/accessibility")
    welsh = await client.page("/accessibility?lang=cy")
    checks = [text_of(li) for li in welsh.select("#checks li")]
    issues = [text_of(li) for li in welsh.select("#non-accessible-content li")]
    assert len(checks) == len(summary["checks"]) and not set(checks) & set(summary["checks"])
    assert "y prif dudalennau, gyda JavaScript wedi'i ddiffodd" in checks
    assert len(issues) == len(summary["known_issues"]) and not set(issues) & set(summary["known_issues"])
    status = "#compliance-status"
    assert text_of(welsh.select_one(status)) != text_of(english.select_one(status))
