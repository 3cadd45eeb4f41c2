"""Conformance certificates on the capabilities page and in the API: each block's interface, who
conforms and who not, and the map's cells marked."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from fastapi.testclient import TestClient

from openbook.conform import certificate as cert
from openbook.conform.load import load
from openbook.conform.session import Check, Report
from openbook.ingest.records import to_arrow
from openbook.store import Book
from openbook.store.book import SourceRecord
from openbook.web import create_app

GSS = ("E07000223", "E07000224", "E07000225")  # three district councils, by their GSS codes


def _book(tmp_path):
    path = tmp_path / "conformance.duckdb"
    with Book(path) as book:
        bodies = [book.require_org(code) for code in GSS]
        sha = hashlib.sha256(b"systems.csv").hexdigest()
        rows = [{"source_line": i + 2, "org_id": org, "system_ref": "S1", "name": "Pay", "product": "PayCo",
                 "capability": "payments", "annual_cost_gbp": Decimal(40000), "users": 50}
                for i, org in enumerate(bodies)]
        with book.loading() as loader:
            loader.add_records("system", to_arrow("system", rows, sha))
            book.record_source(SourceRecord(sha, "systems.csv", "systems.csv", 1, "system", "test", "csv"))
        for org, outcome in ((bodies[0], "pass"), (bodies[1], "fail")):
            report = Report("payments", "1.0.3", f"https://{org}.example.org", "2026-12-01T09:00:00+00:00")
            report.checks = [Check("status", "create a payment", "status", outcome)]
            json_path, _ = cert.write(cert.issue(report, body=org, system="PayCo"), tmp_path / org)
            load(book, [json_path])
    return path, bodies


def test_the_page_and_the_api_say_who_conforms(tmp_path):
    path, bodies = _book(tmp_path)
    with TestClient(create_app(path)) as client:
        page = client.get("/capabilities")
        assert page.status_code == 200
        assert "Standard interfaces and who conforms" in page.text and "payments.openapi.json" in page.text
        assert 'class="conforming"' in page.text and 'class="not-conforming"' in page.text
        blocks = {r["block"]: r for r in client.get("/api/v1/conformance/blocks").json()["rows"]}
        assert set(blocks) == {"payments", "notifications", "identity", "booking"}
        assert blocks["payments"]["conforming"] == [f"{bodies[0]}: PayCo"]
        assert blocks["payments"]["not_conforming"] == [f"{bodies[1]}: PayCo"]
        cells = client.get("/api/v1/aggregates/capability-map", params={"capability": "payments"}).json()["rows"]
        assert {c["org_id"]: c["conformance"] for c in cells} == {
            bodies[0]: "conforming", bodies[1]: "not conforming", bodies[2]: "untested"}
        listed = client.get("/api/v1/conformance", params={"org": bodies[1]}).json()
        assert listed["count"] == 1 and listed["rows"][0]["result"] == "not conforming"
        assert client.get("/api/v1/conformance/blocks", params={"format": "csv"}).status_code == 200
        assert client.get("/api/v1/conformance", params={"org": "no such body anywhere"}).status_code == 404
        assert client.get("/methodology/conformance").status_code == 200
