"""Documentation that cannot drift: every TMC_* setting the code reads is in the README's table, and back."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTING = re.compile(r"TMC_[A-Z0-9_]+")


def settings_the_code_reads() -> set[str]:
    found: set[str] = set()
    for source in (ROOT / "site").rglob("*.py"):
        found |= set(re.findall(r"[\"'](TMC_[A-Z0-9_]+)", source.read_text(encoding="utf-8")))
    return found


def settings_in_the_readme_table() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Configuration", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `TMC_")]
    return {name for row in rows for name in SETTING.findall(row.split("|")[1])}


def test_every_setting_is_documented_in_the_readme():
    undocumented = settings_the_code_reads() - settings_in_the_readme_table()
    assert not undocumented, f"add these to the README's configuration table: {sorted(undocumented)}"


def test_the_readme_documents_no_setting_the_code_ignores():
    unknown = settings_in_the_readme_table() - settings_the_code_reads()
    assert not unknown, f"the README lists settings nothing reads: {sorted(unknown)}"
