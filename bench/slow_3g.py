"""The case page on a slow 3G connection, in Debian's Chromium: DOMContentLoaded and load, first and
repeat visit.

    python bench/slow_3g.py [--json results.json]

Serves the app with uvicorn (production mode, PostgreSQL) with the bench case (20 updates, 20
messages), signs the browser in with a session cookie, and throttles it through the DevTools
protocol (Network.emulateNetworkConditions) to two profiles:

- "slow 3G": Chrome DevTools' preset (400 kbps both ways, 2,000 ms added to each request, which
  is how DevTools models a 400 ms round trip with connection set-up);
- "400 kbps / 400 ms": 400 kbps both ways and 400 ms added to each request.

A first visit starts with an empty cache; the repeat visit loads the page again in the same
browser, with its stylesheet and scripts cached. htmx and tmc.js are deferred scripts, so the
page is interactive at DOMContentLoaded. Chromium counts 127.0.0.1 as a secure origin and asks
for brotli, so static files arrive as brotli and pages as gzip, as they would over HTTPS.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from typing import Any

from benchkit import (
    REPOSITORY,
    Figure,
    kb,
    print_table,
    save_figures,
    seed_case,
    session_cookie,
    throwaway_database,
    uvicorn_server,
)

from trackmycrime.database import Database

sys.path.insert(0, str(REPOSITORY))
from tests.browser_fixtures import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PROFILES = {
    "slow 3G": {"latency": 2000, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8},
    "400 kbps / 400 ms": {"latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8},
}

TIMING = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  return {
    dcl: n.domContentLoadedEventEnd - n.startTime,
    load: n.loadEventEnd - n.startTime,
    transferred: n.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
    resources: resources.length,
  };
}"""


@dataclass
class Load:
    dcl: float
    load: float
    transferred: int
    encodings: set[str]


def load_page(page: Any, url: str) -> Load:
    encodings: set[str] = set()

    def note_encoding(response: Any) -> None:
        encodings.add(response.headers.get("content-encoding", "none"))

    page.on("response", note_encoding)
    page.goto(url, wait_until="load")
    page.wait_for_function("performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
    found = page.evaluate(TIMING)
    page.remove_listener("response", note_encoding)
    return Load(found["dcl"], found["load"], int(found["transferred"]), encodings)


def browse(base_url: str, cookie: str) -> dict[str, tuple[Load, Load]]:
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, conditions in PROFILES.items():
                context = browser.new_context()
                context.add_cookies([{"name": "tmc_session", "value": cookie, "url": base_url}])
                page = context.new_page()
                devtools = context.new_cdp_session(page)
                devtools.send("Network.enable")
                devtools.send("Network.emulateNetworkConditions", {"offline": False, **conditions})
                first = load_page(page, base_url + "/case")
                if "Sign in" in page.title():
                    raise RuntimeError("the browser was sent to the sign-in page")
                repeat = load_page(page, base_url + "/case")
                results[name] = (first, repeat)
                context.close()
        finally:
            browser.close()
    return results


async def serve_and_browse() -> dict[str, tuple[Load, Load]]:
    async with throwaway_database() as url:
        database = Database(url)
        case = await seed_case(database)
        cookie = await session_cookie(database, party_id=case.party_id)
        await database.dispose()
        with uvicorn_server("trackmycrime.asgi:app", url) as server:
            return await asyncio.to_thread(browse, server.url, cookie)


def figures(results: dict[str, tuple[Load, Load]]) -> list[Figure]:
    rows = []
    for name, (first, repeat) in results.items():
        rows.append(
            Figure(
                "slow 3G",
                f"case page, {name}, first visit",
                f"DOMContentLoaded {first.dcl / 1000:.1f} s, load {first.load / 1000:.1f} s, "
                f"{kb(first.transferred)} ({'/'.join(sorted(first.encodings))})",
                "reported",
            )
        )
        rows.append(
            Figure(
                "slow 3G",
                f"case page, {name}, repeat visit",
                f"DOMContentLoaded {repeat.dcl / 1000:.1f} s, load {repeat.load / 1000:.1f} s, "
                f"{kb(repeat.transferred)}",
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    rows = figures(asyncio.run(serve_and_browse()))
    print_table(rows)
    save_figures(rows, args.json)


if __name__ == "__main__":
    main()
