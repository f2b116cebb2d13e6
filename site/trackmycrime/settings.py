"""Typed settings read from TMC_* environment variables (and an optional .env file)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

# Re-exported: every caller imports it from here.
from .errors import SettingsError as SettingsError

DEFAULT_SECRET_KEY = "change-me"  # noqa: S105 - the value production refuses
DEFAULT_DATABASE_PATH = Path("trackmycrime.sqlite3")

Mode = Literal["production", "demo", "test"]
SmtpTls = Literal["none", "starttls", "tls"]
LogFormat = Literal["text", "json"]


@dataclass(frozen=True)
class Settings:
    mode: Mode = "production"
    database_url: str = f"sqlite:///{DEFAULT_DATABASE_PATH}"
    secret_key: str = DEFAULT_SECRET_KEY
    base_url: str = "http://127.0.0.1:8000"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_tls: SmtpTls = "none"
    mail_from: str = "TrackMyCrime <no-reply@trackmycrime.invalid>"
    sms_api_url: str = ""
    sms_api_key: str = ""
    sms_template_id: str = ""
    # A Notify letter template whose body is ((message)) (issue 21); letters use the same API key.
    letter_template_id: str = ""
    # How often the worker fetches texts sent back to the service's number (issue 21); 0: never.
    sms_replies_poll_seconds: float = 60.0
    # The alert sender (`tmc worker`): sends at once per worker, seconds between looks at the
    # outbox when idle, how long a claim lasts before another worker may take the row over,
    # attempts before giving up, and the first retry delay (doubling, with jitter, up to an hour).
    worker_concurrency: int = 4
    worker_poll_seconds: float = 0.5
    worker_lease_seconds: float = 120.0
    worker_max_attempts: int = 12
    worker_retry_seconds: float = 30.0
    # PostgreSQL connections each `tmc serve` process keeps open; never more (no overflow).
    db_pool_size: int = 20
    # Case pages and officer inboxes each process keeps rendered (page_memo.py), least recently used
    # out first; 0: none.
    page_memo_entries: int = 1000
    session_idle_minutes: int = 20
    session_absolute_hours: int = 12
    invitation_days: int = 14
    # Texts sent to the service's number that matched nobody and were never routed by a person are
    # deleted this many days after they arrived (they hold a phone number and what was written).
    unmatched_text_days: int = 90
    # How long after posting an officer may withdraw an update; its alerts wait this long to leave.
    update_withdraw_minutes: int = 5
    # A records-system change of officer this soon after one made in the portal is held for a supervisor.
    handover_hold_hours: int = 48
    # A Victims' Code rules file to use instead of the shipped victims_code/rules.toml.
    victims_code_rules: str = ""
    default_language: str = "en"
    # Operations: `/metrics` is served only with this bearer token; logs as text or JSON lines.
    metrics_token: str = ""
    log_format: LogFormat = "text"
    demo_mail_catcher: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    def with_changes(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    def check_for_production(self) -> None:
        """Refuse settings that would be unsafe outside demo and test mode, and demo mode (which
        turns the safeguards off and seeds known passwords) on any database but a throw-away one."""
        if self.mode == "demo" and not is_throwaway_database(self.database_url):
            raise SettingsError(
                "TMC_MODE=demo is only for `tmc demo`, whose SQLite database is a throw-away file in "
                f"the temporary folder ({tempfile.gettempdir()}); use TMC_MODE=production here."
            )
        if self.mode != "production":
            return
        if not self.secret_key or self.secret_key == DEFAULT_SECRET_KEY:
            raise SettingsError(
                "TMC_SECRET_KEY is missing or still the default: set it to a long random value "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )
        if len(self.secret_key) < 32:
            raise SettingsError("TMC_SECRET_KEY is too short: use at least 32 random characters.")


def is_throwaway_database(database_url: str) -> bool:
    """A SQLite file under the system's temporary folder, as `tmc demo` and the tests make."""
    parts = urlsplit(database_url)
    file = parts.path.removeprefix("/")  # sqlite:///name is relative, sqlite:////name absolute
    if parts.scheme.split("+")[0] != "sqlite" or not file.startswith("/"):
        return False
    path = Path(file).resolve()
    return path.is_relative_to(Path(tempfile.gettempdir()).resolve())


def _int(env: dict[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}.") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, not {value}.")
    return value


def _seconds(env: dict[str, str], name: str, default: float, *, low: float, high: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, not {raw!r}.") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low:g} and {high:g} seconds, not {value:g}.")
    return value


def _victims_code_rules(path: str) -> str:
    """The rules file's path, once checked: a mistake in it stops start-up with the problem named."""
    if path:
        from .victims_code.rules import load_rules

        load_rules(path)
    return path


def _database_url(raw: str) -> str:
    if not raw:
        return f"sqlite:///{DEFAULT_DATABASE_PATH}"
    scheme = urlsplit(raw).scheme.split("+")[0]
    if scheme not in {"sqlite", "postgresql", "postgres"}:
        raise SettingsError(
            f"TMC_DATABASE_URL must start with sqlite:/// or postgresql://, not {raw.split(':')[0]!r}."
        )
    return raw


def load_settings(environ: dict[str, str] | None = None, *, mode: Mode | None = None) -> Settings:
    """Read settings from the environment; a .env file in the working directory is read first."""
    if environ is None:
        from dotenv import dotenv_values

        environ = {k: v for k, v in dotenv_values(".env").items() if v is not None}
        environ.update(os.environ)
    env = environ
    smtp_tls = env.get("TMC_SMTP_TLS", "none").strip().lower() or "none"
    if smtp_tls not in ("none", "starttls", "tls"):
        raise SettingsError(f"TMC_SMTP_TLS must be none, starttls or tls, not {smtp_tls!r}.")
    chosen_mode = mode or env.get("TMC_MODE", "production").strip().lower()
    if chosen_mode not in ("production", "demo", "test"):
        raise SettingsError(f"TMC_MODE must be production, demo or test, not {chosen_mode!r}.")
    log_format = env.get("TMC_LOG_FORMAT", "text").strip().lower() or "text"
    if log_format not in ("text", "json"):
        raise SettingsError(f"TMC_LOG_FORMAT must be text or json, not {log_format!r}.")
    metrics_token = env.get("TMC_METRICS_TOKEN", "").strip()
    if metrics_token and len(metrics_token) < 16:
        raise SettingsError("TMC_METRICS_TOKEN is too short: use at least 16 random characters.")
    base_url = env.get("TMC_BASE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise SettingsError(f"TMC_BASE_URL must start with http:// or https://, not {base_url!r}.")
    return Settings(
        mode=chosen_mode,  # type: ignore[arg-type]
        database_url=_database_url(env.get("TMC_DATABASE_URL", "").strip()),
        secret_key=env.get("TMC_SECRET_KEY", DEFAULT_SECRET_KEY),
        base_url=base_url,
        smtp_host=env.get("TMC_SMTP_HOST", "").strip(),
        smtp_port=_int(env, "TMC_SMTP_PORT", 25, low=1, high=65535),
        smtp_username=env.get("TMC_SMTP_USERNAME", ""),
        smtp_password=env.get("TMC_SMTP_PASSWORD", ""),
        smtp_tls=smtp_tls,  # type: ignore[arg-type]
        mail_from=env.get("TMC_MAIL_FROM", Settings.mail_from),
        sms_api_url=env.get("TMC_SMS_API_URL", "").strip().rstrip("/"),
        sms_api_key=env.get("TMC_SMS_API_KEY", ""),
        sms_template_id=env.get("TMC_SMS_TEMPLATE_ID", "").strip(),
        letter_template_id=env.get("TMC_LETTER_TEMPLATE_ID", "").strip(),
        sms_replies_poll_seconds=_seconds(env, "TMC_SMS_REPLIES_POLL_SECONDS", 60.0, low=0, high=3600),
        worker_concurrency=_int(env, "TMC_WORKER_CONCURRENCY", 4, low=1, high=64),
        worker_poll_seconds=_seconds(env, "TMC_WORKER_POLL_SECONDS", 0.5, low=0.05, high=60),
        worker_lease_seconds=_seconds(env, "TMC_WORKER_LEASE_SECONDS", 120.0, low=60, high=3600),
        worker_max_attempts=_int(env, "TMC_WORKER_MAX_ATTEMPTS", 12, low=1, high=100),
        worker_retry_seconds=_seconds(env, "TMC_WORKER_RETRY_SECONDS", 30.0, low=1, high=3600),
        db_pool_size=_int(env, "TMC_DB_POOL_SIZE", 20, low=1, high=1000),
        page_memo_entries=_int(env, "TMC_PAGE_MEMO_ENTRIES", 1000, low=0, high=1_000_000),
        session_idle_minutes=_int(env, "TMC_SESSION_IDLE_MINUTES", 20, low=1, high=240),
        session_absolute_hours=_int(env, "TMC_SESSION_ABSOLUTE_HOURS", 12, low=1, high=72),
        invitation_days=_int(env, "TMC_INVITATION_DAYS", 14, low=1, high=90),
        unmatched_text_days=_int(env, "TMC_UNMATCHED_TEXT_DAYS", 90, low=1, high=3650),
        update_withdraw_minutes=_int(env, "TMC_UPDATE_WITHDRAW_MINUTES", 5, low=0, high=60),
        handover_hold_hours=_int(env, "TMC_HANDOVER_HOLD_HOURS", 48, low=0, high=24 * 30),
        victims_code_rules=_victims_code_rules(env.get("TMC_VICTIMS_CODE_RULES", "").strip()),
        metrics_token=metrics_token,
        log_format=log_format,  # type: ignore[arg-type]
    )
