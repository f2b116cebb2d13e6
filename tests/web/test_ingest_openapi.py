"""The ingest API's OpenAPI document: valid OpenAPI 3.1, true to real responses, and fuzzed from.

The fuzz run draws requests from the document with Schemathesis (bodies that follow the schemas and
bodies that break them, any crime reference, any key) and checks each answer: never a 500, a status
and content type the document lists, and a body that matches the document's schema for it.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.schemas import OpenApiSchema

from trackmycrime.auth.tokens import sha256_hex
from trackmycrime.database import Database
from trackmycrime.ingest.openapi import openapi_document
from trackmycrime.models import ApiKey

from ..factories import make_force
from .test_decisions import decision_body, put_decision
from .test_ingest import REFERENCE, Rms, crime_body, make_rms, update_body, victim_body
from .test_ingest_hearings import hearing_body, put_hearing

pytestmark = pytest.mark.anyio

BASE_URL = "http://testserver"
DOCUMENT_URI = "urn:trackmycrime:openapi"
FUZZ_KEY = "tmc_fuzz-key-that-the-fuzz-run-sends-with-most-requests"
CRIME = "/api/v1/crimes/{crime_reference}"
UPDATES = "/api/v1/crimes/{crime_reference}/updates"
HEARING = "/api/v1/crimes/{crime_reference}/hearings/{rms_hearing_id}"
DECISION = "/api/v1/crimes/{crime_reference}/decisions/{rms_decision_id}"


def document() -> dict[str, Any]:
    return json.loads(json.dumps(openapi_document(BASE_URL)))


# ---------------------------------------------------------------- the document


def test_the_document_is_valid_openapi_3_1() -> None:
    validate_openapi(document())


def test_every_schema_in_the_document_is_valid_json_schema() -> None:
    for schema in document()["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


@pytest.fixture
async def rms(db: Database, client: Any) -> Rms:
    return await make_rms(db, client.http)


async def test_the_examples_in_the_document_are_accepted(rms: Rms) -> None:
    paths = document()["paths"]
    crime = paths[CRIME]["put"]["requestBody"]["content"]["application/json"]["example"]
    update = paths[UPDATES]["post"]["requestBody"]["content"]["application/json"]["example"]
    hearing = paths[HEARING]["put"]["requestBody"]["content"]["application/json"]["example"]
    decision = paths[DECISION]["put"]["requestBody"]["content"]["application/json"]["example"]

    assert (await rms.put_crime(crime)).status_code == 201
    assert (await rms.post_update(update)).status_code == 201
    assert (await put_hearing(rms, hearing)).status_code == 201
    assert (await put_decision(rms, decision)).status_code == 201


# ---------------------------------------------------------------- real responses against it


def _validator(doc: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """Validates against `schema`, whose "#/components/..." references point into the document."""
    registry: Registry[Any] = Registry().with_resource(
        DOCUMENT_URI, Resource.from_contents(doc, default_specification=DRAFT202012)
    )
    rooted = json.loads(json.dumps(schema).replace('"#/components/', f'"{DOCUMENT_URI}#/components/'))
    return Draft202012Validator(rooted, registry=registry)


def assert_matches_document(response: httpx.Response, path: str, method: str) -> None:
    """The status is documented for the operation, and the body matches its schema."""
    doc = document()
    operation = doc["paths"][path][method.lower()]
    assert str(response.status_code) in operation["responses"], (
        f"{method} {path} answered {response.status_code}, which the document does not list"
    )
    documented = operation["responses"][str(response.status_code)]
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type in documented["content"], f"{media_type} not documented for {response.status_code}"
    schema = documented["content"][media_type]["schema"]
    _validator(doc, schema).validate(response.json())
    for header in documented.get("headers", {}):
        assert header.lower() in response.headers, f"{header} header missing"


async def test_real_answers_match_the_document(rms: Rms) -> None:
    checks: list[tuple[httpx.Response, str, str, int]] = [
        (await rms.put_crime(crime_body()), CRIME, "PUT", 201),
        (await rms.put_crime(crime_body(status="charged")), CRIME, "PUT", 200),
        (await rms.get_crime(), CRIME, "GET", 200),
        (await rms.get_crime("AS-2026-999999"), CRIME, "GET", 404),
        (await rms.post_update(update_body()), UPDATES, "POST", 201),
        (await rms.post_update(update_body()), UPDATES, "POST", 200),
        (await rms.post_update(update_body(text="Changed.")), UPDATES, "POST", 409),
        (await rms.post_update(update_body(), reference="AS-2026-999999"), UPDATES, "POST", 404),
        (await rms.post_update(update_body(audience="nobody")), UPDATES, "POST", 422),
        (
            await rms.put_crime(crime_body(parties=[victim_body(date_of_birth="2999-01-01")])),
            CRIME,
            "PUT",
            422,
        ),
        (await rms.put_crime(crime_body(), reference="nonsense"), CRIME, "PUT", 422),
        (await put_hearing(rms, hearing_body(parties_required=["P1"])), HEARING, "PUT", 201),
        (await put_hearing(rms, hearing_body(parties_required=["P1"])), HEARING, "PUT", 200),
        (await put_hearing(rms, hearing_body(status="later")), HEARING, "PUT", 422),
        (await put_hearing(rms, hearing_body(), reference="AS-2026-999999"), HEARING, "PUT", 404),
        (await put_decision(rms, decision_body()), DECISION, "PUT", 201),
        (await put_decision(rms, decision_body()), DECISION, "PUT", 200),
        (await put_decision(rms, decision_body(reason="Changed.")), DECISION, "PUT", 409),
        (await put_decision(rms, decision_body(decision="dropped")), DECISION, "PUT", 422),
        (await rms.put_crime(crime_body(offence="x" * 300_000)), CRIME, "PUT", 413),
        (
            await rms.send(
                "PUT",
                f"/api/v1/crimes/{REFERENCE}",
                content=b"{",
                headers={"Content-Type": "application/json"},
            ),
            CRIME,
            "PUT",
            400,
        ),
        (await rms.send("PUT", f"/api/v1/crimes/{REFERENCE}", content=b"{}"), CRIME, "PUT", 415),
        (await rms.http.put(f"/api/v1/crimes/{REFERENCE}", json=crime_body()), CRIME, "PUT", 401),
    ]
    for response, path, method, status in checks:
        assert response.status_code == status, (method, path, response.text)
        assert_matches_document(response, path, method)


# ---------------------------------------------------------------- the fuzz run


def _schema() -> OpenApiSchema:
    return schemathesis.openapi.from_dict(document())


SCHEMA = _schema()
AUTHORISED = {"Authorization": f"Bearer {FUZZ_KEY}"}


def _requests_for(path: str, method: str) -> st.SearchStrategy[Any]:
    operation = SCHEMA[path][method]
    # Most requests name a reference of the force's form, so that their bodies are looked at.
    ours = {"crime_reference": REFERENCE}
    return st.one_of(
        operation.as_strategy(headers=AUTHORISED, path_parameters=ours),
        operation.as_strategy(GenerationMode.NEGATIVE, headers=AUTHORISED, path_parameters=ours),
        operation.as_strategy(headers=AUTHORISED),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )


FUZZ_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
async def fuzz_force(db: Database) -> None:
    async with db.transaction() as session:
        force = await make_force(session, code="AS", crime_ref_pattern=r"AS-\d{4}-\d{6}")
        session.add(ApiKey(force_id=force.id, label="fuzz", key_hash=sha256_hex(FUZZ_KEY)))  # type: ignore[arg-type]


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
@given(
    case=st.one_of(
        _requests_for(CRIME, "PUT"),
        _requests_for(CRIME, "GET"),
        _requests_for(UPDATES, "POST"),
        _requests_for(HEARING, "PUT"),
        _requests_for(DECISION, "PUT"),
    )
)
async def test_no_request_drawn_from_the_document_breaks_the_api(
    fuzz_force: None, client: Any, case: Any
) -> None:
    sent = requests.Request(**case.as_transport_kwargs(base_url=BASE_URL)).prepare()
    response = await client.http.request(
        sent.method, sent.url, content=sent.body or b"", headers=dict(sent.headers)
    )

    case.validate_response(response, checks=FUZZ_CHECKS, headers=dict(sent.headers))


async def test_the_document_publishes_each_forces_reference_pattern(db: Database, client: Any) -> None:
    """A client that follows the document sends references the API accepts (once it gave a length only)."""
    async with db.transaction() as session:
        await make_force(session, code="AS", crime_ref_pattern=r"AS-\d{4}-\d{6}")
        await make_force(session, code="NT", crime_ref_pattern=r"NT/\d{5}/\d{2}")
    published = (await client.http.get("/api/v1/openapi.json")).json()

    for path in (CRIME, UPDATES):
        parameter = published["paths"][path]["parameters"][0]
        assert parameter["x-crime-reference-patterns"] == {"AS": r"AS-\d{4}-\d{6}", "NT": r"NT/\d{5}/\d{2}"}
        assert "pattern of the force" in parameter["description"]
        schema = Draft202012Validator(parameter["schema"])
        assert schema.is_valid("AS-2026-000123") and schema.is_valid("NT/12345/26")
        assert not schema.is_valid("AS-2026-123") and not schema.is_valid("XAS-2026-000123")
    validate_openapi(published)
