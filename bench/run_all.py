"""What bench/run runs: each benchmark in its own process, then one table of every figure."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchkit import BENCH_DIR, Figure, load_figures, machine_load, print_table

SMALL = {
    "page_weight.py": [],
    "server_speed.py": ["--seconds", "5", "--repeats", "1"],
    "queries.py": [
        *("--crimes", "100000", "--small", "10000", "--rounds", "3", "--per-round", "30"),
        *("--explain-dir", "{scratch}/explain"),  # bench/explain/ keeps the million-crime plans
    ],
    "signin_cost.py": ["--seconds", "5"],
    "slow_3g.py": [],
}
FULL = {
    "page_weight.py": [],
    "server_speed.py": ["--seconds", "10", "--repeats", "3"],
    "queries.py": ["--crimes", "1000000", "--small", "10000"],
    "signin_cost.py": ["--seconds", "10"],
    "slow_3g.py": [],
}


def missing_tools() -> list[str]:
    missing = [tool for tool in ("wrk",) if shutil.which(tool) is None]
    if not Path("/usr/bin/chromium").exists():
        missing.append("/usr/bin/chromium")
    return missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="the scale of the README's figures")
    parser.add_argument("--only", nargs="+", help="run only these benchmarks (e.g. page_weight)")
    args = parser.parse_args()
    plan = FULL if args.full else SMALL
    if args.only:
        plan = {name: options for name, options in plan.items() if name.removesuffix(".py") in args.only}
    missing = missing_tools()
    if missing:
        print(f"bench/run: cannot run without {', '.join(missing)}", file=sys.stderr)
        return 2
    figures: list[Figure] = []
    failed: list[str] = []
    load_before = machine_load()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for script, options in plan.items():
            output = Path(folder) / (script + ".json")
            print(f"== {script} {' '.join(options)}", flush=True)
            options = [option.replace("{scratch}", folder) for option in options]
            command = [sys.executable, str(BENCH_DIR / script), *options, "--json", str(output)]
            result = subprocess.run(command, cwd=BENCH_DIR.parent, env=os.environ.copy(), check=False)  # noqa: S603
            if result.returncode != 0 or not output.exists():
                failed.append(script)
                figures.append(
                    Figure(script.removesuffix(".py"), "could not run", f"exit {result.returncode}")
                )
            else:
                figures += load_figures(output)
    print()
    scale = "full" if args.full else "small"
    print(f"TrackMyCrime benchmarks ({scale} scale), {time.perf_counter() - started:.0f} s;")
    print(f"load average (1, 5, 15 min) before: {load_before}; after: {machine_load()}")
    print()
    print_table(figures)
    if failed:
        print(f"\nbench/run: {', '.join(failed)} could not run", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
