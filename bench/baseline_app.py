"""The baselines for server_speed.py: the same server answering the same bytes from memory.

`bare` is a plain ASGI callable sending a page captured from the portal, already gzipped: the floor
of what uvicorn itself costs. `ceiling` is the portal itself (`trackmycrime.asgi:app`, all its
middleware) with one more route, `/ceiling`, that checks the party's session exactly as the case
page does and then sends the same pre-gzipped bytes: the cheapest signed-in request, which no page
can beat. `app` is a Starlette app with the portal's middleware returning the page with no session
(the baseline of issue 9). All read the captured page from the file named by BENCH_BASELINE_BODY.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from trackmycrime.auth.csrf import CSRFMiddleware
from trackmycrime.security_headers import SecurityHeadersMiddleware

BODY = Path(os.environ["BENCH_BASELINE_BODY"]).read_bytes()
SECRET_KEY = os.environ.get("TMC_SECRET_KEY", "bench-secret-key-that-is-long-enough-for-production-checks")


async def page(request: Request) -> Response:
    return HTMLResponse(BODY)


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


# The same middleware, in the same order and with the same settings, as trackmycrime.app.create_app.
app = Starlette(
    routes=[Route("/health", health), Route("/{path:path}", page)],
    middleware=[
        Middleware(SecurityHeadersMiddleware, https=False),
        Middleware(GZipMiddleware, minimum_size=500, compresslevel=6),
        Middleware(CSRFMiddleware, secret_key=SECRET_KEY, secure=False),
    ],
)

GZIPPED = gzip.compress(BODY, compresslevel=6)
HEADERS = [
    (b"content-type", b"text/html; charset=utf-8"),
    (b"content-encoding", b"gzip"),
    (b"vary", b"Accept-Encoding"),
    (b"cache-control", b"no-store"),
    (b"content-length", str(len(GZIPPED)).encode()),
]


async def bare(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": GZIPPED})


async def _fixed_page(request: Request) -> Response:
    return Response(GZIPPED, headers={name.decode(): value.decode() for name, value in HEADERS})


def _ceiling() -> ASGIApp:
    from trackmycrime.app import create_app
    from trackmycrime.auth.sessions import party_required_reading

    portal = create_app()
    portal.router.routes.insert(0, Route("/ceiling", party_required_reading(_fixed_page)))
    return portal


def __getattr__(name: str) -> ASGIApp:
    """`ceiling` is built only when uvicorn asks for it (it needs the portal's settings)."""
    if name == "ceiling":
        globals()["ceiling"] = built = _ceiling()
        return built
    raise AttributeError(name)
