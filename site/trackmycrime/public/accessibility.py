"""The latest accessibility audit's summary (written by accessibility/audit.py), for the statement."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SUMMARY_FILE = Path(__file__).resolve().parents[1] / "data" / "accessibility-audit.json"


@dataclass(frozen=True)
class AuditSummary:
    tested_on: dt.date
    standard: str
    axe_version: str
    widths: tuple[int, ...]
    pages_tested: int
    states_tested: int
    checks: tuple[str, ...]
    automated_problems: tuple[str, ...]
    known_issues: tuple[str, ...]

    @property
    def fully_compliant(self) -> bool:
        return not self.automated_problems and not self.known_issues


@lru_cache(maxsize=1)
def audit_summary(path: Path = SUMMARY_FILE) -> AuditSummary:
    data = json.loads(path.read_text(encoding="utf-8"))
    return AuditSummary(
        tested_on=dt.date.fromisoformat(data["date"]),
        standard=data["standard"],
        axe_version=data["axe_version"],
        widths=tuple(data["widths"]),
        pages_tested=data["pages_tested"],
        states_tested=data["states_tested"],
        checks=tuple(data["checks"]),
        automated_problems=tuple(data["automated_problems"]),
        known_issues=tuple(data["known_issues"]),
    )
