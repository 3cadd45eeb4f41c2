"""The REST API: lists, cursor pages, filters, downloads and the one error envelope."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pyarrow.parquet as pq


def test_spend_pages_by_cursor_cover_every_row_once(client):
    whole = client.get("/api/v1/spend", params={"limit": 1000}).json()
    assert whole["count"] > 4 and whole["next_cursor"] is None
    seen, cursor = [], None
    while True:
        page = client.get("/api/v1/spend", params={"limit": 2, "cursor": cursor, "sort": "amount_gbp"}).json()
        seen += [(r["source_sha256"], r["source_line"]) for r in page["rows"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted((r["source_sha256"], r["source_line"]) for r in whole["rows"])
    assert len(seen) == len(set(seen))


def test_filters_narrow_the_rows(client):
    rows = client.get("/api/v1/spend", params={"amount_min": "1000", "limit": 1000}).json()["rows"]
    assert rows and all(Decimal(r["amount_gbp"]) >= 1000 for r in rows)
    everything = client.get("/api/v1/spend", params={"limit": 1000}).json()["count"]
    assert len(rows) < everything


# The web book's fixtures: amount-styles.csv 6 lines (-2,469.18), everything-wrong.csv 4 (1,114.56),
# preamble-rows.csv 2 (1,300.50).
FIXTURE_LINES, FIXTURE_TOTAL = 12, Decimal("-54.12")


def test_downloads_hold_the_same_rows_in_every_format(client):
    page = client.get("/api/v1/spend", params={"limit": 1000}).json()["rows"]
    assert len(page) == FIXTURE_LINES
    as_csv = client.get("/api/v1/spend", params={"format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert len(list(csv.DictReader(io.StringIO(as_csv.text)))) == len(page)
    as_json = json.loads(client.get("/api/v1/spend", params={"format": "json"}).content)
    assert len(as_json) == len(page)
    parquet = pq.read_table(io.BytesIO(client.get("/api/v1/spend", params={"format": "parquet"}).content))
    assert parquet.num_rows == len(page)
    xlsx = client.get("/api/v1/spend", params={"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"


def test_every_failure_uses_the_error_envelope(client):
    for url, status, code in [("/api/v1/spend?org=Nowhere", 404, "not-found"),
                              ("/api/v1/spend?limit=0", 422, "invalid-request"),
                              ("/api/v1/spend?cursor=rubbish", 400, "bad-cursor"),
                              ("/api/v1/nothing-here", 404, "not-found"),
                              # well-formed, but the model cannot run it: 400, never 422 (which means malformed)
                              ("/api/v1/savings?cost_per_post=-5", 400, "bad-input"),
                              ("/api/v1/savings?years=10&horizon=5", 400, "bad-input")]:
        response = client.get(url)
        assert response.status_code == status, url
        assert response.json()["error"]["code"] == code


def test_aggregates_add_up_to_the_headline(client):
    by_body = client.get("/api/v1/aggregates/spend", params={"by": "org_id"}).json()["rows"]
    every = client.get("/api/v1/spend", params={"limit": 1000}).json()["rows"]
    assert sum(Decimal(r["total_gbp"]) for r in by_body) == sum(Decimal(r["amount_gbp"]) for r in every) == FIXTURE_TOTAL
    assert sum(r["lines"] for r in by_body) == len(every) == FIXTURE_LINES


def test_the_openapi_document_lists_the_api(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/spend", "/api/v1/organisations", "/api/v1/findings", "/api/v1/sources", "/api/v1/problems",
            "/api/v1/aggregates/spend"} <= set(paths)
