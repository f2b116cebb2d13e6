"""deploy/systemd: the units systemd itself accepts, hardened, and pointing at commands that exist."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from trackmycrime.cli import build_parser

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
INSTALLED_TMC = "/opt/trackmycrime/.venv/bin/tmc"
HARDENING = ("NoNewPrivileges=true", "ProtectSystem=strict", "PrivateTmp=true", "User=trackmycrime")


def test_systemd_analyze_is_installed():
    assert shutil.which("systemd-analyze"), "install systemd (.ci/run does) to check the units"


@pytest.fixture
def units_here(tmp_path: Path) -> Path:
    """The units with this checkout's `tmc` in place of the installed path, as systemd-analyze checks it."""
    here = str(Path(sys.executable).parent / "tmc")
    for unit in UNITS.glob("*.service"):
        text = unit.read_text().replace(INSTALLED_TMC, here)
        (tmp_path / unit.name).write_text(text)
    (tmp_path / "tmc-worker@1.service").write_text((tmp_path / "tmc-worker@.service").read_text())
    return tmp_path


def test_systemd_accepts_the_units_without_a_warning(units_here: Path):
    result = subprocess.run(  # noqa: S603
        ["systemd-analyze", "verify", "--man=no", "./tmc-web.service", "./tmc-worker@1.service"],  # noqa: S607
        cwd=units_here,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0 and not result.stderr.strip() and not result.stdout.strip(), result.stderr


@pytest.mark.parametrize("unit", ["tmc-web.service", "tmc-worker@1.service"])
def test_units_are_hardened(units_here: Path, unit: str):
    text = (units_here / unit).read_text()
    for option in HARDENING:
        assert option in text
    result = subprocess.run(  # noqa: S603
        ["systemd-analyze", "security", "--offline=true", f"./{unit}"],  # noqa: S607
        cwd=units_here,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    exposure = re.search(r"Overall exposure level for \S+: ([\d.]+)", result.stdout)
    assert exposure, result.stdout + result.stderr
    assert float(exposure.group(1)) <= 2.5


def test_units_run_commands_tmc_has():
    commands = set(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    for unit in UNITS.glob("*.service"):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart") and INSTALLED_TMC in line:
                assert line.split(INSTALLED_TMC, 1)[1].split()[0] in commands
