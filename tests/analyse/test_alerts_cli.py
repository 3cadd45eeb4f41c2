"""The faces of alerts, review and quality: `openbook subscribe`, `alerts run` to an outbox and through
a real local SMTP server (aiosmtpd), `review`, `precision` and `quality`, in process."""

from __future__ import annotations

import socket
from datetime import date
from decimal import Decimal
from email import message_from_bytes, policy

import pytest

from openbook.analyse.findings import Finding, save_findings
from openbook.cli import app

MONTHS = [date(2024, 4 + i, 1) if i < 9 else date(2025, i - 8, 1) for i in range(12)]
TITLE = ("Barnet Test Council's Digital, data and technology spend rose from a typical £12k a month to £30k "
         "from November 2024")


@pytest.fixture
def stepped(writer, book):
    """As in test_alerts: 12 digital lines of £1,000 a month, £2,500 from November 2024. The book is
    closed so the CLI can open it."""
    writer.organisation("XX-BARNET", "london-borough", name="Barnet Test Council")
    for i, month in enumerate(MONTHS):
        writer.add("spend", [{"org_id": "XX-BARNET", "paid_on": month.replace(day=10), "date_precision": "day",
                              "amount_gbp": Decimal("2500" if i >= 7 else "1000"), "supplier_name": "Acme Ltd",
                              "function": "digital"} for _ in range(12)], file=f"{month:%Y-%m}.csv")
    book.close()
    return book.path


def _invoke(runner, *args, env=None):
    result = runner.invoke(app, [str(a) for a in args], env=env)
    assert "Traceback" not in result.output
    return result


def test_outbox_emails_parse_and_carry_the_alert_once(stepped, runner, tmp_path):
    assert _invoke(runner, "subscribe", "ann@example.org", "--org", "Barnet Test Council", "-b", stepped).exit_code == 0
    outbox = tmp_path / "outbox"
    result = _invoke(runner, "alerts", "run", "-b", stepped, "--outbox", outbox)
    assert result.exit_code == 0, result.output
    assert "ann@example.org: 2 alerts" in result.output
    (path,) = sorted(outbox.glob("*.eml"))
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] == "ann@example.org" and message["Subject"] == "2 new alerts from openbook"
    body = message.get_content()
    assert TITLE in body and "+£18k a month (+150%)" in body
    assert "Barnet Test Council's spend rose from a typical £12k a month to £30k from November 2024" in body
    # Suppression: a second run finds the same alerts and sends nothing.
    again = _invoke(runner, "alerts", "run", "-b", stepped, "--outbox", outbox)
    assert "No subscriber has a new alert." in again.output and len(list(outbox.glob("*.eml"))) == 1
    listed = _invoke(runner, "alerts", "list", "-b", stepped, "--json")
    assert TITLE in listed.output


class _Inbox:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.rcpt_tos, envelope.content, session.authenticated))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_smtp_delivery_through_a_real_local_server(stepped, runner):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    def authenticate(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"alerts", b"s3cret"))

    inbox, port = _Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticate,
                            auth_require_tls=False)
    controller.start()
    try:
        env = {"OPENBOOK_SMTP_HOST": "127.0.0.1", "OPENBOOK_SMTP_PORT": str(port), "OPENBOOK_SMTP_STARTTLS": "0",
               "OPENBOOK_SMTP_USER": "alerts", "OPENBOOK_SMTP_PASSWORD": "s3cret",
               "OPENBOOK_SMTP_FROM": "alerts@openbook.test"}
        _invoke(runner, "subscribe", "bob@example.org", "--org", "XX-BARNET", "-b", stepped)
        result = _invoke(runner, "alerts", "run", "-b", stepped, env=env)
        assert result.exit_code == 0, result.output
        assert f"bob@example.org: 2 alerts → 127.0.0.1:{port}" in result.output
    finally:
        controller.stop()
    ((to, content, authenticated),) = inbox.received
    assert to == ["bob@example.org"] and authenticated
    message = message_from_bytes(content, policy=policy.default)
    assert message["From"] == "alerts@openbook.test" and TITLE in message.get_content()


def test_an_unreachable_smtp_server_is_one_sentence_and_nothing_is_marked_sent(stepped, runner, tmp_path):
    env = {"OPENBOOK_SMTP_HOST": "127.0.0.1", "OPENBOOK_SMTP_PORT": str(_free_port()), "OPENBOOK_SMTP_STARTTLS": "0"}
    _invoke(runner, "subscribe", "bob@example.org", "--org", "XX-BARNET", "-b", stepped)
    failed = _invoke(runner, "alerts", "run", "-b", stepped, env=env)
    assert failed.exit_code == 1 and "could not send through 127.0.0.1" in failed.output
    # Nothing was recorded as delivered, so the outbox still gets both alerts.
    sent = _invoke(runner, "alerts", "run", "-b", stepped, "--outbox", tmp_path / "out")
    assert "bob@example.org: 2 alerts" in sent.output
    bad = _invoke(runner, "alerts", "run", "-b", stepped, env={"OPENBOOK_SMTP_HOST": "x", "OPENBOOK_SMTP_PORT": "ab"})
    assert bad.exit_code == 2 and "OPENBOOK_SMTP_PORT is 'ab', not a port number" in bad.output


def test_review_precision_and_export_from_the_command_line(book, runner, tmp_path):
    finding = Finding("duplicate-payment", "payments", ["XX-A"], "Invoice 1 paid twice", Decimal("250"), "f", 0.9,
                      [("b" * 64, 2)])
    save_findings(book, "payments", [finding])
    book.close()
    fid = finding.finding_id
    first = _invoke(runner, "review", fid, "false", "--by", "bob", "-b", book.path)
    assert first.exit_code == 0 and "Invoice 1 paid twice" in first.output
    second = _invoke(runner, "review", fid, "confirmed", "--by", "ann", "--note", "no refund", "-b", book.path)
    assert "no refund" in second.output and "bob" in second.output  # the history, both verdicts
    shown = _invoke(runner, "precision", "-b", book.path)
    assert "100% of 1" in shown.output
    wrong = _invoke(runner, "review", fid, "dismissed", "--by", "ann", "-b", book.path)
    assert wrong.exit_code == 2 and "'dismissed' is not a verdict" in wrong.output
    export = tmp_path / "verdicts.csv"
    assert "Wrote 2 verdicts" in _invoke(runner, "review", "--export", export, "-b", book.path).output
    assert export.read_text(encoding="utf-8").count(fid) == 2


def test_quality_command(stepped, runner):
    table = _invoke(runner, "quality", "-b", stepped)
    assert table.exit_code == 0 and "Barnet Test Council" in table.output and "12/12" in table.output
    detail = _invoke(runner, "quality", "-b", stepped, "--org", "Barnet Test Council")
    assert "Spend months: 12 of 12 from Apr 2024 to Mar 2025; missing: none" in detail.output
    assert "missing: organogram, contracts" in detail.output
    unknown = _invoke(runner, "quality", "-b", stepped, "--org", "Nowhere")
    assert unknown.exit_code == 2 and "'Nowhere' is not a body" in unknown.output


def test_subscribe_refuses_in_words(stepped, runner):
    both = _invoke(runner, "subscribe", "ann@example.org", "-b", stepped)
    assert both.exit_code == 2 and "one body (--org) or one measure (--measure)" in both.output
    assert _invoke(runner, "unsubscribe", "nobody@example.org", "-b", stepped).exit_code == 2
