"""Rendered pages kept in memory, each under a key that changes whenever anything the page shows does.

The key is a digest the database computes from every row the page shows (victim/queries.py,
case_page_digest, and the officer inbox's, officer/queries.py, inbox_digest_column, each in the
session check's own statement), with what the request
adds: the party (or officer), the session, the URL with its query, the language and the CSRF
token. The page also changes with time alone (a deadline passes, a day begins, "ask for an update"
opens again): each entry keeps the end of the time bucket it was rendered in, the next instant
its content could change, and is not served from then on.

A memoised page is never shared across parties or sessions (both are in the key), and is per
process, bounded by TMC_PAGE_MEMO_ENTRIES (least recently used out first). Each entry holds the
page's bytes plain and gzipped: the site compresses pages with gzip only (brotli is for static
files), with the same test of Accept-Encoding as GZipMiddleware. docs/security.md says why this
leaks nothing across parties, and why the compressed bytes with a CSRF token in them are safe.
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .i18n import LONDON, current_language

# As app.py's GZipMiddleware, so that a memoised page weighs what a fresh one does.
GZIP_LEVEL = 6
# The parts of the key; "time" is the time bucket, kept with the entry and checked on the way out.
KEY_PARTS = ("party", "session", "url", "language", "csrf_token", "digest", "time")
_MOMENT = dt.timedelta(microseconds=1)
# The headers of Response(body, media_type="text/html", headers=...), as memoised_response sent them.
_HTML = (b"content-type", b"text/html; charset=utf-8")
_GZIPPED = ((b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding"))


@dataclass(frozen=True, slots=True)
class Memoised:
    plain: bytes
    gzipped: bytes
    valid_until: dt.datetime  # the end of its time bucket: the next instant the page could change
    plain_headers: tuple[tuple[bytes, bytes], ...]
    gzipped_headers: tuple[tuple[bytes, bytes], ...]


class PageMemo:
    """A least-recently-used map of keys to pages, at most `entries` of them (0: nothing is kept)."""

    def __init__(self, entries: int, key_parts: Iterable[str] = KEY_PARTS) -> None:
        self.entries = entries
        self.key_parts = tuple(key_parts)  # all of them, except in the test that leaves one out
        self._keyed_parts = tuple(name for name in self.key_parts if name != "time")
        self._pages: OrderedDict[Hashable, Memoised] = OrderedDict()
        self.hits = self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.entries > 0

    def __len__(self) -> int:
        return len(self._pages)

    def key(self, request: Request, digest: str) -> tuple[Any, ...]:
        scope = request.scope
        state = scope["state"]  # what request.state reads, without its __getattr__ for each name
        parts = {
            # Who is signed in: a party (the case page) or an officer (the inbox).
            "party": ("party", state["party"].id) if "party" in state else ("officer", state["officer"].id),
            "session": state["web_session"].id,
            # The path and query of request.url, without parsing the whole URL it builds.
            "url": (scope["path"], scope["query_string"]),
            "language": current_language.get(),
            # The token the masked one in the page stands for: the same for every page of this browser.
            "csrf_token": state.get("csrf_token_unmasked"),
            "digest": digest,
        }
        return tuple([(name, parts[name]) for name in self._keyed_parts])

    def get(self, key: Hashable, now: dt.datetime) -> Memoised | None:
        page = self._pages.get(key)
        if page is not None and "time" in self.key_parts and now >= page.valid_until:
            del self._pages[key]
            page = None
        if page is None:
            self.misses += 1
            return None
        self._pages.move_to_end(key)
        self.hits += 1
        return page

    def put(self, key: Hashable, page: Memoised) -> None:
        if not self.enabled:
            return
        self._pages[key] = page
        self._pages.move_to_end(key)
        while len(self._pages) > self.entries:
            self._pages.popitem(last=False)


def memoise(html: str, valid_until: dt.datetime) -> Memoised:
    plain = html.encode()
    gzipped = gzip.compress(plain, compresslevel=GZIP_LEVEL, mtime=0)
    return Memoised(
        plain,
        gzipped,
        valid_until,
        plain_headers=((b"content-length", str(len(plain)).encode()), _HTML),
        gzipped_headers=(*_GZIPPED, (b"content-length", str(len(gzipped)).encode()), _HTML),
    )


def next_change(now: dt.datetime, instants: Iterable[dt.datetime | None]) -> dt.datetime:
    """The end of the time bucket `now` is in: the first of `instants` after it, or London's next
    midnight (dates in words, "due tomorrow"), whichever is sooner. Each instant counts as itself
    and the moment after, as pages compare both ways (`due < now`, `now <= deadline`)."""
    today = now.astimezone(LONDON).date()
    midnight = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=LONDON)
    ends = [midnight.astimezone(dt.UTC)]
    for instant in instants:
        if instant is not None:
            moment = instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)
            ends += [end for end in (moment, moment + _MOMENT) if end > now]
    return min(ends)


class _MemoisedPageResponse(Response):
    """A Response with its headers made once, when the page was kept: Response's own init_headers
    encodes them again from a dict on every hit."""

    def __init__(self, body: bytes, raw_headers: list[tuple[bytes, bytes]]) -> None:
        self.status_code = 200
        self.background = None
        self.body = body
        self.raw_headers = raw_headers


def memoised_response(request: Request, page: Memoised) -> Response:
    """The page as the site's middleware would have sent it: gzipped when the browser takes gzip."""
    if _takes_gzip(request):
        return _MemoisedPageResponse(page.gzipped, [*page.gzipped_headers])
    # GZipMiddleware adds Vary to this one, as it does to a fresh page it leaves plain (in place: a copy).
    return _MemoisedPageResponse(page.plain, [*page.plain_headers])


def _takes_gzip(request: Request) -> bool:
    """GZipMiddleware's test (the first Accept-Encoding, as Headers reads it), on the scope's headers."""
    for name, value in request.scope["headers"]:
        if name == b"accept-encoding":
            return b"gzip" in value
    return False
