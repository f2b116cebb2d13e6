"""Every URL the site builds from a request uses TMC_BASE_URL, never the request's Host header.

Starlette builds absolute URLs (the redirect that drops a trailing slash, url_for) from the Host
header, which the client chooses: a link or redirect could send a victim to another site. This
middleware puts the configured scheme and host into each request before anything reads them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send


class BaseUrlMiddleware:
    def __init__(self, app: ASGIApp, *, base_url: str) -> None:
        self.app = app
        parts = urlsplit(base_url)
        self.scheme = parts.scheme
        self.host = parts.netloc.encode("latin-1")
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.server = (self.host.decode().split(":")[0], self.port)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = [(name, value) for name, value in scope["headers"] if name != b"host"]
            headers.append((b"host", self.host))
            # In place, not a copy: the request log outside reads the route the router puts in scope.
            scope["headers"] = headers
            scope["server"] = self.server
            if scope["type"] == "http":
                scope["scheme"] = self.scheme
        await self.app(scope, receive, send)
