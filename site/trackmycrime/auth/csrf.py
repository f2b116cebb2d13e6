"""CSRF protection for every state-changing request (signed double-submit cookie, masked tokens).

Every visitor gets a random `csrf` cookie. Forms carry a token derived from it with the secret
key, masked afresh on each page so that compressed pages do not leak it (BREACH). htmx sends the
same token in the X-CSRF-Token header (set on <body> with hx-headers).
"""

from __future__ import annotations

import base64
import secrets
from urllib.parse import parse_qs

from starlette.requests import Request, cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .cookies import cookie_name
from .tokens import CSRF, Signer, constant_time_equal, random_token

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"
MAX_FORM_BYTES = 64 * 1024


def _xor(data: bytes, pad: bytes) -> bytes:
    return (int.from_bytes(data) ^ int.from_bytes(pad)).to_bytes(len(data))


def mask(token: str) -> str:
    raw = token.encode()
    pad = secrets.token_bytes(len(raw))
    return base64.urlsafe_b64encode(pad + _xor(raw, pad)).decode()


def masked_token(request: Request) -> str:
    """The request's CSRF token masked afresh, for a page's forms and htmx's header."""
    unmasked = request.scope.get("state", {}).get("csrf_token_unmasked")
    return mask(unmasked) if unmasked else ""


def unmask(masked: str) -> str | None:
    try:
        data = base64.urlsafe_b64decode(masked.encode())
    except (ValueError, UnicodeError):
        return None
    half = len(data) // 2
    if len(data) % 2 or not half:
        return None
    pad, body = data[:half], data[half:]
    try:
        return _xor(body, pad).decode()
    except UnicodeDecodeError:
        return None


class CSRFMiddleware:
    """Refuses POST, PUT, PATCH and DELETE without a valid token; the ingest API uses API keys."""

    def __init__(
        self, app: ASGIApp, *, secret_key: str, secure: bool, exempt_prefixes: tuple[str, ...] = ("/api/",)
    ) -> None:
        self.app = app
        self.signer = Signer(secret_key)
        self.secure = secure
        self.cookie = cookie_name("csrf", secure)
        self.exempt_prefixes = exempt_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt_prefixes):
            await self.app(scope, receive, send)
            return
        cookie_value = _cookies(scope).get(self.cookie, "")
        new_cookie = None
        if len(cookie_value) < 20:
            cookie_value = new_cookie = random_token()
        expected = self.signer.mac(CSRF, cookie_value)
        # Masked afresh by each page that shows it (masked_token); the memoised pages' key uses it
        # as it is (page_memo.py). A page sent from the memo shows the token masked when it was kept.
        scope.setdefault("state", {})["csrf_token_unmasked"] = expected

        if scope["method"] not in SAFE_METHODS:
            body, too_large = await _read_body(receive)
            if too_large:
                await _reject(scope, send, 413)
                return
            request = Request(scope)
            sent = request.headers.get(HEADER) or _form_token(request, body)
            actual = unmask(sent) if sent else None
            if new_cookie or actual is None or not constant_time_equal(actual, expected):
                await _reject(scope, send, 403, new_cookie=new_cookie, cookie=self.cookie, secure=self.secure)
                return
            receive = _replay(body)

        if not new_cookie:
            await self.app(scope, receive, send)
            return
        set_cookie = (b"set-cookie", _cookie_header(self.cookie, new_cookie, self.secure).encode("latin-1"))

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), set_cookie]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _cookies(scope: Scope) -> dict[str, str]:
    """The request's cookies, as Request.cookies reads them, without building a Request."""
    cookies: dict[str, str] = {}
    for name, value in scope["headers"]:
        if name == b"cookie":
            cookies.update(cookie_parser(value.decode("latin-1")))
    return cookies


def _cookie_header(name: str, value: str, secure: bool) -> str:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def _form_token(request: Request, body: bytes) -> str | None:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return None
    try:
        values = parse_qs(body.decode("utf-8"), max_num_fields=200).get(FORM_FIELD)
    except (UnicodeDecodeError, ValueError):
        return None
    return values[0] if values else None


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), False


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _reject(
    scope: Scope,
    send: Send,
    status: int,
    *,
    new_cookie: str | None = None,
    cookie: str = "",
    secure: bool = False,
) -> None:
    request = Request(scope)
    template = "errors/form_expired.html" if status == 403 else "errors/too_large.html"
    html = request.app.state.render_html(request, template, {}).encode()
    headers = [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(html)).encode()),
        (b"cache-control", b"no-store"),
    ]
    if new_cookie:
        headers.append((b"set-cookie", _cookie_header(cookie, new_cookie, secure).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": html})
