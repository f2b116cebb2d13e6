"""What a force's IT team runs: `tmc serve` logging JSON with metrics across workers, and `tmc check`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from trackmycrime.demo.mail_catcher import MailCatcher

from .test_cli import tmc

TOKEN = "operations-test-metrics-token-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def migrated_env(tmp_path: Path) -> dict[str, str]:
    env = {
        "TMC_DATABASE_URL": f"sqlite:///{tmp_path / 'ops.sqlite3'}",
        "TMC_SECRET_KEY": "ops-test-secret-key-long-enough-and-quite-random-7Hq2",
        "TMC_BASE_URL": "https://portal.police.example",
    }
    assert tmc("db", "upgrade", env_extra=env).returncode == 0
    return env


def test_serve_with_two_workers_logs_json_and_sums_metrics_across_them(migrated_env, tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TMC_", "PROMETHEUS_"))}
    env |= migrated_env | {"TMC_LOG_FORMAT": "json", "TMC_METRICS_TOKEN": TOKEN}
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "trackmycrime", "serve", "--port", str(port), "--workers", "2"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.3)
        # New connections each time, so both worker processes answer some of them.
        for _ in range(40):
            httpx.get(f"{base}/accessibility", timeout=5, headers={"X-Request-ID": "ops-check"})
        scraped = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
        assert scraped.status_code == 200
        total = 0.0
        for family in text_string_to_metric_families(scraped.text):
            for sample in family.samples:
                if (
                    sample.name == "tmc_http_requests_total"
                    and sample.labels.get("route") == "/accessibility"
                ):
                    total += sample.value
        assert total == 40
    finally:
        server.terminate()
        server.wait(timeout=20)
    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    access = [
        e for e in entries if e.get("logger") == "trackmycrime.access" and e.get("request_id") == "ops-check"
    ]
    assert len(access) == 40
    assert {e["route"] for e in access} == {"/accessibility"}
    assert all(e["status"] == 200 and e["duration_ms"] >= 0 for e in access)


def test_check_passes_on_a_sound_configuration(migrated_env):
    mail_server = MailCatcher()
    mail_server.start()
    try:
        env = migrated_env | {"TMC_SMTP_HOST": "127.0.0.1", "TMC_SMTP_PORT": str(mail_server.port)}
        result = tmc("check", env_extra=env)
    finally:
        mail_server.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "All checks passed."
    assert any(line.startswith("ok") and "database" in line and "head" in line for line in lines)
    assert any(line.startswith("ok") and "mail server" in line and "EHLO" in line for line in lines)
    assert any(line.startswith("skip") and "text message gateway" in line for line in lines)


def test_check_names_each_problem_and_fails(tmp_path):
    env = {
        "TMC_DATABASE_URL": f"sqlite:///{tmp_path / 'never-migrated.sqlite3'}",
        "TMC_SECRET_KEY": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "TMC_SMTP_HOST": "127.0.0.1",
        "TMC_SMTP_PORT": str(free_port()),
        "TMC_SMS_API_KEY": "not-a-notify-key",
        "TMC_SMS_TEMPLATE_ID": "f33517ff-2a88-4f6e-b855-c550268ce08a",
    }
    result = tmc("check", env_extra=env)
    assert result.returncode == 1
    failed = {
        line.split(":", 1)[0].split(None, 1)[1]
        for line in result.stdout.splitlines()
        if line.startswith("fail")
    }
    assert failed == {"secret key", "base URL", "database", "mail server", "text message gateway"}
    assert "tmc db upgrade" in result.stdout


def test_check_fails_when_starttls_is_wanted_and_not_offered(migrated_env):
    mail_server = MailCatcher()
    mail_server.start()
    try:
        env = migrated_env | {
            "TMC_SMTP_HOST": "127.0.0.1",
            "TMC_SMTP_PORT": str(mail_server.port),
            "TMC_SMTP_TLS": "starttls",
        }
        result = tmc("check", env_extra=env)
    finally:
        mail_server.stop()
    assert result.returncode == 1
    assert "does not offer STARTTLS" in result.stdout


def test_check_reports_unreadable_settings_in_one_line():
    result = tmc("check", env_extra={"TMC_SMTP_TLS": "sometimes"})
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith("fail  settings: TMC_SMTP_TLS")
