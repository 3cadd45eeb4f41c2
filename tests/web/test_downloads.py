"""Downloads of a whole list: CSV and JSON stream from DuckDB in batches, whole, with no
Content-Length and no row cap; Parquet and Excel are built whole."""

from __future__ import annotations

import csv
import io
import json

import pytest

from openbook.web import downloads


@pytest.fixture
def spend_lines(client) -> int:
    page = client.get("/api/v1/spend", params={"limit": 1000}).json()
    assert page["next_cursor"] is None and page["count"] >= 10
    return page["count"]


def test_csv_streams_every_row_in_batches_without_a_length(client, spend_lines, monkeypatch):
    monkeypatch.setattr(downloads, "BATCH_ROWS", 3)  # several batches even from a small book
    response = client.get("/api/v1/spend", params={"format": "csv"})
    assert response.status_code == 200 and "content-length" not in response.headers
    assert response.headers["content-disposition"] == 'attachment; filename="spend.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == spend_lines and len({(r["source_sha256"], r["source_line"]) for r in rows}) == spend_lines


def test_json_streams_one_array_of_every_row(client, spend_lines, monkeypatch):
    monkeypatch.setattr(downloads, "BATCH_ROWS", 4)
    response = client.get("/api/v1/spend", params={"format": "json"})
    assert response.status_code == 200 and "content-length" not in response.headers
    rows = json.loads(response.content)
    assert len(rows) == spend_lines and all("amount_gbp" in r for r in rows)
    page = client.get("/api/v1/spend", params={"limit": 1000}).json()["rows"]
    assert sorted(r["source_line"] for r in rows) == sorted(r["source_line"] for r in page)


def test_an_empty_list_streams_a_header_and_an_empty_array(client):
    nothing = {"amount_min": "99999999"}
    csv_text = client.get("/api/v1/spend", params={**nothing, "format": "csv"}).text
    assert csv_text.splitlines() == [csv_text.splitlines()[0]] and "amount_gbp" in csv_text
    assert client.get("/api/v1/spend", params={**nothing, "format": "json"}).json() == []


def test_parquet_and_excel_are_whole_files_with_their_row_count(client, spend_lines):
    for fmt in ("parquet", "xlsx"):
        response = client.get("/api/v1/spend", params={"format": fmt})
        assert response.status_code == 200 and response.headers["x-openbook-rows"] == str(spend_lines)
