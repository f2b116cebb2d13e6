"""Where a page's time goes under load: py-spy samples the uvicorn process while wrk loads one page.

    python bench/profile_page.py [/case | /officer] [--seconds 10] [--connections 10]

Prints the share of samples in which each part of the request was running (inclusive), from the
socket to the template, and writes the raw stacks to bench/profiles/<page>.txt (collapsed format:
open it in speedscope.app or flamegraph.pl). Needs py-spy (pip install py-spy) and root or ptrace
rights.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from benchkit import BENCH_DIR, machine_load, run_wrk, throwaway_database, uvicorn_server
from server_speed import check, prepare

# (label, a piece of the frame's "function (file:line)" text that marks it)
PARTS = [
    ("uvicorn + h11: reading and writing HTTP", "h11_impl.py"),
    ("middleware: security headers", "security_headers.py"),
    ("middleware: gzip", "gzip.py"),
    ("middleware: CSRF cookie and token", "csrf.py"),
    ("signed-in check (session, party, crime, force)", "sessions.py"),
    ("  - of which the session look-up query", "sessions.py:1"),
    ("the page's own work", "victim/case.py"),
    ("  - database: queries (SQLAlchemy + asyncpg)", "victim/queries.py"),
    ("  - template: Jinja render", "pages.py"),
    ("officer pages (inbox, crime page)", "trackmycrime/officer/"),
    ("  - officer queries", "officer/queries.py"),
    ("  - template: Jinja render", "pages.py"),
    ("SQLAlchemy (anywhere)", "sqlalchemy/"),
    ("asyncpg (anywhere)", "asyncpg/"),
    ("Jinja (anywhere)", "jinja2/"),
    ("event loop idle / waiting", "select (selectors.py"),
]


def summarise(stacks: Path) -> list[tuple[str, float]]:
    samples: Counter[str] = Counter()
    total = 0
    for line in stacks.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        for label, marker in PARTS:
            if marker in stack:
                samples[label] += int(count)
    return [(label, 100 * samples[label] / max(total, 1)) for label, _ in PARTS]


def profile(path: str, seconds: int, connections: int) -> None:
    if shutil.which("py-spy") is None:
        raise SystemExit("profile_page.py needs py-spy: pip install py-spy")

    async def run() -> None:
        async with throwaway_database() as url:
            victim, officer = await prepare(url)
            cookies = victim if path.startswith("/case") else officer
            with uvicorn_server("trackmycrime.asgi:app", url) as server:
                check(server.url + path, cookies)
                run_wrk(server.url + path, seconds=2, connections=connections, headers={"Cookie": cookies})
                folder = BENCH_DIR / "profiles"
                folder.mkdir(exist_ok=True)
                output = folder / (path.strip("/").replace("/", "_") + ".txt")
                command = [
                    "py-spy", "record", "--pid", str(server.process.pid), "--duration", str(seconds),
                    "--rate", "250", "--format", "raw", "--output", str(output), "--nonblocking",
                ]  # fmt: skip
                spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603, ASYNC220
                headers = {"Cookie": cookies, "Accept-Encoding": "gzip"}
                result = run_wrk(server.url + path, seconds=seconds, connections=connections, headers=headers)
                spy.wait(timeout=seconds + 30)
        print(f"{path}: {result.requests_per_second:,.0f} req/s while sampled; load {machine_load()}")
        for label, share in summarise(output):
            print(f"  {share:5.1f}%  {label}")
        print(f"stacks: {output.relative_to(BENCH_DIR.parent)}")

    asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", nargs="?", default="/case")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=10)
    args = parser.parse_args()
    profile(args.path, args.seconds, args.connections)


if __name__ == "__main__":
    main()
