"""The floor under the ceiling, for server_speed.py: a session check with no framework at all.

A plain ASGI callable (no Starlette, no SQLAlchemy, no middleware) that does only what any
signed-in answer must: read the session cookie, check its signature, hash the token, run the
portal's own session look-up (the same SQL the case page runs, compiled once from
`trackmycrime.auth.sessions`) as an asyncpg prepared statement, check the session is live, and
send the case page's pre-gzipped bytes. Whatever the portal's ceiling costs above this is the
framework's; whatever this costs above bare ASGI is the check itself, which no implementation of
"the session is checked in the database on every request" can avoid.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from http.cookies import SimpleCookie
from typing import Any

import asyncpg
from baseline_app import GZIPPED as BODY
from baseline_app import HEADERS
from sqlalchemy.dialects import postgresql
from starlette.types import Receive, Scope, Send

from trackmycrime.auth import sessions
from trackmycrime.auth.tokens import SESSION, Signer

SECRET_KEY = os.environ["TMC_SECRET_KEY"]
DSN = os.environ["TMC_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
SIGNED_OUT = [(b"location", b"/sign-in"), (b"content-length", b"0")]

_LOOK_UP = str(sessions._PARTY_SESSION.compile(dialect=postgresql.asyncpg.dialect()))
_signer = Signer(SECRET_KEY)
_pool: Any = None


async def _session_row(token_hash: str) -> Any:
    global _pool  # one pool per process, made on the first request (the bench runs no lifespan)
    if _pool is None:
        _pool = await asyncpg.create_pool(DSN, min_size=16, max_size=16)
    async with _pool.acquire() as connection:
        return await connection.fetchrow(_LOOK_UP, token_hash)


def _token(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"cookie":
            morsel = SimpleCookie(value.decode("latin-1")).get("tmc_session")
            if morsel is None:
                return None
            token = _signer.unsign(SESSION, morsel.value, max_age_seconds=12 * 3600)
            return token if isinstance(token, str) else None
    return None


async def floor(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    token = _token(scope)
    row = await _session_row(hashlib.sha256(token.encode()).hexdigest()) if token else None
    now = dt.datetime.now(dt.UTC)
    live = row is not None and row["ended_at"] is None and row["expires_at"].replace(tzinfo=dt.UTC) > now
    if not live:
        await send({"type": "http.response.start", "status": 303, "headers": SIGNED_OUT})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
