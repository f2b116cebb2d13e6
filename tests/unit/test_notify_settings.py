"""The alert sender's settings (defaults, bad values explained in one line) and its retry waits."""

import random

import pytest

from trackmycrime.notify.claim import retry_delay
from trackmycrime.settings import SettingsError, load_settings


def test_worker_defaults():
    settings = load_settings({}, mode="demo")
    assert settings.worker_concurrency == 4
    assert settings.worker_poll_seconds == 0.5
    assert settings.worker_lease_seconds == 120
    assert (settings.worker_retry_seconds, settings.worker_max_attempts) == (30, 12)
    assert settings.sms_api_key == "" and settings.sms_template_id == ""


def test_worker_settings_are_read():
    settings = load_settings(
        {
            "TMC_WORKER_CONCURRENCY": "16",
            "TMC_WORKER_POLL_SECONDS": "0.25",
            "TMC_WORKER_LEASE_SECONDS": "300",
            "TMC_WORKER_MAX_ATTEMPTS": "5",
            "TMC_WORKER_RETRY_SECONDS": "10",
            "TMC_SMS_API_URL": "https://sms.example/",
            "TMC_SMS_TEMPLATE_ID": " 0a7b ",
        }
    )
    assert settings.worker_concurrency == 16 and settings.worker_poll_seconds == 0.25
    assert settings.worker_lease_seconds == 300 and settings.worker_max_attempts == 5
    assert settings.worker_retry_seconds == 10
    assert settings.sms_api_url == "https://sms.example" and settings.sms_template_id == "0a7b"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TMC_WORKER_CONCURRENCY", "many", "TMC_WORKER_CONCURRENCY must be a whole number"),
        ("TMC_WORKER_CONCURRENCY", "0", "between 1 and 64"),
        ("TMC_WORKER_POLL_SECONDS", "soon", "must be a number of seconds"),
        ("TMC_WORKER_LEASE_SECONDS", "5", "between 60 and 3600 seconds"),
        ("TMC_WORKER_MAX_ATTEMPTS", "0", "between 1 and 100"),
        ("TMC_WORKER_RETRY_SECONDS", "-1", "between 1 and 3600 seconds"),
    ],
)
def test_malformed_worker_settings_are_explained(name, value, message):
    with pytest.raises(SettingsError, match=message):
        load_settings({name: value})


def test_retry_waits_double_with_jitter_up_to_an_hour():
    rng = random.Random(4)
    for attempts, ceiling in [(1, 30), (2, 60), (3, 120), (4, 240), (8, 3600), (30, 3600)]:
        waits = [retry_delay(attempts, 30, rng) for _ in range(200)]
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits), attempts
        assert max(waits) - min(waits) > ceiling / 4  # spread out: workers do not retry in step
