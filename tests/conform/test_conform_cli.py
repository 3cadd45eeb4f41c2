"""`openbook conform` as users meet it: run against the reference payments service, a certificate
that verifies, an edited one that does not, and certificates loaded into a book."""

from __future__ import annotations

import json

from openbook.cli import app
import ref_payments
from ref_common import TOKEN
from ref_server import serving


def _certificate(out):
    (path,) = out.glob("conformance-*.json")
    return path


def test_conform_payments_passes_and_issues_a_certificate_that_verifies(runner, tmp_path):
    out = tmp_path / "certs"
    with serving(ref_payments.app()) as url:  # the reference payments service alone, at the root
        result = runner.invoke(app, ["conform", "payments", url, "--token", TOKEN,
                                     "--out", str(out), "--org", "E07000223", "--system", "PayCo"])
    assert result.exit_code == 0, result.output
    assert "conforming" in result.stdout and "Traceback" not in result.output
    path = _certificate(out)
    assert path.with_suffix(".html").exists()
    verified = runner.invoke(app, ["conform", "verify", str(path)])
    assert verified.exit_code == 0 and "intact" in verified.stdout
    certificate = json.loads(path.read_text())
    certificate["checks"][0]["result"] = "skip"
    path.write_text(json.dumps(certificate))
    edited = runner.invoke(app, ["conform", "verify", str(path), "--json"])
    assert edited.exit_code == 1 and json.loads(edited.stdout)[0]["intact"] is False


def test_a_violating_system_exits_1_with_its_failures_in_json(runner, reference_url, tmp_path):
    result = runner.invoke(app, ["conform", "booking", f"{reference_url}/booking/not-idempotent", "--token", TOKEN,
                                 "--out", str(tmp_path), "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["result"] == "not conforming" and payload["counts"]["fail"] >= 1
    assert any(c["aspect"] == "same resource" and c["result"] == "fail" for c in payload["checks"])


def test_certificates_load_into_the_book(runner, reference_url, tmp_path):
    book = tmp_path / "book.duckdb"
    assert runner.invoke(app, ["init", "--book", str(book)]).exit_code == 0
    run = runner.invoke(app, ["conform", "identity", f"{reference_url}/identity/ok", "--token", TOKEN,
                              "--out", str(tmp_path), "--org", "E07000223", "--system", "SignIn"])
    assert run.exit_code == 0, run.output
    loaded = runner.invoke(app, ["conform", "load", str(_certificate(tmp_path)), "--book", str(book), "--json"])
    assert loaded.exit_code == 0, loaded.output
    (row,) = json.loads(loaded.stdout)
    assert (row["block"], row["system"], row["result"]) == ("identity", "SignIn", "conforming")


def test_usage_errors_are_one_sentence_and_exit_2(runner, tmp_path):
    for args in (["conform", "payroll", "http://127.0.0.1:9"], ["conform", "payments"],
                 ["conform", "verify"], ["conform", "payments", "http://x", "--fixture", "novalue"]):
        result = runner.invoke(app, [*args, "--out", str(tmp_path)])
        assert result.exit_code == 2 and "Traceback" not in result.output, args
    missing = runner.invoke(app, ["conform", "verify", str(tmp_path / "none.json")])
    assert missing.exit_code == 1 and "cannot read" in missing.output
