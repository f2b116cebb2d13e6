"""The records-system API under /api/v1: read the request, do the work in one transaction, answer JSON."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import audit, identity
from ..database import Database
from ..models import ApiKey, Force, utcnow
from ..victims_code.entitlements import refresh_entitlements
from . import problems
from .crimes import PersonalDataRemoved, crime_by_reference, crime_view, upsert_crime
from .keys import active_key, bearer_key, needs_last_used_update, record_key_use
from .openapi import openapi_document
from .schemas import CrimeIn, InvalidField, UpdateIn
from .updates import UnknownAudience, UpdateConflict, add_update, update_view

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
MAX_REFERENCE_LENGTH = 40
# Concurrent identical requests collide on unique constraints; the retry then finds the stored row.
ATTEMPTS = 4

Model = TypeVar("Model", bound=BaseModel)
Result = TypeVar("Result")


@dataclass(frozen=True)
class Caller:
    """The records system making the request: its key and its force."""

    api_key: ApiKey
    force: Force


class Refused(Exception):
    """Ends a request early with a problem response."""

    def __init__(self, response: Response) -> None:
        self.response = response


# ---------------------------------------------------------------- reading the request


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
    found = await active_key(db, key_text)
    if found is None:
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
    elif not identity.reference_key(reference) or not _matches(force.crime_ref_pattern, reference):
        detail = "This is not a crime reference of this force: check its format"
    else:
        return reference, []
    return reference, [InvalidField(parameter="crime_reference", detail=detail)]


def _matches(pattern: str, reference: str) -> bool:
    try:
        return re.fullmatch(pattern, reference) is not None
    except re.error:
        logger.error("the crime reference pattern of a force is not a valid regular expression")
        return False


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


# ---------------------------------------------------------------- one transaction per request


def _worth_retrying(error: Exception) -> bool:
    if isinstance(error, IntegrityError):
        return True
    message = str(getattr(error, "orig", error)).lower()
    return "locked" in message or "deadlock" in message


async def in_transaction(db: Database, work: Callable[[AsyncSession], Awaitable[Result]]) -> Result:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with db.transaction() as session:
                return await work(session)
        except DBAPIError as error:
            if attempt == ATTEMPTS or not _worth_retrying(error):
                raise
            logger.info("retrying an ingest request after %s", type(error).__name__)
    raise AssertionError("unreachable")


async def answer(request: Request, work: Callable[[AsyncSession, Caller], Awaitable[Response]]) -> Response:
    """Authenticate, run the work in a transaction, and record that the key was used."""
    db: Database = request.app.state.db
    callers: list[Caller] = []

    async def authenticated_work(session: AsyncSession) -> Response:
        callers.clear()
        try:
            caller = await authenticate(session, request)
            callers.append(caller)
            return await work(session, caller)
        except Refused as refused:
            return refused.response

    response = await in_transaction(db, authenticated_work)
    if callers and needs_last_used_update(callers[0].api_key, utcnow()):
        try:
            async with db.transaction() as session:
                await record_key_use(session, callers[0].api_key.id, utcnow())  # type: ignore[arg-type]
        except DBAPIError:
            # The request itself was done and committed; a missed "last used" time is not worth failing it.
            logger.warning("could not record when an API key was last used", exc_info=True)
    return response


def json_response(
    model: BaseModel, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse(model.model_dump(mode="json"), status_code=status_code, headers=headers)


def crime_url(reference: str) -> str:
    return f"/api/v1/crimes/{quote(reference, safe='')}"


# ---------------------------------------------------------------- endpoints


async def put_crime(request: Request) -> Response:
    body = await _body_or_problem(request)
    if isinstance(body, Response):
        return body

    async def work(db: AsyncSession, caller: Caller) -> Response:
        reference, given = reference_and_body(request, caller.force, body, CrimeIn)
        try:
            crime, changes = await upsert_crime(db, force=caller.force, reference=reference, body=given)
        except PersonalDataRemoved:
            return problems.personal_data_removed()
        await refresh_entitlements(db, crime.id)  # type: ignore[arg-type]
        audit.record(
            db,
            request,
            "crime.upsert",
            force_id=caller.force.id,
            crime_id=crime.id,
            actor_kind="rms",
            detail=f"api key {caller.api_key.id}: {changes.summary()}",
        )
        for action, parties in (
            ("party.create", changes.new_parties),
            ("party.update", changes.changed_parties),
        ):
            for party in parties:
                audit.record(
                    db,
                    request,
                    action,
                    force_id=caller.force.id,
                    crime_id=crime.id,
                    party_id=party.id,
                    actor_kind="rms",
                    detail=f"api key {caller.api_key.id}: rms party {party.rms_party_id}",
                )
        view = await crime_view(db, crime)
        status = 201 if changes.created else 200
        return json_response(view, status, headers={"Location": crime_url(crime.reference)})

    return await answer(request, work)


async def get_crime(request: Request) -> Response:
    async def work(db: AsyncSession, caller: Caller) -> Response:
        reference = checked_reference(request, caller.force)
        crime = await crime_by_reference(db, caller.force, reference)
        if crime is None:
            return problems.crime_not_found()
        audit.record(
            db,
            request,
            "crime.read",
            force_id=caller.force.id,
            crime_id=crime.id,
            actor_kind="rms",
            detail=f"api key {caller.api_key.id}",
        )
        return json_response(await crime_view(db, crime))

    return await answer(request, work)


async def post_update(request: Request) -> Response:
    body = await _body_or_problem(request)
    if isinstance(body, Response):
        return body

    async def work(db: AsyncSession, caller: Caller) -> Response:
        reference, given = reference_and_body(request, caller.force, body, UpdateIn)
        crime = await crime_by_reference(db, caller.force, reference, for_update=True)
        if crime is None:
            return problems.crime_not_found()
        if crime.personal_data_removed_at is not None:
            return problems.personal_data_removed()
        try:
            update, created = await add_update(db, force=caller.force, crime=crime, body=given)
        except UnknownAudience:
            return problems.invalid_fields(
                [InvalidField(pointer="#/audience", detail="This crime has no party with this rms_party_id")]
            )
        except UpdateConflict:
            return problems.problem(
                409,
                "An update with this rms_update_id was already stored with different content. "
                "Send a correction as a new update with a new rms_update_id.",
                type_=problems.UPDATE_CONFLICT,
                title="Update id already used",
            )
        if created:
            await refresh_entitlements(db, crime.id)  # type: ignore[arg-type]
        audit.record(
            db,
            request,
            "update.add",
            force_id=caller.force.id,
            crime_id=crime.id,
            actor_kind="rms",
            detail=f"api key {caller.api_key.id}: update {given.rms_update_id} "
            + ("stored" if created else "already stored"),
        )
        return json_response(update_view(update, given.audience), 201 if created else 200)

    return await answer(request, work)


async def crime(request: Request) -> Response:
    return await (put_crime(request) if request.method == "PUT" else get_crime(request))


async def _body_or_problem(request: Request) -> bytes | Response:
    try:
        return await read_body(request)
    except Refused as refused:
        return refused.response


async def get_openapi(request: Request) -> Response:
    return JSONResponse(openapi_document(request.app.state.settings.base_url))


# ---------------------------------------------------------------- errors as problems, never HTML


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


class ApiMount(Mount):
    """A Mount for every path under its prefix, even with a newline, so all of them answer problems."""

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(path, **kwargs)
        self.path_regex, self.path_format, self.param_convertors = compile_path(path + "/{path:any_text}")


routes: list[BaseRoute] = [
    ApiMount(
        "/api",
        routes=[
            Route("/v1/openapi.json", get_openapi, methods=["GET"]),
            Route("/v1/crimes/{crime_reference:any_text}/updates", post_update, methods=["POST"]),
            Route("/v1/crimes/{crime_reference:any_text}", crime, methods=["GET", "PUT"]),
        ],
        middleware=[Middleware(ProblemsForErrors)],
    )
]
