"""Instructions per request of the hot path, counted by valgrind: the same figure on a busy machine.

    python bench/hot_path_instructions.py [--before DIR] [--targets "ceiling;case page, memoised"]
                                          [--requests 640] [--jobs 2]

hot_path_cpu.py's CPU times move by half with whatever else the machine is doing (seen here: the
same code 0.29 ms one day and 0.58-0.66 ms on another machine the next). valgrind's callgrind counts
the instructions the worker's process runs, which do not depend on the machine's load. Each target
is run twice under callgrind, `hot_path_cpu.py --measure` with 160 requests and with 160 +
`--requests`, after the same start-up and warm-up; the difference in instructions, divided by the
difference in requests, is one request's. The database's own work (another process) is not
counted; time spent waiting for it is only the few instructions of going to sleep and waking.
With `--before DIR` (`git archive REV | tar -x -C DIR`), that version is counted too.
Each run takes about two minutes (start-up under valgrind); `--jobs` run at once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchkit import BENCH_DIR, machine_load, throwaway_database

BASE_REQUESTS = 160
TARGETS = ("ceiling", "case page, memoised", "polling, 204", "officer inbox, memoised")
_COLLECTED = re.compile(r"Collected : (\d+)")


def instructions(site: Path, url: str, cookies: tuple[str, str], requests: int, target: str) -> int:
    # One hash seed for every run: sets and dicts of strings then hash and probe alike.
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join((str(site), str(BENCH_DIR))),
        "PYTHONHASHSEED": "0",
    }
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, str(BENCH_DIR / "hot_path_cpu.py"), "--measure", url, *cookies, str(requests), target,
    ]  # fmt: skip
    finished = subprocess.run(command, env=environment, capture_output=True, text=True, check=True)  # noqa: S603
    found = _COLLECTED.search(finished.stderr)
    if not found:
        raise RuntimeError(f"valgrind counted nothing: {finished.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", type=Path)
    parser.add_argument("--targets", default=";".join(TARGETS[:2]), help="names separated by ';'")
    parser.add_argument("--requests", type=int, default=640)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    targets = [name for name in TARGETS if name in args.targets.split(";")]
    from server_speed import prepare

    versions = {"this checkout": BENCH_DIR.parent / "site"}
    if args.before:
        versions = {"before": args.before / "site", **versions}

    async def prepared() -> None:
        async with throwaway_database() as url:
            cookies = await prepare(url)
            print(f"load at the start: {machine_load()}")
            runs = [
                (version, target, count)
                for target in targets
                for version in versions
                for count in (BASE_REQUESTS, BASE_REQUESTS + args.requests)
            ]
            with ThreadPoolExecutor(args.jobs) as pool:
                counted = list(
                    pool.map(lambda run: instructions(versions[run[0]], url, cookies, run[2], run[1]), runs)
                )
            totals = dict(zip(runs, counted, strict=True))
            print(f"load at the end: {machine_load()}")
            print(f"{'instructions per request':<36}" + "".join(f"{name:>16}" for name in versions))
            for target in targets:
                more, fewer = BASE_REQUESTS + args.requests, BASE_REQUESTS
                each = [
                    (totals[(version, target, more)] - totals[(version, target, fewer)]) / args.requests
                    for version in versions
                ]
                print(f"{target:<36}" + "".join(f"{figure:>16,.0f}" for figure in each))

    asyncio.run(prepared())


if __name__ == "__main__":
    main()
