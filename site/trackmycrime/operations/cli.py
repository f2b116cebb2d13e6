"""`tmc check`: settings, database, mail server, text gateway and rules, one line each."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(commands: Any) -> None:
    check = commands.add_parser(
        "check", help="check settings, database, mail server, text gateway and rules (after an upgrade)"
    )
    check.set_defaults(run=cmd_check)


def cmd_check(args: argparse.Namespace) -> None:
    from .checks import check_command

    lines, status = check_command()
    print("\n".join(lines), flush=True)
    sys.exit(status)
