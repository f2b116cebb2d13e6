"""Shared parts of the benchmarks: throw-away databases, a seeded case, a real server, the results table."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel, select

from trackmycrime.auth.passwords import PRODUCTION_HASHER
from trackmycrime.auth.tokens import SESSION, Signer, random_token, sha256_hex
from trackmycrime.database import Database, async_url
from trackmycrime.identity import reference_key, surname_key
from trackmycrime.models import (
    CaseUpdate,
    Crime,
    Force,
    Message,
    MessageDirection,
    Officer,
    OfficerRole,
    Party,
    WebSession,
    utcnow,
)

BENCH_DIR = Path(__file__).resolve().parent
REPOSITORY = BENCH_DIR.parent
POSTGRES_SERVER = os.environ.get("TMC_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
SECRET_KEY = "bench-secret-key-that-is-long-enough-for-production-checks"
VICTIM_PASSWORD = "bench victim passphrase"
# A well-formed TOTP secret, so that production mode lets the bench officer in without a detour.
OFFICER_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


# ---------------------------------------------------------------- results


@dataclass
class Figure:
    """One line of the results table."""

    area: str
    measure: str
    value: str
    target: str = ""
    ok: bool | None = None

    @property
    def verdict(self) -> str:
        return {True: "met", False: "MISSED", None: ""}[self.ok]


def print_table(figures: list[Figure], out: object = None) -> None:
    rows = [("area", "measure", "value", "target", "")] + [
        (f.area, f.measure, f.value, f.target, f.verdict) for f in figures
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for n, row in enumerate(rows):
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip(), file=out
        )  # type: ignore[arg-type]
        if n == 0:
            print("  ".join("-" * width for width in widths), file=out)  # type: ignore[arg-type]


def save_figures(figures: list[Figure], path: str | None) -> None:
    """Write the figures as JSON for bench/run to gather (when asked to)."""
    if path:
        Path(path).write_text(json.dumps([asdict(f) for f in figures], indent=1))


def load_figures(path: Path) -> list[Figure]:
    return [Figure(**row) for row in json.loads(path.read_text())]


def machine_load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def kb(size: float) -> str:
    """Kilobytes of 1,000 bytes: the stricter reading of the targets."""
    return f"{size / 1000:.1f} KB"


# ---------------------------------------------------------------- databases


async def _admin(statement: str) -> None:
    admin = create_async_engine(async_url(POSTGRES_SERVER), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await admin.dispose()


def database_url(name: str) -> str:
    return POSTGRES_SERVER.rsplit("/", 1)[0] + "/" + name


@contextlib.asynccontextmanager
async def throwaway_database(prefix: str = "tmc_bench", *, keep: bool = False) -> AsyncIterator[str]:
    """A new, empty PostgreSQL database with the schema; dropped afterwards unless `keep`."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    await _admin(f'CREATE DATABASE "{name}"')
    url = database_url(name)
    try:
        database = Database(url)
        async with database.engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all)
        await database.dispose()
        yield url
    finally:
        if keep:
            print(f"kept the database {name} (drop it with: dropdb -h 127.0.0.1 -U postgres {name})")
        else:
            await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---------------------------------------------------------------- a case with a history

UPDATE_TEXTS = [
    "An officer has visited the address and spoken to neighbours about what they saw that evening.",
    "We have asked the council for CCTV from the cameras on the High Street and are waiting for it.",
    "Forensic officers examined the back door and the window frame; results usually take four weeks.",
    "A man has been arrested on suspicion of this burglary and released on bail while we investigate.",
    "The suspect's bail has been extended to {day} {month} while the forensic results are checked.",
    "We have passed the file to the Crown Prosecution Service, who will decide whether to charge.",
    "Two items from the list you gave us have been found at a second-hand shop in Demoton.",
    "Your statement has been typed up; please read it and tell us if anything needs correcting.",
    "The investigation is continuing. Nothing has changed since the last update on {day} {month}.",
    "We have sent the fingerprint found on the window to the bureau and asked for a priority check.",
]
MESSAGE_TEXTS = [
    "Is there any news about the CCTV? The shop next door said theirs records for thirty days.",
    "Thank you for letting me know. Could you tell me when I might get my laptop back?",
    "We are still waiting for the footage. I will message you as soon as we have looked at it.",
    "I found another receipt for the bicycle, should I bring it to the station or send a photo?",
    "A photo through this page is fine. Please include the serial number if it is on the receipt.",
    "My neighbour thinks she saw a white van that night around 11pm, parked by the garages.",
    "That is helpful, thank you. An officer will call her this week to take a short statement.",
    "I am worried they will come back. Is there anything you can do about the back gate?",
    "Our crime prevention officer can visit to advise on locks and lighting; shall I arrange it?",
    "Yes please, any weekday after 4pm is best for me. Thank you for keeping me updated.",
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July"]


@dataclass
class BenchCase:
    force_id: int
    officer_id: int
    crime_id: int
    party_id: int
    reference: str
    surname: str
    born: dt.date
    password: str = VICTIM_PASSWORD


def _varied(texts: list[str], n: int) -> str:
    return (
        texts[n % len(texts)].format(day=1 + (n * 7) % 28, month=MONTHS[n % len(MONTHS)])
        + f" (ref. note {n + 1})"
    )


async def seed_case(
    db: Database,
    *,
    updates: int = 20,
    messages: int = 20,
    force_code: str = "BE",
    reference: str = "BE-2026-000123",
    password_hash: str | None = None,
) -> BenchCase:
    """A force, its officer (in charge, with two-step set up), a crime and its registered victim,
    with `updates` updates and `messages` messages (alternating, all read)."""
    now = utcnow()
    born = dt.date(1980, 2, 29)
    async with db.transaction() as session:
        force = Force(
            code=force_code,
            name="Benchshire Police",
            crime_ref_pattern=r"[A-Z]{2}-\d{4}-\d{6}",
            contact_email="contact@benchshire-police.example",
        )
        session.add(force)
        await session.flush()
        officer = Officer(
            force_id=force.id,  # type: ignore[arg-type]
            email="sam.jones@benchshire-police.example",
            name="PC Sam Jones",
            shoulder_number="1234",
            role=OfficerRole.OFFICER,
            team="North CID",
            password_hash=PRODUCTION_HASHER.hash("bench officer password"),
            totp_secret=OFFICER_TOTP_SECRET,
        )
        session.add(officer)
        await session.flush()
        crime = Crime(
            force_id=force.id,  # type: ignore[arg-type]
            reference=reference,
            reference_key=reference_key(reference),
            offence="Burglary of a home",
            status="under_investigation",
            reported_at=now - dt.timedelta(days=200),
            officer_in_charge_id=officer.id,
        )
        session.add(crime)
        await session.flush()
        party = Party(
            crime_id=crime.id,  # type: ignore[arg-type]
            rms_party_id="P1",
            forenames="Alex",
            surname="O'Brien",
            surname_key=surname_key("O'Brien"),
            date_of_birth=born,
            email="alex@example.org",
            password_hash=password_hash or PRODUCTION_HASHER.hash(VICTIM_PASSWORD),
            registered_at=now - dt.timedelta(days=190),
            invited_at=now - dt.timedelta(days=195),
        )
        session.add(party)
        await session.flush()
        await add_history(session, crime, party, officer, updates=updates, messages=messages)
    return BenchCase(
        force.id,
        officer.id,
        crime.id,
        party.id,
        reference,
        "O'Brien",
        born,  # type: ignore[arg-type]
    )


async def add_history(
    session: object, crime: Crime, party: Party, officer: Officer, *, updates: int, messages: int
) -> None:
    now = utcnow()
    for n in range(updates):
        session.add(  # type: ignore[attr-defined]
            CaseUpdate(
                crime_id=crime.id,  # type: ignore[arg-type]
                rms_update_id=f"U-{n + 1}",
                text=_varied(UPDATE_TEXTS, n),
                status="under_investigation" if n else "recorded",
                author_officer_id=officer.id if n % 3 == 0 else None,
                occurred_at=now - dt.timedelta(days=190 - n * 9),
            )
        )
    for n in range(messages):
        from_party = n % 2 == 0
        session.add(  # type: ignore[attr-defined]
            Message(
                crime_id=crime.id,  # type: ignore[arg-type]
                party_id=party.id,  # type: ignore[arg-type]
                direction=MessageDirection.FROM_PARTY if from_party else MessageDirection.TO_PARTY,
                officer_id=None if from_party else officer.id,
                body=_varied(MESSAGE_TEXTS, n),
                created_at=now - dt.timedelta(days=180 - n * 8, hours=n),
                read_at=now - dt.timedelta(days=179 - n * 8),
            )
        )
    await session.flush()  # type: ignore[attr-defined]


def _catch_up(connection: Any) -> list[str]:
    """Add what the models gained since a kept database was built: tables, columns (with their
    defaults, as the bulk load would have written them) and indexes. Never drops anything."""
    from sqlalchemy import inspect
    from sqlalchemy.schema import CreateIndex

    inspector = inspect(connection)
    done = []
    existing_tables = set(inspector.get_table_names())
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in existing_tables:
            table.create(connection)
            done.append(f"table {table.name}")
            continue
        columns = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in columns:
                continue
            kind = column.type.compile(dialect=connection.dialect)
            default = column.default.arg if column.default is not None else None  # type: ignore[attr-defined]
            literal = "" if default is None or callable(default) else f" DEFAULT {_sql_literal(default)}"
            connection.exec_driver_sql(
                f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}{literal}'
            )
            done.append(f"column {table.name}.{column.name}")
        indexes = {index["name"] for index in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in indexes:
                connection.execute(CreateIndex(index))
                done.append(f"index {index.name}")
    return done


def _sql_literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


async def catch_up_schema(db: Database) -> None:
    async with db.engine.begin() as connection:
        done = await connection.run_sync(_catch_up)
    if done:
        print("brought the kept database up to the models: " + ", ".join(done))
        async with db.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("ANALYZE"))


async def find_case(db: Database, reference: str = "BE-2026-000123") -> BenchCase:
    """The bench case of a database seeded earlier (kept with --keep)."""
    async with db.session() as session:
        crime = (await session.exec(select(Crime).where(Crime.reference == reference))).one()
        party = (await session.exec(select(Party).where(Party.crime_id == crime.id))).one()
    assert party.date_of_birth is not None and crime.officer_in_charge_id is not None
    return BenchCase(
        crime.force_id,
        crime.officer_in_charge_id,
        crime.id,
        party.id,
        reference,
        party.surname,
        party.date_of_birth,  # type: ignore[arg-type]
    )


async def seed_inbox(db: Database, case: BenchCase, *, crimes: int = 30) -> None:
    """More crimes for the bench officer, each with a victim waiting for an answer to a message."""
    now = utcnow()
    async with db.transaction() as session:
        for n in range(crimes):
            reference = f"BE-2026-{n + 200:06d}"
            crime = Crime(
                force_id=case.force_id,
                reference=reference,
                reference_key=reference_key(reference),
                offence="Theft from a vehicle" if n % 2 else "Criminal damage",
                status="under_investigation",
                reported_at=now - dt.timedelta(days=40 + n),
                created_at=now - dt.timedelta(days=40 + n),
                officer_in_charge_id=case.officer_id,
            )
            session.add(crime)
            await session.flush()
            party = Party(
                crime_id=crime.id,  # type: ignore[arg-type]
                rms_party_id="P1",
                forenames="Robin",
                surname=f"Hart{n}",
                surname_key=surname_key(f"Hart{n}"),
                date_of_birth=dt.date(1975, 6, 1 + n % 28),
                email=f"robin{n}@example.org",
                password_hash="$argon2id$bench$not-a-real-hash",  # noqa: S106 - never signs in
                registered_at=now - dt.timedelta(days=35),
            )
            session.add(party)
            await session.flush()
            session.add(
                Message(
                    crime_id=crime.id,  # type: ignore[arg-type]
                    party_id=party.id,  # type: ignore[arg-type]
                    direction=MessageDirection.FROM_PARTY,
                    body="Has anyone looked at the doorbell camera footage I sent?",
                    created_at=now - dt.timedelta(hours=5 + n),
                )
            )


async def session_cookie(db: Database, *, party_id: int | None = None, officer_id: int | None = None) -> str:
    """A live session, as signing in would make; returns the signed cookie value."""
    token = random_token()
    now = utcnow()
    async with db.transaction() as session:
        session.add(
            WebSession(
                token_hash=sha256_hex(token),
                party_id=party_id,
                officer_id=officer_id,
                csrf_token=random_token(),
                created_at=now,
                last_seen_at=now,
                expires_at=now + dt.timedelta(hours=12),
            )
        )
    return str(Signer(SECRET_KEY).sign(SESSION, token))


# ---------------------------------------------------------------- a real server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]


def server_environment(database_url: str, port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TMC_")}
    env.update(
        TMC_MODE="production",
        TMC_DATABASE_URL=database_url,
        TMC_SECRET_KEY=SECRET_KEY,
        TMC_BASE_URL=f"http://127.0.0.1:{port}",
        # This checkout's package, not whichever one is installed: the servers run what the bench runs from.
        PYTHONPATH=os.pathsep.join((str(BENCH_DIR.parent / "site"), str(BENCH_DIR))),
        **extra,
    )
    return env


@contextlib.contextmanager
def uvicorn_server(
    app: str,
    database_url: str = "",
    *,
    health: str = "/health",
    env: dict[str, str] | None = None,
    options: tuple[str, ...] = (),
    stack: tuple[str, str] = ("uvloop", "httptools"),
) -> Iterator[Server]:
    """uvicorn in its own process, as `tmc serve` runs it (one worker, uvloop and httptools);
    stack=("asyncio", "h11") for uvicorn's plain Python event loop and HTTP parser."""
    port = free_port()
    environment = server_environment(database_url, port)
    environment.update(env or {})
    command = [
        sys.executable, "-m", "uvicorn", app,
        "--host", "127.0.0.1", "--port", str(port),
        "--log-level", "warning", "--no-access-log", "--no-server-header",
        "--loop", stack[0], "--http", stack[1], *options,
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as workdir:  # no stray .env file is read
        process = subprocess.Popen(command, cwd=workdir, env=environment)  # noqa: S603
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url + health, process)
            yield Server(url, process)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before answering {url}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer {url} within 30 s")


def cookie_header(session: str, csrf: str = "c" * 43) -> str:
    """The cookies a returning browser sends: its session and its CSRF cookie."""
    return f"tmc_session={session}; tmc_csrf={csrf}"


def wire_size(response: httpx.Response) -> int:
    """Bytes on the wire for an HTTP/1.1 response: status line, headers and the (compressed) body."""
    status_line = len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n")
    headers = sum(len(name) + len(value) + 4 for name, value in response.headers.raw)
    return status_line + headers + 2 + response.num_bytes_downloaded


# ---------------------------------------------------------------- wrk


@dataclass
class LoadResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    # CPU time the server process used per request (all of it, not just while answering): a figure
    # that other work on the machine disturbs far less than requests per second.
    cpu_ms_per_request: float = 0.0


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip()).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(
    url: str,
    *,
    seconds: int,
    connections: int,
    headers: dict[str, str] | None = None,
    threads: int = 1,
    server_pid: int | None = None,
) -> LoadResult:
    """wrk against the URL; answers other than 2xx/3xx and socket errors count as errors (check the
    URL answers 200 first: wrk does not count a redirect to the sign-in page as one)."""
    # A 10 s timeout rather than wrk's 2 s: on the shared machine a slow answer is slow, not lost.
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    cpu_before = process_cpu_seconds(server_pid) if server_pid else 0.0
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    cpu = process_cpu_seconds(server_pid) - cpu_before if server_pid else 0.0
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _milliseconds(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _milliseconds(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(bad.group(1)) if bad else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return LoadResult(rate, p50, p99, errors, total, 1000 * cpu / max(total, 1))


def quiet_enough(limit: float = 0.7) -> bool:
    """Is the one-minute load average below `limit` per core (others' test runs share the machine)?"""
    return os.getloadavg()[0] < limit * (os.cpu_count() or 1)


def wait_for_quiet(max_seconds: float, limit: float = 0.7) -> str:
    """Wait up to max_seconds for the machine to calm down; return the load it started at."""
    deadline = time.monotonic() + max_seconds
    while not quiet_enough(limit) and time.monotonic() < deadline:
        time.sleep(5)
    return machine_load()


def run(coroutine: object) -> object:
    return asyncio.run(coroutine)  # type: ignore[arg-type]
