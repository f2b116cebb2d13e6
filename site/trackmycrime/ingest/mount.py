"""The API's place under /api: every path there, even a malformed one, answers problem+json."""

from __future__ import annotations

import logging
from typing import Any

from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.routing import Mount, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import problems

logger = logging.getLogger(__name__)


class ProblemsForErrors:
    """Under /api, routing errors and anything unexpected answer problem+json, not an HTML page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except HTTPException as error:
            if started:
                raise
            detail = "There is no such address in the API." if error.status_code == 404 else None
            await problems.problem(error.status_code, detail, headers=error.headers)(scope, receive, send)
        except Exception:
            if started:
                raise
            logger.exception("unexpected error in the ingest API")
            await problems.problem(500, "Something went wrong on our side.")(scope, receive, send)


class AnyText(Convertor[str]):
    """Like Starlette's "path", but newlines too: a reference holding one is refused with a 422."""

    regex = r"[\s\S]*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("any_text", AnyText())


class CrimeAddress(AnyText):
    """A crime's reference in its own address: any text, except one ending in /updates,
    /hearings/ID or /decisions/ID.

    Those addresses are the crime's updates (POST only), hearings and decisions (PUT only): another
    method there is answered 405 with `Allow`, not read as a crime whose reference ends that way.
    """

    regex = r"(?![\s\S]*/(?:updates|hearings/[^/]*|decisions/[^/]*)$)[\s\S]*"


register_url_convertor("crime_address", CrimeAddress())


class ApiMount(Mount):
    """A Mount for every path under its prefix, even with a newline, so all of them answer problems."""

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(path, **kwargs)
        self.path_regex, self.path_format, self.param_convertors = compile_path(path + "/{path:any_text}")
