"""Errors of the ingest API as RFC 9457 problem details, each invalid field explained."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from starlette.responses import JSONResponse

from .schemas import InvalidField, Problem

MEDIA_TYPE = "application/problem+json"
WWW_AUTHENTICATE = 'Bearer realm="TrackMyCrime records API"'

# Problem types with meaning beyond their HTTP status; documented in docs/ingest-api.md.
INVALID_FIELDS = "urn:trackmycrime:problem:invalid-fields"
INVALID_JSON = "urn:trackmycrime:problem:invalid-json"
UPDATE_CONFLICT = "urn:trackmycrime:problem:update-conflict"
PERSONAL_DATA_REMOVED = "urn:trackmycrime:problem:personal-data-removed"


class ProblemResponse(JSONResponse):
    media_type = MEDIA_TYPE


def problem(
    status: int,
    detail: str | None = None,
    *,
    type_: str = "about:blank",
    title: str | None = None,
    errors: Sequence[InvalidField] | None = None,
    headers: Mapping[str, str] | None = None,
) -> ProblemResponse:
    body = Problem(
        type=type_,
        title=title or HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        errors=list(errors) if errors is not None else None,
    )
    return ProblemResponse(
        body.model_dump(mode="json", exclude_none=True), status_code=status, headers=headers
    )


def unauthorised(detail: str, *, key_was_sent: bool) -> ProblemResponse:
    challenge = WWW_AUTHENTICATE + (', error="invalid_token"' if key_was_sent else "")
    return problem(401, detail, headers={"WWW-Authenticate": challenge})


def too_many_wrong_keys(retry_after_seconds: int) -> ProblemResponse:
    return problem(
        429,
        "Too many requests with a wrong API key from this address. Wait, then check the key.",
        headers={"Retry-After": str(retry_after_seconds)},
    )


def service_unavailable(retry_after_seconds: int) -> ProblemResponse:
    detail = "The database is unavailable for a moment. Send the request again later."
    return problem(503, detail, headers={"Retry-After": str(retry_after_seconds)})


def crime_not_found() -> ProblemResponse:
    return problem(404, "This force has no crime with that reference.")


def personal_data_removed() -> ProblemResponse:
    return problem(
        409,
        "This crime was closed long enough ago for its personal data to be removed under the force's "
        "retention period, so it can no longer be changed.",
        type_=PERSONAL_DATA_REMOVED,
        title="Personal data removed",
    )


def invalid_fields(errors: Sequence[InvalidField]) -> ProblemResponse:
    return problem(
        422,
        "Some fields are not valid: see errors.",
        type_=INVALID_FIELDS,
        title="Invalid fields",
        errors=errors,
    )


def invalid_json(detail: str) -> ProblemResponse:
    return problem(400, detail, type_=INVALID_JSON, title="The body is not valid JSON")


# ---------------------------------------------------------------- pydantic errors in plain English


_PATTERN_MESSAGES = {
    "rms": "Use up to 64 letters, digits and . _ : / - characters, starting with a letter or digit",
    "@": "Enter an email address in the correct format, like name@example.com",
    "0-9][0-9 ]": "Enter a phone number in the correct format, like +447700900123",
    "[a-z]{2,3}": 'Enter a language code, like "en" or "cy"',
    "x00": "Remove control characters and direction overrides",
}

_TYPE_MESSAGES = {
    "missing": "This field is required",
    "extra_forbidden": "This field is not part of the API: remove it",
    "string_type": "Must be a string",
    "bool_type": "Must be true or false",
    "model_type": "Must be a JSON object",
    "model_attributes_type": "Must be a JSON object",
    "dict_type": "Must be a JSON object",
    "list_type": "Must be a JSON array",
    "date_type": "Enter a real date in the form YYYY-MM-DD",
    "date_parsing": "Enter a real date in the form YYYY-MM-DD",
    "date_from_datetime_parsing": "Enter a real date in the form YYYY-MM-DD",
    "datetime_type": "Enter a date and time with a time zone, like 2026-11-20T14:05:00Z",
    "datetime_parsing": "Enter a real date and time with a time zone, like 2026-11-20T14:05:00Z",
    "datetime_from_date_parsing": "Enter a real date and time with a time zone, like 2026-11-20T14:05:00Z",
    "timezone_aware": "Add a time zone, like 2026-11-20T14:05:00Z or 2026-11-20T14:05:00+01:00",
}


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    context: dict[str, Any] = dict(error.get("ctx") or {})
    if kind in _TYPE_MESSAGES:
        return _TYPE_MESSAGES[kind]
    if kind == "string_too_long":
        return f"Must be {context.get('max_length')} characters or fewer"
    if kind == "string_too_short":
        return "Must not be empty"
    if kind == "too_long":
        return f"Must have {context.get('max_length')} items or fewer"
    if kind == "literal_error":
        return f"Must be one of: {context.get('expected', '')}"
    if kind == "string_pattern_mismatch":
        pattern = str(context.get("pattern", ""))
        if pattern.startswith("^[A-Za-z0-9][A-Za-z0-9._"):
            return _PATTERN_MESSAGES["rms"]
        for marker, message in _PATTERN_MESSAGES.items():
            if marker in pattern:
                return message
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return str(error["msg"])


def json_pointer(location: Sequence[int | str]) -> str:
    parts = [str(part).replace("~", "~0").replace("/", "~1") for part in location]
    return "#" + "".join("/" + part for part in parts)


def fields_from(error: ValidationError) -> list[InvalidField]:
    found: list[InvalidField] = []
    for detail in error.errors(include_url=False, include_input=False):
        field = InvalidField(pointer=json_pointer(detail["loc"]), detail=_message(detail))
        if field not in found:
            found.append(field)
    return found


def is_json_syntax_error(error: ValidationError) -> bool:
    return any(detail["type"] == "json_invalid" for detail in error.errors(include_url=False))


def json_syntax_message(error: ValidationError) -> str:
    for detail in error.errors(include_url=False, include_input=False):
        if detail["type"] == "json_invalid":
            return str(detail["msg"])
    return "Invalid JSON"
