"""What every area's `tmc` commands share: one-line failures, argument types, settings and the database check.

The areas (notify/cli.py, operations/cli.py, ...) import from here, never from cli.py, which imports them.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import NoReturn

from .settings import Settings, SettingsError, load_settings


def fail(message: str) -> NoReturn:
    print(f"tmc: {message}", file=sys.stderr)
    raise SystemExit(2)


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a port is a whole number, not {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is between 1 and 65535, not {port}")
    return port


def positive_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("expected 1 or more")
    return value


def settings_or_fail() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        fail(str(error))


def check_database(settings: Settings) -> None:
    """Stop with one clear line when the database cannot be reached."""
    from .database import Database

    async def probe() -> None:
        database = Database(settings.database_url)
        try:
            async with database.engine.connect():
                pass
        finally:
            await database.dispose()

    try:
        asyncio.run(asyncio.wait_for(probe(), timeout=10))
    except SettingsError as error:
        fail(str(error))
    except Exception as error:  # noqa: BLE001 - any failure to connect is reported the same way
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        fail(f"cannot reach the database at {_safe_url(settings.database_url)}: {reason}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return "(unreadable URL)"
