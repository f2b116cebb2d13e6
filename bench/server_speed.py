"""Server speed: each hot request beside the references it is judged against, in one run.

    python bench/server_speed.py [--seconds 10] [--connections 16] [--repeats 3] [--json results.json]
    python bench/server_speed.py --before DIR   # DIR: git archive REV | tar -x -C DIR

One uvicorn worker (as `tmc serve` runs it: uvloop and httptools) in production mode on
PostgreSQL, loaded by wrk over loopback with the session and CSRF cookies a signed-in browser sends
and Accept-Encoding: gzip. The database holds the bench case (a victim with 20 updates and 20
messages; an officer with 31 crimes in the inbox) among 10,000 crimes.

Measured in turn, `--repeats` rounds, each figure the median of its rounds, with the server's CPU
per request beside its requests per second:
- bare ASGI: a plain ASGI callable sending the case page's bytes pre-gzipped, on h11/asyncio and on
  httptools/uvloop (what uvicorn itself costs on each HTTP stack);
- the floor (floor_app.py): the same session look-up with no framework at all, on both stacks
  (cookie, signature, the portal's own SQL as an asyncpg prepared statement, fixed bytes): what
  checking a session in the database costs before any framework;
- the ceiling: the portal with all its middleware, the party's session checked as the case page
  checks it, then fixed pre-gzipped bytes (the cheapest signed-in request), on both stacks;
- the case page's polling request (answers 204: nothing new), the case page, the officer's inbox,
  and the inbox again from a server with the page memo off (page_memo.py).
With `--before`, an earlier version's server (from a copy of that version) serves the same
database in the same rounds, so that a change is measured against what it replaced under the same
load; the floors and the h11 ceiling are then left out, as every server holds one database
connection for each of wrk's and PostgreSQL allows 100.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import os
import re
import statistics
import tempfile
from pathlib import Path

import httpx
from benchkit import (
    BENCH_DIR,
    Figure,
    LoadResult,
    Server,
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

# Issue 24's targets, each against a reference measured in the same run.
CASE_PAGE_OF_CEILING = 1 / 2
CASE_PAGE_RATE = 2_500
CASE_PAGE_CPU_MS = 0.4
CEILING_OF_BARE = 1 / 5
INBOX_RATE = 1_000
BACKGROUND_CRIMES = 10_000
FAST_STACK = ("uvloop", "httptools")
PYTHON_STACK = ("asyncio", "h11")
BARE_FAST = "bare ASGI, httptools/uvloop"
BARE_PYTHON = "bare ASGI, h11/asyncio"
CEILING = "ceiling: session check + fixed bytes"
CEILING_PYTHON = "ceiling, h11/asyncio"
FLOOR_FAST = "floor: session look-up, no framework, httptools/uvloop"
FLOOR_PYTHON = "floor: session look-up, no framework, h11/asyncio"
POLL = "polling (204, nothing new)"
CASE_PAGE = "case page"
INBOX = "officer inbox"
INBOX_UNMEMOISED = "officer inbox, memo off (TMC_PAGE_MEMO_ENTRIES=0)"


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


def poll_path(case_page: bytes) -> str:
    """The polling request the case page makes, with the page's own marker (so it answers 204)."""
    found = re.search(rb'hx-get="(/case/activity\?seen=[^"]*)"', case_page)
    if not found:
        raise RuntimeError("the case page has no polling request")
    return html.unescape(found.group(1).decode())


Target = tuple[Server, str, dict[str, str]]


def measure(
    url: str, cookies: tuple[str, str], seconds: int, connections: int, repeats: int, before: Path | None
) -> dict[str, LoadResult]:
    victim, officer = cookies
    runs: dict[str, list[LoadResult]] = {}
    with contextlib.ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        # One database connection for each of wrk's: all a server can use at once, and a --before
        # run's servers then stay within PostgreSQL's 100 connections (at the default 20 each they
        # did not, and the earlier version's answered "too many clients").
        pool = {"TMC_DB_POOL_SIZE": str(connections)}
        portal = stack.enter_context(uvicorn_server("trackmycrime.asgi:app", url, env=pool))
        page = check(portal.url + "/case", victim)
        check(portal.url + "/officer", officer)
        body = Path(folder) / "case.html"
        body.write_bytes(page)
        environment = {"BENCH_BASELINE_BODY": str(body)} | pool
        bare_only = ("--lifespan", "off")
        bare_python = stack.enter_context(
            uvicorn_server("baseline_app:bare", env=environment, options=bare_only, stack=PYTHON_STACK)
        )
        bare_fast = stack.enter_context(
            uvicorn_server("baseline_app:bare", env=environment, options=bare_only, stack=FAST_STACK)
        )
        ceiling = stack.enter_context(uvicorn_server("baseline_app:ceiling", url, env=environment))
        memo_off = {"TMC_PAGE_MEMO_ENTRIES": "0"} | pool
        unmemoised = stack.enter_context(uvicorn_server("trackmycrime.asgi:app", url, env=memo_off))
        check(ceiling.url + "/ceiling", victim)
        polling = _headers(victim) | {"HX-Request": "true"}
        targets: dict[str, Target] = {
            BARE_PYTHON: (bare_python, "/case", _headers(victim)),
            BARE_FAST: (bare_fast, "/case", _headers(victim)),
            CEILING: (ceiling, "/ceiling", _headers(victim)),
            POLL: (portal, poll_path(page), polling),
            CASE_PAGE: (portal, "/case", _headers(victim)),
            INBOX: (portal, "/officer", _headers(officer)),
            INBOX_UNMEMOISED: (unmemoised, "/officer", _headers(officer)),
        }
        if before is None:  # with --before, these would take more connections than PostgreSQL has
            ceiling_python = stack.enter_context(
                uvicorn_server("baseline_app:ceiling", url, env=environment, stack=PYTHON_STACK)
            )
            check(ceiling_python.url + "/ceiling", victim)
            targets[CEILING_PYTHON] = (ceiling_python, "/ceiling", _headers(victim))
            for name, on in ((FLOOR_PYTHON, PYTHON_STACK), (FLOOR_FAST, FAST_STACK)):
                floor = stack.enter_context(
                    uvicorn_server(
                        "floor_app:floor", url, env=environment, options=bare_only, stack=on, health="/case"
                    )
                )
                check(floor.url + "/case", victim)
                targets[name] = (floor, "/case", _headers(victim))
        else:
            # The earlier version's package ahead of this checkout's on the path, same database.
            python_path = {"PYTHONPATH": f"{before / 'site'}{os.pathsep}{BENCH_DIR}"} | pool
            earlier = stack.enter_context(uvicorn_server("trackmycrime.asgi:app", url, env=python_path))
            earlier_ceiling = stack.enter_context(
                uvicorn_server("baseline_app:ceiling", url, env=environment | python_path)
            )
            check(earlier.url + "/case", victim)
            check(earlier_ceiling.url + "/ceiling", victim)
            targets[CEILING + ", before"] = (earlier_ceiling, "/ceiling", _headers(victim))
            targets[POLL + ", before"] = (earlier, poll_path(page), polling)
            targets[CASE_PAGE + ", before"] = (earlier, "/case", _headers(victim))
            targets[INBOX + ", before"] = (earlier, "/officer", _headers(officer))
        for server, path, headers in targets.values():  # warm up each
            run_wrk(server.url + path, seconds=1, connections=connections, headers=headers)
        for _ in range(repeats):
            for name, (server, path, headers) in targets.items():
                result = run_wrk(
                    server.url + path,
                    seconds=seconds,
                    connections=connections,
                    headers=headers,
                    server_pid=server.process.pid,
                )
                runs.setdefault(name, []).append(result)
    return {name: median_result(results) for name, results in runs.items()}


def _headers(cookies: str) -> dict[str, str]:
    return {"Cookie": cookies, "Accept-Encoding": "gzip"}


def _verdict(result: LoadResult, met: bool) -> bool:
    return met and not result.errors


def figures(results: dict[str, LoadResult], connections: int) -> list[Figure]:
    """One line a server: req/s and CPU per request, and its ratio to the reference it is judged by."""
    ceiling = results[CEILING]
    references = {
        BARE_PYTHON: (BARE_PYTHON, ""),
        BARE_FAST: (BARE_FAST, ""),
        FLOOR_PYTHON: (BARE_PYTHON, ""),
        FLOOR_FAST: (BARE_FAST, ""),
        CEILING_PYTHON: (BARE_PYTHON, f">= {CEILING_OF_BARE:.2f} of bare ASGI (same stack)"),
        CEILING: (BARE_FAST, f">= {CEILING_OF_BARE:.2f} of bare ASGI (same stack)"),
        POLL: (CEILING, ""),
        CASE_PAGE: (
            CEILING,
            f">= {CASE_PAGE_OF_CEILING:.2f} of the ceiling, >= {CASE_PAGE_RATE:,} req/s, "
            f"CPU <= {CASE_PAGE_CPU_MS} ms",
        ),
        INBOX: (CEILING, f">= {INBOX_RATE:,} req/s"),
    }
    checks = {
        CEILING: lambda r: r.requests_per_second >= CEILING_OF_BARE * results[BARE_FAST].requests_per_second,
        CEILING_PYTHON: lambda r: (
            r.requests_per_second >= CEILING_OF_BARE * results[BARE_PYTHON].requests_per_second
        ),
        CASE_PAGE: lambda r: (
            r.requests_per_second >= CASE_PAGE_OF_CEILING * ceiling.requests_per_second
            and r.requests_per_second >= CASE_PAGE_RATE
            and r.cpu_ms_per_request <= CASE_PAGE_CPU_MS
        ),
        INBOX: lambda r: r.requests_per_second >= INBOX_RATE,
    }
    rows = []
    for name, result in results.items():
        reference_name, target = references.get(name.removesuffix(", before"), (CEILING, ""))
        reference = results[reference_name]
        ratio = result.requests_per_second / reference.requests_per_second
        extra = ""
        if name == CEILING and FLOOR_FAST in results:
            of_floor = result.requests_per_second / results[FLOOR_FAST].requests_per_second
            extra = f", {of_floor:.2f} of the floor on the same stack"
        check_target = checks.get(name)
        rows.append(
            Figure(
                "server speed",
                f"{name} ({connections} connections)",
                f"{result.requests_per_second:,.0f} req/s, CPU {result.cpu_ms_per_request:.3f} ms/request, "
                f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms; "
                f"{ratio:.2f} of {reference_name}{extra}"
                + (f", {result.errors} ERRORS" if result.errors else ""),
                target,
                _verdict(result, check_target(result))
                if check_target
                else (None if not result.errors else False),
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
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
