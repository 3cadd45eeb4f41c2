"""Alert e-mail over TLS against a real local SMTP server (aiosmtpd) with its own certificate:
STARTTLS and implicit TLS both verify the certificate, so an untrusted server gets no password."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from pathlib import Path

import pytest

from openbook.errors import MailError
from openbook.mail import SmtpSettings, compose, send

ALERT = {"alert_id": "a1", "title": "Spend rose", "context": "from £1k to £3k a month", "sources": []}


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own CA), made with openssl."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


class _Inbox:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.rcpt_tos, session.authenticated))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server(certificate, *, implicit: bool):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox, port = _Inbox(), _free_port()
    authenticate = lambda *args: AuthResult(success=(args[4].login, args[4].password) == (b"alerts", b"s3cret"))  # noqa: E731
    # aiosmtpd counts only STARTTLS as TLS for AUTH; an implicit-TLS connection is encrypted from its first byte.
    options = ({"ssl_context": context, "auth_require_tls": False} if implicit
               else {"tls_context": context, "require_starttls": True})
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticate, **options)
    controller.start()
    return controller, inbox, port


def _settings(port: int, **tls) -> SmtpSettings:
    return SmtpSettings("127.0.0.1", port, "alerts", "s3cret", "alerts@openbook.test", **tls)


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "implicit-tls"])
def test_a_server_with_an_untrusted_certificate_is_refused_before_the_password(certificate, implicit):
    controller, inbox, port = _server(certificate, implicit=implicit)
    try:
        with pytest.raises(MailError, match="certificate verify failed"):
            send(_settings(port, starttls=not implicit, implicit_tls=implicit), [compose("bob@example.org", [ALERT])])
    finally:
        controller.stop()
    assert inbox.received == []


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "implicit-tls"])
def test_a_server_whose_certificate_is_trusted_gets_the_mail(certificate, implicit):
    controller, inbox, port = _server(certificate, implicit=implicit)
    try:
        send(_settings(port, starttls=not implicit, implicit_tls=implicit, ca_file=str(certificate[0])),
             [compose("bob@example.org", [ALERT])])
    finally:
        controller.stop()
    assert inbox.received == [(["bob@example.org"], True)]


def test_port_465_means_implicit_tls_and_587_starttls(certificate):
    ssl_port = SmtpSettings.from_env({"OPENBOOK_SMTP_HOST": "mail.example.org", "OPENBOOK_SMTP_PORT": "465"})
    submission = SmtpSettings.from_env({"OPENBOOK_SMTP_HOST": "mail.example.org"})
    assert (ssl_port.implicit_tls, ssl_port.starttls) == (True, False)
    assert (submission.implicit_tls, submission.starttls, submission.port) == (False, True, 587)
    trusted = SmtpSettings.from_env({"OPENBOOK_SMTP_HOST": "h", "OPENBOOK_SMTP_CA_FILE": str(certificate[0])})
    assert trusted.ca_file == str(certificate[0])
