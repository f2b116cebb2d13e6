"""Texts and letters through a gateway speaking GOV.UK Notify's API: an API key, a fresh JWT per request."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from ..settings import Settings
from .failures import PermanentFailure, ProviderUnavailable, TemporaryFailure

NOTIFY_API_URL = "https://api.notifications.service.gov.uk"
REQUEST_TIMEOUT_SECONDS = 10.0
# Notify's statuses for a text that will not arrive: sending it again is not a double.
NOT_DELIVERED = {"permanent-failure", "temporary-failure", "technical-failure", "validation-failed"}


@dataclass(frozen=True)
class NotifyKey:
    service_id: str
    secret: str


def parse_api_key(api_key: str) -> NotifyKey:
    """`{key name}-{service id}-{secret}`: as the official client does, the last two 36-character UUIDs."""
    api_key = api_key.strip()
    service_id, secret = api_key[-73:-37], api_key[-36:]
    try:
        if len(api_key) < 74 or api_key[-37] != "-":
            raise ValueError
        uuid.UUID(service_id)
        uuid.UUID(secret)
    except ValueError:
        raise ValueError(
            "TMC_SMS_API_KEY is not a GOV.UK Notify API key: it should look like "
            "key_name-<service id>-<secret key>, as Notify shows it when the key is created."
        ) from None
    return NotifyKey(service_id=service_id, secret=secret)


def bearer_token(key: NotifyKey, now: float | None = None) -> str:
    """A JWT signed with the key's secret: iss = service id, iat = now (Notify allows 30 s of drift)."""
    issued_at = int(time.time() if now is None else now)
    return jwt.encode({"iss": key.service_id, "iat": issued_at}, key.secret, algorithm="HS256")


def _problem(response: httpx.Response) -> str:
    try:
        errors = response.json().get("errors", [])
        text = "; ".join(f"{e.get('error', '')}: {e.get('message', '')}" for e in errors)
    except (ValueError, AttributeError):
        text = ""
    return f"{response.status_code} {text or response.reason_phrase}"


class SmsSender:
    """One gateway account and one Notify template; the template shows `((message))` (or our fields)."""

    template_type = "sms"
    gateway_name = "text message gateway"

    def __init__(self, *, api_url: str, api_key: str, template_id: str) -> None:
        self.key = parse_api_key(api_key)
        self.template_id = template_id
        self.api_url = (api_url or NOTIFY_API_URL).rstrip("/")
        self._client = httpx.AsyncClient(
            base_url=self.api_url,
            timeout=REQUEST_TIMEOUT_SECONDS,
            headers={"User-Agent": "trackmycrime-notify"},
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> SmsSender | None:
        """None when no gateway is configured: text alerts are then held, not dropped."""
        if not (settings.sms_api_key and settings.sms_template_id):
            return None
        return cls(
            api_url=settings.sms_api_url, api_key=settings.sms_api_key, template_id=settings.sms_template_id
        )

    @property
    def description(self) -> str:
        return self.api_url

    async def send(self, *, phone_number: str, personalisation: dict[str, str], reference: str) -> str:
        """Ask the gateway to send one text; returns its notification id, raises a SendFailure."""
        if not phone_number.strip():
            raise PermanentFailure("There is no mobile number to send the text to.")
        body = {
            "phone_number": phone_number,
            "template_id": self.template_id,
            "personalisation": personalisation,
            "reference": reference,
        }
        return self._notification_id(await self._request("POST", "/v2/notifications/sms", json=body))

    def _notification_id(self, response: httpx.Response) -> str:
        """The id of the notification the gateway accepted, or the SendFailure its answer means."""
        if response.status_code in (200, 201):
            return str(response.json().get("id", ""))
        reason = f"The {self.gateway_name} refused it: {_problem(response)}"
        if response.status_code == 400:
            raise PermanentFailure(reason)
        if response.status_code in (401, 403, 429) or response.status_code >= 500:
            raise ProviderUnavailable(reason)
        raise TemporaryFailure(reason)

    async def already_sent(self, reference: str) -> str | None:
        """The id of a text the gateway already has for this reference (sent before a crash), if any."""
        response = await self._request(
            "GET", "/v2/notifications", params={"reference": reference, "template_type": self.template_type}
        )
        if response.status_code != 200:
            raise ProviderUnavailable(f"Could not ask the {self.gateway_name}: {_problem(response)}")
        notifications: list[dict[str, Any]] = response.json().get("notifications", [])
        for notification in notifications:
            if notification.get("status") not in NOT_DELIVERED:
                return str(notification.get("id", ""))
        return None

    async def received_texts(self, older_than: str = "") -> tuple[list[dict[str, Any]], bool]:
        """One page of texts sent to the service's number, newest first, and whether older ones remain."""
        params = {"older_than": older_than} if older_than else {}
        response = await self._request("GET", "/v2/received-text-messages", params=params)
        if response.status_code != 200:
            raise ProviderUnavailable(f"Could not fetch texts sent to us: {_problem(response)}")
        body = response.json()
        texts: list[dict[str, Any]] = body.get("received_text_messages", [])
        return texts, bool(body.get("links", {}).get("next"))

    async def _request(self, method: str, path: str, **options: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {bearer_token(self.key)}"}
        try:
            return await self._client.request(method, path, headers=headers, **options)
        except httpx.HTTPError as error:
            raise ProviderUnavailable(
                f"Could not reach the {self.gateway_name}: {error or type(error).__name__}"
            ) from error

    async def close(self) -> None:
        await self._client.aclose()


class LetterSender(SmsSender):
    """Letters through Notify's letter API (issue 21): the same key, a letter template showing `((message))`.

    What a letter costs is the force's Notify contract; Notify prints and posts it.
    """

    template_type = "letter"
    gateway_name = "letter service"

    @classmethod
    def from_settings(cls, settings: Settings) -> LetterSender | None:
        """None when no letter template is configured: letters are then held, not dropped."""
        if not (settings.sms_api_key and settings.letter_template_id):
            return None
        return cls(
            api_url=settings.sms_api_url,
            api_key=settings.sms_api_key,
            template_id=settings.letter_template_id,
        )

    async def send_letter(
        self, *, address: list[str], personalisation: dict[str, str], reference: str
    ) -> str:
        """Ask Notify to print and post one letter; returns its notification id, raises a SendFailure."""
        if len(address) < 3:
            raise PermanentFailure("There is no postal address of at least 3 lines to send the letter to.")
        lines = {f"address_line_{number}": line for number, line in enumerate(address[:7], start=1)}
        body = {
            "template_id": self.template_id,
            "personalisation": {**lines, **personalisation},
            "reference": reference,
        }
        return self._notification_id(await self._request("POST", "/v2/notifications/letter", json=body))
