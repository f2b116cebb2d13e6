"""A local HTTP server that checks requests as GOV.UK Notify's API does, for the text message tests.

It knows one service (an API key of the form `{name}-{service id}-{secret}`) and one template with
placeholders. Like Notify it wants `Authorization: Bearer <JWT>`, HS256-signed with the key's secret,
`iss` = the service id and `iat` within 30 seconds of now; a personalisation that covers the
template's placeholders; and answers 201 with a notification id. `.fail_next(status, times)` makes
it answer errors for a while; `.sent` and `.rejections` say what happened.
`.receive(number, text)` is a text someone sent to the service's number: `GET
/v2/received-text-messages` lists them newest first, `page_size` at a time (Notify's is 250), each
page older than the `older_than` id, with a `links.next` while older ones remain.
`POST /v2/notifications/letter` checks the letter template and the address lines; `.letters` keeps them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

CLOCK_SKEW_SECONDS = 30
UK_POSTCODE = re.compile(r"[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}")
UK_MOBILE = re.compile(r"^(\+44|0044|0)7\d{9}$")


@dataclass
class FakeNotify:
    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    template_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    letter_template_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    placeholders: frozenset[str] = frozenset({"message"})
    sent: list[dict[str, Any]] = field(default_factory=list)
    rejections: list[tuple[int, str]] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    letters: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 250
    notify_number: str = "447700900000"
    requests: int = 0
    _failures: list[int] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def api_key(self) -> str:
        return f"tmc_test-{self.service_id}-{self.secret}"

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeNotify:
        notify = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                notify._handle(self, "POST")

            def do_GET(self) -> None:  # noqa: N802
                notify._handle(self, "GET")

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def fail_next(self, status: int, times: int = 1) -> None:
        with self._lock:
            self._failures.extend([status] * times)

    def receive(self, user_number: str, content: str) -> dict[str, Any]:
        """Someone texts the service's number."""
        text = {
            "id": str(uuid.uuid4()),
            "user_number": user_number,
            "notify_number": self.notify_number,
            "created_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "service_id": self.service_id,
            "content": content,
        }
        with self._lock:
            self.received.append(text)
        return text

    # ------------------------------------------------------------------ requests

    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        with self._lock:
            self.requests += 1
            failure = self._failures.pop(0) if self._failures else None
        status, body = self._answer(request, method, failure)
        if status >= 400:
            with self._lock:
                self.rejections.append((status, body["errors"][0]["message"]))
        payload = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)

    def _answer(
        self, request: BaseHTTPRequestHandler, method: str, failure: int | None
    ) -> tuple[int, dict[str, Any]]:
        problem = self._check_token(request.headers.get("Authorization", ""))
        if problem:
            return _error(403, "AuthError", problem)
        if failure is not None:
            return _error(failure, "Exception" if failure >= 500 else "RateLimitError", "Failing on purpose")
        path = urlsplit(request.path)
        senders = {"/v2/notifications/sms": self._send_sms, "/v2/notifications/letter": self._send_letter}
        if method == "POST" and path.path in senders:
            length = int(request.headers.get("Content-Length", "0"))
            try:
                body = json.loads(request.rfile.read(length))
            except ValueError:
                return _error(400, "BadRequestError", "Invalid JSON")
            return senders[path.path](body)
        if method == "GET" and path.path == "/v2/received-text-messages":
            return self._received_texts(parse_qs(path.query).get("older_than", [""])[0])
        if method == "GET" and path.path == "/v2/notifications":
            query = parse_qs(path.query)
            reference = query.get("reference", [""])[0]
            kind = query.get("template_type", ["sms"])[0]
            with self._lock:
                found = [
                    n
                    for n in (self.letters if kind == "letter" else self.sent)
                    if n["reference"] == reference
                ]
            return 200, {"notifications": found, "links": {}}
        return _error(404, "NotFound", "Not found")

    def _check_token(self, authorization: str) -> str:
        if not authorization.startswith("Bearer "):
            return "Unauthorized: authentication token must be provided"
        token = authorization.removeprefix("Bearer ")
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return "Invalid token: could not decode your JSON Web Token"
        if header.get("alg") != "HS256" or header.get("typ") != "JWT":
            return "Invalid token: algorithm used is not HS256"
        if claims.get("iss") != self.service_id:
            return "Invalid token: service id does not match the API key"
        try:
            jwt.decode(token, self.secret, algorithms=["HS256"], options={"verify_iat": False})
        except jwt.PyJWTError:
            return "Invalid token: API key not found"
        issued_at = claims.get("iat")
        if not isinstance(issued_at, int) or abs(time.time() - issued_at) > CLOCK_SKEW_SECONDS:
            return "Error: Your system clock must be accurate to within 30 seconds"
        return ""

    def _received_texts(self, older_than: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            texts = list(self.received)
        return _received_texts_page(texts, older_than, self.page_size)

    def _send_letter(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """As Notify checks a letter: its template, 3 to 7 address lines ending in a UK postcode."""
        if body.get("template_id") != self.letter_template_id:
            return _error(400, "BadRequestError", "Template not found")
        personalisation = body.get("personalisation") or {}
        lines = [str(personalisation.get(f"address_line_{n}", "")).strip() for n in range(1, 8)]
        lines = [line for line in lines if line]
        if len(lines) < 3:
            return _error(400, "ValidationError", "Address must be at least 3 lines")
        if not UK_POSTCODE.fullmatch(lines[-1]):
            return _error(400, "ValidationError", "Last line of address must be a real UK postcode")
        missing = sorted(self.placeholders - set(personalisation))
        if missing:
            return _error(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
        letter = {
            "id": str(uuid.uuid4()),
            "reference": body.get("reference"),
            "address": lines,
            "personalisation": personalisation,
            "content": {"body": str(personalisation.get("message", "")), "subject": "TrackMyCrime"},
            "status": "accepted",
        }
        with self._lock:
            self.letters.append(letter)
        return 201, {"id": letter["id"], "reference": letter["reference"], "content": letter["content"]}

    def _send_sms(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if body.get("template_id") != self.template_id:
            return _error(400, "BadRequestError", "Template not found")
        personalisation = body.get("personalisation") or {}
        missing = sorted(self.placeholders - set(personalisation))
        if missing:
            return _error(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
        number = re.sub(r"[\s()-]", "", str(body.get("phone_number", "")))
        if not UK_MOBILE.match(number):
            return _error(400, "ValidationError", "phone_number Not a UK mobile number")
        content = str(personalisation.get("message", ""))
        notification = {
            "id": str(uuid.uuid4()),
            "reference": body.get("reference"),
            "phone_number": body["phone_number"],
            "personalisation": personalisation,
            "content": {"body": content, "from_number": "TrackMyCrime"},
            "template": {"id": self.template_id, "version": 1},
            "status": "created",
        }
        with self._lock:
            self.sent.append(notification)
        return 201, {
            "id": notification["id"],
            "reference": notification["reference"],
            "content": notification["content"],
            "template": {**notification["template"], "uri": f"/v2/template/{self.template_id}"},
            "uri": f"/v2/notifications/{notification['id']}",
        }


def _received_texts_page(
    texts: list[dict[str, Any]], older_than: str, page_size: int
) -> tuple[int, dict[str, Any]]:
    newest_first = list(reversed(texts))
    if older_than:
        try:
            uuid.UUID(older_than)
        except ValueError:
            return _error(400, "ValidationError", "older_than is not a valid UUID")
        ids = [text["id"] for text in newest_first]
        newest_first = newest_first[ids.index(older_than) + 1 :] if older_than in ids else []
    page = newest_first[:page_size]
    links = {"current": "/v2/received-text-messages" + (f"?older_than={older_than}" if older_than else "")}
    if len(newest_first) > page_size:
        links["next"] = f"/v2/received-text-messages?older_than={page[-1]['id']}"
    return 200, {"received_text_messages": page, "links": links}


def _error(status: int, kind: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"status_code": status, "errors": [{"error": kind, "message": message}]}


@pytest.fixture
def notify() -> Iterator[FakeNotify]:
    """A fake Notify serving on loopback for the test."""
    server = FakeNotify().start()
    yield server
    server.stop()
