"""The start page, the accessibility statement, the words we use and the health check."""

from __future__ import annotations

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..forces import service_force
from ..pages import render
from ..paths import STATIC_DIR
from .accessibility import audit_summary
from .glossary import glossary


async def start_page(request: Request) -> Response:
    async with request.app.state.db.session() as db:
        request.state.force = await service_force(db)
    return render(request, "public/start.html")


async def accessibility_statement(request: Request) -> Response:
    async with request.app.state.db.session() as db:
        request.state.force = await service_force(db)
    return render(request, "public/accessibility.html", {"audit": audit_summary()})


async def glossary_page(request: Request) -> Response:
    async with request.app.state.db.session() as db:
        request.state.force = await service_force(db)
    return render(request, "public/glossary.html", {"terms": glossary()})


FAVICON = (STATIC_DIR / "favicon.ico").read_bytes()


async def favicon(request: Request) -> Response:
    """Browsers ask for /favicon.ico on every site: a real icon, not a "page not found"."""
    return Response(FAVICON, media_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"})


async def health(request: Request) -> Response:
    try:
        async with request.app.state.db.session() as db:
            await db.exec(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any database failure means unhealthy
        return JSONResponse({"status": "unhealthy", "database": type(error).__name__}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


routes = [
    Route("/", start_page, name="start"),
    Route("/accessibility", accessibility_statement, name="accessibility"),
    Route("/words-we-use", glossary_page, name="glossary"),
    Route("/health", health, name="health"),
    Route("/favicon.ico", favicon, name="favicon"),
]
