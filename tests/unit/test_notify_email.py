"""Email through aiosmtplib to a real aiosmtpd server: parts, headers, STARTTLS, TLS and login,
and which refusals are for good (the address) and which are worth another try."""

from __future__ import annotations

import email
import email.policy
import ssl
import subprocess
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.worker_support import SmtpServer
from trackmycrime.demo.mail_catcher import free_port
from trackmycrime.notify.email_sender import EmailSender, OutgoingEmail, build_message, message_id_for
from trackmycrime.notify.failures import PermanentFailure, ProviderUnavailable, TemporaryFailure
from trackmycrime.settings import Settings

pytestmark = pytest.mark.anyio

MAIL = OutgoingEmail(
    recipient="victim@example.org",
    subject="Neges newydd gan Heddlu Dyfed-Powys – a subject that is long enough to be folded",
    text="There is a new update = sign.\nSign in to read it:\nhttps://portal.example/sign-in\n",
    html='<p>An update.</p><p><a href="https://portal.example/sign-in?a=1&amp;b=2">Sign in</a></p>',
    message_id="<outbox-12.dp@police.example>",
)


def settings_for(port: int, **changes: object) -> Settings:
    return Settings(
        mode="test",
        secret_key="x" * 40,
        smtp_host="localhost",
        smtp_port=port,
        mail_from="Heddlu Dyfed-Powys <alerts@police.example>",
    ).with_changes(**changes)


def test_the_message_id_is_stable_per_outbox_row_and_names_the_force():
    assert message_id_for(12, "DP", "Heddlu <alerts@police.example>") == "<outbox-12.dp@police.example>"
    assert message_id_for(12, "DP", "nobody") == "<outbox-12.dp@trackmycrime.invalid>"


def test_the_message_has_a_plain_text_part_then_html_and_marks_itself_automatic():
    raw = build_message(MAIL, "Heddlu Dyfed-Powys <alerts@police.example>")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert not message.defects and all(not part.defects for part in message.walk())
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Subject"] == MAIL.subject  # non-ASCII, encoded and folded, read back whole
    assert message["Message-ID"] == MAIL.message_id
    assert message["From"] == "Heddlu Dyfed-Powys <alerts@police.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == MAIL.text
    assert message.get_body(("html",)).get_content().replace("\r\n", "\n") == MAIL.html
    assert raw.isascii() and max(len(line) for line in raw.split(b"\r\n")) <= 78


async def test_an_email_is_delivered_and_the_connection_is_reused():
    server = SmtpServer().up()
    sender = EmailSender(settings_for(server.port))
    try:
        assert await sender.send(MAIL) == MAIL.message_id
        await sender.send(MAIL)
        assert len(sender._idle) == 1  # one connection served both
    finally:
        await sender.close()
        server.down()
    assert server.arrivals == {MAIL.message_id: 2}


async def test_a_refused_address_is_permanent_and_a_451_is_temporary():
    server = SmtpServer(refused={"victim@example.org"}).up()
    sender = EmailSender(settings_for(server.port))
    try:
        with pytest.raises(PermanentFailure, match="refused the address: 550"):
            await sender.send(MAIL)
        server.refused.clear()
        server.temporary_failures = 1
        with pytest.raises(TemporaryFailure, match="451") as temporary:
            await sender.send(MAIL)
        assert not isinstance(temporary.value, ProviderUnavailable)
        with pytest.raises(PermanentFailure, match="not valid"):
            await sender.send(OutgoingEmail("victim@example.org\r\nBcc: x@y.org", "s", "t", "h", "<m@x>"))
        assert await sender.send(MAIL)
    finally:
        await sender.close()
        server.down()


async def test_an_unreachable_server_is_unavailable_not_a_failure_of_the_alert():
    sender = EmailSender(settings_for(free_port()))
    with pytest.raises(ProviderUnavailable, match="Could not use the mail server"):
        await sender.send(MAIL)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


class _Inbox:
    def __init__(self) -> None:
        self.logins: list[str] = []
        self.received: list[str] = []

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:  # noqa: ANN001
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret-relay-password"
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        self.received.append(f"{'encrypted' if encrypted else 'plain'}:{envelope.rcpt_tos[0]}")
        return "250 OK"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
@pytest.mark.parametrize("mode", ["starttls", "tls"])
async def test_starttls_and_implicit_tls_with_a_login(certificate, monkeypatch, mode):
    cert, key = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust our test certificate, as a real CA
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox, port = _Inbox(), free_port()
    tls_options = (
        {"tls_context": context, "require_starttls": True}
        if mode == "starttls"
        # aiosmtpd only counts STARTTLS as TLS when offering AUTH; this connection is TLS from the start.
        else {"ssl_context": context, "auth_require_tls": False}
    )
    controller = Controller(
        inbox,
        hostname="localhost",
        port=port,
        authenticator=inbox.authenticate,
        auth_required=True,
        **tls_options,
    )
    controller.start()
    try:
        good = EmailSender(
            settings_for(
                port, smtp_tls=mode, smtp_username="relay-user", smtp_password="s3cret-relay-password"
            )
        )
        anonymous = EmailSender(settings_for(port, smtp_tls=mode))
        try:
            await good.send(MAIL)
            with pytest.raises(ProviderUnavailable, match="530"):  # no login configured: ours to fix
                await anonymous.send(MAIL)
        finally:
            await good.close()
            await anonymous.close()
        if mode == "starttls":
            plain = EmailSender(
                settings_for(port, smtp_username="relay-user", smtp_password="s3cret-relay-password")
            )
            with pytest.raises(ProviderUnavailable, match="STARTTLS"):  # never log in without TLS
                await plain.send(MAIL)
    finally:
        controller.stop()
    assert inbox.logins == ["relay-user"]
    assert inbox.received == ["encrypted:victim@example.org"]
