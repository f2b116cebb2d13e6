"""Mutation testing of the domain modules with mutmut: how many deliberate bugs the tests catch.

mutmut changes one thing at a time in a module (a `<` for a `<=`, a constant, a dropped call) and
runs the tests that cover it; a mutant the tests do not notice "survives". It is slow (minutes per
module) and so runs here, not in CI. mutmut imports the mutated code from `src/`, so the script
copies the checkout to a scratch folder with `site/` renamed `src/` and runs there.

    pip install mutmut==3.8.1
    python bench/mutation.py                      # every target below
    python bench/mutation.py working_days         # one target

Prints, per target, the mutants killed, survived, timed out and not covered, and the survival rate;
the figures measured are in bench/README.md ("Mutation testing").
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = Path(sys.executable).parent / "mutmut"

# Each domain module with the tests that pin its rules (SQLite only where a database is needed).
TARGETS: dict[str, tuple[str, list[str]]] = {
    "working_days": ("victims_code/working_days.py", ["tests/unit/test_working_days.py"]),
    "rules": ("victims_code/rules.py", ["tests/unit/test_victims_code_rules.py"]),
    "entitlements": ("victims_code/entitlements.py", ["tests/integration/test_entitlements.py"]),
    "identity": ("identity.py", ["tests/unit/test_identity.py"]),
    "alerts": (
        "case_events/alerts.py",
        [
            "tests/web/test_ingest.py",
            "tests/web/test_alert_coalescing.py",
            "tests/web/test_officer_party_reach.py",
        ],
    ),
}


def scratch_copy(into: Path) -> None:
    tracked = subprocess.run(
        ["git", "ls-files"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for name in tracked:
        source = ROOT / name
        target = into / ("src" + name[len("site") :] if name.startswith("site/") else name)
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_file():
            shutil.copy2(source, target)


def configure(into: Path, module: str, tests: list[str]) -> None:
    pyproject = into / "pyproject.toml"
    text = pyproject.read_text().replace('"-n 2"', '"-n 0"').replace(" -n 2", " -n 0")
    text += (
        "\n[tool.mutmut]\n"
        'source_paths = ["src/trackmycrime"]\n'
        f'only_mutate = ["src/trackmycrime/{module}"]\n'
        f"pytest_add_cli_args_test_selection = {tests!r}\n".replace("'", '"')
        + 'also_copy = ["tests", "templates", "static", "db", "locale"]\n'
    )
    pyproject.write_text(text)


def run_target(name: str) -> Counter[str]:
    module, tests = TARGETS[name]
    with tempfile.TemporaryDirectory(prefix="tmc-mutation-") as scratch:
        work = Path(scratch)
        scratch_copy(work)
        configure(work, module, tests)
        environment = {"TMC_TEST_DATABASES": "sqlite", "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
        subprocess.run([str(MUTMUT), "run"], cwd=work, env=environment, capture_output=True, check=False)  # noqa: S603
        results = subprocess.run(  # noqa: S603
            [str(MUTMUT), "results", "--all", "true"],
            cwd=work,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    counts: Counter[str] = Counter()
    for line in results.splitlines():
        if ":" in line and line.strip().startswith("trackmycrime."):
            counts[line.rsplit(":", 1)[1].strip()] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", choices=[*TARGETS, []], default=list(TARGETS))
    chosen = parser.parse_args().targets or list(TARGETS)
    if not MUTMUT.exists():
        sys.exit("mutmut is not installed in this environment: pip install mutmut==3.8.1")
    for name in chosen:
        counts = run_target(name)
        judged = counts["killed"] + counts["survived"]
        rate = f"{counts['survived'] / judged:.0%}" if judged else "n/a"
        detail = ", ".join(f"{count} {state}" for state, count in sorted(counts.items()))
        print(f"{name:<14} {TARGETS[name][0]:<36} survival {rate:>4}  ({detail})", flush=True)


if __name__ == "__main__":
    main()
