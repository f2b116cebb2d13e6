"""A real SMTP server (aiosmtpd) that keeps what it receives, for the demo's mailbox page."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import nh3
from aiosmtpd.controller import Controller

# What an alert email's HTML part may keep when the demo mailbox shows it: text, paragraphs, lists
# and links to web pages. Its h1 repeats the subject, which the mailbox page already has as its h1.
MAIL_TAGS = {"p", "a", "ul", "ol", "li", "strong", "em", "br", "h2", "h3"}


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

    @property
    def html(self) -> str:
        """The HTML part, cleaned to safe tags and http(s) links; empty when there is none."""
        part = self.message.get_body(preferencelist=("html",))
        if part is None:
            return ""
        return nh3.clean(
            part.get_content(),
            tags=MAIL_TAGS,
            clean_content_tags={"head", "title", "h1", "script", "style"},
            attributes={"a": {"href"}},
            url_schemes={"http", "https"},
            link_rel="noopener noreferrer",
        ).strip()


class _Keeper:
    def __init__(self, store: list[CaughtMail]) -> None:
        self.store = store

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.store.append(
            CaughtMail(dt.datetime.now(dt.UTC), envelope.mail_from, tuple(envelope.rcpt_tos), message)
        )
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
