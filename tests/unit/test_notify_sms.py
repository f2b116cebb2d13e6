"""The text message adapter against a local server that checks requests as GOV.UK Notify does."""

from __future__ import annotations

import time
import uuid

import httpx
import jwt
import pytest

from tests.fake_notify import FakeNotify
from trackmycrime.notify.failures import PermanentFailure, ProviderUnavailable
from trackmycrime.notify.sms_sender import NotifyKey, SmsSender, bearer_token, parse_api_key

pytestmark = pytest.mark.anyio


@pytest.fixture
def notify():
    server = FakeNotify(placeholders=frozenset({"message", "url"})).start()
    yield server
    server.stop()


def sender_for(notify: FakeNotify, **changes: str) -> SmsSender:
    options = {"api_url": notify.url, "api_key": notify.api_key, "template_id": notify.template_id}
    return SmsSender(**{**options, **changes})


PERSONALISATION = {
    "message": "Testshire Police: there is a new update.",
    "url": "https://portal.example/sign-in",
}


def test_the_key_is_parsed_like_the_official_client():
    service_id, secret = str(uuid.uuid4()), str(uuid.uuid4())
    assert parse_api_key(f"my-key-name-{service_id}-{secret}") == NotifyKey(service_id, secret)
    for broken in ("", "not-a-key", f"name-{service_id}", f"name-{service_id}x{secret}", "x" * 80):
        with pytest.raises(ValueError, match="not a GOV.UK Notify API key"):
            parse_api_key(broken)


def test_the_token_is_hs256_with_the_service_as_issuer_and_the_time_now():
    key = NotifyKey(str(uuid.uuid4()), str(uuid.uuid4()))
    token = bearer_token(key)
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    claims = jwt.decode(token, key.secret, algorithms=["HS256"])
    assert claims["iss"] == key.service_id and abs(claims["iat"] - time.time()) <= 2


async def test_a_text_is_sent_with_our_template_personalisation_and_reference(notify):
    sender = sender_for(notify)
    try:
        notification_id = await sender.send(
            phone_number="+447700900123", personalisation=PERSONALISATION, reference="outbox-17"
        )
    finally:
        await sender.close()
    [sent] = notify.sent
    assert notification_id == sent["id"]
    assert sent["reference"] == "outbox-17" and sent["phone_number"] == "+447700900123"
    assert sent["personalisation"] == PERSONALISATION
    assert sent["template"]["id"] == notify.template_id
    assert notify.rejections == []


async def _post(notify: FakeNotify, token: str, body: dict | None = None) -> httpx.Response:
    body = body or {
        "phone_number": "07700900123",
        "template_id": notify.template_id,
        "personalisation": PERSONALISATION,
    }
    async with httpx.AsyncClient(base_url=notify.url) as client:
        return await client.post(
            "/v2/notifications/sms", json=body, headers={"Authorization": f"Bearer {token}"}
        )


async def test_the_fake_gateway_rejects_bad_tokens_as_notify_does(notify):
    good = NotifyKey(notify.service_id, notify.secret)
    cases = {
        "wrong secret": bearer_token(NotifyKey(notify.service_id, str(uuid.uuid4()))),
        "wrong service": bearer_token(NotifyKey(str(uuid.uuid4()), notify.secret)),
        "stale": bearer_token(good, now=time.time() - 45),
        "from the future": bearer_token(good, now=time.time() + 45),
        "not a jwt": "not-a-token",
        "another algorithm": jwt.encode(
            {"iss": notify.service_id, "iat": int(time.time())}, notify.secret * 2, algorithm="HS512"
        ),
    }
    for why, token in cases.items():
        response = await _post(notify, token)
        assert response.status_code == 403, why
        assert response.json()["errors"][0]["error"] == "AuthError", why
    assert (await _post(notify, bearer_token(good))).status_code == 201
    assert len(notify.sent) == 1


async def test_the_fake_gateway_checks_template_and_personalisation(notify):
    token = bearer_token(NotifyKey(notify.service_id, notify.secret))
    missing = await _post(
        notify,
        token,
        {
            "phone_number": "07700900123",
            "template_id": notify.template_id,
            "personalisation": {"message": "x"},
        },
    )
    assert missing.status_code == 400 and "Missing personalisation: url" in missing.text
    unknown = await _post(
        notify,
        token,
        {"phone_number": "07700900123", "template_id": str(uuid.uuid4()), "personalisation": PERSONALISATION},
    )
    assert unknown.status_code == 400 and "Template not found" in unknown.text
    assert notify.sent == []


async def test_a_refused_number_is_a_permanent_failure(notify):
    sender = sender_for(notify)
    try:
        with pytest.raises(PermanentFailure, match="Not a UK mobile number"):
            await sender.send(
                phone_number="+33612345678", personalisation=PERSONALISATION, reference="outbox-1"
            )
        with pytest.raises(PermanentFailure, match="no mobile number"):
            await sender.send(phone_number=" ", personalisation=PERSONALISATION, reference="outbox-1")
    finally:
        await sender.close()


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_gateway_trouble_is_temporary_and_pauses_texts(notify, status):
    notify.fail_next(status)
    sender = sender_for(notify)
    try:
        with pytest.raises(ProviderUnavailable, match=str(status)):
            await sender.send(
                phone_number="07700900123", personalisation=PERSONALISATION, reference="outbox-1"
            )
        assert await sender.send(phone_number="07700900123", personalisation=PERSONALISATION, reference="o-2")
    finally:
        await sender.close()


async def test_a_wrong_key_or_an_unreachable_gateway_is_temporary(notify):
    wrong = sender_for(notify, api_key=f"key-{notify.service_id}-{uuid.uuid4()}")
    nowhere = sender_for(notify, api_url="http://127.0.0.1:9")
    try:
        with pytest.raises(ProviderUnavailable, match="API key not found"):
            await wrong.send(
                phone_number="07700900123", personalisation=PERSONALISATION, reference="outbox-1"
            )
        with pytest.raises(ProviderUnavailable, match="Could not reach"):
            await nowhere.send(
                phone_number="07700900123", personalisation=PERSONALISATION, reference="outbox-1"
            )
    finally:
        await wrong.close()
        await nowhere.close()


async def test_a_text_the_gateway_already_has_is_found_by_its_reference(notify):
    sender = sender_for(notify)
    try:
        assert await sender.already_sent("outbox-5") is None
        sent_id = await sender.send(
            phone_number="07700900123", personalisation=PERSONALISATION, reference="outbox-5"
        )
        assert await sender.already_sent("outbox-5") == sent_id
        assert await sender.already_sent("outbox-6") is None
    finally:
        await sender.close()
