"""`/metrics`: off without a token, refused with a wrong one, and figures an operator can alert on."""

from __future__ import annotations

import datetime as dt

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import select

from trackmycrime.app import create_app
from trackmycrime.models import Entitlement, OutboxMessage, OutboxStatus, utcnow
from trackmycrime.notify.worker import send_due_alerts
from trackmycrime.settings import SettingsError, load_settings

from .. import conftest
from ..factories import make_api_key, make_crime, make_force, make_party
from ..webclient import WebClient
from ..worker_support import SmtpServer, worker_settings

pytestmark = pytest.mark.anyio

TOKEN = "metrics-token-for-the-tests-0123456789"


@pytest.fixture
async def metrics_client(db):  # type: ignore[no-untyped-def]
    app = create_app(conftest.test_settings(db.url, metrics_token=TOKEN), db)
    async with WebClient(app) as web_client:
        yield web_client


async def scrape(client: WebClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_are_off_unless_a_token_is_configured(client):
    response = await client.get("/metrics", expect=404)
    assert "tmc_" not in response.text


async def test_metrics_refuse_a_missing_or_wrong_token(metrics_client):
    missing = await metrics_client.get("/metrics", expect=401)
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = await metrics_client.http.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    assert "tmc_http_requests_total" not in wrong.text


async def test_a_method_no_route_answers_is_counted_as_other_not_as_a_new_series(metrics_client):
    """A client can send any word as its method; each would be a series kept for the process's life."""
    before = await scrape(metrics_client)
    for made_up in ("BREW", "WHEN1", "WHEN2"):
        response = await metrics_client.http.request(made_up, "/accessibility")
        assert response.status_code == 403, "refused (no CSRF token for a method that is not GET)"
    after = await scrape(metrics_client)
    counted = "tmc_http_requests_total"
    # Refused before routing (the CSRF check), so by no route's template.
    assert value(after, counted, route="unmatched", method="other", status="403") == (
        value(before, counted, route="unmatched", method="other", status="403") + 3
    )
    assert not {dict(labels).get("method") for (_, labels) in after} & {"BREW", "WHEN1", "WHEN2"}


async def test_requests_are_counted_by_route_template_without_ids(metrics_client, db):
    async with db.transaction() as session:
        force = await make_force(session)
        crime = await make_crime(session, force)
    before = await scrape(metrics_client)
    await metrics_client.get("/accessibility")
    await metrics_client.get(f"/officer/crimes/{crime.id}", expect=303)
    await metrics_client.get("/no-such-page", expect=404)
    after = await scrape(metrics_client)
    counted = "tmc_http_requests_total"
    assert value(after, counted, route="/accessibility", method="GET", status="200") == (
        value(before, counted, route="/accessibility", method="GET", status="200") + 1
    )
    assert value(after, counted, route="/officer/crimes/{crime_id}", method="GET", status="303") >= 1
    assert value(after, counted, route="unmatched", method="GET", status="404") >= 1
    routes = {dict(labels).get("route", "") for (_, labels) in after}
    segments = {segment for route in routes for segment in route.split("/")}
    assert str(crime.id) not in segments  # templates, never the id itself
    assert value(after, "tmc_http_request_duration_seconds_count", route="/accessibility") >= 1


async def test_sign_in_and_ingest_outcomes_are_counted(metrics_client, db):
    async with db.transaction() as session:
        force = await make_force(session, code="AS")
        _, key = await make_api_key(session, force)
    before = await scrape(metrics_client)
    await metrics_client.post(
        "/sign-in",
        {
            "surname": "Nobody",
            "reference": "AS-2026-000001",
            "date_of_birth-day": "1",
            "date_of_birth-month": "2",
            "date_of_birth-year": "1980",
            "password": "not the password at all",
        },
    )
    refused = await metrics_client.http.put(
        "/api/v1/crimes/AS-2026-000001", json={"offence": ""}, headers={"Authorization": f"Bearer {key}"}
    )
    assert refused.status_code == 422
    after = await scrape(metrics_client)
    wrong = value(after, "tmc_sign_ins_total", side="victim", outcome="wrong_details")
    assert wrong == value(before, "tmc_sign_ins_total", side="victim", outcome="wrong_details") + 1

    def refused_puts(samples: dict) -> float:  # type: ignore[type-arg]
        return sum(
            count
            for (name, labels), count in samples.items()
            if name == "tmc_ingest_requests_total"
            and dict(labels)["operation"].startswith("PUT /v1/crimes/{crime_reference")
            and dict(labels)["outcome"] == "refused"
        )

    assert refused_puts(after) == refused_puts(before) + 1


async def test_outbox_and_overdue_entitlements_come_from_the_database(metrics_client, db):
    now = utcnow()
    async with db.transaction() as session:
        force = await make_force(session, code="XY")
        crime = await make_crime(session, force)
        party = await make_party(session, crime, surname="Pritchard", email="victim@example.org")
        session.add(
            OutboxMessage(
                force_id=force.id,
                kind="update_waiting",
                channel="email",
                party_id=party.id,
                recipient="victim@example.org",
                created_at=now - dt.timedelta(minutes=10),
            )
        )
        session.add(
            OutboxMessage(
                force_id=force.id,
                kind="update_waiting",
                channel="sms",
                party_id=party.id,
                recipient="+447700900123",
                status=OutboxStatus.SENT,
            )
        )
        session.add(
            OutboxMessage(
                force_id=force.id,
                kind="invitation",
                channel="email",
                party_id=party.id,
                recipient="victim@example.org",
                status=OutboxStatus.SENDING,
                claimed_until=now - dt.timedelta(minutes=1),
            )
        )
        for key, due_in_days in (("overdue", -2), ("not yet due", 5)):
            session.add(
                Entitlement(
                    force_id=force.id,
                    crime_id=crime.id,
                    party_id=party.id,
                    event="charged",
                    event_key=key,
                    event_at=now - dt.timedelta(days=9),
                    due_at=now + dt.timedelta(days=due_in_days),
                )
            )
    samples = await scrape(metrics_client)
    assert value(samples, "tmc_outbox_messages", kind="update_waiting", channel="email", state="pending") == 1
    assert value(samples, "tmc_outbox_messages", kind="update_waiting", channel="sms", state="sent") == 1
    assert 590 <= value(samples, "tmc_outbox_oldest_unsent_seconds") < 900
    assert value(samples, "tmc_outbox_expired_leases") == 1
    assert value(samples, "tmc_victims_code_overdue", force="XY") == 1
    response = await metrics_client.http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    for personal in ("Pritchard", "victim@example.org", "+447700900123", crime.reference):
        assert personal not in response.text


async def test_what_the_workers_did_is_counted_across_runs_by_outcome_and_channel(metrics_client, db):
    """Counters the fleet adds to in the database: sent, held, and leases taken over from a dead worker."""
    now = utcnow()
    async with db.transaction() as session:
        force = await make_force(session, code="XY")
        crime = await make_crime(session, force)
        party = await make_party(session, crime, email="victim@example.org", mobile="+447700900123")

        def alert(channel: str, **columns: object) -> OutboxMessage:
            recipient = party.email if channel == "email" else party.mobile
            return OutboxMessage(
                force_id=force.id,
                kind="update_waiting",
                channel=channel,
                party_id=party.id,
                recipient=recipient,
                next_attempt_at=now - dt.timedelta(minutes=5),
                **columns,
            )

        session.add(alert("email"))
        # Claimed by a worker that died: its lease ran out a minute ago.
        session.add(alert("email", status=OutboxStatus.SENDING, claimed_until=now - dt.timedelta(minutes=1)))
        # Claimed by a worker that is still sending: not to be taken over.
        session.add(alert("email", status=OutboxStatus.SENDING, claimed_until=now + dt.timedelta(minutes=5)))
        session.add(alert("sms"))  # no text gateway configured: held
    smtp = SmtpServer().up()
    try:
        await send_due_alerts(worker_settings(db.url, smtp), db)
        first = await scrape(metrics_client)
        await send_due_alerts(worker_settings(db.url, smtp), db)  # nothing more to do
        second = await scrape(metrics_client)
    finally:
        smtp.down()

    assert smtp.total == 2
    for samples in (first, second):
        assert value(samples, "tmc_worker_leases_taken_over_total", channel="email") == 1
        assert value(samples, "tmc_worker_alerts_total", outcome="sent", channel="email") == 2
        assert value(samples, "tmc_worker_alerts_total", outcome="held", channel="sms") == 1
        assert value(samples, "tmc_worker_alerts_total", outcome="failed", channel="email") == 0
    async with db.session() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert [row.status for row in rows] == [
        OutboxStatus.SENT,
        OutboxStatus.SENT,
        OutboxStatus.SENDING,
        "held",
    ]
    assert rows[1].attempts == 1, "the dead worker's claim was made due again, then claimed once"


def test_a_short_metrics_token_or_unknown_log_format_stops_start_up():
    with pytest.raises(SettingsError, match="TMC_METRICS_TOKEN"):
        load_settings({"TMC_METRICS_TOKEN": "short"})
    with pytest.raises(SettingsError, match="TMC_LOG_FORMAT"):
        load_settings({"TMC_LOG_FORMAT": "xml"})
