"""The records-system API: crimes, parties and updates sent in as a force's RMS would send them."""

from __future__ import annotations

import copy
import datetime as dt
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlmodel import SQLModel, col, func, select

from trackmycrime.auth.links import invitation_url
from trackmycrime.database import Database
from trackmycrime.ingest import routes as ingest_routes
from trackmycrime.models import (
    ApiKey,
    AuditEvent,
    CaseUpdate,
    Crime,
    Force,
    Officer,
    OutboxMessage,
    Party,
    utcnow,
)
from trackmycrime.notify.outbox import AlertKind

from ..factories import make_api_key, make_crime, make_force, make_officer, make_party
from .test_query_counts import statements_sent

pytestmark = pytest.mark.anyio

REFERENCE = "AS-2026-000123"
PROBLEM = "application/problem+json"


def crime_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "offence": "Burglary of a home",
        "status": "under_investigation",
        "reported_at": "2026-11-20T14:05:00Z",
        "officer_in_charge": {
            "email": "Sam.Jones@police.example",
            "name": "PC Sam Jones",
            "shoulder_number": "1234",
        },
        "parties": [victim_body()],
    }
    body.update(changes)
    return body


def victim_body(**changes: Any) -> dict[str, Any]:
    party: dict[str, Any] = {
        "rms_party_id": "P1",
        "role": "victim",
        "forenames": "Alex",
        "surname": "O'Brien",
        "date_of_birth": "1980-02-29",
        "email": "alex@example.org",
        "mobile": "+44 7700 900123",
        "preferred_language": "en",
        "enhanced_rights": False,
        "contact_consent": True,
    }
    party.update(changes)
    return party


def update_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "rms_update_id": "U-77",
        "status": "suspect_arrested",
        "text": "A man has been arrested.",
        "occurred_at": "2026-11-21T09:30:00Z",
        "audience": "all",
    }
    body.update(changes)
    return body


@dataclass
class Rms:
    """A force's records system talking to the API with its key."""

    http: httpx.AsyncClient
    key: str
    force: Force

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}", **(extra or {})}

    def _json(self) -> dict[str, str]:
        return self._headers({"Content-Type": "application/json"})

    async def put_crime(self, body: Any, reference: str = REFERENCE) -> httpx.Response:
        url = f"/api/v1/crimes/{reference}"
        return await self.http.put(url, content=json.dumps(body), headers=self._json())

    async def post_update(self, body: Any, reference: str = REFERENCE) -> httpx.Response:
        url = f"/api/v1/crimes/{reference}/updates"
        return await self.http.post(url, content=json.dumps(body), headers=self._json())

    async def get_crime(self, reference: str = REFERENCE) -> httpx.Response:
        return await self.http.get(f"/api/v1/crimes/{reference}", headers=self._headers())

    async def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = self._headers(kwargs.pop("headers", None))
        return await self.http.request(method, url, headers=headers, **kwargs)


async def make_rms(db: Database, http: httpx.AsyncClient, code: str = "AS") -> Rms:
    async with db.transaction() as session:
        force = await make_force(
            session, code=code, name=f"{code} Police", crime_ref_pattern=code + r"-\d{4}-\d{6}"
        )
        _api_key, key = await make_api_key(session, force)
    return Rms(http, key, force)


@pytest.fixture
async def rms(db: Database, client: Any) -> Rms:
    return await make_rms(db, client.http)


async def count(db: Database, model: type[SQLModel], *where: Any) -> int:
    async with db.session() as session:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)
        return int((await session.exec(query)).one())


async def all_of(db: Database, model: type[SQLModel], *where: Any) -> list[Any]:
    async with db.session() as session:
        query = select(model)
        for condition in where:
            query = query.where(condition)
        return list((await session.exec(query.order_by(col(model.id)))).all())  # type: ignore[attr-defined]


async def register(db: Database, party_id: int, **changes: Any) -> None:
    async with db.transaction() as session:
        party = await session.get(Party, party_id)
        assert party is not None
        party.password_hash = "argon2-hash-of-their-password"
        party.registered_at = utcnow()
        for name, value in changes.items():
            setattr(party, name, value)
        session.add(party)


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == status
    assert problem["title"]
    return problem


def pointers(problem: dict[str, Any]) -> list[str]:
    return [error.get("pointer") or error.get("parameter") for error in problem["errors"]]


# ---------------------------------------------------------------- crimes


async def test_a_new_crime_is_stored_with_its_officer_and_parties(rms: Rms, db: Database) -> None:
    response = await rms.put_crime(crime_body())

    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/api/v1/crimes/{REFERENCE}"
    crime = response.json()
    assert crime["reference"] == REFERENCE
    assert crime["status"] == "under_investigation"
    assert crime["status_label"] == "Under investigation"
    assert crime["reported_at"] == "2026-11-20T14:05:00Z"
    assert crime["officer_in_charge"] == {
        "email": "sam.jones@police.example",
        "name": "PC Sam Jones",
        "shoulder_number": "1234",
    }
    [party] = crime["parties"]
    assert party["surname"] == "O'Brien"
    assert party["date_of_birth"] == "1980-02-29"
    assert party["mobile"] == "+447700900123"
    assert party["registered"] is False

    [stored] = await all_of(db, Party)
    assert stored.surname_key == "o'brien"
    [officer] = await all_of(db, Officer)
    assert officer.password_hash is None  # no password: cannot sign in until an admin sets them up
    [row] = await all_of(db, Crime)
    assert row.officer_in_charge_id == officer.id
    assert row.reference_key == "AS2026000123"


async def test_a_new_party_with_email_and_consent_is_invited(rms: Rms, db: Database) -> None:
    response = await rms.put_crime(crime_body())

    [party] = await all_of(db, Party)
    [invitation] = await all_of(db, OutboxMessage)
    assert invitation.kind == AlertKind.INVITATION
    assert invitation.party_id == party.id
    assert invitation.channel == "email"
    assert invitation.recipient == "alex@example.org"
    assert json.loads(invitation.context_json) == {"force_name": "AS Police"}
    assert party.invited_at is not None
    assert response.json()["parties"][0]["invited_at"] is not None


async def test_parties_who_consented_are_invited_by_email_else_by_text(rms: Rms, db: Database) -> None:
    parties = [
        victim_body(rms_party_id="P1"),
        victim_body(rms_party_id="P2", contact_consent=False),
        victim_body(rms_party_id="P3", email=None),
        victim_body(rms_party_id="P4", email="", mobile=None),
    ]
    await rms.put_crime(crime_body(parties=parties))

    invited = await all_of(db, OutboxMessage)
    assert [(m.recipient, m.channel) for m in invited] == [
        ("alex@example.org", "email"),
        ("+447700900123", "sms"),
    ]

    parties[1]["contact_consent"] = True
    await rms.put_crime(crime_body(parties=parties))

    p2 = (await all_of(db, Party, Party.rms_party_id == "P2"))[0]
    assert await count(db, OutboxMessage) == 3
    assert await count(db, OutboxMessage, OutboxMessage.party_id == p2.id) == 1


async def test_sending_the_same_crime_again_changes_nothing(rms: Rms, db: Database) -> None:
    first = await rms.put_crime(crime_body())
    second = await rms.put_crime(crime_body())

    assert second.status_code == 200
    assert second.json() == first.json()
    assert await count(db, Crime) == 1
    assert await count(db, Party) == 1
    assert await count(db, Officer) == 1
    assert await count(db, OutboxMessage) == 1
    assert await count(db, CaseUpdate) == 1


async def test_a_corrected_party_is_updated_in_place_keeping_their_account(rms: Rms, db: Database) -> None:
    await rms.put_crime(crime_body())
    [party] = await all_of(db, Party)
    await register(db, party.id)

    corrected = victim_body(surname="O’Brien-Smith", email="alex.new@example.org", enhanced_rights=True)
    response = await rms.put_crime(crime_body(parties=[corrected]))

    assert response.status_code == 200
    [after] = await all_of(db, Party)
    assert after.id == party.id
    assert after.password_hash == "argon2-hash-of-their-password"
    assert after.surname == "O’Brien-Smith"
    assert after.surname_key == "o'brien-smith"
    assert after.email == "alex.new@example.org"
    assert after.enhanced_rights is True
    assert response.json()["parties"][0]["registered"] is True
    assert await count(db, OutboxMessage) == 1  # the first invitation only: they have an account


async def test_an_invited_party_whose_email_is_corrected_is_invited_at_the_new_address(
    rms: Rms, db: Database
) -> None:
    await rms.put_crime(crime_body(parties=[victim_body(email="alex@exampel.org")]))
    await rms.put_crime(crime_body(parties=[victim_body(email="alex@example.org")]))

    assert [m.recipient for m in await all_of(db, OutboxMessage)] == ["alex@exampel.org", "alex@example.org"]


async def test_a_link_or_code_sent_before_a_contact_correction_no_longer_registers(
    rms: Rms, db: Database, client: Any, settings: Any
) -> None:
    await rms.put_crime(crime_body(parties=[victim_body(email="alex@exampel.org")]))
    [party] = await all_of(db, Party)
    old_link = invitation_url(settings, party).removeprefix(settings.base_url)
    async with db.transaction() as session:
        given_a_code = await session.get(Party, party.id)
        assert given_a_code is not None
        given_a_code.registration_code_hash = "argon2-hash-of-a-code"
        given_a_code.registration_code_expires_at = utcnow() + dt.timedelta(days=14)
        session.add(given_a_code)
    assert (await client.http.get(old_link)).status_code == 200

    await rms.put_crime(crime_body(parties=[victim_body(email="alex@example.org")]))

    assert (await client.http.get(old_link)).status_code == 404
    [corrected] = await all_of(db, Party)
    assert corrected.registration_code_hash is None
    new_link = invitation_url(settings, corrected).removeprefix(settings.base_url)
    assert (await client.http.get(new_link)).status_code == 200


async def test_parties_left_out_of_a_later_request_are_kept(rms: Rms, db: Database) -> None:
    await rms.put_crime(crime_body(parties=[victim_body(rms_party_id="P1"), victim_body(rms_party_id="W1")]))
    response = await rms.put_crime(crime_body(parties=[victim_body(rms_party_id="P1")]))

    assert [p["rms_party_id"] for p in response.json()["parties"]] == ["P1", "W1"]


async def test_the_officer_in_charge_is_matched_by_email_and_kept_up_to_date(rms: Rms, db: Database) -> None:
    async with db.transaction() as session:
        force = await session.get(Force, rms.force.id)
        assert force is not None
        existing = await make_officer(
            session, force, email="sam.jones@police.example", name="Sam Jones", password_hash="hash"
        )
        await make_officer(session, force, email="other@police.example", shoulder_number="999")

    oic = {"email": "SAM.JONES@police.example ", "name": "DC Sam Jones", "shoulder_number": "999"}
    response = await rms.put_crime(crime_body(officer_in_charge=oic))

    assert response.json()["officer_in_charge"]["name"] == "DC Sam Jones"
    async with db.session() as session:
        officer = await session.get(Officer, existing.id)
    assert officer is not None
    assert officer.name == "DC Sam Jones"
    assert officer.password_hash == "hash"
    # 999 is worn by another officer of the force: left alone rather than refusing the crime.
    assert officer.shoulder_number == existing.shoulder_number
    assert await count(db, Officer) == 2

    response = await rms.put_crime(crime_body(officer_in_charge=None))
    assert response.json()["officer_in_charge"] is None


async def test_a_status_change_is_put_on_the_timeline_and_registered_parties_are_alerted(
    rms: Rms, db: Database
) -> None:
    await rms.put_crime(crime_body())
    [party] = await all_of(db, Party)
    await register(db, party.id, alert_channel="both")

    response = await rms.put_crime(crime_body(status="charged"))

    assert response.json()["status_label"] == "Suspect charged"
    updates = await all_of(db, CaseUpdate)
    assert [(u.status, u.rms_update_id, u.text) for u in updates] == [
        ("under_investigation", None, ""),
        ("charged", None, ""),
    ]
    alerts = await all_of(db, OutboxMessage, OutboxMessage.kind == AlertKind.UPDATE_WAITING)
    assert sorted(a.channel for a in alerts) == ["email", "sms"]
    assert {a.dedupe_key for a in alerts} == {
        f"update_waiting:update:{updates[1].id}:party:{party.id}:email",
        f"update_waiting:update:{updates[1].id}:party:{party.id}:sms",
    }


async def test_a_closing_status_closes_the_crime_and_another_reopens_it(rms: Rms, db: Database) -> None:
    closed = await rms.put_crime(crime_body(status="no_further_action"))
    assert closed.json()["closed_at"] is not None

    reopened = await rms.put_crime(crime_body(status="under_investigation"))
    assert reopened.json()["closed_at"] is None


async def test_every_write_refreshes_entitlements_and_is_audited(
    rms: Rms, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    refreshed: list[int] = []

    async def refresh(session: Any, crime_id: int, rules: Any, **_locked_crime: Any) -> None:
        refreshed.append(crime_id)

    monkeypatch.setattr(ingest_routes, "refresh_entitlements", refresh)
    await rms.put_crime(crime_body())
    await rms.post_update(update_body())
    await rms.get_crime()

    await rms.put_crime(crime_body(parties=[victim_body(surname="Corrected")]))

    [crime] = await all_of(db, Crime)
    [party] = await all_of(db, Party)
    assert refreshed == [crime.id, crime.id, crime.id]
    events = await all_of(db, AuditEvent)
    assert [(e.action, e.actor_kind, e.crime_id, e.party_id) for e in events] == [
        ("crime.upsert", "rms", crime.id, None),
        ("party.create", "rms", crime.id, party.id),
        ("update.add", "rms", crime.id, None),
        ("crime.read", "rms", crime.id, None),
        ("crime.upsert", "rms", crime.id, None),
        ("party.update", "rms", crime.id, party.id),
    ]


async def test_a_crime_can_be_read_back(rms: Rms) -> None:
    put = await rms.put_crime(crime_body())
    got = await rms.get_crime("as 2026 000123".replace(" ", "-").upper())

    assert got.status_code == 200
    assert got.json() == put.json()
    assert_problem(await rms.get_crime("AS-2026-999999"), 404)


async def test_references_with_a_slash_are_sent_percent_encoded(db: Database, client: Any) -> None:
    async with db.transaction() as session:
        force = await make_force(session, crime_ref_pattern=r"[A-Z]{2}/\d{2}/\d+")
        _key, key_text = await make_api_key(session, force)
    rms = Rms(client.http, key_text, force)

    created = await rms.put_crime(crime_body(), reference="NE%2F26%2F12345")
    assert created.status_code == 201, created.text
    assert created.json()["reference"] == "NE/26/12345"
    assert created.headers["location"] == "/api/v1/crimes/NE%2F26%2F12345"
    update = await rms.post_update(update_body(), reference="NE%2F26%2F12345")
    assert update.status_code == 201, update.text


# ---------------------------------------------------------------- updates


async def _crime_with_parties(rms: Rms, db: Database) -> dict[str, Party]:
    parties = [
        victim_body(rms_party_id="V1", email="v1@example.org"),
        victim_body(rms_party_id="V2", email="v2@example.org"),
        victim_body(rms_party_id="W1", role="witness", email="w1@example.org"),
        victim_body(rms_party_id="V3", email="v3@example.org"),
        victim_body(rms_party_id="V4", email="v4@example.org"),
    ]
    assert (await rms.put_crime(crime_body(parties=parties))).status_code == 201
    by_id = {p.rms_party_id: p for p in await all_of(db, Party)}
    await register(db, by_id["V1"].id)
    await register(db, by_id["W1"].id)
    await register(db, by_id["V3"].id, opted_out_at=utcnow())
    await register(db, by_id["V4"].id, alert_channel="none")
    return by_id


async def _alerted(db: Database, update_id: int) -> set[str]:
    alerts = await all_of(db, OutboxMessage, OutboxMessage.kind == AlertKind.UPDATE_WAITING)
    parties = {p.id: p.rms_party_id for p in await all_of(db, Party)}
    return {
        parties[a.party_id] for a in alerts if a.dedupe_key.startswith(f"update_waiting:update:{update_id}:")
    }


async def test_an_update_is_stored_and_registered_parties_who_may_read_it_are_alerted(
    rms: Rms, db: Database
) -> None:
    await _crime_with_parties(rms, db)

    response = await rms.post_update(update_body())

    assert response.status_code == 201, response.text
    assert response.json() == {
        "rms_update_id": "U-77",
        "status": "suspect_arrested",
        "text": "A man has been arrested.",
        "audience": "all",
        "occurred_at": "2026-11-21T09:30:00Z",
        "created_at": response.json()["created_at"],
    }
    [update] = await all_of(db, CaseUpdate, CaseUpdate.rms_update_id == "U-77")
    # Not V2 (not registered), V3 (opted out) or V4 (wants no alerts).
    assert await _alerted(db, update.id) == {"V1", "W1"}
    alert = (await all_of(db, OutboxMessage, OutboxMessage.kind == AlertKind.UPDATE_WAITING))[0]
    assert "arrested" not in alert.context_json
    [crime] = await all_of(db, Crime)
    assert crime.status == "suspect_arrested"


async def test_an_update_for_victims_only_or_one_party_alerts_only_them(rms: Rms, db: Database) -> None:
    parties = await _crime_with_parties(rms, db)

    await rms.post_update(update_body(rms_update_id="U-1", audience="victims"))
    one = await rms.post_update(update_body(rms_update_id="U-2", audience="W1", status=None))

    assert one.json()["audience"] == "W1"
    u1, u2 = await all_of(db, CaseUpdate, col(CaseUpdate.rms_update_id).is_not(None))
    assert await _alerted(db, u1.id) == {"V1"}
    assert await _alerted(db, u2.id) == {"W1"}
    assert u2.party_id == parties["W1"].id


async def test_sending_the_same_update_twice_stores_one_and_alerts_once(rms: Rms, db: Database) -> None:
    await _crime_with_parties(rms, db)

    first = await rms.post_update(update_body())
    second = await rms.post_update(update_body())

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert await count(db, CaseUpdate, CaseUpdate.rms_update_id == "U-77") == 1
    assert await count(db, OutboxMessage, OutboxMessage.kind == AlertKind.UPDATE_WAITING) == 2


async def test_an_update_id_reused_for_different_content_is_a_conflict(rms: Rms, db: Database) -> None:
    await rms.put_crime(crime_body())
    await rms.post_update(update_body())

    problem = assert_problem(await rms.post_update(update_body(text="Another text.")), 409)

    assert problem["type"] == "urn:trackmycrime:problem:update-conflict"
    [update] = await all_of(db, CaseUpdate, CaseUpdate.rms_update_id == "U-77")
    assert update.text == "A man has been arrested."


async def test_the_status_last_received_is_the_crimes(rms: Rms, db: Database) -> None:
    await rms.put_crime(crime_body())
    await rms.post_update(update_body(rms_update_id="U-2", status="charged"))
    assert (await rms.get_crime()).json()["status"] == "charged"

    await rms.put_crime(crime_body(status="court_date_set"))
    assert (await rms.get_crime()).json()["status"] == "court_date_set"


async def test_an_update_with_text_only_keeps_the_status(rms: Rms, db: Database) -> None:
    await rms.put_crime(crime_body(status="charged"))
    response = await rms.post_update({"rms_update_id": "U-9", "text": "The court date is being arranged."})

    assert response.status_code == 201, response.text
    assert response.json()["status"] is None
    assert (await rms.get_crime()).json()["status"] == "charged"


async def test_an_update_to_an_unknown_crime_or_party_is_refused(rms: Rms, db: Database) -> None:
    assert_problem(await rms.post_update(update_body()), 404)

    await rms.put_crime(crime_body())
    problem = assert_problem(await rms.post_update(update_body(audience="P404")), 422)

    assert pointers(problem) == ["#/audience"]
    assert await count(db, CaseUpdate, col(CaseUpdate.rms_update_id).is_not(None)) == 0


# ---------------------------------------------------------------- keys and forces


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer tmc_not-a-real-key", "Token tmc_x"],
)
async def test_requests_without_a_valid_key_are_refused(
    rms: Rms, db: Database, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = await rms.http.put(f"/api/v1/crimes/{REFERENCE}", json=crime_body(), headers=headers)

    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith('Bearer realm="TrackMyCrime records API"')
    assert await count(db, Crime) == 0


async def test_a_revoked_key_is_refused(rms: Rms, db: Database) -> None:
    async with db.transaction() as session:
        await session.exec(select(ApiKey))
        [api_key] = (await session.exec(select(ApiKey))).all()
        api_key.revoked_at = utcnow()
        session.add(api_key)

    response = await rms.put_crime(crime_body())

    assert_problem(response, 401)
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_the_time_a_key_was_last_used_is_recorded_about_once_a_minute(rms: Rms, db: Database) -> None:
    async def last_used() -> dt.datetime | None:
        [api_key] = await all_of(db, ApiKey)
        return api_key.last_used_at

    assert await last_used() is None
    await rms.get_crime()
    first = await last_used()
    assert first is not None and utcnow() - first < dt.timedelta(seconds=30)

    await rms.get_crime()
    assert await last_used() == first

    async with db.transaction() as session:
        [api_key] = (await session.exec(select(ApiKey))).all()
        api_key.last_used_at = utcnow() - dt.timedelta(minutes=2)
        session.add(api_key)
    await rms.put_crime({"not": "valid"})
    assert utcnow() - (await last_used() or first) < dt.timedelta(seconds=30)


async def test_a_force_cannot_read_or_change_another_forces_crime(db: Database, client: Any) -> None:
    avon = await make_rms(db, client.http, "AS")
    other = await make_rms(db, client.http, "BS")
    async with db.transaction() as session:
        force = await session.get(Force, other.force.id)
        assert force is not None
        theirs = await make_crime(session, force, reference="BS-2026-000001", offence="Robbery")
        await make_party(session, theirs)

    assert_problem(await avon.get_crime("BS-2026-000001"), 422)  # not even the form of Avon's references
    async with db.transaction() as session:
        force = await session.get(Force, avon.force.id)
        assert force is not None
        force.crime_ref_pattern = r"[A-Z]{2}-\d{4}-\d{6}"
        session.add(force)

    read = await avon.get_crime("BS-2026-000001")
    update = await avon.post_update(update_body(), reference="BS-2026-000001")
    created = await avon.put_crime(crime_body(offence="Criminal damage"), reference="BS-2026-000001")

    assert_problem(read, 404)
    assert_problem(update, 404)
    assert read.json() == update.json()  # the same answer as for a crime that does not exist
    assert created.status_code == 201  # Avon's own crime, which happens to share the reference
    async with db.session() as session:
        unchanged = await session.get(Crime, theirs.id)
    assert unchanged is not None and unchanged.offence == "Robbery"
    assert await count(db, Party, Party.crime_id == theirs.id) == 1
    assert await count(db, CaseUpdate, CaseUpdate.crime_id == theirs.id) == 0
    assert (await other.get_crime("BS-2026-000001")).json()["offence"] == "Robbery"


# ---------------------------------------------------------------- bad input


def _without(body: dict[str, Any], name: str) -> dict[str, Any]:
    body = copy.deepcopy(body)
    del body[name]
    return body


CRIME_ERRORS = [
    ("unknown field", crime_body(colour="red"), ["#/colour"]),
    ("missing offence", _without(crime_body(), "offence"), ["#/offence"]),
    ("empty offence", crime_body(offence="   "), ["#/offence"]),
    ("long offence", crime_body(offence="x" * 201), ["#/offence"]),
    ("unknown status", crime_body(status="solved"), ["#/status"]),
    ("naive time", crime_body(reported_at="2026-11-20T14:05:00"), ["#/reported_at"]),
    ("31 February", crime_body(reported_at="2026-02-31T14:05:00Z"), ["#/reported_at"]),
    ("far future", crime_body(reported_at="2999-01-01T00:00:00Z"), ["#/reported_at"]),
    ("year 1", crime_body(reported_at="0001-01-01T00:00:00+01:00"), ["#/reported_at"]),
    ("number for text", crime_body(offence=12), ["#/offence"]),
    ("huge number", crime_body(offence=10**400), ["#/offence"]),
    ("string for object", crime_body(officer_in_charge="PC Jones"), ["#/officer_in_charge"]),
    (
        "bad officer email",
        crime_body(officer_in_charge={"email": "jones", "name": "PC"}),
        ["#/officer_in_charge/email"],
    ),
    ("object for list", crime_body(parties={"rms_party_id": "P1"}), ["#/parties"]),
    (
        "too many parties",
        crime_body(parties=[victim_body(rms_party_id=f"P{i}") for i in range(51)]),
        ["#/parties"],
    ),
    ("same party twice", crime_body(parties=[victim_body(), victim_body()]), ["#/parties"]),
    (
        "party id is an audience",
        crime_body(parties=[victim_body(rms_party_id="Victims")]),
        ["#/parties/0/rms_party_id"],
    ),
    (
        "party id with spaces",
        crime_body(parties=[victim_body(rms_party_id="P 1")]),
        ["#/parties/0/rms_party_id"],
    ),
    ("unknown role", crime_body(parties=[victim_body(role="suspect")]), ["#/parties/0/role"]),
    (
        "31 February birthday",
        crime_body(parties=[victim_body(date_of_birth="1980-02-31")]),
        ["#/parties/0/date_of_birth"],
    ),
    (
        "birthday with a time",
        crime_body(parties=[victim_body(date_of_birth="1980-02-01T00:00:00Z")]),
        ["#/parties/0/date_of_birth"],
    ),
    ("unborn", crime_body(parties=[victim_body(date_of_birth="2999-01-01")]), ["#/parties/0/date_of_birth"]),
    ("bad email", crime_body(parties=[victim_body(email="alex at example")]), ["#/parties/0/email"]),
    ("bad mobile", crime_body(parties=[victim_body(mobile="call me")]), ["#/parties/0/mobile"]),
    (
        "bad language",
        crime_body(parties=[victim_body(preferred_language="English")]),
        ["#/parties/0/preferred_language"],
    ),
    (
        "string for flag",
        crime_body(parties=[victim_body(contact_consent="yes")]),
        ["#/parties/0/contact_consent"],
    ),
    ("NUL in a name", crime_body(parties=[victim_body(surname="O\u0000Brien")]), ["#/parties/0/surname"]),
    ("direction override", crime_body(parties=[victim_body(surname="\u202eneirB")]), ["#/parties/0/surname"]),
    ("zero-width space", crime_body(parties=[victim_body(surname="O\u200bBrien")]), ["#/parties/0/surname"]),
    (
        "right-to-left mark",
        crime_body(parties=[victim_body(forenames="Alex\u200f")]),
        ["#/parties/0/forenames"],
    ),
    ("word joiner in text", crime_body(offence="Burglary\u2060 of a home"), ["#/offence"]),
    ("missing surname", crime_body(parties=[_without(victim_body(), "surname")]), ["#/parties/0/surname"]),
    ("not an object", [crime_body()], ["#"]),
    ("null body", None, ["#"]),
    (
        "several at once",
        crime_body(offence="", parties=[victim_body(role="x", email="y")]),
        ["#/offence", "#/parties/0/role", "#/parties/0/email"],
    ),
]


@pytest.mark.parametrize(("case", "body", "expected"), CRIME_ERRORS, ids=[c[0] for c in CRIME_ERRORS])
async def test_invalid_crimes_are_refused_field_by_field(
    rms: Rms, db: Database, case: str, body: Any, expected: list[str]
) -> None:
    problem = assert_problem(await rms.put_crime(body), 422)

    assert problem["type"] == "urn:trackmycrime:problem:invalid-fields"
    assert pointers(problem) == expected
    assert all(error["detail"] for error in problem["errors"])
    assert await count(db, Crime) == 0


UPDATE_ERRORS = [
    ("nothing to say", update_body(status=None, text=""), ["#"]),
    ("missing id", _without(update_body(), "rms_update_id"), ["#/rms_update_id"]),
    ("long text", update_body(text="x" * 10_001), ["#/text"]),
    ("control character", update_body(text="Bell\u0007"), ["#/text"]),
    ("unknown status", update_body(status="found"), ["#/status"]),
    ("bad audience", update_body(audience="everyone!"), ["#/audience"]),
    ("unknown field", update_body(html="<b>"), ["#/html"]),
]


@pytest.mark.parametrize(("case", "body", "expected"), UPDATE_ERRORS, ids=[c[0] for c in UPDATE_ERRORS])
async def test_invalid_updates_are_refused_field_by_field(
    rms: Rms, db: Database, case: str, body: Any, expected: list[str]
) -> None:
    await rms.put_crime(crime_body())

    problem = assert_problem(await rms.post_update(body), 422)

    assert pointers(problem) == expected
    assert await count(db, CaseUpdate, col(CaseUpdate.rms_update_id).is_not(None)) == 0


async def test_a_multi_line_text_and_names_in_any_script_are_accepted(rms: Rms, db: Database) -> None:
    party = victim_body(forenames="Zoë Siân", surname="Nguyễn 阮")
    assert (await rms.put_crime(crime_body(parties=[party]))).status_code == 201
    response = await rms.post_update(update_body(text="Line one.\r\n\tLine two."))

    assert response.status_code == 201
    [stored] = await all_of(db, Party)
    assert (stored.surname, stored.surname_key) == ("Nguyễn 阮", "nguyen 阮")


@pytest.mark.parametrize(
    "reference",
    [
        "AS-2026-12",
        "as-2026-000123x",
        "AS-2026-000123%00",
        "---",
        "A" * 41,
        "%E2%80%AE",
        "AS-2026-000123/updates/x",
    ],
)
async def test_a_reference_not_in_the_forces_format_is_refused(
    rms: Rms, db: Database, reference: str
) -> None:
    problem = assert_problem(await rms.put_crime(crime_body(), reference=reference), 422)

    assert pointers(problem) == ["crime_reference"]
    assert await count(db, Crime) == 0


@pytest.mark.parametrize(
    ("content", "content_type", "status", "problem_type"),
    [
        (b'{"offence": "Burglary",', "application/json", 400, "urn:trackmycrime:problem:invalid-json"),
        (b"", "application/json", 400, "urn:trackmycrime:problem:invalid-json"),
        (b'{"surname": "\xff\xfe"}', "application/json", 400, "urn:trackmycrime:problem:invalid-json"),
        (b'{"surname": "\\ud800"}', "application/json", 400, "urn:trackmycrime:problem:invalid-json"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", 400, "urn:trackmycrime:problem:invalid-json"),
        (b"offence=Burglary", "application/x-www-form-urlencoded", 415, "about:blank"),
        (b"{}", "text/plain", 415, "about:blank"),
        (b"{}", "application/json; charset=latin-1", 415, "about:blank"),
        (b"{}", "", 415, "about:blank"),
    ],
)
async def test_bodies_that_are_not_json_are_refused(
    rms: Rms, content: bytes, content_type: str, status: int, problem_type: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = await rms.send("PUT", f"/api/v1/crimes/{REFERENCE}", content=content, headers=headers)

    assert assert_problem(response, status)["type"] == problem_type


async def test_a_compressed_body_is_refused(rms: Rms) -> None:
    response = await rms.send(
        "PUT",
        f"/api/v1/crimes/{REFERENCE}",
        content=b"\x1f\x8b",
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert_problem(response, 415)


async def test_a_body_over_256_kb_is_refused(rms: Rms, db: Database) -> None:
    body = crime_body(offence="x" * (257 * 1024))
    declared = await rms.put_crime(body)

    async def stream() -> Any:
        for _ in range(300):
            yield b" " * 1024

    streamed = await rms.send(
        "PUT", f"/api/v1/crimes/{REFERENCE}", content=stream(), headers={"Content-Type": "application/json"}
    )

    assert_problem(declared, 413)
    assert_problem(streamed, 413)
    assert await count(db, Crime) == 0


async def test_unknown_addresses_and_methods_under_the_api_answer_problems(rms: Rms) -> None:
    missing = await rms.send("GET", "/api/v1/suspects")
    wrong_method = await rms.send("DELETE", f"/api/v1/crimes/{REFERENCE}")

    assert_problem(missing, 404)
    assert_problem(wrong_method, 405)
    assert set(wrong_method.headers["allow"].split(", ")) == {"GET", "HEAD", "PUT"}


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_the_updates_address_takes_only_post(rms: Rms, method: str) -> None:
    """As docs/ingest-api.md promises; once read as a crime whose reference ends in /updates (422)."""
    await rms.put_crime(crime_body())
    response = await rms.send(method, f"/api/v1/crimes/{REFERENCE}/updates", json=update_body())

    assert_problem(response, 405)
    assert response.headers["allow"] == "POST"


async def test_the_openapi_document_needs_no_key(client: Any) -> None:
    response = await client.http.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {
        "/api/v1/crimes/{crime_reference}",
        "/api/v1/crimes/{crime_reference}/updates",
        "/api/v1/crimes/{crime_reference}/hearings/{rms_hearing_id}",
        "/api/v1/crimes/{crime_reference}/decisions/{rms_decision_id}",
        "/api/v1/openapi.json",
    }


async def test_a_reference_with_a_newline_is_refused_as_json(rms: Rms) -> None:
    assert_problem(await rms.put_crime(crime_body(), reference="AS-2026-000123%0A"), 422)
    assert_problem(await rms.get_crime("%0A"), 422)
    assert_problem(await rms.send("GET", "/api/v1/x%0Ay"), 404)


async def test_a_bad_reference_and_bad_fields_are_listed_together(rms: Rms) -> None:
    problem = assert_problem(await rms.put_crime(crime_body(offence=""), reference="AS-26-1"), 422)

    assert pointers(problem) == ["crime_reference", "#/offence"]


async def test_a_crime_whose_personal_data_was_removed_can_no_longer_be_changed(
    rms: Rms, db: Database
) -> None:
    await rms.put_crime(crime_body(status="closed"))
    async with db.transaction() as session:
        [crime] = (await session.exec(select(Crime))).all()
        crime.personal_data_removed_at = utcnow()
        session.add(crime)

    put = assert_problem(await rms.put_crime(crime_body()), 409)
    post = assert_problem(await rms.post_update(update_body()), 409)

    assert put["type"] == post["type"] == "urn:trackmycrime:problem:personal-data-removed"
    assert await count(db, CaseUpdate) == 1


async def test_a_force_format_that_would_backtrack_is_matched_in_linear_time(
    db: Database, client: Any
) -> None:
    rms = await make_rms(db, client.http)
    async with db.transaction() as session:
        force = await session.get(Force, rms.force.id)
        assert force is not None
        force.crime_ref_pattern = r"(N+)+X"
        session.add(force)
    started = time.perf_counter()
    assert_problem(await rms.get_crime("N" * 28), 422)
    assert time.perf_counter() - started < 1, "Python's re takes tens of seconds here"


async def test_a_client_sending_wrong_keys_is_slowed_down_and_right_keys_still_work(
    db: Database, client: Any
) -> None:
    rms = await make_rms(db, client.http)
    wrong = {"Authorization": "Bearer not-a-key-of-any-force"}
    for _ in range(20):
        assert_problem(await client.http.get("/api/v1/crimes/AS-2026-000123", headers=wrong), 401)
    refused = await client.http.get("/api/v1/crimes/AS-2026-000123", headers=wrong)
    assert_problem(refused, 429)
    assert int(refused.headers["retry-after"]) > 0
    assert (await rms.put_crime(crime_body())).status_code == 201


async def test_a_failed_last_used_write_neither_fails_the_request_nor_logs_a_traceback(
    rms: Rms, db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Under load the "last used" write waited for a pool connection and failed the whole request."""
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from trackmycrime.ingest import routes

    async def pool_exhausted(*args: Any) -> None:
        raise PoolTimeout("QueuePool limit of size 10 overflow 10 reached, connection timed out")

    monkeypatch.setattr(routes, "record_key_use", pool_exhausted)
    response = await rms.put_crime(crime_body())

    assert response.status_code == 201, response.text
    assert await count(db, Crime) == 1
    [line] = [r for r in caplog.records if "last used" in r.getMessage()]
    assert line.levelname == "WARNING" and line.exc_info is None


async def test_a_request_that_collided_is_logged_once_as_a_warning_with_its_attempts(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Retries used to be logged at INFO, one line each, which `tmc serve` does not show."""
    from trackmycrime.ingest.routes import in_transaction

    from ..factories import make_force

    async with db.transaction() as session:
        await make_force(session, code="AS")
    codes = iter(["AS", "AS", "NT"])  # the first two collide with the stored force, for real

    async def add_a_force(session: Any) -> str:
        force = await make_force(session, code=next(codes))
        return force.code

    assert await in_transaction(db, add_a_force) == "NT"
    lines = [r for r in caplog.records if r.name == "trackmycrime.ingest.routes"]
    assert [r.levelname for r in lines] == ["WARNING"]
    assert "needed 3 attempts" in lines[0].getMessage()


# The hot path (issue 24). An update that tells two parties: key check, crime lock, the crime's
# updates (read once for the repeat check and the entitlements), its parties with their recent
# alerts (once for the audience, the alerts and the entitlements), the update, the crime's status,
# all the alerts in one INSERT ... ON CONFLICT DO NOTHING, the entitlements with the messages,
# outside contacts and statement offers in one read, the new entitlements in one INSERT, the
# audit row. The same on both databases.
STATEMENTS_PER_UPDATE_ALERTING_TWO = 10
# The same within the alert window: no alert rows, and a text-only update owes nothing new.
STATEMENTS_PER_UPDATE_COALESCED = 8
# Key check, crime lock, the crime's updates (the stored one among them), the audit row.
STATEMENTS_PER_REPEATED_UPDATE = 4


async def test_an_update_takes_a_fixed_number_of_statements(rms: Rms, db: Database) -> None:
    await _crime_with_parties(rms, db)

    with statements_sent(db) as alerting:
        first = await rms.post_update(update_body(rms_update_id="U-1", status="charged"))
    with statements_sent(db) as coalesced:
        second = await rms.post_update(update_body(rms_update_id="U-2", status=None))
    with statements_sent(db) as repeated:
        again = await rms.post_update(update_body(rms_update_id="U-2", status=None))

    assert (first.status_code, second.status_code, again.status_code) == (201, 201, 200)
    [u1, u2] = await all_of(db, CaseUpdate, col(CaseUpdate.rms_update_id).is_not(None))
    assert await _alerted(db, u1.id) == {"V1", "W1"}
    assert await _alerted(db, u2.id) == set(), "a second update within the window is coalesced"
    assert len(alerting) == STATEMENTS_PER_UPDATE_ALERTING_TWO, "\n---\n".join(alerting)
    assert len(coalesced) == STATEMENTS_PER_UPDATE_COALESCED, "\n---\n".join(coalesced)
    assert len(repeated) == STATEMENTS_PER_REPEATED_UPDATE, "\n---\n".join(repeated)
