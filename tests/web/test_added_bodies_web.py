"""Bodies users add appear in the API with who added them; the sources page names the bodies the book lacks."""

from __future__ import annotations

from fastapi.testclient import TestClient

from openbook.ingest import ingest_file
from openbook.store import Book
from openbook.web import create_app

SPEND = ("Body Name,Date,Supplier,Transaction Number,Amount\n"
         "Upper Fendle Parish Council,01/04/2024,Acme Ltd,T1,120.00\n"
         "Lower Fendle Parish Council,02/04/2024,Beta plc,T2,80.50\n")


def test_added_bodies_carry_added_by_and_unresolved_ones_name_their_fix(tmp_path):
    path, spend = tmp_path / "b.duckdb", tmp_path / "fendle.csv"
    spend.write_text(SPEND, encoding="utf-8")
    with Book(path) as book:
        upper = book.add_body(name="Upper Fendle Parish Council", kind="parish-council", added_by="dana")
        ingest_file(book, spend)
    with TestClient(create_app(path)) as client:
        rows = {r["org_id"]: r for r in client.get("/api/v1/organisations").json()["rows"]}
        assert rows[upper["org_id"]]["added_by"] == "dana" and rows[upper["org_id"]]["added_at"]
        assert rows[upper["org_id"]]["spend_lines"] == 1 and rows[upper["org_id"]]["kind"] == "parish-council"
        registry = [r for r in rows.values() if r["org_id"] != upper["org_id"]]
        assert registry and all(r["added_by"] is None for r in registry)
        page = client.get("/sources").text
        assert 'id="unresolved-bodies"' in page and "Lower Fendle Parish Council" in page
        assert "openbook orgs add" in page and "Upper Fendle Parish Council" not in page.split('id="sources"')[0]
