"""The records-system API under /api/v1: read the request, do the work in one transaction, answer JSON."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast
from urllib.parse import quote

from pydantic import BaseModel
from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.background import BackgroundTask
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .. import audit, audit_actions
from ..auth.api_keys import needs_last_used_update, record_key_use
from ..case_events.decisions import DecisionConflict, record_decision
from ..case_events.hearings import HearingDetails, parties_required, record_hearing
from ..database import Database, first_line, run, transaction_connection
from ..models import AuditEvent, Crime, Force, Hearing, saved_id, utcnow
from ..victims_code.entitlements import refresh_entitlements
from . import problems
from .crimes import (
    PersonalDataRemoved,
    crime_by_reference,
    crime_locked_for_update,
    crime_view,
    parties_of,
    upsert_crime,
)
from .mount import ApiMount, ProblemsForErrors
from .openapi import openapi_document
from .property_items import UnknownPropertyOwner
from .request_checks import Caller, Refused, authenticate, checked_reference, read_body, reference_and_body
from .schemas import (
    RMS_ID_PATTERN,
    CrimeIn,
    DecisionIn,
    DecisionOut,
    HearingIn,
    HearingOut,
    InvalidField,
    UpdateIn,
)
from .updates import UnknownAudience, UpdateConflict, add_update, update_view

logger = logging.getLogger(__name__)

BAD_ID = "Use letters, digits and . _ : / - only, at most 64 characters"

# Concurrent identical requests collide on unique constraints; the retry then finds the stored row.
ATTEMPTS = 4

Result = TypeVar("Result")

_AUDIT = cast(Any, AuditEvent).__table__
_INSERT_AUDIT = insert(_AUDIT)  # built once; the columns come from the parameters


# ---------------------------------------------------------------- one transaction per request


def _worth_retrying(error: Exception) -> bool:
    if isinstance(error, IntegrityError):
        return True
    message = str(getattr(error, "orig", error)).lower()
    return "locked" in message or "deadlock" in message


async def in_transaction(db: Database, work: Callable[[AsyncSession], Awaitable[Result]]) -> Result:
    """Run the work, again after a collision or a busy database; one warning per request that needed it."""
    collisions: list[str] = []
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with db.transaction() as session:
                result = await work(session)
        except DBAPIError as error:
            collisions.append(first_line(error.orig if error.orig is not None else error))
            if attempt == ATTEMPTS or not _worth_retrying(error):
                if attempt > 1:
                    logger.warning("an ingest request failed after %d attempts (%s)", attempt, collisions[-1])
                raise
            continue
        if collisions:
            logger.warning("an ingest request needed %d attempts (first: %s)", attempt, collisions[0])
        return result
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
        # After the answer is sent, so a busy database can neither fail nor slow the request.
        response.background = BackgroundTask(record_last_used, db, callers[0].api_key.id)  # type: ignore[arg-type]
    return response


async def record_last_used(db: Database, api_key_id: int) -> None:
    """Note when a key was last used; the request was done and committed, so a failure is only logged."""
    try:
        async with db.transaction() as session:
            await record_key_use(session, api_key_id, utcnow())
    except Exception as error:  # noqa: BLE001 - nothing here is worth failing a finished request for
        logger.warning("could not record when API key %d was last used (%s)", api_key_id, first_line(error))


def record_rms_action(
    db: AsyncSession,
    request: Request,
    caller: Caller,
    action: str,
    crime: Crime,
    detail: str = "",
    party_id: int | None = None,
) -> None:
    """The audit row of what a records system did, naming the key it used."""
    audit.record(
        db,
        request,
        action,
        force_id=caller.force.id,
        crime_id=crime.id,
        party_id=party_id,
        actor_kind="rms",
        detail=f"api key {caller.api_key.id}" + (f": {detail}" if detail else ""),
    )


async def record_rms_update(
    request: Request, db: AsyncSession, caller: Caller, crime: Crime, detail: str
) -> None:
    """record_rms_action() for an update, as one Core INSERT rather than an ORM object (the hot path)."""
    await run(
        await transaction_connection(db),
        _INSERT_AUDIT,
        dict(
            at=utcnow(),
            force_id=caller.force.id,
            actor_kind="rms",
            actor_id=None,
            action=audit_actions.UPDATE_ADD,
            crime_id=crime.id,
            party_id=None,
            ip_address=request.client.host if request.client else "",
            detail=f"api key {caller.api_key.id}: {detail}"[:2000],
        ),
    )


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
            crime, changes = await upsert_crime(
                db,
                force=caller.force,
                reference=reference,
                body=given,
                handover_hold_hours=request.app.state.settings.handover_hold_hours,
            )
        except PersonalDataRemoved:
            return problems.personal_data_removed()
        except UnknownPropertyOwner as unknown:
            return problems.invalid_fields(
                [
                    InvalidField(
                        pointer=f"#/property/{index}/owner_rms_party_id",
                        detail="This crime has no victim with this rms_party_id",
                    )
                    for index in unknown.indexes
                ]
            )
        await refresh_entitlements(db, crime.id, request.app.state.rules)  # type: ignore[arg-type]
        record_rms_action(db, request, caller, audit_actions.CRIME_UPSERT, crime, changes.summary())
        for action, parties in (
            (audit_actions.PARTY_CREATE, changes.new_parties),
            (audit_actions.PARTY_UPDATE, changes.changed_parties),
        ):
            for party in parties:
                detail = f"rms party {party.rms_party_id}"
                record_rms_action(db, request, caller, action, crime, detail, party_id=party.id)
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
        record_rms_action(db, request, caller, audit_actions.CRIME_READ, crime)
        return json_response(await crime_view(db, crime))

    return await answer(request, work)


async def post_update(request: Request) -> Response:
    body = await _body_or_problem(request)
    if isinstance(body, Response):
        return body

    async def work(db: AsyncSession, caller: Caller) -> Response:
        reference, given = reference_and_body(request, caller.force, body, UpdateIn)
        crime = await crime_locked_for_update(db, caller.force, reference)
        if crime is None:
            return problems.crime_not_found()
        if crime.personal_data_removed_at is not None:
            return problems.personal_data_removed()
        try:
            stored = await add_update(
                db, force=caller.force, crime=crime, body=given, agency=caller.api_key.agency
            )
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
        if stored.created:
            await refresh_entitlements(
                db,
                saved_id(crime),
                request.app.state.rules,
                locked_crime=crime,
                parties=stored.parties,
                updates=stored.updates,
            )
        outcome = "stored" if stored.created else "already stored"
        await record_rms_update(request, db, caller, crime, f"update {given.rms_update_id} {outcome}")
        return json_response(update_view(stored.update, given.audience), 201 if stored.created else 200)

    return await answer(request, work)


async def crime_sent_for(
    db: AsyncSession, caller: Caller, reference: str, request: Request, id_parameter: str
) -> Crime | Response:
    """The crime a hearing or decision is sent for, locked for the change; or the problem to answer."""
    if not re.fullmatch(RMS_ID_PATTERN, request.path_params[id_parameter]):
        return problems.invalid_fields([InvalidField(parameter=id_parameter, detail=BAD_ID)])
    crime = await crime_by_reference(db, caller.force, reference, for_update=True)
    if crime is None:
        return problems.crime_not_found()
    if crime.personal_data_removed_at is not None:
        return problems.personal_data_removed()
    return crime


def hearing_view(hearing: Hearing) -> HearingOut:
    return HearingOut(
        rms_hearing_id=hearing.rms_hearing_id,
        court_name=hearing.court_name,
        court_address=hearing.court_address,
        starts_at=hearing.starts_at,
        hearing_type=hearing.hearing_type,
        status=hearing.status,
        outcome=hearing.outcome,
        parties_required=parties_required(hearing),
        agency=hearing.agency,
        updated_at=hearing.updated_at,
    )


async def put_hearing(request: Request) -> Response:
    body = await _body_or_problem(request)
    if isinstance(body, Response):
        return body
    rms_hearing_id = request.path_params["rms_hearing_id"]

    async def work(db: AsyncSession, caller: Caller) -> Response:
        reference, given = reference_and_body(request, caller.force, body, HearingIn)
        crime = await crime_sent_for(db, caller, reference, request, "rms_hearing_id")
        if isinstance(crime, Response):
            return crime
        known = {party.rms_party_id for party in await parties_of(db, crime)}
        unknown = [
            InvalidField(
                pointer=f"#/parties_required/{index}", detail="This crime has no party with this rms_party_id"
            )
            for index, party_id in enumerate(given.parties_required)
            if party_id not in known
        ]
        if unknown:
            return problems.invalid_fields(unknown)
        details = HearingDetails(
            court_name=given.court_name,
            court_address=given.court_address,
            starts_at=given.starts_at,
            hearing_type=given.hearing_type,
            status=given.status,
            outcome=given.outcome,
            parties_required=tuple(given.parties_required),
        )
        hearing, created, event = await record_hearing(
            db,
            force=caller.force,
            crime=crime,
            rms_hearing_id=rms_hearing_id,
            details=details,
            agency=caller.api_key.agency,
        )
        if event is not None:
            await refresh_entitlements(db, crime.id, request.app.state.rules)  # type: ignore[arg-type]
        record_rms_action(
            db,
            request,
            caller,
            audit_actions.HEARING_PUT,
            crime,
            f"hearing {rms_hearing_id}: {event or 'no news'}",
        )
        location = f"{crime_url(crime.reference)}/hearings/{quote(rms_hearing_id, safe='')}"
        return json_response(hearing_view(hearing), 201 if created else 200, headers={"Location": location})

    return await answer(request, work)


async def put_decision(request: Request) -> Response:
    body = await _body_or_problem(request)
    if isinstance(body, Response):
        return body
    rms_decision_id = request.path_params["rms_decision_id"]

    async def work(db: AsyncSession, caller: Caller) -> Response:
        reference, given = reference_and_body(request, caller.force, body, DecisionIn)
        crime = await crime_sent_for(db, caller, reference, request, "rms_decision_id")
        if isinstance(crime, Response):
            return crime
        try:
            decision, created = await record_decision(
                db,
                force=caller.force,
                crime=crime,
                rms_decision_id=rms_decision_id,
                kind=given.decision,
                reason=given.reason,
                decided_at=given.decided_at,
                agency=caller.api_key.agency,
            )
        except DecisionConflict:
            return problems.problem(
                409,
                "A decision with this rms_decision_id was already stored with different content. "
                "Send a new decision with a new rms_decision_id.",
                type_=problems.UPDATE_CONFLICT,
                title="Decision id already used",
            )
        if created:
            await refresh_entitlements(db, crime.id, request.app.state.rules, locked_crime=crime)  # type: ignore[arg-type]
        outcome = "stored" if created else "already stored"
        record_rms_action(
            db, request, caller, audit_actions.DECISION_PUT, crime, f"decision {rms_decision_id} {outcome}"
        )
        view = DecisionOut(
            rms_decision_id=decision.rms_decision_id,
            decision=decision.decision,
            reason=decision.reason,
            decided_at=decision.decided_at,
            agency=decision.agency,
        )
        return json_response(view, 201 if created else 200)

    return await answer(request, work)


async def crime(request: Request) -> Response:
    return await (put_crime(request) if request.method == "PUT" else get_crime(request))


async def _body_or_problem(request: Request) -> bytes | Response:
    try:
        return await read_body(request)
    except Refused as refused:
        return refused.response


async def get_openapi(request: Request) -> Response:
    db: Database = request.app.state.db
    async with db.reading() as session:
        patterns = dict((await session.exec(select(Force.code, Force.crime_ref_pattern))).all())
    return JSONResponse(openapi_document(request.app.state.settings.base_url, patterns))


routes: list[BaseRoute] = [
    ApiMount(
        "/api",
        routes=[
            Route("/v1/openapi.json", get_openapi, methods=["GET"], name="api_get_openapi"),
            Route(
                "/v1/crimes/{crime_reference:any_text}/updates",
                post_update,
                methods=["POST"],
                name="api_post_update",
            ),
            Route(
                "/v1/crimes/{crime_reference:any_text}/hearings/{rms_hearing_id}",
                put_hearing,
                methods=["PUT"],
                name="api_put_hearing",
            ),
            Route(
                "/v1/crimes/{crime_reference:any_text}/decisions/{rms_decision_id}",
                put_decision,
                methods=["PUT"],
                name="api_put_decision",
            ),
            Route(
                "/v1/crimes/{crime_reference:crime_address}", crime, methods=["GET", "PUT"], name="api_crime"
            ),
        ],
        middleware=[Middleware(ProblemsForErrors)],
    )
]
