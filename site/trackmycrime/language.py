"""Which language a page is read in: the reader's own choice, their records, then their browser.

Order (issue 20): a `?lang=` link from the language switch, then the choice remembered in a cookie,
then (signed in, or opening their invitation) the party's `preferred_language`, which the records
system sends and the switch updates, then `Accept-Language`, then English. Officer pages and the
API are English only, so that `<html lang>` is always true.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import i18n
from .auth.cookies import cookie_name

COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60
ENGLISH_ONLY_PATHS = ("/officer", "/api/", "/demo/")
_VARY = (b"vary", b"Cookie, Accept-Language")

# The language the reader picked themselves (switch link or cookie), or None.
chosen_language: ContextVar[str | None] = ContextVar("chosen_language", default=None)


def _supported(value: str | None) -> str | None:
    if not value:
        return None
    short = value.split("-")[0].split("_")[0].strip().lower()
    return short if short in i18n.SUPPORTED_LANGUAGES else None


@functools.lru_cache(maxsize=256)  # browsers send a few headers, the same on every request
def from_accept_language(header: str) -> str | None:
    """The supported language the browser likes best ('cy-GB,cy;q=0.9,en;q=0.8' is Welsh)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = _supported(tag)
        if language and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else None


def use_party_language(preferred: str | None) -> None:
    """For a page about one party: their recorded language, unless they have picked one here."""
    if chosen_language.get() is None:
        language = _supported(preferred)
        if language:
            i18n.current_language.set(language)


class LanguageMiddleware:
    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.cookie = cookie_name(COOKIE, https)
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        cookie = accept_language = b""
        for name, value in scope["headers"]:  # the last of each, as a dict of them would keep
            if name == b"cookie":
                cookie = value
            elif name == b"accept-language":
                accept_language = value
        requested = _supported(_query_language(scope))
        remembered = _supported(_cookie(cookie.decode("latin-1"), self.cookie))
        chosen = requested or remembered
        if scope["path"].startswith(ENGLISH_ONLY_PATHS):
            chosen, language = None, i18n.DEFAULT_LANGUAGE
        else:
            language = chosen or from_accept_language(accept_language.decode("latin-1")) or "en"
        chosen_token = chosen_language.set(chosen)
        language_token = i18n.current_language.set(language)
        remember = requested is not None and requested != remembered and chosen is not None

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message["headers"] = list(message.get("headers", ()))
                if all(name != b"content-language" for name, _value in headers):
                    headers.append((b"content-language", i18n.current_language.get().encode("latin-1")))
                headers.append(_VARY)
                if remember:
                    headers.append((b"set-cookie", self._cookie_header(requested or "en").encode("latin-1")))
            await send(message)

        try:
            await self.app(scope, receive, send_with_language)
        finally:
            i18n.current_language.reset(language_token)
            chosen_language.reset(chosen_token)

    def _cookie_header(self, language: str) -> str:
        secure = "; Secure" if self.https else ""
        return f"{self.cookie}={language}; Path=/; Max-Age={COOKIE_MAX_AGE}; HttpOnly; SameSite=Lax{secure}"


def _query_language(scope: Scope) -> str | None:
    if b"lang" not in scope.get("query_string", b""):
        return None
    for pair in scope.get("query_string", b"").decode("latin-1").split("&"):
        name, _, value = pair.partition("=")
        if name == "lang":
            return value
    return None


def _cookie(header: str, name: str) -> str | None:
    for pair in header.split(";"):
        key, _, value = pair.strip().partition("=")
        if key == name:
            return value
    return None


def switch_links(path: str, query: str, method: str, signed_in: bool) -> list[tuple[str, str, str]]:
    """(code, name, href) for each language: the same page in that language. A page shown in answer
    to a form has no address of its own, so its switch opens the area's first page instead."""
    if method not in ("GET", "HEAD"):
        path, query = ("/case" if signed_in else "/"), ""
    kept = "&".join(pair for pair in query.split("&") if pair and not pair.startswith("lang="))
    prefix = f"{path}?{kept}&" if kept else f"{path}?"
    return [(code, name, f"{prefix}lang={code}") for code, name in i18n.LANGUAGE_NAMES.items()]
