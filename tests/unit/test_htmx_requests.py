"""Which requests are htmx's own (pages.py, is_htmx): a boosted link is a page like any other."""

import pytest
from starlette.requests import Request

from trackmycrime.pages import is_htmx


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([], False),
        ([(b"hx-request", b"true")], True),
        ([(b"accept", b"text/html"), (b"hx-request", b"true")], True),
        ([(b"hx-request", b"true"), (b"hx-boosted", b"true")], False),
        ([(b"hx-request", b"false")], False),
        ([(b"hx-request", b"True")], False),
        ([(b"hx-request", b"yes"), (b"hx-request", b"true")], False),  # the first one, as Headers reads
        ([(b"hx-boosted", b"true")], False),
    ],
)
def test_is_htmx(headers, expected):
    assert is_htmx(Request({"type": "http", "headers": headers})) is expected
