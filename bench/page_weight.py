"""Page weight: bytes on the wire for victim pages, first visit (HTML, CSS, JS) and repeat visit.

    python bench/page_weight.py [--json results.json] [--case 20x20 --case 500x500]

Serves the app with uvicorn (production mode, PostgreSQL) and fetches each page with a real HTTP
client that asks for compressed answers as browsers do (Accept-Encoding: gzip, deflate, br). A
first visit is the HTML plus every stylesheet and script it links (htmx included) with an empty
cache; a repeat visit is the HTML alone, because fingerprinted static files are cached for a year
as immutable and are not asked for again. Sizes count the status line, headers and compressed
body of each response (HTTP/1.1, as uvicorn speaks it).

Browsers offer brotli only over HTTPS, which is how the portal is served; the figures for a client
offering gzip alone (plain HTTP) are given alongside.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from html.parser import HTMLParser

import httpx
from benchkit import (
    Figure,
    cookie_header,
    kb,
    print_table,
    save_figures,
    seed_case,
    session_cookie,
    throwaway_database,
    uvicorn_server,
    wire_size,
)

from trackmycrime.database import Database

FIRST_VISIT_TARGET = 30_000
REPEAT_VISIT_TARGET = 8_000
BROTLI = "gzip, deflate, br, zstd"
GZIP_ONLY = "gzip, deflate"
BROWSER_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "User-Agent": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36",
}
YEAR = 365 * 24 * 3600


class Subresources(HTMLParser):
    """The stylesheets, scripts and images a page makes the browser fetch."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("rel") == "stylesheet" and found.get("href"):
            self.urls.append(found["href"])  # type: ignore[arg-type]
        elif tag in ("script", "img") and found.get("src"):
            self.urls.append(found["src"])  # type: ignore[arg-type]


@dataclass
class Weight:
    page: str
    html: int
    html_raw: int
    static: int
    repeat: int
    problems: list[str]

    @property
    def first(self) -> int:
        return self.html + self.static


def static_problems(url: str, response: httpx.Response) -> list[str]:
    problems = []
    cache = response.headers.get("cache-control", "")
    if f"max-age={YEAR}" not in cache or "immutable" not in cache:
        problems.append(f"{url} is not cached for a year ({cache!r})")
    if not any(len(part) >= 8 and part.isalnum() for part in url.rsplit("/", 1)[-1].split(".")[1:-1]):
        problems.append(f"{url} has no content hash in its name")
    if url.endswith((".css", ".js")) and response.headers.get("content-encoding") not in ("gzip", "br"):
        problems.append(f"{url} is sent uncompressed")
    return problems


async def weigh(base_url: str, path: str, cookies: str | None, encodings: str = BROTLI) -> Weight:
    headers = {**BROWSER_HEADERS, "Accept-Encoding": encodings}
    if cookies:
        headers["Cookie"] = cookies
    problems: list[str] = []
    async with httpx.AsyncClient(base_url=base_url, headers=headers) as client:
        page = await client.get(path)
        if page.status_code != 200:
            raise RuntimeError(f"{path} answered {page.status_code}, not 200")
        if page.headers.get("content-encoding") not in ("gzip", "br"):
            problems.append(f"{path} HTML is sent uncompressed")
        parser = Subresources()
        parser.feed(page.text)
        static = 0
        for url in parser.urls:
            response = await client.get(url)
            static += wire_size(response)
            problems += static_problems(url, response)
            etag = response.headers.get("etag")
            if etag:
                again = await client.get(url, headers={"If-None-Match": etag})
                if again.status_code != 304:
                    problems.append(f"{url} does not answer 304 to If-None-Match")
        repeat = await client.get(path)
    return Weight(path, wire_size(page), len(page.content), static, wire_size(repeat), problems)


def case_sizes(text: str) -> tuple[int, int]:
    """ "500x500": a case with 500 updates and 500 messages."""
    updates, _x, messages = text.partition("x")
    return int(updates), int(messages)


async def measure(sizes: list[tuple[int, int]]) -> list[tuple[str, Weight, Weight]]:
    """Each public page, and the case page of a case of each size (one force each)."""
    async with throwaway_database() as url:
        database = Database(url)
        cases = []
        for number, (updates, messages) in enumerate(sizes):
            code = f"B{chr(ord('E') + number)}"
            case = await seed_case(
                database,
                updates=updates,
                messages=messages,
                force_code=code,
                reference=f"{code}-2026-{number + 123:06d}",
            )
            victim = await session_cookie(database, party_id=case.party_id)
            cases.append((f"/case ({updates} updates, {messages} messages)", cookie_header(victim)))
        await database.dispose()
        with uvicorn_server("trackmycrime.asgi:app", url) as server:
            pages = [("/", "/", None), ("/sign-in", "/sign-in", None)]
            pages += [(name, "/case", cookies) for name, cookies in cases]
            return [
                (
                    name,
                    await weigh(server.url, path, cookies),
                    await weigh(server.url, path, cookies, GZIP_ONLY),
                )
                for name, path, cookies in pages
            ]


def figures(weights: list[tuple[str, Weight, Weight]]) -> list[Figure]:
    rows = []
    for name, weight, gzip_only in weights:
        rows.append(
            Figure(
                "page weight",
                f"{name} first visit",
                f"{kb(weight.first)} (HTML {kb(weight.html)} of {kb(weight.html_raw)} raw, "
                f"CSS+JS {kb(weight.static)}; gzip only {kb(gzip_only.first)})",
                "< 30 KB",
                weight.first < FIRST_VISIT_TARGET,
            )
        )
        rows.append(
            Figure(
                "page weight",
                f"{name} repeat visit",
                kb(weight.repeat),
                "< 8 KB",
                weight.repeat < REPEAT_VISIT_TARGET,
            )
        )
    problems = sorted({p for _name, *pair in weights for weight in pair for p in weight.problems})
    rows.append(
        Figure(
            "page weight",
            "compression, fingerprints, a year's cache, 304s",
            "; ".join(problems) or "all present",
            "all present",
            not problems,
        )
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--case",
        type=case_sizes,
        action="append",
        help="a case of this many updates and messages, e.g. 500x500 (default: 20x20 and 500x500)",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    weights = asyncio.run(measure(args.case or [(20, 20), (500, 500)]))
    results = figures(weights)
    print_table(results)
    save_figures(results, args.json)


if __name__ == "__main__":
    main()
