"""create_app(settings): middleware, routes and lifespan; nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .auth.csrf import CSRFMiddleware
from .auth.passwords import use_fast_hashing
from .database import Database
from .ingest.routes import routes as ingest_routes
from .language import LanguageMiddleware
from .officer.routes import routes as officer_routes
from .pages import create_templates, render
from .public.routes import routes as public_routes
from .security_headers import SecurityHeadersMiddleware
from .settings import Settings, load_settings
from .static_assets import StaticAssets
from .victim.routes import routes as victim_routes
from .victims_code.rules import configure as configure_victims_code_rules


def all_routes(assets: StaticAssets, settings: Settings) -> list[BaseRoute]:
    routes: list[BaseRoute] = [Route("/static/{path:path}", assets.serve, name="static")]
    routes += public_routes + victim_routes + officer_routes + ingest_routes
    if settings.mode == "demo":
        from .demo.routes import routes as demo_routes

        routes += demo_routes
    return routes


async def not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    template = "errors/not_found.html" if status == 404 else "errors/problem.html"
    return render(request, template, {"status": status}, status_code=status, fragment="main")


async def server_error(request: Request, exc: Exception) -> Response:
    return render(request, "errors/problem.html", {"status": 500}, status_code=500)


def create_app(settings: Settings | None = None, database: Database | None = None) -> Starlette:
    settings = settings or load_settings()
    settings.check_for_production()
    configure_victims_code_rules(settings.victims_code_rules)
    use_fast_hashing(settings.mode != "production")
    assets = StaticAssets()
    db = database or Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if database is None:
            await db.dispose()

    app = Starlette(
        routes=all_routes(assets, settings),
        middleware=[
            Middleware(SecurityHeadersMiddleware, https=settings.secure_cookies),
            Middleware(LanguageMiddleware, https=settings.secure_cookies),
            Middleware(GZipMiddleware, minimum_size=500, compresslevel=6),
            Middleware(CSRFMiddleware, secret_key=settings.secret_key, secure=settings.secure_cookies),
        ],
        exception_handlers={404: not_found, 405: not_found, HTTPException: not_found, 500: server_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.assets = assets
    app.state.templates = create_templates(assets)
    return app
