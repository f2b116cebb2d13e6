"""Prometheus metrics for operators: requests, sign-ins, ingest calls, the outbox and the Victims' Code.

Counters and histograms of the web processes are kept by `prometheus_client`; with several
`tmc serve` workers (or a `tmc worker` on the same machine) they share a directory named by
`PROMETHEUS_MULTIPROC_DIR`, which `tmc serve` and `tmc worker` set up when metrics are on.
What lives in the database is read from it at each scrape, so every web process reports the same
figures whichever machine the workers run on: the outbox by kind, channel and state (alerts sent,
failed and held are rows in those states), the oldest unsent alert, leases that ran out and await
another worker, and overdue Victims' Code entitlements per force.

Labels never carry personal data or crime references: routes are path templates
("/officer/crimes/{crime_id}"), forces are their short codes.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select
from sqlmodel import col
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from ..models import Entitlement, Force, OutboxMessage, OutboxStatus, WorkerCount, utcnow
from ..notify import worker_counts
from .request_log import route_template

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REQUESTS = Counter(
    "tmc_http_requests_total",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "tmc_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
SIGN_INS = Counter(
    "tmc_sign_ins_total",
    "Sign-in attempts by side (victim, officer) and outcome (success, wrong_details, locked).",
    ["side", "outcome"],
)
INGEST_CALLS = Counter(
    "tmc_ingest_requests_total",
    "Records-system API calls by operation and outcome (stored, refused, error).",
    ["operation", "outcome"],
)
# The sign-in forms answer with these statuses; the route tells which side, the status the outcome.
SIGN_IN_ROUTES = {("POST", "/sign-in"): "victim", ("POST", "/officer/sign-in"): "officer"}


def sign_in_outcome(status: int) -> str:
    if status in (302, 303):
        return "success"
    if status == 429:
        return "locked"
    return "wrong_details"


def ingest_outcome(status: int) -> str:
    if status < 400:
        return "stored"
    if status < 500:
        return "refused"
    return "error"


# A method no route answers is counted as "other": a client may send any word as its method, and
# each new label value would be a new series kept for the life of the process.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Each (route, method, status)'s counter and histogram, as labels() finds them: finding them again
# cost more than counting (bench/README.md, "The pooled connection without SQLAlchemy's Connection").
# Bounded: routes are the app's templates, methods and statuses few.
_REQUEST_SERIES: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def record_request(scope: Scope, status: int, seconds: float) -> None:
    route = route_template(scope)
    method = scope.get("method", "GET")
    method = method if method in METHODS else "other"
    key = (route, method, status)
    series = _REQUEST_SERIES.get(key)
    if series is None:
        series = (REQUESTS.labels(route, method, str(status)), REQUEST_SECONDS.labels(route))
        _REQUEST_SERIES[key] = series
    series[0].inc()
    series[1].observe(seconds)
    side = SIGN_IN_ROUTES.get((method, route))
    if side:
        SIGN_INS.labels(side, sign_in_outcome(status)).inc()
    if route.startswith("/api/") and not route.endswith("openapi.json"):
        operation = f"{method} {route.removeprefix('/api')}"
        INGEST_CALLS.labels(operation, ingest_outcome(status)).inc()


def process_registry() -> CollectorRegistry:
    """What this process (or, in multiprocess mode, every process on this machine) counted."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    from prometheus_client import REGISTRY

    return REGISTRY


class DatabaseFigures:
    """Gauges read from the database at scrape time; a collector for a one-off registry."""

    def __init__(self, rows: dict[str, Any]) -> None:
        self.rows = rows

    def collect(self) -> Any:
        outbox = GaugeMetricFamily(
            "tmc_outbox_messages",
            "Outbox rows by kind, channel and state.",
            labels=["kind", "channel", "state"],
        )
        for kind, channel, state, count in self.rows["outbox"]:
            outbox.add_metric([kind, channel, state], count)
        yield outbox
        oldest = GaugeMetricFamily(
            "tmc_outbox_oldest_unsent_seconds",
            "Age of the oldest alert still waiting to be sent (0 if none).",
        )
        oldest.add_metric([], self.rows["oldest_unsent_seconds"])
        yield oldest
        expired = GaugeMetricFamily(
            "tmc_outbox_expired_leases", "Alerts claimed by a worker whose lease ran out (awaiting takeover)."
        )
        expired.add_metric([], self.rows["expired_leases"])
        yield expired
        overdue = GaugeMetricFamily(
            "tmc_victims_code_overdue",
            "Victims' Code entitlements past their deadline and not met, by force.",
            labels=["force"],
        )
        for force_code, count in self.rows["overdue"]:
            overdue.add_metric([force_code], count)
        yield overdue
        alerts = CounterMetricFamily(
            "tmc_worker_alerts",
            "What the alert workers did with each alert, by outcome and channel (all workers, ever).",
            labels=["outcome", "channel"],
        )
        taken_over = CounterMetricFamily(
            "tmc_worker_leases_taken_over",
            "Alerts a worker took over because the worker sending them stopped (its lease ran out).",
            labels=["channel"],
        )
        for name, channel, value in self.rows["worker_counts"]:
            if name == worker_counts.LEASE_TAKEN_OVER:
                taken_over.add_metric([channel], value)
            else:
                alerts.add_metric([name, channel], value)
        yield alerts
        yield taken_over


UNSENT = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.HELD)


async def database_figures(db: Any, now: dt.datetime) -> dict[str, Any]:
    outbox = (
        await db.exec(
            select(
                col(OutboxMessage.kind), col(OutboxMessage.channel), col(OutboxMessage.status), func.count()
            ).group_by(OutboxMessage.kind, OutboxMessage.channel, OutboxMessage.status)
        )
    ).all()
    oldest = (
        await db.exec(select(func.min(OutboxMessage.created_at)).where(col(OutboxMessage.status).in_(UNSENT)))
    ).scalar_one()
    expired = (
        await db.exec(
            select(func.count()).where(
                col(OutboxMessage.status) == OutboxStatus.SENDING, col(OutboxMessage.claimed_until) < now
            )
        )
    ).scalar_one()
    overdue = (
        await db.exec(
            select(col(Force.code), func.count(col(Entitlement.id)))
            .select_from(Force)
            .outerjoin(
                Entitlement,
                (col(Entitlement.force_id) == col(Force.id))
                & col(Entitlement.met_at).is_(None)
                & (col(Entitlement.due_at) < now),
            )
            .group_by(Force.code)
        )
    ).all()
    worker_totals = select(col(WorkerCount.name), col(WorkerCount.channel), col(WorkerCount.value))
    counted = (await db.exec(worker_totals)).all()
    oldest_seconds = 0.0
    if oldest is not None:
        if oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=dt.UTC)
        oldest_seconds = max(0.0, (now - oldest).total_seconds())
    return {
        "outbox": [tuple(row) for row in outbox],
        "oldest_unsent_seconds": oldest_seconds,
        "expired_leases": expired,
        "overdue": [tuple(row) for row in overdue],
        "worker_counts": [(name, channel, int(value)) for name, channel, value in counted],
    }


def token_matches(request: Request, expected: str) -> bool:
    given = request.headers.get("authorization", "")
    scheme, _, token = given.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), expected.encode())


async def metrics_endpoint(request: Request) -> Response:
    """`/metrics`: off (404) unless TMC_METRICS_TOKEN is set, then only with that bearer token."""
    expected = request.app.state.settings.metrics_token
    if not expected:
        return Response("Not Found\n", status_code=404, media_type="text/plain")
    if not token_matches(request, expected):
        return Response(
            "A bearer token is needed.\n",
            status_code=401,
            media_type="text/plain",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    async with request.app.state.db.session() as db:
        figures = await database_figures(db, utcnow())
    from_database = CollectorRegistry()
    from_database.register(DatabaseFigures(figures))
    body = generate_latest(process_registry()) + generate_latest(from_database)
    return Response(body, media_type=CONTENT_TYPE)
