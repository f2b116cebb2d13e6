"""The `tmc` command."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Callable
from functools import partial
from typing import Any

from .command_line import check_database, fail, port_number, positive_number, settings_or_fail
from .settings import SettingsError


def _run_in_transaction(work: Callable[[Any], Any]) -> Any:
    from .database import Database

    settings = settings_or_fail()
    check_database(settings)

    async def run() -> Any:
        database = Database(settings.database_url)
        try:
            async with database.transaction() as db:
                return await work(db)
        finally:
            await database.dispose()

    return asyncio.run(run())


def cmd_demo(args: argparse.Namespace) -> None:
    from .demo.runner import PortInUse, run_demo

    try:
        run_demo(port=args.port)
    except PortInUse as busy:
        fail(str(busy))


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    settings = settings_or_fail()
    try:
        settings.check_for_production()
    except SettingsError as error:
        fail(str(error))
    check_database(settings)
    from .operations.multiprocess import prepare_multiprocess_directory
    from .operations.request_log import uvicorn_log_config

    if settings.metrics_token:
        prepare_multiprocess_directory()
    uvicorn.run(
        "trackmycrime.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        log_config=uvicorn_log_config(settings.log_format),
        access_log=False,  # our request log names the route, never the path (which may hold a token)
        proxy_headers=True,
        server_header=False,
        # uvloop and httptools: the HTTP and event-loop work of a request in a fifth of the CPU of
        # asyncio and h11 (bench/README.md, "Server speed").
        loop="uvloop",
        http="httptools",
    )


def cmd_db_upgrade(args: argparse.Namespace) -> None:
    from .migrations import upgrade

    settings = settings_or_fail()
    check_database(settings)
    upgrade(settings.database_url)
    print("Database is up to date.")


def cmd_force_add(args: argparse.Namespace) -> None:
    from .forces import ForceExists, add_force

    async def work(db: Any) -> Any:
        return await add_force(db, code=args.code, name=args.name, crime_ref_pattern=args.crime_ref_pattern)

    try:
        force = _run_in_transaction(work)
    except (ForceExists, ValueError) as error:
        fail(str(error))
    print(f"Added force {force.code}: {force.name}")


def cmd_force_sso(args: argparse.Namespace) -> None:
    """Single sign-on for a force's officers; only the secret file's path is stored."""
    import os
    from pathlib import Path

    from .auth.oidc import secret_variable
    from .forces import force_by_code
    from .officer.sso import configure

    secret_file = ""
    if args.client_secret_file:
        path = Path(args.client_secret_file).resolve()
        if not path.is_file() or not path.read_text().strip():
            fail(f"the client secret file {path} is missing or empty")
        secret_file = str(path)
    elif not os.environ.get(secret_variable(args.code), "").strip():
        fail(f"give --client-secret-file PATH, or set {secret_variable(args.code)} where tmc serve runs")

    async def work(db: Any) -> Any:
        force = await force_by_code(db, args.code)
        if force is None:
            raise LookupError(f"there is no force with the code {args.code}")
        await configure(
            db,
            force,
            issuer=args.issuer,
            client_id=args.client_id,
            client_secret_file=secret_file,
            tenant=args.tenant,
            email_claim=args.email_claim,
            group_roles=args.group_role,
            create_accounts=args.create_accounts,
            provider_enforces_mfa=args.provider_enforces_mfa,
        )
        return force

    try:
        force = _run_in_transaction(work)
    except (LookupError, ValueError) as error:
        fail(str(error))
    settings = settings_or_fail()
    print(f"Single sign-on set for {force.code}. Register this redirect URI with the identity provider:")
    print(f"{settings.base_url.rstrip('/')}/officer/sso/callback")


def _read_password(from_stdin: bool) -> str:
    from .auth.passwords import password_problem

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password for the officer: ")
        if getpass.getpass("Type it again: ") != password:
            fail("the passwords did not match")
    problem = password_problem(password)
    if problem:
        fail(problem)
    return password


def cmd_officer_add(args: argparse.Namespace) -> None:
    from .auth.passwords import hasher_for
    from .forces import force_by_code
    from .models import saved_id
    from .officer.accounts import OfficerExists, add_officer

    password = _read_password(args.password_stdin)
    hasher = hasher_for(settings_or_fail().mode)

    async def work(db: Any) -> Any:
        force = await force_by_code(db, args.force)
        if force is None:
            raise LookupError(f"there is no force with the code {args.force}")
        return await add_officer(
            db,
            hasher=hasher,
            force_id=saved_id(force),
            email=args.email,
            name=args.name,
            password=password,
            shoulder_number=args.shoulder_number,
            role=args.role,
            team=args.team,
        )

    try:
        officer = _run_in_transaction(work)
    except (OfficerExists, LookupError, ValueError) as error:
        fail(str(error).strip("'\""))
    print(f"Added {officer.role} {officer.name} <{officer.email}>")


def cmd_apikey_create(args: argparse.Namespace) -> None:
    from .auth.api_keys import create_api_key
    from .forces import force_by_code
    from .models import saved_id

    async def work(db: Any) -> Any:
        force = await force_by_code(db, args.force)
        if force is None:
            raise LookupError(f"there is no force with the code {args.force}")
        return await create_api_key(db, force_id=saved_id(force), label=args.label, agency=args.agency)

    try:
        _api_key, key_text = _run_in_transaction(work)
    except (LookupError, ValueError) as error:
        fail(str(error).strip("'\""))
    print("New records-system API key. Keep it secret: it cannot be shown again.")
    print(key_text)


def cmd_retention_run(args: argparse.Namespace) -> None:
    from .retention import run_retention

    days = settings_or_fail().unmatched_text_days
    result = _run_in_transaction(partial(run_retention, unmatched_text_days=days))
    print(
        f"Removed personal data from {result.crimes} closed crimes ({result.parties} parties)"
        f" and {result.unmatched_texts} unmatched texts."
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tmc", description="TrackMyCrime")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="run a demo with sample data and a mail catcher")
    demo.add_argument("--port", type=port_number, default=8000)
    demo.set_defaults(run=cmd_demo)

    serve = commands.add_parser("serve", help="run the site with the configured database")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=port_number, default=8000)
    serve.add_argument("--workers", type=positive_number, default=1)
    serve.set_defaults(run=cmd_serve)

    database = commands.add_parser("db", help="database tasks")
    database_commands = database.add_subparsers(dest="db_command", required=True, metavar="TASK")
    upgrade = database_commands.add_parser("upgrade", help="apply migrations")
    upgrade.set_defaults(run=cmd_db_upgrade)

    force = commands.add_parser("force", help="forces")
    force_commands = force.add_subparsers(dest="force_command", required=True, metavar="TASK")
    force_add = force_commands.add_parser("add", help="add a force")
    force_add.add_argument("code")
    force_add.add_argument("--name", required=True)
    force_add.add_argument("--crime-ref-pattern", default=None)
    force_add.set_defaults(run=cmd_force_add)
    force_sso = force_commands.add_parser("sso", help="officers sign in with the force's identity provider")
    force_sso.add_argument("code")
    force_sso.add_argument("--issuer", required=True, help="the provider's issuer URL (OpenID Connect)")
    force_sso.add_argument("--client-id", required=True)
    force_sso.add_argument(
        "--client-secret-file", default="", metavar="PATH", help="a file holding the secret"
    )
    force_sso.add_argument("--tenant", default="", help="accept only ID tokens whose tid claim is this")
    force_sso.add_argument("--email-claim", default="email", help="the claim with the officer's email")
    force_sso.add_argument(
        "--group-role", action="append", default=[], metavar="GROUP=ROLE", help="members of GROUP get ROLE"
    )
    force_sso.add_argument("--create-accounts", action="store_true", help="add officers on first sign-in")
    force_sso.add_argument(
        "--provider-enforces-mfa", action="store_true", help="the provider always asks for a second factor"
    )
    force_sso.set_defaults(run=cmd_force_sso)

    officer = commands.add_parser("officer", help="officers")
    officer_commands = officer.add_subparsers(dest="officer_command", required=True, metavar="TASK")
    officer_add = officer_commands.add_parser("add", help="add an officer (asks for a password)")
    officer_add.add_argument("--force", required=True)
    officer_add.add_argument("--email", required=True)
    officer_add.add_argument("--name", required=True)
    officer_add.add_argument("--shoulder-number", default=None)
    officer_add.add_argument("--role", choices=("officer", "supervisor", "admin"), default="officer")
    officer_add.add_argument("--team", default="")
    officer_add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    officer_add.set_defaults(run=cmd_officer_add)

    apikey = commands.add_parser("apikey", help="records-system API keys")
    apikey_commands = apikey.add_subparsers(dest="apikey_command", required=True, metavar="TASK")
    apikey_create = apikey_commands.add_parser("create", help="create a key; printed once")
    apikey_create.add_argument("--force", required=True)
    apikey_create.add_argument("--label", default="")
    apikey_create.add_argument(
        "--agency",
        default="police",
        choices=["police", "witness_care_unit", "cps"],
        help="whose system holds the key (named beside what it sends, e.g. hearings)",
    )
    apikey_create.set_defaults(run=cmd_apikey_create)

    retention = commands.add_parser("retention", help="remove personal data of old closed crimes")
    retention_commands = retention.add_subparsers(dest="retention_command", required=True, metavar="TASK")
    retention_run = retention_commands.add_parser("run", help="remove what is past each force's period")
    retention_run.set_defaults(run=cmd_retention_run)

    for register in _extra_commands:
        register(commands)
    return parser


# Areas that bring their own commands (the worker, retention...) append a register function here.
_extra_commands: list[Callable[[Any], None]] = []


def _register_worker(commands: Any) -> None:
    from .notify.cli import register

    register(commands)


_extra_commands.append(_register_worker)


def _register_operations(commands: Any) -> None:
    from .operations.cli import register

    register(commands)


_extra_commands.append(_register_operations)


# ---------------------------------------------------------------- tmc victims-code


def cmd_victims_code(args: argparse.Namespace) -> None:
    from .victims_code import commands as victims_code

    settings = settings_or_fail()
    try:
        if args.victims_code_command == "check":
            lines = victims_code.run_check(settings, args.file)
        elif args.victims_code_command == "bank-holidays":
            lines = victims_code.run_bank_holidays(settings, args.year)
        else:
            check_database(settings)
            lines = [victims_code.run_refresh(settings, args.force)]
    except SettingsError as error:
        fail(str(error))
    print("\n".join(lines))


def _register_victims_code(commands: Any) -> None:
    parser = commands.add_parser("victims-code", help="Victims' Code rules and entitlements")
    tasks = parser.add_subparsers(dest="victims_code_command", required=True, metavar="TASK")
    check = tasks.add_parser("check", help="check a rules file (default: the one in use) and summarise it")
    check.add_argument("file", nargs="?", default=None)
    check.set_defaults(run=cmd_victims_code)
    holidays = tasks.add_parser("bank-holidays", help="list a year's bank holidays (default: this year)")
    holidays.add_argument("year", nargs="?", type=positive_number, default=None)
    holidays.set_defaults(run=cmd_victims_code)
    refresh = tasks.add_parser("refresh", help="recompute every crime's entitlements (after a rules change)")
    refresh.add_argument("--force", default=None, help="only this force's crimes (its code)")
    refresh.set_defaults(run=cmd_victims_code)


_extra_commands.append(_register_victims_code)


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.run(args)
