"""A real SMTP server (aiosmtpd) that keeps what it receives, for the demo's mailbox page."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class CaughtMail:
    received_at: dt.datetime
    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""


class _Keeper:
    def __init__(self, store: list[CaughtMail]) -> None:
        self.store = store

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.store.append(
            CaughtMail(dt.datetime.now(dt.UTC), envelope.mail_from, tuple(envelope.rcpt_tos), message)
        )  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


class MailCatcher:
    """Start with .start(), read .messages, stop with .stop()."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.messages: list[CaughtMail] = []
        self._port = port or free_port(host)
        self._controller = Controller(_Keeper(self.messages), hostname=host, port=self._port)

    @property
    def host(self) -> str:
        return str(self._controller.hostname)

    @property
    def port(self) -> int:
        return self._port

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
