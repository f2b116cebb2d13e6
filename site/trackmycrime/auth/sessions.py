"""Server-side sessions: the cookie carries a signed random id, the database keeps its hash.

Signing out, "sign out everywhere" and a password change really end a session, because a session
is a row that we mark ended, not a cookie we have to trust.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import ColumnElement, String, TextClause, bindparam, func, text, update
from sqlalchemy import column as sa_column
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import sqlite
from sqlalchemy.sql.selectable import LABEL_STYLE_TABLENAME_PLUS_COL, TextualSelect
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import audit, audit_actions
from ..database import Detached, PooledReading, columns_loaded_as, first_row
from ..eligibility import portal_offered
from ..language import chosen_language, use_party_language
from ..models import Crime, Force, Officer, Party, WebSession, utcnow
from .cookies import cookie_name
from .sso_sessions import still_accepted
from .tokens import SESSION, Signer, random_token, sha256_hex

TOUCH_EVERY = dt.timedelta(seconds=60)

Endpoint = Callable[[Request], Awaitable[Response]]


def _settings(request: Request) -> Any:
    return request.app.state.settings


def session_cookie_name(request: Request) -> str:
    return cookie_name("session", _settings(request).secure_cookies)


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


async def start_session(
    db: AsyncSession,
    request: Request,
    *,
    party_id: int | None = None,
    officer_id: int | None = None,
    **single_sign_on: Any,
) -> str:
    """Create a session row and return the signed cookie value; any earlier session of this
    browser is ended (fixation-proof: a new id at every sign-in). `single_sign_on` are the
    WebSession's sso_* fields of an officer signed in by their force's identity provider."""
    await end_current_session(db, request)
    settings = _settings(request)
    token = random_token()
    now = utcnow()
    db.add(
        WebSession(
            token_hash=sha256_hex(token),
            party_id=party_id,
            officer_id=officer_id,
            csrf_token=random_token(),
            created_at=now,
            last_seen_at=now,
            expires_at=now + dt.timedelta(hours=settings.session_absolute_hours),
            ip_address=client_address(request),
            user_agent=request.headers.get("user-agent", "")[:300],
            **single_sign_on,
        )
    )
    return str(Signer(settings.secret_key).sign(SESSION, token))


def set_session_cookie(request: Request, response: Response, signed_token: str) -> None:
    settings = _settings(request)
    response.set_cookie(
        session_cookie_name(request),
        signed_token,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
        max_age=settings.session_absolute_hours * 3600,
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    settings = _settings(request)
    response.delete_cookie(
        session_cookie_name(request), path="/", httponly=True, samesite="lax", secure=settings.secure_cookies
    )


def _token_hash(request: Request) -> str | None:
    signed = request.cookies.get(session_cookie_name(request))
    if not signed:
        return None
    settings = _settings(request)
    return _checked_cookies.token_hash(settings.secret_key, signed, settings.session_absolute_hours * 3600)


class CheckedCookies:
    """Session cookies whose signature has been checked, each with its token's hash and when it was
    signed, the most recently used `entries` of them.

    A browser sends the same cookie with every request, and checking its signature again (base64,
    JSON, HMAC) was 6-8 % of the CPU of the cheapest signed-in request (bench/README.md, "The
    collector, checked cookies, and the digests in PostgreSQL"). Only a cookie that passed the
    check is kept, under its whole signed value, so a forged or altered one is checked in full
    every time; one kept is still refused once it is older than the session may live. The session
    row is looked up on every request all the same: a cookie kept here is no more signed in than
    its row says."""

    def __init__(self, entries: int, clock: Callable[[], float] = time.time) -> None:
        self.entries = entries
        self.clock = clock
        self._checked: OrderedDict[tuple[str, str], tuple[str, float]] = OrderedDict()

    def token_hash(self, secret_key: str, signed: str, max_age_seconds: int) -> str | None:
        key = (secret_key, signed)
        checked = self._checked.get(key)
        if checked is None:
            token = Signer(secret_key).unsign_with_time(SESSION, signed, max_age_seconds=max_age_seconds)
            if token is None or not isinstance(token[0], str):
                return None
            checked = self._checked[key] = (sha256_hex(token[0]), token[1])
            if len(self._checked) > self.entries:
                self._checked.popitem(last=False)
        else:
            self._checked.move_to_end(key)
        token_hash, signed_at = checked
        return token_hash if self.clock() - signed_at <= max_age_seconds else None


# Some 200 bytes each: a few megabytes at most, per process.
CHECKED_COOKIES = 10_000
_checked_cookies = CheckedCookies(CHECKED_COOKIES)


def _is_live(web_session: WebSession, request: Request, now: dt.datetime) -> bool:
    idle = dt.timedelta(minutes=_settings(request).session_idle_minutes)
    return (
        web_session.ended_at is None
        and web_session.expires_at > now
        and web_session.last_seen_at + idle > now
    )


async def _touch(reading: PooledReading, web_session: WebSession, now: dt.datetime) -> None:
    if now - web_session.last_seen_at > TOUCH_EVERY:
        db = await reading.connection()
        await db.execute(
            update(WebSession)
            .where(WebSession.id == web_session.id)  # type: ignore[arg-type]
            .values(last_seen_at=now)
        )
        await db.commit()


async def end_current_session(db: AsyncSession, request: Request) -> None:
    token_hash = _token_hash(request)
    if token_hash:
        await db.exec(
            update(WebSession)
            .where(WebSession.token_hash == token_hash)  # type: ignore[arg-type]
            .where(WebSession.ended_at.is_(None))  # type: ignore[union-attr]
            .values(ended_at=utcnow())
        )


async def current_session(db: AsyncSession, request: Request) -> WebSession | None:
    token_hash = _token_hash(request)
    if not token_hash:
        return None
    return (await db.exec(select(WebSession).where(WebSession.token_hash == token_hash))).first()


async def end_all_sessions(
    db: AsyncSession, *, party_id: int | None = None, officer_id: int | None = None
) -> None:
    """Sign out everywhere: on request, and whenever the password changes."""
    statement = update(WebSession).where(WebSession.ended_at.is_(None))  # type: ignore[union-attr]
    if party_id is not None:
        statement = statement.where(WebSession.party_id == party_id)  # type: ignore[arg-type]
    elif officer_id is not None:
        statement = statement.where(WebSession.officer_id == officer_id)  # type: ignore[arg-type]
    else:
        raise ValueError("say whose sessions to end")
    await db.exec(statement.values(ended_at=utcnow()))


# The signed-in checks' look-ups, built once: building a statement and its cache key on every
# request cost a third as much again as running it (bench/README.md, "Server speed").
_PARTY_LOADERS = columns_loaded_as(WebSession, Party, Crime, Force)
_PARTY_SESSION = (
    sa_select(*(column for loader in _PARTY_LOADERS for column in loader.columns))
    .join(Party, Party.id == WebSession.party_id)  # type: ignore[arg-type]
    .join(Crime, Crime.id == Party.crime_id)  # type: ignore[arg-type]
    .join(Force, Force.id == Crime.force_id)  # type: ignore[arg-type]
    .where(col(WebSession.token_hash) == bindparam("token_hash"))
)


# A column a page adds to its party's session look-up, to have it in the same round trip (the case
# page's digest, page_memo.py; the poll's numbers): made from the database's name and the look-up's
# columns for the party (the one a trusted helper helps), the crime, its force, its officer in
# charge, and the role of the session's own party.
AddedColumn = Callable[..., ColumnElement[Any]]


def _looked_up(columns: list[Any], model: int, key: str) -> Any:
    loader = _PARTY_LOADERS[model]
    return columns[loader.span.start + loader.keys.index(key)]


@functools.cache
def _party_session_with(added: AddedColumn, dialect_name: str) -> TextualSelect:
    """_PARTY_SESSION with `added` as its last column, compiled once to SQL: the added column can be
    a large statement, whose cache key SQLAlchemy would work out again on every request."""
    signed_in = _PARTY_SESSION.set_label_style(LABEL_STYLE_TABLENAME_PLUS_COL).subquery("signed_in")
    columns = list(signed_in.c)
    party_id, helps = _looked_up(columns, 1, "id"), _looked_up(columns, 1, "helps_party_id")
    column = added(
        dialect_name,
        party=func.coalesce(helps, party_id),
        crime=_looked_up(columns, 2, "id"),
        force=_looked_up(columns, 3, "id"),
        officer=_looked_up(columns, 2, "officer_in_charge_id"),
        role=_looked_up(columns, 1, "role"),
    )
    return _compiled_with_added(columns, column)


def _compiled_with_added(columns: list[Any], added: ColumnElement[Any]) -> TextualSelect:
    """A look-up's columns and the added one, as plain SQL (compiled by SQLite's compiler with
    :named parameters, which both databases read), typed so that its rows are converted as the
    look-up's own are. The values the added column compares with (a role, an audience) stay
    parameters of the statement, given to it here: only the session's token is the caller's."""
    compiled = sa_select(*columns, added).compile(dialect=sqlite.dialect(paramstyle="named"))
    statement: TextClause = text(str(compiled))
    values = {name: value for name, value in compiled.params.items() if value is not None}
    if values:
        statement = statement.bindparams(**values)
    return statement.columns(*(sa_column(c.name, c.type) for c in columns), sa_column("added", String))


_OFFICER_LOADERS = columns_loaded_as(WebSession, Officer, Force)
_OFFICER_SESSION = (
    sa_select(*(column for loader in _OFFICER_LOADERS for column in loader.columns))
    .join(Officer, Officer.id == WebSession.officer_id)  # type: ignore[arg-type]
    .join(Force, Force.id == Officer.force_id)  # type: ignore[arg-type]
    .where(col(WebSession.token_hash) == bindparam("token_hash"))
)


async def _signed_in(
    connection: PooledReading, statement: Any, loaders: list[Detached], token_hash: str
) -> tuple[Any, ...] | None:
    """The session and who it belongs to, in one statement; then any column added after theirs."""
    row = await first_row(connection, statement, {"token_hash": token_hash})
    if not row:
        return None
    return (*(loader.make(row) for loader in loaders), *row[loaders[-1].span.stop :])


def _redirect_to(request: Request, url: str) -> Response:
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def party_required(endpoint: Endpoint) -> Endpoint:
    """Only a signed-in party; sets request.state.party, .crime, .force and .web_session."""
    return _party_required(endpoint, touch=True)


def party_required_reading(endpoint: Endpoint) -> Endpoint:
    """As party_required, for a page that reads: the look-up's connection stays open for the page as
    request.state.reading (a PooledReading, in autocommit: `await request.state.reading.session()`
    for an ORM session on it), so the request takes one connection from the pool, and checks it
    once, instead of twice. The page must not open another connection while it holds this one:
    with every pooled connection held so, each request would wait for a second one that never
    comes free."""
    return _party_required(endpoint, touch=True, share_reading=True)


def party_polling_with(
    added: AddedColumn, wanted: Callable[[Request], bool]
) -> Callable[[Endpoint], Endpoint]:
    """As party_required_reading, but the request is not activity (background polling), so that a
    tab left open cannot keep an idle session alive; with the column `added` computed in the
    session's look-up for a request `wanted` chooses (see party_required_reading_with)."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        return _party_required(endpoint, touch=False, share_reading=True, added=added, wanted=wanted)

    return decorate


def party_required_reading_with(
    added: AddedColumn, wanted: Callable[[Request], bool]
) -> Callable[[Endpoint], Endpoint]:
    """As party_required_reading, and, for a request `wanted` chooses, the column `added` computed
    in the session's look-up, as request.state.added_column: None when not computed, or when the
    check itself changed the party's row (a language picked with the switch), which it may show."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        return _party_required(endpoint, touch=True, share_reading=True, added=added, wanted=wanted)

    return decorate


def _party_required(
    endpoint: Endpoint,
    *,
    touch: bool,
    share_reading: bool = False,
    added: AddedColumn | None = None,
    wanted: Callable[[Request], bool] | None = None,
) -> Endpoint:
    @functools.wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        token_hash = _token_hash(request)
        if token_hash:
            now = utcnow()
            async with request.app.state.db.pooled_reading() as connection:
                statement: Any = _PARTY_SESSION
                if added is not None and wanted is not None and wanted(request):
                    statement = _party_session_with(added, connection.dialect.name)
                found = await _signed_in(connection, statement, _PARTY_LOADERS, token_hash)
                row = found[:4] if found else None
                added_column = found[4] if found and len(found) > 4 else None
                signed_in = bool(
                    row
                    and _is_live(row[0], request, now)
                    and row[1].account_deleted_at is None
                    # Flagged since signing in (e.g. lives with a suspect): the portal is closed.
                    and portal_offered(row[3], row[2], row[1])
                )
                helper = row[1] if row and signed_in and row[1].helps_party_id is not None else None
                if row and helper is not None:
                    # A trusted helper (issue 21) sees the case as the party they help.
                    row = await _as_helped_party(connection, row)
                    signed_in = bool(row and portal_offered(row[3], row[2], row[1]))
                if row and signed_in and touch:
                    await _touch(connection, row[0], now)
                if row and signed_in and helper is not None and touch and request.method == "GET":
                    await _audit_helper_view(request, connection, helper, row[2])
                if row and signed_in and await _keep_language(connection, helper or row[1]):
                    added_column = None
                if row and signed_in and share_reading:
                    _set_party_state(request, row, helper)
                    request.state.added_column = added_column
                    request.state.reading = connection
                    return await endpoint(request)
            # Otherwise the look-up's connection is back in the pool before the page opens its own:
            # one connection per request, not two (bench/README.md, server speed).
            if row and signed_in:
                _set_party_state(request, row, helper)
                return await endpoint(request)
        return _redirect_to(request, "/sign-in?signed_out=1" if token_hash else "/sign-in")

    return wrapper


async def _audit_helper_view(request: Request, reading: PooledReading, helper: Party, crime: Crime) -> None:
    """Every page a trusted helper opens is in the audit log as theirs (issue 21)."""
    async with request.app.state.db.session_on(await reading.connection()) as db:
        audit.record(
            db,
            request,
            audit_actions.HELPER_VIEW,
            force_id=crime.force_id,
            crime_id=crime.id,
            party_id=helper.helps_party_id,
            actor=helper,
            actor_kind="helper",
            detail=request.url.path,
        )
        await db.commit()


_HELPED_LOADER = columns_loaded_as(Party)[0]
_HELPED = sa_select(*_HELPED_LOADER.columns).where(col(Party.id) == bindparam("party_id"))


async def _as_helped_party(
    connection: PooledReading, row: Any
) -> tuple[WebSession, Party, Crime, Force] | None:
    """The session's row with the helped party in place of the helper; None if that party has left."""
    web_session, helper, crime, force = row
    found = await first_row(connection, _HELPED, {"party_id": helper.helps_party_id})
    helped = _HELPED_LOADER.make(found) if found else None
    if helped is None or helped.account_deleted_at is not None or helped.crime_id != crime.id:
        return None
    return web_session, helped, crime, force


async def _keep_language(reading: PooledReading, party: Party) -> bool:
    """A language picked with the switch is stored on the party (their alerts follow it); without
    one, the page is in the party's stored language. True if the party's row was changed."""
    chosen = chosen_language.get()
    if not chosen or chosen == party.preferred_language:
        use_party_language(party.preferred_language)
        return False
    db = await reading.connection()
    await db.execute(
        update(Party).where(Party.id == party.id).values(preferred_language=chosen)  # type: ignore[arg-type]
    )
    await db.commit()
    party.preferred_language = chosen
    use_party_language(chosen)
    return True


def _set_party_state(request: Request, row: Any, helper: Party | None) -> None:
    """The signed-in party; for a trusted helper, the party they help, with the helper as .helper."""
    state = request.state
    state.web_session, state.party, state.crime, state.force = row
    state.helper = helper


def officer_required(
    *roles: str,
    share_reading: bool = False,
    added: AddedColumn | None = None,
    wanted: Callable[[Request], bool] | None = None,
) -> Callable[[Endpoint], Endpoint]:
    """Only a signed-in, enabled officer with one of `roles` (any role if none are named).

    `share_reading`: for a page that only reads, as party_required_reading: the look-up's connection
    stays open for the page as request.state.reading, one check-out per request instead of two, and
    the same rule holds (the page opens no other connection while it holds this one). A session
    whose single sign-on must be asked again lets its connection go first (the provider is asked
    over the network, and the session written in a transaction of its own): that request takes two.

    `added`, `wanted`: as party_required_reading_with, for a page that shares reading: for a request
    `wanted` chooses, the column `added` (of the officer's id, force and team, _officer_session_with)
    computed in the look-up, as request.state.added_column; None when not computed, or when the
    page reads on a connection of its own (the provider was asked), where the column would be of
    rows read a statement apart from the ones the page is drawn from."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def wrapper(request: Request) -> Response:
            token_hash = _token_hash(request)
            if token_hash:
                now = utcnow()
                db = request.app.state.db
                async with db.pooled_reading() as connection:
                    statement: Any = _OFFICER_SESSION
                    if added is not None and wanted is not None and wanted(request):
                        statement = _officer_session_with(added, connection.dialect.name)
                    found = await _signed_in(connection, statement, _OFFICER_LOADERS, token_hash)
                    row = found[:3] if found else None
                    request.state.added_column = found[3] if found and len(found) > 3 else None
                    signed_in = bool(row and _is_live(row[0], request, now) and row[1].disabled_at is None)
                    allowed = bool(row and signed_in and (not roles or row[1].role in roles))
                    if row and allowed:
                        await _touch(connection, row[0], now)
                    # As still_accepted (sso_sessions.py): the provider is asked only once the ID
                    # token has expired; until then the session goes on with nothing to look up.
                    provider_to_ask = bool(row and row[0].sso_expires_at and row[0].sso_expires_at <= now)
                    if row and allowed and share_reading and not provider_to_ask:
                        request.state.web_session, request.state.officer, request.state.force = row
                        request.state.reading = connection
                        return await endpoint(request)
                if row and allowed and not await still_accepted(request, row[0], now):
                    return _redirect_to(request, "/officer/sign-in?signed_out=1")
                if row and signed_in and not allowed:
                    render = request.app.state.render
                    return render(request, "errors/forbidden.html", status_code=403)
                if row and allowed:  # with the look-up's connection back in the pool
                    state = request.state
                    state.web_session, state.officer, state.force = row
                    if share_reading:
                        state.added_column = None
                        async with db.pooled_reading() as reading:
                            state.reading = reading
                            return await endpoint(request)
                    return await endpoint(request)
            return _redirect_to(request, "/officer/sign-in")

        return wrapper

    return decorate


# The officer's columns an added column is made from: their id, force and team.
_OFFICER_KEYS = ("id", "force_id", "team")


@functools.cache
def _officer_session_with(added: AddedColumn, dialect_name: str) -> TextualSelect:
    """_OFFICER_SESSION with `added` as its last column, of the officer's id, force and team as the
    look-up reads them, compiled once to SQL (as _party_session_with). The look-up is a CTE, not a
    subquery, so that CTEs of the added column (the inbox's digest chooses its officers and crimes
    once) may read it too."""
    signed_in = _OFFICER_SESSION.set_label_style(LABEL_STYLE_TABLENAME_PLUS_COL).cte("signed_in")
    columns = list(signed_in.c)
    officer = _OFFICER_LOADERS[1]
    officer_id, force_id, team = (columns[officer.span.start + officer.keys.index(k)] for k in _OFFICER_KEYS)
    column = added(dialect_name, officer=officer_id, force=force_id, team=team)
    return _compiled_with_added(columns, column)
