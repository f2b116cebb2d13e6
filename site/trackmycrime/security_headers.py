"""Security headers on every response, and no-store on everything that is not a static file."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


# Content types that a browser only ever loads into a document, never shows as one.
SUBRESOURCE_TYPES = (b"text/css", b"text/javascript", b"application/javascript")
SUBRESOURCE_HEADERS = (
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Resource-Policy",
    "Strict-Transport-Security",
)


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https
        headers = {
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
            "Permissions-Policy": PERMISSIONS_POLICY,
            "Cross-Origin-Opener-Policy": "same-origin",
            "Cross-Origin-Resource-Policy": "same-origin",
        }
        if https:
            headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        # Built once: setting each header in turn searched the response's headers once per header.
        self.static_headers = _raw(headers)
        self.page_headers = _raw({**headers, "Cache-Control": "no-store"})
        # A stylesheet or a script is never a document: the policies that govern a document (CSP,
        # framing, permissions, the opener) do nothing on it, and each first visit carried them on
        # every such file (bench/README.md, page weight). Kept: no sniffing, the resource policy,
        # and the referrer policy, which covers what a stylesheet itself fetches.
        self.subresource_headers = _raw(
            {name: headers[name] for name in SUBRESOURCE_HEADERS if name in headers}
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope["path"].startswith("/static/") or scope["path"] == "/favicon.ico"
        ours = self.static_headers if is_static else self.page_headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                set_headers(
                    message, self.subresource_headers if is_static and _is_subresource(message) else ours
                )
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _is_subresource(message: Message) -> bool:
    for name, value in message.get("headers", ()):
        if name == b"content-type":
            return value.startswith(SUBRESOURCE_TYPES)
    return False


def set_headers(message: Message, headers: list[tuple[bytes, bytes]]) -> None:
    """Each of `headers` (lower-case names) set on a response's start, in place of any of that name,
    as MutableHeaders would; most responses have none of them, and get them appended."""
    raw = message["headers"] = list(message.get("headers", ()))
    present = {name for name, _value in raw}
    if present.isdisjoint(name for name, _value in headers):
        raw.extend(headers)
        return
    mutable = MutableHeaders(scope=message)
    for name, value in headers:
        mutable[name.decode("latin-1")] = value.decode("latin-1")
