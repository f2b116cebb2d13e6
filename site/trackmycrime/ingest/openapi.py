"""The OpenAPI 3.1 document of the ingest API, built from the same models that validate requests."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from pydantic.json_schema import models_json_schema

from .schemas import (
    RMS_ID_PATTERN,
    CrimeIn,
    CrimeOut,
    DecisionIn,
    DecisionOut,
    HearingIn,
    HearingOut,
    Problem,
    UpdateIn,
    UpdateOut,
)

API_VERSION = "1.0.0"
PROBLEM_MEDIA_TYPE = "application/problem+json"

CRIME_EXAMPLE: dict[str, Any] = {
    "offence": "Burglary of a home",
    "status": "under_investigation",
    "reported_at": "2026-11-20T14:05:00Z",
    "officer_in_charge": {
        "email": "sam.jones@police.example",
        "name": "PC Sam Jones",
        "shoulder_number": "1234",
    },
    "parties": [
        {
            "rms_party_id": "P1",
            "role": "victim",
            "forenames": "Alex",
            "surname": "O'Brien",
            "date_of_birth": "1980-02-29",
            "email": "alex@example.org",
            "mobile": "+447700900123",
            "preferred_language": "en",
            "enhanced_rights": False,
            "contact_consent": True,
            "shares_address_with_suspect": False,
        }
    ],
}

UPDATE_EXAMPLE: dict[str, Any] = {
    "rms_update_id": "U-77",
    "status": "suspect_arrested",
    "text": "A man has been arrested.",
    "occurred_at": "2026-11-21T09:30:00Z",
    "audience": "all",
}

HEARING_EXAMPLE: dict[str, Any] = {
    "court_name": "Oxford Crown Court",
    "court_address": "St Aldate's, Oxford OX1 1TL",
    "starts_at": "2027-01-12T10:00:00+00:00",
    "hearing_type": "trial",
    "status": "listed",
    "outcome": "",
    "parties_required": ["P1"],
}

DECISION_EXAMPLE: dict[str, Any] = {
    "decision": "no_further_action",
    "reason": "There is not enough evidence to charge anyone at the moment.",
    "decided_at": "2026-11-28T16:00:00Z",
}

_PROBLEMS = {
    400: "The body is not valid JSON.",
    401: "No API key, or a key that is not valid or has been revoked.",
    404: "The force has no crime with this reference (crimes of other forces are never revealed).",
    409: (
        "The rms_update_id was used before for an update with different content, or the crime's "
        "personal data was removed at the end of the force's retention period."
    ),
    413: "The body is larger than 256 KB.",
    415: "The body is not sent as application/json (UTF-8, not compressed).",
    422: "Fields or the crime reference are not valid; `errors` lists each one.",
    429: "Too many requests with a wrong API key from this address; wait as Retry-After says.",
    503: "The database is unavailable for a moment; send the same request again after Retry-After seconds.",
}


def _schemas() -> dict[str, Any]:
    _, top = models_json_schema(
        [
            (CrimeIn, "validation"),
            (UpdateIn, "validation"),
            (HearingIn, "validation"),
            (DecisionIn, "validation"),
            (CrimeOut, "serialization"),
            (UpdateOut, "serialization"),
            (HearingOut, "serialization"),
            (DecisionOut, "serialization"),
            (Problem, "serialization"),
        ],
        ref_template="#/components/schemas/{model}",
    )
    return dict(top["$defs"])


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _problems(*statuses: int) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status in statuses:
        response: dict[str, Any] = {
            "description": _PROBLEMS[status],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": _ref("Problem")}},
        }
        if status == 401:
            response["headers"] = {
                "WWW-Authenticate": {"schema": {"type": "string"}, "description": "The Bearer challenge."}
            }
        if status in (429, 503):
            response["headers"] = {
                "Retry-After": {
                    "schema": {"type": "integer"},
                    "description": "Seconds to wait before sending again.",
                }
            }
        responses[str(status)] = response
    return responses


def _json(schema_name: str, description: str, **extra: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref(schema_name)}},
        **extra,
    }


def _body(schema_name: str, example: dict[str, Any]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {"application/json": {"schema": _ref(schema_name), "example": example}},
    }


def _reference_parameter(patterns: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """The crime reference in the path, with each force's pattern where a client can read it."""
    schema: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 40}
    parameter: dict[str, Any] = {
        "name": "crime_reference",
        "in": "path",
        "required": True,
        "description": (
            "The crime reference as the force writes it, e.g. AS-2026-000123. The whole reference must "
            "match the pattern of the force whose API key is sent: `x-crime-reference-patterns` lists "
            "each force's pattern by force code, and `pattern` accepts a reference of any of them. Case, "
            "spaces and separators are ignored when matching a stored crime. Percent-encode a / as %2F."
        ),
        "schema": schema,
    }
    if patterns:
        schema["pattern"] = "|".join(f"^(?:{pattern})$" for pattern in sorted({p for _, p in patterns}))
        parameter["x-crime-reference-patterns"] = dict(patterns)
    return parameter


LOCATION_HEADER = {
    "Location": {"schema": {"type": "string"}, "description": "The crime's address in the API."}
}


def _paths(patterns: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    reference = _reference_parameter(patterns)
    return {
        "/api/v1/crimes/{crime_reference}": {
            "parameters": [reference],
            "put": {
                "operationId": "putCrime",
                "summary": "Create or update a crime, its officer in charge and its parties",
                "description": (
                    "Send the crime as the records system holds it now. Parties are matched by "
                    "rms_party_id and corrected in place (their portal account is kept); parties not "
                    "listed are kept. A new party with an email and contact_consent is invited to "
                    "register. A changed status adds a status update to the timeline and alerts the "
                    "registered parties. Parties the force's portal rules exclude (by offence_code, or "
                    "flagged shares_address_with_suspect) are neither invited nor alerted unless an "
                    "officer has recorded a reason to offer them the portal."
                ),
                "requestBody": _body("CrimeIn", CRIME_EXAMPLE),
                "responses": {
                    "200": _json(
                        "CrimeOut", "The crime was updated (or was already so).", headers=LOCATION_HEADER
                    ),
                    "201": _json("CrimeOut", "The crime was created.", headers=LOCATION_HEADER),
                    **_problems(400, 401, 409, 413, 415, 422, 429, 503),
                },
            },
            "get": {
                "operationId": "getCrime",
                "summary": "Read a crime as TrackMyCrime holds it",
                "responses": {
                    "200": _json("CrimeOut", "The crime."),
                    **_problems(401, 404, 422, 429, 503),
                },
            },
        },
        "/api/v1/crimes/{crime_reference}/updates": {
            "parameters": [reference],
            "post": {
                "operationId": "postUpdate",
                "summary": "Add an update for the parties of a crime",
                "description": (
                    "Idempotent by rms_update_id: sending the same update again stores nothing new, "
                    "queues no alert and answers 200 with the stored update. A status also becomes the "
                    "crime's status: the status last received, by PUT or update, is the crime's."
                ),
                "requestBody": _body("UpdateIn", UPDATE_EXAMPLE),
                "responses": {
                    "200": _json("UpdateOut", "The update was already stored; nothing changed."),
                    "201": _json("UpdateOut", "The update was stored and the parties alerted."),
                    **_problems(400, 401, 404, 409, 413, 415, 422, 429, 503),
                },
            },
        },
        "/api/v1/crimes/{crime_reference}/hearings/{rms_hearing_id}": {
            "parameters": [
                reference,
                {
                    "name": "rms_hearing_id",
                    "in": "path",
                    "required": True,
                    "description": "The sending system's id for this hearing on this crime.",
                    "schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": RMS_ID_PATTERN},
                },
            ],
            "put": {
                "operationId": "putHearing",
                "summary": "Create or update a court hearing of a crime",
                "description": (
                    "Send the hearing as the police records system or the Witness Care Unit holds it now; "
                    "the key's agency is recorded with it. Idempotent: sending the same hearing again "
                    "changes nothing and alerts no one. A new hearing, a new date or court, a vacated "
                    "hearing and an outcome each add an update to the timeline and alert the registered "
                    "parties (the alert says only that there is news); each is owed to the parties within "
                    "1 working day under the Victims' Code. Parties are reminded to check their case page "
                    "the day before an upcoming hearing."
                ),
                "requestBody": _body("HearingIn", HEARING_EXAMPLE),
                "responses": {
                    "200": _json("HearingOut", "The hearing was updated (or was already so)."),
                    "201": _json("HearingOut", "The hearing was created."),
                    **_problems(400, 401, 404, 409, 413, 415, 422),
                },
            },
        },
        "/api/v1/crimes/{crime_reference}/decisions/{rms_decision_id}": {
            "parameters": [
                reference,
                {
                    "name": "rms_decision_id",
                    "in": "path",
                    "required": True,
                    "description": "The sending system's id for this decision on this crime.",
                    "schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": RMS_ID_PATTERN},
                },
            ],
            "put": {
                "operationId": "putDecision",
                "summary": "Record a charging decision, with its reason",
                "description": (
                    "From the police records system or the CPS (the key's agency is recorded). The "
                    "decision and its reason are added to the timeline and the registered parties are "
                    "alerted. For no_further_action and out_of_court_resolution, victims are offered the "
                    "Victims' Right to Review for 3 months from decided_at. Idempotent by "
                    "rms_decision_id; the same id with different content is refused with 409."
                ),
                "requestBody": _body("DecisionIn", DECISION_EXAMPLE),
                "responses": {
                    "200": _json("DecisionOut", "The decision was already stored; nothing changed."),
                    "201": _json("DecisionOut", "The decision was stored and the parties alerted."),
                    **_problems(400, 401, 404, 409, 413, 415, 422),
                },
            },
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "getOpenApiDocument",
                "summary": "This document",
                "security": [],
                "responses": {
                    "200": {
                        "description": "The OpenAPI document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }


@lru_cache(maxsize=8)
def _document(base_url: str, patterns: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "TrackMyCrime records-system API",
            "version": API_VERSION,
            "description": (
                "How a force's records system (RMS) sends crimes, parties and updates to TrackMyCrime "
                "as soon as they are recorded. Every request carries the force's API key. Errors are "
                "RFC 9457 problem details. See docs/ingest-api.md for worked examples."
            ),
        },
        "servers": [{"url": base_url}],
        "security": [{"apiKey": []}],
        "paths": _paths(patterns),
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A key issued with `tmc apikey create --force CODE`, sent as "
                    "`Authorization: Bearer <key>`.",
                }
            },
        },
    }


def openapi_document(base_url: str, patterns: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The document, with the crime reference patterns of the forces (code -> pattern).

    Callers must not change it: it is built once per base URL and set of patterns.
    """
    return _document(base_url.rstrip("/"), tuple(sorted((patterns or {}).items())))
