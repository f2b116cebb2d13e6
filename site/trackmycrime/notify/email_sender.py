"""Email through aiosmtplib: plain-text and HTML parts, a stable Message-ID, reused connections."""

from __future__ import annotations

import binascii
import secrets
import time
from dataclasses import dataclass
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr
from functools import cache

import aiosmtplib

from ..settings import Settings
from .failures import PermanentFailure, ProviderUnavailable, SendFailure, TemporaryFailure

SEND_TIMEOUT_SECONDS = 30.0
# Mail servers drop idle clients (often after a minute); reconnect rather than find out mid-send.
REUSE_IDLE_SECONDS = 20.0


@dataclass(frozen=True)
class OutgoingEmail:
    recipient: str
    subject: str
    text: str
    html: str
    message_id: str


@cache
def _domain(mail_from: str) -> str:
    _local, at, domain = parseaddr(mail_from)[1].rpartition("@")
    return domain if at and domain else "trackmycrime.invalid"


@cache
def _from_header(mail_from: str) -> str:
    return formataddr(parseaddr(mail_from), charset="utf-8")


def message_id_for(alert_id: int, force_code: str, mail_from: str) -> str:
    """The same Message-ID for every try of one outbox row, so a resend is recognisable."""
    return f"<outbox-{alert_id}.{force_code.lower()}@{_domain(mail_from)}>"


def _subject(subject: str) -> str:
    if subject.isascii() and len(subject) < 70:
        return subject
    return Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n")  # RFC 2047, folded


def _quoted_printable(text: str) -> str:
    """UTF-8, quoted-printable, CRLF lines: readable, 7-bit safe, and never contains '=_'."""
    encoded = binascii.b2a_qp(text.replace("\r\n", "\n").encode(), istext=True).decode("ascii")
    return encoded.replace("\n", "\r\n")


def build_message(email: OutgoingEmail, mail_from: str) -> bytes:
    """A multipart/alternative message: the plain text first, then the HTML."""
    # Quoted-printable turns every '=' into '=3D', so a boundary starting '=_' cannot clash.
    boundary = f"=_tmc_{secrets.token_hex(12)}"
    headers = [
        f"From: {_from_header(mail_from)}",
        f"To: {email.recipient}",
        f"Subject: {_subject(email.subject)}",
        f"Date: {formatdate(usegmt=True)}",
        f"Message-ID: {email.message_id}",
        "MIME-Version: 1.0",
        "Auto-Submitted: auto-generated",  # RFC 3834: no out-of-office replies, please
        "X-Auto-Response-Suppress: All",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
    ]
    lines = ["\r\n".join(headers), ""]
    for subtype, body in (("plain", email.text), ("html", email.html)):
        lines += [
            f"--{boundary}",
            f'Content-Type: text/{subtype}; charset="utf-8"',
            "Content-Transfer-Encoding: quoted-printable",
            "",
            _quoted_printable(body),
        ]
    lines.append(f"--{boundary}--\r\n")
    return "\r\n".join(lines).encode("ascii")


def _usable_address(address: str) -> bool:
    """A bare address: something@domain, without spaces, brackets or line breaks."""
    local, at, domain = address.rpartition("@")
    return bool(local and at and "." in domain) and not any(c in address for c in " <>,;\r\n\t")


def classify(error: Exception) -> SendFailure:
    """Which kind of failure an aiosmtplib error is: the address refused for good, or try again."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        error = error.recipients[0]
    if isinstance(error, aiosmtplib.SMTPRecipientRefused):
        reason = f"The mail server refused the address: {error.code} {error.message}"
        return PermanentFailure(reason) if 500 <= error.code < 600 else TemporaryFailure(reason)
    if isinstance(error, aiosmtplib.SMTPDataError):
        reason = f"The mail server refused the message: {error.code} {error.message}"
        return PermanentFailure(reason) if 500 <= error.code < 600 else TemporaryFailure(reason)
    if isinstance(error, aiosmtplib.SMTPAuthenticationError | aiosmtplib.SMTPSenderRefused):
        return ProviderUnavailable(
            f"The mail server refused our login or sender: {error.code} {error.message}"
        )
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return TemporaryFailure(f"The mail server answered {error.code} {error.message}")
    if isinstance(error, OSError | TimeoutError | aiosmtplib.SMTPException):
        return ProviderUnavailable(f"Could not use the mail server: {error or type(error).__name__}")
    raise error


class EmailSender:
    """Sends one message at a time per connection; keeps idle connections for the next message."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sender_address = parseaddr(settings.mail_from)[1]
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []

    @property
    def description(self) -> str:
        return f"{self.settings.smtp_host}:{self.settings.smtp_port} ({self.settings.smtp_tls})"

    async def send(self, email: OutgoingEmail) -> str:
        """Hand the message to the mail server; returns the Message-ID, raises a SendFailure."""
        if not _usable_address(email.recipient):
            raise PermanentFailure("The email address is not valid.")
        data = build_message(email, self.settings.mail_from)
        client: aiosmtplib.SMTP | None = None
        try:
            client = await self._connection()
            await client.sendmail(self.sender_address, [email.recipient], data)
        except Exception as error:  # noqa: BLE001 - classify() re-raises what it does not know
            if client is not None:
                client.close()
            raise classify(error) from error
        self._idle.append((client, time.monotonic()))
        return email.message_id

    async def _connection(self) -> aiosmtplib.SMTP:
        while self._idle:
            client, idle_since = self._idle.pop()
            if client.is_connected and time.monotonic() - idle_since < REUSE_IDLE_SECONDS:
                return client
            await self._quit(client)
        settings = self.settings
        client = aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            use_tls=settings.smtp_tls == "tls",
            start_tls=settings.smtp_tls == "starttls",
            username=settings.smtp_username or None,
            password=settings.smtp_password or None,
            timeout=SEND_TIMEOUT_SECONDS,
        )
        await client.connect()
        return client

    async def close(self) -> None:
        while self._idle:
            await self._quit(self._idle.pop()[0])

    @staticmethod
    async def _quit(client: aiosmtplib.SMTP) -> None:
        try:
            await client.quit()
        except Exception:  # noqa: BLE001 - a connection we are dropping anyway
            client.close()
