"""What a publisher writes is data, never code: formulas are neutralised in CSV and Excel downloads,
script tags are kept verbatim in JSON and escaped in pages, and numbers stay numbers."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from fastapi.testclient import TestClient

from openbook.ingest import ingest_file
from openbook.store import Book
from openbook.web import create_app

FORMULA = '=HYPERLINK("http://x","y")'
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def client(tmp_path, fixtures):
    path = tmp_path / "injection.duckdb"
    with Book(path) as book:
        report = ingest_file(book, fixtures / "formula-and-script-names.csv")
        assert (report.accepted, report.quarantined) == (3, 0)
    with TestClient(create_app(path)) as test_client:
        yield test_client


def _by_supplier(rows) -> dict:
    return {r["supplier_name"]: r for r in rows}


def test_json_keeps_what_the_publisher_wrote(client):
    page = _by_supplier(client.get("/api/v1/spend").json()["rows"])
    download = _by_supplier(json.loads(client.get("/api/v1/spend", params={"format": "json"}).content))
    for rows in (page, download):
        assert set(rows) == {FORMULA, SCRIPT, "Acme Ltd"}
        assert rows[SCRIPT]["description"] == "@SUM(1+1)" and rows["Acme Ltd"]["amount_gbp"] == "-250.00"


def test_csv_neutralises_formulas_but_not_numbers(client):
    rows = _by_supplier(csv.DictReader(io.StringIO(client.get("/api/v1/spend", params={"format": "csv"}).text)))
    assert set(rows) == {"'" + FORMULA, SCRIPT, "Acme Ltd"}
    assert rows[SCRIPT]["description"] == "'@SUM(1+1)"
    assert rows["Acme Ltd"]["description"] == "'+44 161 912 2000"
    assert rows["Acme Ltd"]["amount_gbp"] == "-250.00"  # a credit is a number, not a formula


def test_excel_holds_text_as_text_and_numbers_as_numbers(client):
    content = client.get("/api/v1/spend", params={"format": "xlsx"}).content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [c.value for c in sheet[1]]
    cells = {row[header.index("supplier_name")].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(cells) == {FORMULA, SCRIPT, "Acme Ltd"}
    formula = cells[FORMULA][header.index("supplier_name")]
    assert (formula.data_type, formula.value, formula.quotePrefix) == ("s", FORMULA, True)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    credit = cells["Acme Ltd"][header.index("amount_gbp")]
    assert (credit.data_type, credit.value) == ("n", -250.0)


def test_other_lists_neutralise_too(client):
    suppliers = client.get("/api/v1/aggregates/spend", params={"by": "supplier_name", "format": "csv"}).text
    assert "'" + FORMULA.replace('"', '""') in suppliers and "\n=" not in suppliers and ",=" not in suppliers


def test_pages_escape_what_a_publisher_wrote(client):
    page = client.get("/")
    assert page.status_code == 200 and SCRIPT not in page.text
