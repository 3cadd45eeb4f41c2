"""Where the money goes, computed through Ibis, agrees with the rows it sums."""

from __future__ import annotations

from decimal import Decimal

from openbook.analyse.spending import book_totals, top_by
from openbook.ingest import ingest_file


def test_totals_and_top_suppliers_match_the_rows(book, fixtures, tmp_path):
    ingest_file(book, fixtures / "amount-styles.csv")
    first = ingest_file(book, fixtures / "everything-wrong.csv")
    totals = book_totals(book)
    assert totals["lines"] == 10 and totals["bodies"] == 1
    styles = Decimal("1234.56") - 4 * Decimal("1234.56") + Decimal("1234.50")
    assert totals["total_gbp"] == styles + Decimal("1114.56") == Decimal("-1354.62")
    assert totals["sources"] == {"current": 2}
    suppliers = top_by(book, "supplier_name", limit=3)
    assert [row["supplier_name"] for row in suppliers] == ["A Ltd", "Acme Ltd", "E Ltd"]
    assert suppliers[0]["total_gbp"] == Decimal("1234.56") and suppliers[0]["lines"] == 1
    bodies = top_by(book, "org_id")
    assert bodies == [{"org_id": "GB-LAE-TRF", "total_gbp": totals["total_gbp"], "lines": 10, "share": 1.0,
                       "name": "Trafford Metropolitan Borough Council"}]
    assert first.accepted == 4
