"""Flat as the data grows: query plans at a million crimes, and case-page latency at 10,000 and 1,000,000.

    python bench/queries.py [--crimes 1000000] [--small 10000] [--keep] [--json results.json]
    python bench/queries.py --reuse tmc_bench_small_... tmc_bench_large_...   # measure again

Builds two PostgreSQL databases with the same bench case (a victim with 20 updates and 20
messages, an officer with 31 crimes in the inbox) and, around it, `--small` and `--crimes` crimes
of history (bulk.py: a victim, two updates, a message, an entitlement, an audit row and read
receipts each). Then:

- records every SQL statement of the hot requests (victim case page and its polling, victim sign-in,
  officer inbox and crime page, the ingest API) by running them in-process against the large
  database, and runs EXPLAIN (ANALYZE, BUFFERS) on each, in a transaction that is rolled back;
  the plans are kept in bench/explain/<request>.txt. A sequential scan of a table that grows with
  the crimes (crime, party, case_update, message, entitlement, audit_event, update_read) is a failure.
- serves each database with uvicorn and times the case page (and the inbox) with one client,
  alternating between the two servers in rounds so that background noise falls on both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from benchkit import (
    BENCH_DIR,
    BenchCase,
    Figure,
    catch_up_schema,
    cookie_header,
    database_url,
    find_case,
    machine_load,
    print_table,
    save_figures,
    seed_case,
    seed_inbox,
    session_cookie,
    throwaway_database,
    uvicorn_server,
)
from bulk import add_background_crimes, count_crimes
from visits import Statement, Visit, hot_visits

from trackmycrime.database import Database

GROWING_TABLES = ("crime", "party", "case_update", "message", "entitlement", "audit_event", "update_read")
CHUNK = 250_000
LATENCY_TOLERANCE = 0.20
# Where the plans go: bench/explain/ holds the million-crime plans the README describes, so a
# smaller run (bench/run) writes elsewhere (--explain-dir).
explain_folder = BENCH_DIR / "explain"


@dataclass
class Plan:
    statement: Statement
    text: str
    seq_scans: list[str]
    buffers: int
    milliseconds: float


async def build(url: str, crimes: int) -> BenchCase:
    database = Database(url)
    try:
        case = await seed_case(database)
        await seed_inbox(database, case)
        background = crimes - await count_crimes(database)
        first = 1
        while background > 0:
            chunk = min(CHUNK, background)
            await add_background_crimes(database, case.force_id, first, chunk)
            first += chunk
            background -= chunk
        return case
    finally:
        await database.dispose()


# ---------------------------------------------------------------- plans


def _inline(statement: Statement) -> str:
    return f"{statement.sql.strip()}\n-- parameters: {statement.parameters!r}"


async def explain(database: Database, statement: Statement) -> Plan:
    """EXPLAIN (ANALYZE, BUFFERS) the statement as it was sent, then undo whatever it did."""
    parameters = tuple(statement.parameters or ())
    async with database.engine.connect() as connection:
        transaction = await connection.begin()
        try:
            rows = await connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement.sql, parameters)
            plan = "\n".join(row[0] for row in rows)
        except Exception as error:  # noqa: BLE001 - e.g. a unique key the first run already used
            await transaction.rollback()
            transaction = await connection.begin()
            rows = await connection.exec_driver_sql("EXPLAIN " + statement.sql, parameters)
            plan = f"(not re-run: {type(error).__name__}; plan without ANALYZE)\n" + "\n".join(
                row[0] for row in rows
            )
        finally:
            await transaction.rollback()
    seq_scans = [t for t in re.findall(r"Seq Scan on (\w+)", plan) if t in GROWING_TABLES]
    buffers = re.search(r"Buffers: shared (?:hit=(\d+))?\s*(?:read=(\d+))?", plan)
    used = sum(int(n) for n in buffers.groups() if n) if buffers else 0
    took = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return Plan(statement, plan, seq_scans, used, float(took.group(1)) if took else 0.0)


def is_query(statement: Statement) -> bool:
    return not re.match(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SELECT 1\s*$)", statement.sql, re.I)


async def explain_visits(url: str, case: BenchCase, crimes: int) -> list[tuple[Visit, list[Plan]]]:
    database = Database(url)
    try:
        visits = await hot_visits(database, case)
        results = []
        for visit in visits:
            plans = [await explain(database, s) for s in visit.statements if is_query(s)]
            results.append((visit, plans))
            write_plans(visit, plans, crimes)
        return results
    finally:
        await database.dispose()


def write_plans(visit: Visit, plans: list[Plan], crimes: int) -> None:
    folder = explain_folder
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        f"{visit.description}",
        f"{len(plans)} statements; database of {crimes:,} crimes (bench/queries.py, PostgreSQL).",
        f"Sequential scans of growing tables: {sum(len(p.seq_scans) for p in plans) or 'none'}.",
        "",
    ]
    for n, plan in enumerate(plans, 1):
        lines += [
            f"---- statement {n} ({plan.milliseconds:.3f} ms, {plan.buffers} buffers)",
            _inline(plan.statement),
            "",
        ]
        lines += [plan.text, ""]
    Path(folder / f"{visit.name}.txt").write_text("\n".join(lines))


# ---------------------------------------------------------------- latency


async def sample(client: httpx.AsyncClient, path: str, cookies: str, count: int) -> list[float]:
    took = []
    for _ in range(count):
        started = time.perf_counter()
        response = await client.get(path, headers={"Cookie": cookies, "Accept-Encoding": "gzip"})
        took.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
    return took


async def cookies_for(url: str, case: BenchCase) -> tuple[str, str]:
    database = Database(url)
    try:
        victim = await session_cookie(database, party_id=case.party_id)
        officer = await session_cookie(database, officer_id=case.officer_id)
        return cookie_header(victim), cookie_header(officer)
    finally:
        await database.dispose()


async def latencies(
    urls: tuple[str, str], cases: tuple[BenchCase, BenchCase], rounds: int, per_round: int
) -> dict[tuple[str, int], list[float]]:
    """{(path, database index): milliseconds}, alternating between the two servers."""
    found: dict[tuple[str, int], list[float]] = {}
    cookies = [await cookies_for(url, case) for url, case in zip(urls, cases, strict=True)]
    with (
        uvicorn_server("trackmycrime.asgi:app", urls[0]) as small,
        uvicorn_server("trackmycrime.asgi:app", urls[1]) as large,
    ):
        servers = (small, large)
        for _round in range(rounds + 1):
            for index, server in enumerate(servers):
                async with httpx.AsyncClient(base_url=server.url) as client:
                    for path, cookie in (("/case", cookies[index][0]), ("/officer", cookies[index][1])):
                        took = await sample(client, path, cookie, per_round)
                        if _round:  # the first round warms both up
                            found.setdefault((path, index), []).extend(took)
    return found


# ---------------------------------------------------------------- the whole run


async def measure(crimes: int, small: int, rounds: int, per_round: int, keep: bool) -> list[Figure]:
    async with (
        throwaway_database("tmc_bench_small", keep=keep) as small_url,
        throwaway_database("tmc_bench_large", keep=keep) as large_url,
    ):
        print(f"building {small:,} and {crimes:,} crimes")
        started = time.perf_counter()
        small_case = await build(small_url, small)
        large_case = await build(large_url, crimes)
        built = time.perf_counter() - started
        return await measure_built((small_url, large_url), (small_case, large_case), rounds, per_round, built)


async def measure_built(
    urls: tuple[str, str], cases: tuple[BenchCase, BenchCase], rounds: int, per_round: int, built: float
) -> list[Figure]:
    print(f"load before measuring: {machine_load()}")
    small, crimes = [await _crimes_in(url) for url in urls]
    explained = await explain_visits(urls[1], cases[1], crimes)
    timings = await latencies(urls, cases, rounds, per_round)
    return figures(explained, timings, crimes, small, built)


async def _crimes_in(url: str) -> int:
    database = Database(url)
    try:
        return await count_crimes(database)
    finally:
        await database.dispose()


async def reuse(names: list[str], rounds: int, per_round: int) -> list[Figure]:
    """Measure again on the two databases a run with --keep left behind."""
    urls = (database_url(names[0]), database_url(names[1]))
    cases = []
    for url in urls:
        database = Database(url)
        await catch_up_schema(database)
        cases.append(await find_case(database))
        await database.dispose()
    return await measure_built(urls, (cases[0], cases[1]), rounds, per_round, 0.0)


def figures(
    explained: list[tuple[Visit, list[Plan]]],
    timings: dict[tuple[str, int], list[float]],
    crimes: int,
    small: int,
    built: float,
) -> list[Figure]:
    rows = []
    for visit, plans in explained:
        scans = sorted({table for plan in plans for table in plan.seq_scans})
        rows.append(
            Figure(
                "queries",
                f"{visit.name} at {crimes:,} crimes",
                f"{len(plans)} statements, {sum(p.milliseconds for p in plans):.2f} ms in the database, "
                f"most buffers {max((p.buffers for p in plans), default=0)}"
                + (f"; SEQ SCAN of {', '.join(scans)}" if scans else ""),
                "no seq scan of growing tables",
                not scans,
            )
        )
    for path, name in (("/case", "case page"), ("/officer", "officer inbox")):
        at_small = statistics.median(timings[(path, 0)])
        at_large = statistics.median(timings[(path, 1)])
        change = at_large / at_small - 1
        rows.append(
            Figure(
                "queries",
                f"{name} p50 latency, {small:,} vs {crimes:,} crimes",
                f"{at_small:.2f} ms vs {at_large:.2f} ms ({change:+.0%})",
                "within 20%" if path == "/case" else "(for information)",
                abs(change) <= LATENCY_TOLERANCE if path == "/case" else None,
            )
        )
    if built:
        rows.append(Figure("queries", "time to build both databases", f"{built:.0f} s"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--crimes", type=int, default=1_000_000, help="crimes in the large database")
    parser.add_argument("--small", type=int, default=10_000, help="crimes in the small database")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--per-round", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the two databases for --reuse")
    parser.add_argument("--reuse", nargs=2, metavar=("SMALL", "LARGE"), help="database names kept by --keep")
    parser.add_argument("--explain-dir", type=Path, help="where to write the plans (default bench/explain)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    global explain_folder
    explain_folder = args.explain_dir or explain_folder
    if args.reuse:
        results = asyncio.run(reuse(args.reuse, args.rounds, args.per_round))
    else:
        results = asyncio.run(measure(args.crimes, args.small, args.rounds, args.per_round, args.keep))
    print(f"load after: {machine_load()}")
    print_table(results)
    save_figures(results, args.json)


if __name__ == "__main__":
    main()
