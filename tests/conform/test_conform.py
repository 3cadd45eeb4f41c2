"""The conformance runner against real reference systems: every conforming one passes, the planted
violations are caught, the run stays within its bounds and its certificate verifies."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from openbook.conform import BLOCKS, run
from openbook.conform import certificate as cert
from openbook.errors import UsageError
import ref_payments
from ref_common import TOKEN
from ref_server import SYSTEMS, conforming, serving

VARIANTS = [(block, name) for block, module in SYSTEMS.items() for name in conforming(module)]
PLANTED = [(block, name) for block, module in SYSTEMS.items() for name in module.VIOLATIONS]


@pytest.mark.parametrize("block", BLOCKS)
def test_each_conforming_reference_system_passes_every_check(reference_url, block):
    report = run(block, f"{reference_url}/{block}/ok", TOKEN)
    failed = [(c.step, c.aspect, c.detail) for c in report.checks if c.result != "pass"]
    assert report.result == "conforming" and failed == []
    assert report.counts()["pass"] >= 20 and 0 < report.requests <= 200
    operations = {c.operation for c in report.checks}
    assert "" not in {c.operation for c in report.checks if c.aspect in ("status", "refused")}
    assert len(operations - {""}) >= 3  # every operation of the interface, by method and path


@pytest.mark.parametrize("block,name", VARIANTS)
def test_variants_the_interface_allows_conform_too(reference_url, block, name):
    report = run(block, f"{reference_url}/{block}/{name}", TOKEN)
    assert report.result == "conforming", [(c.step, c.aspect, c.detail) for c in report.checks if c.result == "fail"]


def test_at_least_95_percent_of_planted_violations_are_caught(reference_url):
    assert len(PLANTED) >= 20 and {block for block, _ in PLANTED} == set(BLOCKS)
    missed = [(block, name) for block, name in PLANTED
              if run(block, f"{reference_url}/{block}/{name}", TOKEN).result != "not conforming"]
    assert 1 - len(missed) / len(PLANTED) >= 0.95, missed


@pytest.mark.parametrize("block,name,step,aspect", [
    ("payments", "not-idempotent", "retry with the same Idempotency-Key", "same resource"),
    ("payments", "next-link-broken", "search payments, one a page, next page", "status"),
    ("payments", "next-link-off-origin", "search payments, one a page, next page", "answered"),
    ("payments", "error-envelope", "get an unknown payment", "error envelope required fields"),
    ("payments", "amount-as-string", "create a payment", "response schema"),
    ("payments", "get-missing-reference", "get the payment", "response required fields"),
    ("notifications", "auth-not-enforced", "send an email", "refused without credentials"),
    ("identity", "no-challenge", "userinfo without a token", "WWW-Authenticate: Bearer"),
    ("booking", "cancel-twice", "cancel it again", "status"),
])
def test_a_violation_fails_the_check_that_names_it(reference_url, block, name, step, aspect):
    report = run(block, f"{reference_url}/{block}/{name}", TOKEN)
    assert (step, aspect) in {(c.step, c.aspect) for c in report.checks if c.result == "fail"}


@pytest.fixture
def elsewhere():
    """A listener on another port of the same host: another origin, which must hear nothing."""
    heard = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            heard.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    before = dict(ref_payments.ELSEWHERE)
    ref_payments.ELSEWHERE["url"] = f"http://127.0.0.1:{server.server_port}"
    yield heard
    ref_payments.ELSEWHERE.update(before)
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("variant", ["next-link-off-origin", "redirect-elsewhere"])
def test_another_origin_is_never_contacted(reference_url, elsewhere, variant):
    report = run("payments", f"{reference_url}/payments/{variant}", TOKEN)
    assert report.result == "not conforming" and elsewhere == []


def test_the_run_stops_at_its_request_budget_and_says_it_is_incomplete(reference_url):
    report = run("payments", f"{reference_url}/payments/ok", TOKEN, max_requests=5)
    assert report.requests == 5 and "budget of 5 requests" in report.stopped
    assert report.result == "incomplete"


def test_the_run_stops_at_its_deadline_however_slow_the_system():
    async def slow(request):
        await asyncio.sleep(3)
        return JSONResponse({})

    with serving(Starlette(routes=[Route("/{path:path}", slow, methods=["GET", "POST"])])) as url:
        began = time.monotonic()
        report = run("booking", url, TOKEN, timeout=1.5)
        assert time.monotonic() - began < 2.5
    assert report.result != "conforming" and report.requests <= 2
    assert "time is up" in report.stopped or any("timed out" in c.detail for c in report.checks)


def test_without_the_token_the_run_fails_and_identity_skips_what_needs_one(reference_url):
    assert run("payments", f"{reference_url}/payments/ok").result == "not conforming"
    identity = run("identity", f"{reference_url}/identity/ok")
    skipped = [c for c in identity.checks if c.result == "skip"]
    assert identity.result == "conforming" and skipped and "no --token" in skipped[0].detail


def test_an_unknown_block_or_url_is_a_usage_error():
    with pytest.raises(UsageError, match="no interface for the block"):
        run("payroll", "http://127.0.0.1:9")
    with pytest.raises(UsageError, match="not an http"):
        run("payments", "ftp://example.org")


def test_an_unreachable_system_fails_rather_than_crashing():
    report = run("booking", "http://127.0.0.1:9", TOKEN, timeout=10)
    assert report.result == "not conforming" and all(c.result != "pass" for c in report.checks)


def test_a_certificate_verifies_until_edited_or_expired(reference_url, tmp_path):
    report = run("booking", f"{reference_url}/booking/ok", TOKEN)
    issued = cert.issue(report, body="E07000223", system="Bookings Pro")
    json_path, html_path = cert.write(issued, tmp_path)
    loaded = cert.read(json_path)
    assert cert.verify(loaded).intact and not cert.verify(loaded).expired
    assert cert.verify(loaded, today=date.fromisoformat(loaded["expires"]) + timedelta(days=1)).expired
    assert loaded["sha256"] in html_path.read_text(encoding="utf-8") and "Bookings Pro" in html_path.read_text()
    edited = {**loaded, "checks": loaded["checks"][1:]}
    assert not cert.verify(edited).intact
    flipped = json.loads(json_path.read_text())
    flipped["result"] = "conforming" if loaded["result"] != "conforming" else "not conforming"
    assert "edited" in cert.verify(flipped).message
