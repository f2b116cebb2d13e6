"""CPU per request of the hot path in-process: no HTTP server, no wrk, so the figures survive a busy machine.

    python bench/hot_path_cpu.py [--before DIR] [--requests 3200] [--rounds 2]

The portal's ASGI app is called directly on uvloop, 16 requests at a time, on PostgreSQL with the
bench case (server_speed.py's `prepare`), and the process's CPU time is divided by the requests:
- middleware: the portal's middleware and router around a route that sends fixed pre-gzipped bytes
  with no session check (no database);
- ceiling: the same bytes after the party's session check (`party_required_reading`);
- the case page, memoised; the case page's polling request answering 204;
- the officer inbox, memoised (the officer's cookie).
With `--before DIR` (`git archive REV | tar -x -C DIR`), that version is measured in turn with this
one, `--rounds` times each, in separate processes on the same database.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import html
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchkit import BENCH_DIR, SECRET_KEY, machine_load, throwaway_database

CONCURRENCY = 16
BODY = gzip.compress(b"<p>the same bytes</p>" * 1000)


async def measure(
    database_url: str, cookies: str, officer_cookies: str, requests: int, only: str = ""
) -> dict[str, float]:
    import uvloop  # noqa: F401  (installed by the caller)
    from starlette.responses import Response
    from starlette.routing import Route

    from trackmycrime.app import create_app
    from trackmycrime.auth.sessions import party_required_reading
    from trackmycrime.settings import Settings

    async def fixed(request: Any) -> Response:
        headers = {
            "content-type": "text/html; charset=utf-8",
            "content-encoding": "gzip",
            "vary": "Accept-Encoding",
        }
        return Response(BODY, headers=headers)

    settings = Settings(
        mode="production", database_url=database_url, secret_key=SECRET_KEY, base_url="http://127.0.0.1:8000"
    )
    app = create_app(settings)
    app.router.routes[:0] = [Route("/fixed", fixed), Route("/ceiling", party_required_reading(fixed))]
    headers = [(b"host", b"127.0.0.1:8000"), (b"accept-encoding", b"gzip")]
    answer: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        else:
            answer["body"] = message.get("body", b"")

    def scope(path: str, query: str = "", *extra: Any, officer: bool = False) -> dict[str, Any]:
        who = [(b"cookie", (officer_cookies if officer else cookies).encode())]
        return {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
            "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
            "query_string": query.encode(), "headers": [*headers, *who, *extra],
            "client": ("127.0.0.1", 1234), "server": ("127.0.0.1", 8000), "state": {},
        }  # fmt: skip

    # As a served app: its start-up (the collector's settings, operations/garbage_collection.py) runs.
    async with app.router.lifespan_context(app):
        await app(scope("/case"), receive, send)  # type: ignore[arg-type]
        found = re.search(rb'hx-get="(/case/activity\?seen=[^"]*)"', gzip.decompress(answer["body"]))
        assert answer["status"] == 200 and found, "the case page, signed in"
        poll_path, _, poll_query = html.unescape(found.group(1).decode()).partition("?")
        targets: dict[str, tuple[tuple[Any, ...], dict[str, bool], int]] = {
            "middleware": (("/fixed",), {}, 200),
            "ceiling": (("/ceiling",), {}, 200),
            "case page, memoised": (("/case",), {}, 200),
            "polling, 204": ((poll_path, poll_query, (b"hx-request", b"true")), {}, 204),
            "officer inbox, memoised": (("/officer",), {"officer": True}, 200),
        }
        figures = {}
        for name, (args, options, status) in targets.items():
            if only and name != only:
                continue

            async def batch(count: int, args: Any = args, options: Any = options) -> None:
                for _ in range(count // CONCURRENCY):
                    at_once = (app(scope(*args, **options), receive, send) for _ in range(CONCURRENCY))
                    await asyncio.gather(*at_once)  # type: ignore[arg-type]

            await batch(320)
            assert answer["status"] == status, (name, answer["status"])
            started = time.process_time()
            await batch(requests)
            figures[name] = (time.process_time() - started) / requests * 1000
    await app.state.db.dispose()
    return figures


def run_version(site: Path, database_url: str, cookies: tuple[str, str], requests: int) -> dict[str, float]:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join((str(site), str(BENCH_DIR)))}
    command = [sys.executable, __file__, "--measure", database_url, *cookies, str(requests)]
    output = subprocess.run(command, env=environment, check=True, capture_output=True, text=True)  # noqa: S603
    return dict(json.loads(output.stdout.strip().splitlines()[-1]))


def main() -> None:
    if sys.argv[1:2] == ["--measure"]:
        import logging

        import uvloop

        logging.getLogger("trackmycrime.access").setLevel(logging.WARNING)
        uvloop.install()
        url, cookies, officer_cookies, requests, *only = sys.argv[2:7]
        print(json.dumps(asyncio.run(measure(url, cookies, officer_cookies, int(requests), *only))))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", type=Path)
    parser.add_argument("--requests", type=int, default=3200)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    from server_speed import prepare

    async def prepared() -> None:
        async with throwaway_database() as url:
            cookies = await prepare(url)
            versions = {"this checkout": BENCH_DIR.parent / "site"}
            if args.before:
                versions = {"before": args.before / "site", **versions}
            print(f"load at the start: {machine_load()}")
            results: dict[str, list[dict[str, float]]] = {name: [] for name in versions}
            for _round in range(args.rounds):
                for name, site in versions.items():
                    results[name].append(run_version(site, url, cookies, args.requests))
            print(f"load at the end: {machine_load()}")
            print(
                f"{'CPU ms per request (best of rounds)':<36}" + "".join(f"{name:>16}" for name in versions)
            )
            for target in results[next(iter(versions))][0]:
                best = [min(run[target] for run in results[name]) for name in versions]
                print(f"{target:<36}" + "".join(f"{figure:>16.3f}" for figure in best))

    asyncio.run(prepared())


if __name__ == "__main__":
    main()
