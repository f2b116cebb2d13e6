"""`tmc check`: what an operator runs after an upgrade or a configuration change, one line per check."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiosmtplib

from ..settings import DEFAULT_SECRET_KEY, Settings, SettingsError, load_settings


@dataclass(frozen=True)
class CheckResult:
    name: str
    state: str  # "ok", "fail" or "skip" (not configured, and nothing requires it)
    detail: str

    def line(self) -> str:
        return f"{self.state:<4}  {self.name}: {self.detail}"


Check = Callable[[Settings], Awaitable[CheckResult]]
TIMEOUT_SECONDS = 10.0


async def secret_key_strength(settings: Settings) -> CheckResult:
    name = "secret key"
    key = settings.secret_key
    if not key or key == DEFAULT_SECRET_KEY:
        return CheckResult(name, "fail", "TMC_SECRET_KEY is missing or still the default")
    if len(key) < 32:
        return CheckResult(name, "fail", f"TMC_SECRET_KEY has {len(key)} characters: use at least 32")
    if len(set(key)) < 12:
        return CheckResult(name, "fail", "TMC_SECRET_KEY repeats too few characters to be random")
    return CheckResult(name, "ok", f"{len(key)} characters")


async def base_url(settings: Settings) -> CheckResult:
    if settings.base_url.startswith("https://"):
        return CheckResult("base URL", "ok", f"{settings.base_url} (secure cookies and HSTS on)")
    if settings.mode == "production":
        return CheckResult(
            "base URL", "fail", f"{settings.base_url} is not https://: cookies would not be secure"
        )
    return CheckResult("base URL", "ok", f"{settings.base_url} ({settings.mode} mode)")


async def database_migrated(settings: Settings) -> CheckResult:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from ..database import Database
    from ..migrations import alembic_config

    name = "database"
    heads = set(ScriptDirectory.from_config(alembic_config(settings.database_url)).get_heads())
    database = Database(settings.database_url)
    try:
        async with database.engine.connect() as connection:
            current = await connection.run_sync(
                lambda sync: set(MigrationContext.configure(sync).get_current_heads())
            )
    except Exception as error:  # noqa: BLE001 - any failure to connect is one line for the operator
        return CheckResult(name, "fail", f"cannot connect: {_first_line(error)}")
    finally:
        await database.dispose()
    if current != heads:
        have = ", ".join(sorted(current)) or "no migrations"
        return CheckResult(
            name, "fail", f"at {have}, the code needs {', '.join(sorted(heads))}: run tmc db upgrade"
        )
    return CheckResult(name, "ok", f"reachable, migrations at head ({', '.join(sorted(heads))})")


async def mail_server(settings: Settings) -> CheckResult:
    name = "mail server"
    if not settings.smtp_host:
        return CheckResult(name, "fail", "TMC_SMTP_HOST is not set: no email alerts can be sent")
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    client = aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        use_tls=settings.smtp_tls == "tls",
        start_tls=False,
        timeout=TIMEOUT_SECONDS,
    )
    try:
        await client.connect()
        await client.ehlo()
        if settings.smtp_tls == "starttls":
            if not client.supports_extension("starttls"):
                return CheckResult(name, "fail", f"{where} answers EHLO but does not offer STARTTLS")
            await client.starttls()
            await client.ehlo()
        if settings.smtp_username:
            await client.login(settings.smtp_username, settings.smtp_password)
    except Exception as error:  # noqa: BLE001
        return CheckResult(name, "fail", f"{where} ({settings.smtp_tls}): {_first_line(error)}")
    finally:
        if client.is_connected:
            try:
                await client.quit()
            except aiosmtplib.SMTPException:
                client.close()
    login = ", login accepted" if settings.smtp_username else ""
    return CheckResult(name, "ok", f"{where} answers EHLO ({settings.smtp_tls}{login})")


async def sms_gateway(settings: Settings) -> CheckResult:
    from ..notify.sms_sender import parse_api_key

    name = "text message gateway"
    if not settings.sms_api_key and not settings.sms_template_id:
        return CheckResult(name, "skip", "not configured: texts are held until TMC_SMS_API_KEY is set")
    try:
        key = parse_api_key(settings.sms_api_key)
    except ValueError as error:
        return CheckResult(name, "fail", str(error))
    if not settings.sms_template_id:
        return CheckResult(name, "fail", "TMC_SMS_TEMPLATE_ID is not set: texts are held until it is")
    return CheckResult(name, "ok", f"key well-formed for service {key.service_id}")


async def victims_code_rules(settings: Settings) -> CheckResult:
    from ..victims_code.rules import load_rules

    where = settings.victims_code_rules or "the shipped rules"
    try:
        load_rules(settings.victims_code_rules or None)
    except SettingsError as error:
        return CheckResult("Victims' Code rules", "fail", f"{where}: {_first_line(error)}")
    return CheckResult("Victims' Code rules", "ok", f"{where} valid")


CHECKS: tuple[Check, ...] = (
    secret_key_strength,
    base_url,
    database_migrated,
    mail_server,
    sms_gateway,
    victims_code_rules,
)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


async def run_checks(settings: Settings) -> list[CheckResult]:
    results = []
    for check in CHECKS:
        try:
            results.append(await asyncio.wait_for(check(settings), timeout=TIMEOUT_SECONDS * 2))
        except TimeoutError:
            results.append(CheckResult(check.__name__.replace("_", " "), "fail", "no answer in time"))
    return results


def check_command(environ: dict[str, str] | None = None) -> tuple[list[str], int]:
    """Lines to print and the exit status: non-zero when anything failed, settings included."""
    try:
        settings = load_settings(environ)
    except SettingsError as error:
        return [CheckResult("settings", "fail", str(error)).line()], 1
    results = [
        CheckResult("settings", "ok", f"read ({settings.mode} mode)"),
        *asyncio.run(run_checks(settings)),
    ]
    failed = sum(result.state == "fail" for result in results)
    summary = f"{failed} check(s) failed." if failed else "All checks passed."
    return [result.line() for result in results] + [summary], 1 if failed else 0
