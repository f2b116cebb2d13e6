"""Sign-in cost: how long one argon2id hash takes here, sign-ins per second, and whether the rest of
the site waits while passwords are being checked.

    python bench/signin_cost.py [--seconds 10] [--clients 8] [--json results.json]

1. Times PRODUCTION_HASHER (auth/passwords.py) hashing and verifying in this process, and checks
   its parameters against OWASP's minimum for argon2id (19 MiB, 2 iterations, 1 lane).
2. Serves the app with uvicorn in production mode on PostgreSQL and has `--clients` clients sign in
   as the bench victim again and again (GET /sign-in for the CSRF token, then POST /sign-in with the
   right password): successful sign-ins per second.
3. Meanwhile, and before as a reference, one client asks for /health (which also asks the
   database) every 50 ms: its latency shows whether requests wait behind the hashing.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import time

import httpx
from argon2 import PasswordHasher
from benchkit import (
    BenchCase,
    Figure,
    machine_load,
    print_table,
    save_figures,
    seed_case,
    throwaway_database,
    uvicorn_server,
)

from trackmycrime.auth.passwords import PRODUCTION_HASHER
from trackmycrime.database import Database

BAND_MS = (50.0, 250.0)
# OWASP Password Storage Cheat Sheet: argon2id with at least 19 MiB, 2 iterations, 1 degree of parallelism.
OWASP_MEMORY_KIB, OWASP_TIME_COST = 19 * 1024, 2


def hash_timings(hasher: PasswordHasher, rounds: int = 10) -> tuple[float, float]:
    """Median milliseconds to hash, and to verify, a password."""
    hashed = hasher.hash("a long victim passphrase")
    hashes, verifies = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        hasher.hash("a long victim passphrase")
        hashes.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        hasher.verify(hashed, "a long victim passphrase")
        verifies.append((time.perf_counter() - started) * 1000)
    return statistics.median(hashes), statistics.median(verifies)


def meets_owasp_minimum(hasher: PasswordHasher) -> bool:
    # OWASP's alternatives trade memory for iterations; at or above 19 MiB and t=2 meets them all.
    return hasher.memory_cost >= OWASP_MEMORY_KIB and hasher.time_cost >= OWASP_TIME_COST


def _form(case: BenchCase, html: str) -> dict[str, str]:
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not token:
        raise RuntimeError("no CSRF token on /sign-in")
    return {
        "csrf_token": token.group(1),
        "surname": case.surname,
        "reference": case.reference,
        "date_of_birth-day": str(case.born.day),
        "date_of_birth-month": str(case.born.month),
        "date_of_birth-year": str(case.born.year),
        "password": case.password,
    }


async def signer(base_url: str, case: BenchCase, until: float, done: list[float]) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        while time.perf_counter() < until:
            client.cookies.clear()
            page = await client.get("/sign-in")
            started = time.perf_counter()
            response = await client.post("/sign-in", data=_form(case, page.text))
            if response.status_code != 303 or response.headers.get("location") != "/case":
                raise RuntimeError(f"sign-in answered {response.status_code}: {response.text[:200]}")
            done.append(time.perf_counter() - started)


async def health_latencies(base_url: str, until: float) -> list[float]:
    took = []
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        while time.perf_counter() < until:
            started = time.perf_counter()
            response = await client.get("/health")
            took.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"/health answered {response.status_code}")
            await asyncio.sleep(0.05)
    return took


async def burst(
    base_url: str, case: BenchCase, seconds: float, clients: int
) -> tuple[float, float, list[float]]:
    """(sign-ins per second, median sign-in ms, /health latencies during the burst)."""
    done: list[float] = []
    until = time.perf_counter() + seconds
    started = time.perf_counter()
    signers = [signer(base_url, case, until, done) for _ in range(clients)]
    results = await asyncio.gather(health_latencies(base_url, until), *signers)
    elapsed = time.perf_counter() - started
    return len(done) / elapsed, statistics.median(done) * 1000, results[0]


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def measure(seconds: float, clients: int) -> list[Figure]:
    hasher = PRODUCTION_HASHER
    hash_ms, verify_ms = hash_timings(hasher)
    in_band = BAND_MS[0] <= hash_ms <= BAND_MS[1]
    rows = [
        Figure(
            "sign-in",
            f"argon2id t={hasher.time_cost}, m={hasher.memory_cost // 1024} MiB, "
            f"p={hasher.parallelism}: one hash",
            f"{hash_ms:.0f} ms (verify {verify_ms:.0f} ms); OWASP minimum "
            + ("met" if meets_owasp_minimum(hasher) else "NOT MET"),
            "50-250 ms, >= OWASP",
            in_band and meets_owasp_minimum(hasher),
        )
    ]
    async with throwaway_database() as url:
        database = Database(url)
        case = await seed_case(database, updates=1, messages=1)
        await database.dispose()
        with uvicorn_server("trackmycrime.asgi:app", url) as server:
            quiet = await health_latencies(server.url, time.perf_counter() + 2)
            rate, sign_in_ms, busy = await burst(server.url, case, seconds, clients)
    rows.append(
        Figure(
            "sign-in",
            f"sign-ins per second, {clients} clients at once",
            f"{rate:.1f}/s (median sign-in {sign_in_ms:.0f} ms)",
        )
    )
    waited = p(busy, 0.99) - p(quiet, 0.99)
    rows.append(
        Figure(
            "sign-in",
            "/health latency while signing in (p50 / p99)",
            f"{p(busy, 0.5):.1f} / {p(busy, 0.99):.1f} ms, "
            f"against {p(quiet, 0.5):.1f} / {p(quiet, 0.99):.1f} ms when idle ({len(busy)} samples)",
            "p99 < one hash",
            waited < hash_ms,
        )
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    print(f"load before: {machine_load()}")
    results = asyncio.run(measure(args.seconds, args.clients))
    print(f"load after: {machine_load()}")
    print_table(results)
    save_figures(results, args.json)


if __name__ == "__main__":
    main()
