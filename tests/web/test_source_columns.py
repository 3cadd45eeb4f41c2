"""The source page and the API say which published column filled which field, and how sure the match is."""

from __future__ import annotations

from fastapi.testclient import TestClient

from openbook.ingest import ingest_file
from openbook.store import Book
from openbook.web import create_app

NUMBERED = ("1 Department Family,2 Entity,3 Date [dd/mm/yyyy],4 SupplierName,5 Ammount (£),6 Colour\n"
            "Department for Education,Department for Education,03/04/2020,Acme Ltd,12.50,red\n")


def test_the_source_page_and_api_show_each_columns_field_and_score(tmp_path):
    path = tmp_path / "numbered.csv"
    path.write_text(NUMBERED, encoding="utf-8")
    book_path = tmp_path / "web.duckdb"
    with Book(book_path) as book:
        report = ingest_file(book, path)
    assert report.accepted == 1
    with TestClient(create_app(book_path)) as client:
        rows = client.get("/api/v1/sources").json()["rows"]
        columns = {c["column"]: c for c in rows[0]["columns"]}
        assert columns["4 SupplierName"]["field"] == "supplier_name"
        assert columns["5 Ammount (£)"]["field"] == "amount_gbp"
        assert columns["5 Ammount (£)"]["how"] == "close-spelling" and 0.86 <= columns["5 Ammount (£)"]["score"] < 1
        assert columns["6 Colour"]["field"] is None
        page = client.get(f"/sources/{report.sha256}")
        assert page.status_code == 200
        assert 'id="columns"' in page.text and "3 Date [dd/mm/yyyy]" in page.text and "close-spelling" in page.text
