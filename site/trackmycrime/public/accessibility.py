"""The latest accessibility audit's summary (written by accessibility/audit.py), for the statement."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SUMMARY_FILE = Path(__file__).resolve().parents[1] / "data" / "accessibility-audit.json"


def N_(message: str) -> str:
    """Marks words for the catalogue; they are translated where the statement shows them."""
    return message


# What accessibility/audit.py checks, and what no automated check can settle, in the words the
# statement shows a victim (in their language): the audit writes these into its summary.
CHECKS = (
    N_("the axe-core rules for WCAG 2.0, 2.1 and 2.2 (A and AA), and the size of things to tap or click"),
    N_("no need to scroll sideways at any width"),
    N_(
        "text twice the size: no need to scroll sideways, and no words cut off. "
        "We tried it at 1280 and 640 pixels wide"
    ),
    N_("nothing moves for more than 0.01 seconds when you ask for less motion"),
    N_("headings in the right order, with one main heading"),
    N_("each page has its own title, with the name of the page, the site and the force"),
    N_("each page says what language it is in"),
    N_("your browser can fill in boxes that ask about you"),
    N_("if you make a mistake in a form, you go to a list of what is wrong"),
    N_("the main pages, with JavaScript turned off"),
    N_(
        "the order a text browser reads in: skip link, heading, main part, then footer. "
        "Each box comes after its label. No code is left showing"
    ),
)
KNOWN_ISSUES = (
    N_(
        "Experts have not yet checked the whole site. Disabled people have not yet tested it. "
        "So there may be problems that our own tests cannot find."
    ),
)


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
