"""Logs an operator can ship: readable text by default, one JSON object a line with TMC_LOG_FORMAT=json.

Each request gets an id (a sane incoming `X-Request-ID` is kept, else one is made), returned in
the response and put on every log line written while the request runs. The access line names the
route template, never the path: paths can hold invitation and reset tokens or crime references.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import secrets
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..security_headers import set_headers

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
access_log = logging.getLogger("trackmycrime.access")

# An incoming id is echoed back and logged, so only a short, plain one is trusted.
ACCEPTABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Standard LogRecord attributes: anything else on a record is an `extra` field worth writing out.
_RECORD_FIELDS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


# Middleware may pass a copy of the scope inward, so the router's findings are noted in a dict
# that every shallow copy shares (see NoteRouteMiddleware).
ROUTE_NOTE = "trackmycrime.route"


def route_template(scope: Scope) -> str:
    noted = scope.get(ROUTE_NOTE) or scope
    route = noted.get("route")
    path = getattr(route, "path", None)
    if path is None:
        return "unmatched"
    return f"{noted.get('root_path', '')}{path}"


class NoteRouteMiddleware:
    """Innermost: after routing, notes the route found where the request log (outermost) reads it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            note = scope.get(ROUTE_NOTE)
            if note is not None:
                note["route"], note["root_path"] = scope.get("route"), scope.get("root_path", "")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and value not in ("", None):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self, program: str) -> None:
        super().__init__(f"%(asctime)s {program} %(levelname)s %(name)s: %(message)s%(request_suffix)s")

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", "")
        record.request_suffix = f" [request {rid}]" if rid else ""
        return super().format(record)


def quiet_libraries() -> None:
    """httpx logs each request's full URL at INFO; ours are to the text gateway, but keep URLs out."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def configure_logging(log_format: str, program: str, level: int = logging.INFO) -> None:
    """One handler on the root logger, in the chosen format; uvicorn's loggers write through it."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter(program))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_libraries()
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def uvicorn_log_config(log_format: str) -> dict[str, Any]:
    """uvicorn's own logging, routed to the root handler configured in each worker process."""
    formatter = "trackmycrime.operations.request_log.JsonFormatter" if log_format == "json" else None
    config: dict[str, Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "trackmycrime.operations.request_log.RequestIdFilter"}},
        "formatters": {
            "text": {
                "()": "trackmycrime.operations.request_log.TextFormatter",
                "program": "tmc serve",
            }
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "filters": ["request_id"],
                "formatter": "json" if formatter else "text",
            }
        },
        "root": {"handlers": ["default"], "level": "INFO"},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
        },
    }
    if formatter:
        config["formatters"]["json"] = {"()": formatter}
    return config


RequestObserver = Callable[[Scope, int, float], None]


class RequestLogMiddleware:
    """Gives each request an id, returns it as `X-Request-ID`, and logs one access line at the end.

    Observers (the metrics) are told of each finished request: its scope, status and seconds taken.
    """

    def __init__(self, app: ASGIApp, observers: Sequence[RequestObserver] = ()) -> None:
        self.app = app
        self.observers = tuple(observers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if ACCEPTABLE_REQUEST_ID.fullmatch(incoming) else secrets.token_hex(8)
        token = request_id.set(rid)
        request_id_header = [(b"x-request-id", rid.encode("latin-1"))]
        scope[ROUTE_NOTE] = {}
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                set_headers(message, request_id_header)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            for observe in self.observers:
                observe(scope, status, seconds)
            duration_ms = round(seconds * 1000, 1)
            route = route_template(scope)
            access_log.info(
                "%s %s %s %.1fms",
                scope.get("method", ""),
                route,
                status,
                duration_ms,
                extra={
                    "route": route,
                    "method": scope.get("method", ""),
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )
            request_id.reset(token)
