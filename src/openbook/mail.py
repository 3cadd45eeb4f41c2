"""Alert emails: one message per subscriber, written to an outbox folder or sent by SMTP.

The outbox (`.eml` files, RFC 5322 as Python's email package writes them) is what the demo uses:
any mail client opens them, and tests parse them back. Real sending reads its settings from the
environment only, so no password is ever stored in the book or typed on a command line:

    OPENBOOK_SMTP_HOST       the server (sending is off without it)
    OPENBOOK_SMTP_PORT       default 587
    OPENBOOK_SMTP_USER       log in as this user (no login when unset)
    OPENBOOK_SMTP_PASSWORD   with this password
    OPENBOOK_SMTP_FROM       the From address (default openbook@localhost)
    OPENBOOK_SMTP_SSL        1 for TLS from the first byte (implicit TLS, "SMTPS"), 0 not (default 1 on port 465)
    OPENBOOK_SMTP_STARTTLS   1 to upgrade with STARTTLS, 0 not to (default 1 on port 587, else 0)
    OPENBOOK_SMTP_CA_FILE    trust this CA bundle (PEM) too, for a server with a private certificate

Either kind of TLS verifies the server's certificate and name against the system's trusted
authorities (`ssl.create_default_context`): a password is never sent to a server that cannot
prove it is the one named.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from openbook.analyse.alerts import pending, record_delivery
from openbook.errors import MailError, UsageError
from openbook.store.book import Book

DEFAULT_SENDER = "openbook@localhost"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    user: str | None = None
    password: str | None = None
    sender: str = DEFAULT_SENDER
    starttls: bool = True
    implicit_tls: bool = False
    ca_file: str | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> SmtpSettings | None:
        """The settings in OPENBOOK_SMTP_*, or None when no host is set; bad values name their key."""
        env = os.environ if env is None else env
        host = env.get("OPENBOOK_SMTP_HOST", "").strip()
        if not host:
            return None
        raw_port = env.get("OPENBOOK_SMTP_PORT", "587").strip()
        if not raw_port.isdigit():
            raise UsageError(f"OPENBOOK_SMTP_PORT is {raw_port!r}, not a port number")
        port = int(raw_port)
        implicit = _flag(env, "OPENBOOK_SMTP_SSL", port == 465)
        tls = _flag(env, "OPENBOOK_SMTP_STARTTLS", port == 587 and not implicit)
        if implicit and tls:
            raise UsageError("OPENBOOK_SMTP_SSL and OPENBOOK_SMTP_STARTTLS are both 1; a server speaks one of them")
        ca_file = env.get("OPENBOOK_SMTP_CA_FILE", "").strip() or None
        if ca_file and not Path(ca_file).is_file():
            raise UsageError(f"OPENBOOK_SMTP_CA_FILE {ca_file!r} is not a file")
        return cls(host, port, env.get("OPENBOOK_SMTP_USER") or None, env.get("OPENBOOK_SMTP_PASSWORD") or None,
                   env.get("OPENBOOK_SMTP_FROM") or DEFAULT_SENDER, tls, implicit, ca_file)


def _flag(env, key: str, default: bool) -> bool:
    value = env.get(key, "1" if default else "0").strip()
    if value not in {"0", "1"}:
        raise UsageError(f"{key} is {value!r}; use 1 or 0")
    return value == "1"


def compose(to: str, alerts: list[dict], *, sender: str = DEFAULT_SENDER, book_name: str = "openbook") -> EmailMessage:
    """One plain-text email listing a subscriber's new alerts, each with its context and files."""
    message = EmailMessage()
    count = len(alerts)
    message["Subject"] = f"{count} new alert{'s' if count != 1 else ''} from {book_name}: {alerts[0]['title']}" \
        if count == 1 else f"{count} new alerts from {book_name}"
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain="openbook.local")
    parts = [f"openbook found {count} new alert{'s' if count != 1 else ''} on what you follow.\n"]
    for i, alert in enumerate(alerts, start=1):
        parts.append(f"{i}. {alert['title']}.\n   {alert['context']}\n   Alert id: {alert['alert_id']}")
        if alert.get("sources"):
            shown = ", ".join(sha[:12] for sha in alert["sources"][:5])
            more = f" and {len(alert['sources']) - 5} more" if len(alert["sources"]) > 5 else ""
            parts[-1] += f"\n   Files behind it (SHA-256): {shown}{more}"
    parts.append("\nEach alert is sent to you once. `openbook unsubscribe` stops them.")
    message.set_content("\n\n".join(parts) + "\n")
    return message


def write_outbox(folder: Path, message: EmailMessage) -> Path:
    """Write the message as <folder>/<date>-<address>-<n>.eml and return the path."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9@._-]", "_", str(message["To"]))
    n = 1
    while (path := folder / f"{stem}-{n:03d}.eml").exists():
        n += 1
    path.write_bytes(bytes(message))
    return path


def send(settings: SmtpSettings, messages: list[EmailMessage], timeout: float = 30.0) -> None:
    """Send messages over one SMTP connection; connection and login errors become one sentence."""
    try:
        context = ssl.create_default_context(cafile=settings.ca_file)  # verifies the certificate and the name
        if settings.implicit_tls:
            connection = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout, context=context)
        else:
            connection = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        with connection as smtp:
            if settings.starttls:
                smtp.starttls(context=context)
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            for message in messages:
                smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"could not send through {settings.host}:{settings.port}: {error} "
                         "(check OPENBOOK_SMTP_HOST, _PORT, _USER, _PASSWORD, _SSL, _STARTTLS and _CA_FILE)") from None


def deliver(book: Book, *, outbox: Path | None = None, smtp: SmtpSettings | None = None) -> list[dict]:
    """Send each subscriber one email of the stored alerts it has not had; record each delivery.

    An outbox wins over SMTP when both are given. Deliveries are recorded only after the message
    is written or accepted by the server, so a failed send is tried again next time.
    """
    if outbox is None and smtp is None:
        raise UsageError("nowhere to send: give --outbox DIR or set OPENBOOK_SMTP_HOST")
    sender = smtp.sender if smtp else DEFAULT_SENDER
    done = []
    for email, alerts in pending(book).items():
        message = compose(email, alerts, sender=sender)
        ids = [a["alert_id"] for a in alerts]
        if outbox is not None:
            where, via = str(write_outbox(outbox, message)), "outbox"
        else:
            send(smtp, [message])
            where, via = f"{smtp.host}:{smtp.port}", "smtp"
        record_delivery(book, email, ids, via, where)
        done.append({"email": email, "alerts": len(ids), "via": via, "where": where})
    return done
