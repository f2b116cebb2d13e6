"""create_app(settings): middleware, routes and lifespan; nothing else."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from .auth.csrf import CSRFMiddleware
from .auth.passwords import hasher_for
from .base_url import BaseUrlMiddleware
from .database import OUTAGE_RETRY_AFTER_SECONDS, Database, TroubleLog, is_outage
from .ingest import problems
from .ingest.routes import routes as ingest_routes
from .language import LanguageMiddleware
from .log_redaction import redact_tokens_in_logs
from .officer.routes import routes as officer_routes
from .operations.garbage_collection import tune_for_serving
from .operations.metrics import metrics_endpoint, record_request
from .operations.request_log import NoteRouteMiddleware, RequestLogMiddleware
from .page_memo import PageMemo
from .pages import create_templates, render, render_html
from .public.routes import routes as public_routes
from .security_headers import SecurityHeadersMiddleware
from .settings import Settings, load_settings
from .static_assets import StaticAssets
from .victim.routes import routes as victim_routes
from .victims_code.rules import load_rules

# The router tries the routes in turn, a regular expression each, and the case page came after
# twenty of them, the inbox after sixty-nine. These come first; no other route matches their paths
# (tests/web/test_route_order.py).
ASKED_FOR_MOST = ("static", "victim_case", "victim_case_activity", "officer_inbox")


def routes_by_area(assets: StaticAssets, settings: Settings) -> list[BaseRoute]:
    routes: list[BaseRoute] = [
        Route("/static/{path:path}", assets.serve, name="static"),
        Route("/metrics", metrics_endpoint, methods=["GET"], name="metrics"),
    ]
    routes += public_routes + victim_routes + officer_routes + ingest_routes
    if settings.mode == "demo":
        from .demo.routes import routes as demo_routes

        routes += demo_routes
    return routes


def all_routes(assets: StaticAssets, settings: Settings) -> list[BaseRoute]:
    routes = routes_by_area(assets, settings)
    first = [route for route in routes if getattr(route, "name", None) in ASKED_FOR_MOST]
    return first + [route for route in routes if route not in first]


async def not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    template = "errors/not_found.html" if status == 404 else "errors/problem.html"
    return render(request, template, {"status": status}, status_code=status, fragment="main")


async def server_error(request: Request, exc: Exception) -> Response:
    return render(request, "errors/problem.html", {"status": 500}, status_code=500)


async def service_unavailable(request: Request, exc: Exception) -> Response:
    """The database is down or restarting: say the service will be back, and keep the connection open.

    Anything else is a real fault and goes on to the 500 page (raised again, so it is logged).
    """
    if not is_outage(exc):
        raise exc
    request.app.state.outages.failed(exc)
    if request.url.path.startswith("/api/"):
        return problems.service_unavailable(OUTAGE_RETRY_AFTER_SECONDS)
    headers = {"Retry-After": str(OUTAGE_RETRY_AFTER_SECONDS)}
    return render(request, "errors/unavailable.html", status_code=503, headers=headers)


class TrackMyCrime(Starlette):
    """Starlette, with the request log and security headers outside its last-resort error handler,
    so a 500 has the headers and its request id too, and is logged and counted."""

    def build_middleware_stack(self) -> ASGIApp:
        settings: Settings = self.state.settings
        with_headers = SecurityHeadersMiddleware(
            super().build_middleware_stack(), https=settings.secure_cookies
        )
        return RequestLogMiddleware(with_headers, observers=[record_request])


def create_app(settings: Settings | None = None, database: Database | None = None) -> Starlette:
    settings = settings or load_settings()
    settings.check_for_production()
    rules = load_rules(settings.victims_code_rules or None)
    redact_tokens_in_logs()
    assets = StaticAssets()
    db = database or Database(settings.database_url, pool_size=settings.db_pool_size)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        tune_for_serving()
        yield
        if database is None:
            await db.dispose()

    app = TrackMyCrime(
        routes=all_routes(assets, settings),
        middleware=[
            Middleware(BaseUrlMiddleware, base_url=settings.base_url),
            Middleware(LanguageMiddleware, https=settings.secure_cookies),
            Middleware(GZipMiddleware, minimum_size=500, compresslevel=6),
            Middleware(CSRFMiddleware, secret_key=settings.secret_key, secure=settings.secure_cookies),
            Middleware(NoteRouteMiddleware),
        ],
        exception_handlers={
            404: not_found,
            405: not_found,
            HTTPException: not_found,
            DBAPIError: service_unavailable,
            OSError: service_unavailable,
            PoolTimeout: service_unavailable,
            500: server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.hasher = hasher_for(settings.mode)
    app.state.rules = rules
    app.state.db = db
    app.state.assets = assets
    app.state.outages = TroubleLog(logging.getLogger("trackmycrime.web"), "answering requests")
    app.state.templates = create_templates(assets)
    app.state.page_memo = PageMemo(settings.page_memo_entries)
    # How pages are rendered, for the layer below the pages (auth/) that must answer with one.
    app.state.render, app.state.render_html = render, render_html
    return app
