"""Static files with content hashes in their names, so they can be cached for a year."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import brotli  # type: ignore[import-untyped]
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from .paths import STATIC_DIR

YEAR_IN_SECONDS = 365 * 24 * 3600
COMPRESSIBLE = {".css", ".js", ".svg", ".txt", ".json", ".map"}


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    media_type: str
    etag: str
    brotli: bytes | None = None


@cache
def _compressed(body: bytes) -> tuple[bytes, bytes]:
    """gzip for every client, brotli (about 10% smaller; browsers ask for it over HTTPS) for most:
    the best each can do, once per process, since the files never change while it runs."""
    gzipped = gzip.compress(body, compresslevel=9, mtime=0)
    return gzipped, brotli.compress(body, quality=11, mode=brotli.MODE_TEXT)


def accepted_encodings(header: str) -> set[str]:
    """The codings an Accept-Encoding header allows (those not refused with q=0)."""
    accepted = set()
    for part in header.lower().split(","):
        name, _, parameters = part.partition(";")
        if parameters.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            accepted.add(name.strip())
    return accepted


class StaticAssets:
    """Reads static/ once at start-up; serves 'css/tmc.3f2a1b9c.css' with a long cache."""

    def __init__(self, root: Path = STATIC_DIR, prefix: str = "/static/") -> None:
        self.prefix = prefix
        self._by_url_path: dict[str, Asset] = {}
        self._fingerprinted: dict[str, str] = {}
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.name.startswith("."):
                continue
            relative = path.relative_to(root).as_posix()
            body = path.read_bytes()
            digest = hashlib.sha256(body).hexdigest()[:10]
            stem, dot, suffix = relative.rpartition(".")
            hashed = f"{stem}.{digest}.{suffix}" if dot else f"{relative}.{digest}"
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if media_type.startswith("text/") or media_type.endswith("javascript"):
                media_type += "; charset=utf-8"
            gzipped = brotlied = None
            if path.suffix in COMPRESSIBLE and len(body) > 512:
                gzipped, brotlied = _compressed(body)
            self._by_url_path[hashed] = Asset(body, gzipped, media_type, f'"{digest}"', brotlied)
            self._fingerprinted[relative] = hashed

    def url(self, relative: str) -> str:
        return self.prefix + self._fingerprinted[relative]

    async def serve(self, request: Request) -> Response:
        asset = self._by_url_path.get(request.path_params["path"])
        if asset is None:
            return PlainTextResponse("Not found", status_code=404)
        headers = {
            "Cache-Control": f"public, max-age={YEAR_IN_SECONDS}, immutable",
            "ETag": asset.etag,
            "Vary": "Accept-Encoding",
        }
        if request.headers.get("if-none-match") == asset.etag:
            return Response(status_code=304, headers=headers)
        body = asset.body
        accepted = accepted_encodings(request.headers.get("accept-encoding", ""))
        if asset.brotli and "br" in accepted:
            body = asset.brotli
            headers["Content-Encoding"] = "br"
        elif asset.gzipped and "gzip" in accepted:
            body = asset.gzipped
            headers["Content-Encoding"] = "gzip"
        return Response(body, media_type=asset.media_type, headers=headers)
