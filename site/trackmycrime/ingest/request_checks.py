"""Reading an API request: the caller's key, a body within limits, the reference and fields checked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from .. import identity
from ..auth import throttle
from ..auth.api_keys import active_key, bearer_key
from ..auth.sessions import client_address
from ..database import transaction_connection
from ..models import ApiKey, Force
from ..reference_formats import matches_format
from . import problems
from .schemas import InvalidField

MAX_BODY_BYTES = 256 * 1024
MAX_REFERENCE_LENGTH = 40

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class Caller:
    """The records system making the request: its key and its force."""

    api_key: ApiKey
    force: Force


WRONG_KEYS_ALLOWED = 20
WRONG_KEY_WINDOW = dt.timedelta(minutes=15)


class Refused(Exception):
    """Ends a request early with a problem response."""

    def __init__(self, response: Response) -> None:
        self.response = response


async def authenticate(db: AsyncSession, request: Request) -> Caller:
    authorization = request.headers.get("authorization")
    key_text = bearer_key(authorization)
    if key_text is None:
        raise Refused(
            problems.unauthorised(
                "Send the force's API key in the header Authorization: Bearer <key>.",
                key_was_sent=authorization is not None,
            )
        )
    found = await active_key(await transaction_connection(db), key_text)
    if found is None:
        # Keys are long and random, so this limit is not what stops guessing: it stops a
        # misconfigured or hostile client from hammering the API, while a right key still works.
        wrong_keys = f"ingest-wrong-key:client:{client_address(request)}"
        if await throttle.hit(db, wrong_keys, window=WRONG_KEY_WINDOW) > WRONG_KEYS_ALLOWED:
            raise Refused(problems.too_many_wrong_keys(int(WRONG_KEY_WINDOW.total_seconds())))
        raise Refused(
            problems.unauthorised("The API key is not valid or has been revoked.", key_was_sent=True)
        )
    return Caller(api_key=found[0], force=found[1])


def checked_reference(request: Request, force: Force) -> str:
    """The crime reference of the path, if it has the form the force configured."""
    reference, errors = _reference_and_errors(request, force)
    if errors:
        raise Refused(problems.invalid_fields(errors))
    return reference


def _reference_and_errors(request: Request, force: Force) -> tuple[str, list[InvalidField]]:
    reference = str(request.path_params["crime_reference"])
    if len(reference) > MAX_REFERENCE_LENGTH:
        detail = f"A crime reference has {MAX_REFERENCE_LENGTH} characters or fewer"
    elif not identity.reference_key(reference) or not matches_format(force.crime_ref_pattern, reference):
        detail = "This is not a crime reference of this force: check its format"
    else:
        return reference, []
    return reference, [InvalidField(parameter="crime_reference", detail=detail)]


async def read_body(request: Request) -> bytes:
    """The raw body, refusing anything over MAX_BODY_BYTES before reading it all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise Refused(_too_large())
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise Refused(_too_large())
            chunks.append(chunk)
    except ClientDisconnect:
        raise Refused(problems.problem(400, "The request body was cut off.")) from None
    return b"".join(chunks)


def _too_large() -> Response:
    return problems.problem(413, f"The body must be {MAX_BODY_BYTES // 1024} KB or smaller.")


def reference_and_body(request: Request, force: Force, body: bytes, model: type[Model]) -> tuple[str, Model]:
    """The checked crime reference and request body, or one problem listing everything wrong."""
    check_content_type(request)
    reference, errors = _reference_and_errors(request, force)
    try:
        given = model.model_validate_json(body)
    except ValidationError as error:
        if problems.is_json_syntax_error(error):
            raise Refused(problems.invalid_json(problems.json_syntax_message(error))) from None
        errors += problems.fields_from(error)
    if errors:
        raise Refused(problems.invalid_fields(errors))
    return reference, given


def check_content_type(request: Request) -> None:
    media_type, _, parameters = request.headers.get("content-type", "").partition(";")
    charset = parameters.strip().lower().replace(" ", "")
    if media_type.strip().lower() != "application/json" or charset not in ("", "charset=utf-8"):
        raise Refused(problems.problem(415, "Send the body as JSON with Content-Type: application/json."))
    if request.headers.get("content-encoding", "identity").strip().lower() != "identity":
        raise Refused(problems.problem(415, "Send the body without Content-Encoding."))
