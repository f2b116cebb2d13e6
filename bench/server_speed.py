"""Server speed: requests/s and p50/p99 latency of the case page and the officer inbox, against baselines.

    python bench/server_speed.py [--seconds 10] [--connections 10] [--repeats 3] [--json results.json]
    python bench/server_speed.py --before DIR   # DIR: git archive REV | tar -x -C DIR

One uvicorn worker (as `tmc serve` runs it) in production mode on PostgreSQL, loaded by wrk over
loopback with the session and CSRF cookies a signed-in browser sends and Accept-Encoding: gzip.
The database holds the bench case (a victim with 20 updates and 20 messages; an officer with 31
crimes in the inbox) among 10,000 crimes.

The baseline runs in the same kind of process in the same run: the same Starlette middleware
returning the case page's own bytes, captured from the portal, from memory (no database, no
template). A bare ASGI callable returning them pre-gzipped is measured too, for scale. The
servers are measured in turn, `--repeats` times, and each figure is the median of its runs.
With `--before`, an earlier version's server (from a copy of that version) serves the same
database in the same rounds, so that a change is measured against what it replaced under the same
load.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import tempfile
from pathlib import Path

import httpx
from benchkit import (
    BENCH_DIR,
    Figure,
    LoadResult,
    cookie_header,
    machine_load,
    print_table,
    run_wrk,
    save_figures,
    seed_case,
    seed_inbox,
    session_cookie,
    throwaway_database,
    uvicorn_server,
)
from bulk import add_background_crimes

from trackmycrime.database import Database

TARGET_RATIO = 1 / 3
BACKGROUND_CRIMES = 10_000


async def prepare(url: str) -> tuple[str, str]:
    database = Database(url)
    try:
        case = await seed_case(database)
        await seed_inbox(database, case)
        await add_background_crimes(database, case.force_id, 1, BACKGROUND_CRIMES)
        victim = await session_cookie(database, party_id=case.party_id)
        officer = await session_cookie(database, officer_id=case.officer_id)
        return cookie_header(victim), cookie_header(officer)
    finally:
        await database.dispose()


def check(url: str, cookies: str) -> bytes:
    """The page must be the real thing (200), not a redirect to sign-in; returns its HTML."""
    response = httpx.get(url, headers={"Cookie": cookies, "Accept-Encoding": "identity"})
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}, not 200")
    return response.content


def median_result(results: list[LoadResult]) -> LoadResult:
    return LoadResult(
        statistics.median(r.requests_per_second for r in results),
        statistics.median(r.p50_ms for r in results),
        statistics.median(r.p99_ms for r in results),
        sum(r.errors for r in results),
        sum(r.requests for r in results),
        statistics.median(r.cpu_ms_per_request for r in results),
    )


def measure(
    url: str, cookies: tuple[str, str], seconds: int, connections: int, repeats: int, before: Path | None
) -> dict[str, LoadResult]:
    victim, officer = cookies
    runs: dict[str, list[LoadResult]] = {}
    with contextlib.ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        portal = stack.enter_context(uvicorn_server("trackmycrime.asgi:app", url))
        body = Path(folder) / "case.html"
        body.write_bytes(check(portal.url + "/case", victim))
        check(portal.url + "/officer", officer)
        environment = {"BENCH_BASELINE_BODY": str(body)}
        baseline = stack.enter_context(uvicorn_server("baseline_app:app", env=environment))
        bare = stack.enter_context(
            uvicorn_server("baseline_app:bare", env=environment, options=("--lifespan", "off"))
        )
        targets = {
            "baseline": (baseline, "/case", victim),
            "case page": (portal, "/case", victim),
            "officer inbox": (portal, "/officer", officer),
            "bare ASGI": (bare, "/case", victim),
        }
        if before is not None:
            # The earlier version's package ahead of this checkout's on the path, same database.
            python_path = {"PYTHONPATH": f"{before / 'site'}{os.pathsep}{BENCH_DIR}"}
            earlier = stack.enter_context(uvicorn_server("trackmycrime.asgi:app", url, env=python_path))
            check(earlier.url + "/case", victim)
            targets["case page, before"] = (earlier, "/case", victim)
            targets["officer inbox, before"] = (earlier, "/officer", officer)
        for server, path, cookie in targets.values():  # warm up each
            run_wrk(server.url + path, seconds=1, connections=connections, headers=_headers(cookie))
        for _ in range(repeats):
            for name, (server, path, cookie) in targets.items():
                result = run_wrk(
                    server.url + path,
                    seconds=seconds,
                    connections=connections,
                    headers=_headers(cookie),
                    server_pid=server.process.pid,
                )
                runs.setdefault(name, []).append(result)
    return {name: median_result(results) for name, results in runs.items()}


def _headers(cookies: str) -> dict[str, str]:
    return {"Cookie": cookies, "Accept-Encoding": "gzip"}


def figures(results: dict[str, LoadResult], connections: int) -> list[Figure]:
    baseline = results["baseline"]
    rows = []
    for name, result in results.items():
        ratio = result.requests_per_second / baseline.requests_per_second
        cpu_ratio = baseline.cpu_ms_per_request / max(result.cpu_ms_per_request, 1e-9)
        is_target = name == "case page"
        rows.append(
            Figure(
                "server speed",
                f"{name} ({connections} connections)",
                f"{result.requests_per_second:,.0f} req/s, p50 {result.p50_ms:.1f} ms, "
                f"p99 {result.p99_ms:.1f} ms, {ratio:.2f} of baseline; "
                f"server CPU {result.cpu_ms_per_request:.2f} ms/request ({cpu_ratio:.2f} of baseline's)"
                + (f", {result.errors} ERRORS" if result.errors else ""),
                ">= 0.33 of baseline" if is_target else "",
                (ratio >= TARGET_RATIO and not result.errors)
                if is_target
                else (None if not result.errors else False),
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--before",
        type=Path,
        help="an earlier version's checkout (git archive REV | tar -x -C DIR): its case page and inbox "
        "are measured in the same rounds, on the same database",
    )
    args = parser.parse_args()

    async def prepared() -> tuple[str, tuple[str, str]]:
        async with throwaway_database() as url:
            cookies = await prepare(url)
            print(f"load before: {machine_load()}")
            # measured inside the block, so that the database still exists
            results = await asyncio.to_thread(
                measure, url, cookies, args.seconds, args.connections, args.repeats, args.before
            )
            print(f"load after: {machine_load()}")
            rows = figures(results, args.connections)
            print_table(rows)
            save_figures(rows, args.json)
            return url, cookies

    asyncio.run(prepared())


if __name__ == "__main__":
    main()
