"""Static files go out brotli-compressed to browsers that ask for it (HTTPS), gzip to the rest."""

import brotli
import pytest

from trackmycrime.static_assets import accepted_encodings

pytestmark = pytest.mark.anyio


async def stylesheet_url(client) -> str:
    page = await client.page("/")
    return page.select_one('link[rel="stylesheet"]')["href"]


@pytest.mark.parametrize(
    ("offered", "expected"),
    [
        ("gzip, deflate, br, zstd", "br"),
        ("gzip, deflate", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("identity", None),
    ],
)
async def test_the_smallest_encoding_the_browser_accepts(client, offered, expected):
    url = await stylesheet_url(client)
    response = await client.http.get(url, headers={"Accept-Encoding": offered})
    assert response.status_code == 200
    assert response.headers.get("content-encoding") == expected
    assert "Accept-Encoding" in response.headers["vary"]
    assert b".width-container" in response.content  # decoded by the client: the same stylesheet


async def raw_body(client, url: str, encoding: str) -> bytes:
    """The bytes as sent, before the client decodes them."""
    request = client.http.build_request("GET", url, headers={"Accept-Encoding": encoding})
    response = await client.http.send(request, stream=True)
    try:
        return b"".join([chunk async for chunk in response.aiter_raw()])
    finally:
        await response.aclose()


async def test_brotli_is_smaller_than_gzip_and_decodes_to_the_same_file(client):
    url = await stylesheet_url(client)
    plain = await raw_body(client, url, "identity")
    compressed = await raw_body(client, url, "br")
    assert brotli.decompress(compressed) == plain
    assert len(compressed) < len(await raw_body(client, url, "gzip")) < len(plain)


def test_reading_accept_encoding():
    assert accepted_encodings("gzip, deflate, br") == {"gzip", "deflate", "br"}
    assert accepted_encodings("br;q=0, gzip;q=0.5") == {"gzip"}
    assert accepted_encodings("") == {""}
