"""Do the pages read the same after a template change? Save every page the web tests fetch, and compare.

A pytest plugin: with TMC_RENDER_DIR set, each HTML response body is saved, keyed by test, request
number, method and URL. Run the web tests before and after the change (on a copy of the tree each,
so editing does not disturb a run), then compare:

    TMC_RENDER_DIR=/tmp/renders/before pytest -n 0 -p bench.render_snapshot tests/web
    python -m bench.render_snapshot /tmp/renders/before /tmp/renders/after

What differs on every run (CSRF tokens, the clock, new codes and keys, QR codes, ports) is masked,
and whitespace a browser ignores is collapsed; a difference only in the order of attributes is
counted apart. Run it twice before changing anything to see the noise (a few pages of a test that
races requests on purpose).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

_current = {"test": "", "count": 0}
_saved: dict[str, str] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    _current["test"], _current["count"] = item.nodeid, 0
    yield


def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get("TMC_RENDER_DIR"):
        return
    original = httpx.AsyncClient.send

    async def send(self: httpx.AsyncClient, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        response = await original(self, request, **kwargs)
        if "text/html" in response.headers.get("content-type", ""):
            await response.aread()
            _current["count"] += 1
            key = f"{_current['test']} #{_current['count']:03d} {request.method} {request.url}"
            _saved[key] = response.text
        return response

    httpx.AsyncClient.send = send  # type: ignore[method-assign]


def pytest_unconfigure(config: pytest.Config) -> None:
    target = os.environ.get("TMC_RENDER_DIR")
    if target and _saved:
        path = Path(target)
        path.mkdir(parents=True, exist_ok=True)
        (path / f"renders-{os.getpid()}.json").write_text(json.dumps(_saved))


VOLATILE = [
    (re.compile(r'(name="csrf_token" value=")[^"]*'), r"\1*"),
    (re.compile(r'("X-CSRF-Token": ?")[^"]*'), r"\1*"),
    (re.compile(r"(&#34;X-CSRF-Token&#34;: ?&#34;)[^&]*"), r"\1*"),
    (re.compile(r'nonce="[^"]*"'), 'nonce="*"'),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?"), "*"),  # the clock
    (re.compile(r"\b\d{1,2}[:.]\d\d ?(am|pm|yb|yh)?\b"), "*"),
    (re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+"), "*"),  # signed tokens
    (re.compile(r'"data:image/[^"]*"'), '"*"'),  # QR codes
    (re.compile(r"<code>[^<]*</code>"), "<code>*</code>"),  # new keys, codes and secrets
    (re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2}\b"), "*"),  # registration codes
    (re.compile(r"127\.0\.0\.1(:|%3A)\d+"), "127.0.0.1:*"),  # the test identity provider's port
    (re.compile(r"before=[\d.*]+"), "before=*"),  # timeline positions
    (re.compile(r"/pytest-of-[^/]+/pytest-\d+/"), "/pytest-*/"),  # pytest's temporary folders
]
RANDOM_IN_URL = re.compile(r"[\w-]{20,}")
BLOCK = (
    "address|article|aside|body|caption|dd|details|div|dl|dt|fieldset|figcaption|figure|footer|form|"
    "h[1-6]|head|header|hr|html|li|link|main|meta|nav|ol|p|script|section|summary|table|tbody|td|textarea|"
    "tfoot|th|thead|title|tr|ul|legend|label|select|option|input|button|svg|text|rect|desc"
)
AROUND_BLOCK_TAG = re.compile(rf"\s*(</?(?:{BLOCK})\b[^>]*>)\s*")
TAG = re.compile(r"<([a-zA-Z][\w-]*)((?:\s+[^\s=>]+(?:=\"[^\"]*\"|='[^']*'|=[^\s>]+)?)*)\s*(/?)>")
ATTRIBUTE = re.compile(r"[^\s=>]+(?:=\"[^\"]*\"|='[^']*'|=[^\s>]+)?")


def without_volatile(html: str) -> str:
    for pattern, replacement in VOLATILE:
        html = pattern.sub(replacement, html)
    return html


def normalise_whitespace(html: str) -> str:
    """Whitespace a browser ignores: runs of it count as one space, and none next to a block's tags."""
    return AROUND_BLOCK_TAG.sub(r"\1", " ".join(without_volatile(html).split())).strip()


def sort_attributes(html: str) -> str:
    def sorted_tag(match: re.Match[str]) -> str:
        attributes = sorted(ATTRIBUTE.findall(match.group(2)))
        return "<" + " ".join([match.group(1), *attributes]) + match.group(3) + ">"

    return TAG.sub(sorted_tag, html)


def load(directory: str) -> dict[str, str]:
    """This application's pages (not the test identity provider's), keyed without random tokens."""
    pages: dict[str, str] = {}
    for file in sorted(Path(directory).glob("renders-*.json")):
        for key, html in json.loads(file.read_text()).items():
            test, _, url = key.partition(" http://")
            if url.startswith("testserver/"):
                pages[test + " " + RANDOM_IN_URL.sub("*", without_volatile(url))] = html
    return pages


def first_difference(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def main(before_dir: str, after_dir: str) -> int:
    before, after = load(before_dir), load(after_dir)
    common = sorted(before.keys() & after.keys())
    print(f"pages: before {len(before)}, after {len(after)}, compared {len(common)}")
    exact = [key for key in common if without_volatile(before[key]) == without_volatile(after[key])]
    print(f"identical byte for byte (but for CSRF tokens and nonces): {len(exact)}")
    spaced = {key: (normalise_whitespace(before[key]), normalise_whitespace(after[key])) for key in common}
    spaced = {key: pair for key, pair in spaced.items() if pair[0] != pair[1]}
    print(f"differ after normalising whitespace: {len(spaced)}")
    ordered = [key for key, (a, b) in spaced.items() if sort_attributes(a) != sort_attributes(b)]
    print(f"of those, differ in more than the order of attributes: {len(ordered)}")
    shown: set[str] = set()
    for key, (a, b) in spaced.items():
        at = first_difference(a, b)
        if a[max(0, at - 60) : at + 60] not in shown:  # one example of each difference
            shown.add(a[max(0, at - 60) : at + 60])
            print(f"\n{key}")
            print(f"  before: …{a[max(0, at - 120) : at + 120]}")
            print(f"  after:  …{b[max(0, at - 120) : at + 120]}")
    return 1 if ordered else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
