"""A body's publication health, hand-worked: which months have a spend file, what was quarantined."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from openbook.analyse import bodies
from openbook.ingest.records import to_arrow
from openbook.store.book import SourceRecord


def _file(book, name: str, *, paid: list[date], period: tuple[date, date] | None = None, quarantined: int = 0,
          status: str = "current", publisher: str = "XX-A") -> str:
    """One spend file of `publisher` with a line paid on each date, and `quarantined` rows that failed."""
    sha = name.encode().hex().ljust(64, "0")[:64]
    rows = [{"org_id": publisher, "paid_on": d, "date_precision": "day", "amount_gbp": Decimal("10.00"),
             "supplier_name": "Acme Ltd", "source_line": i + 2} for i, d in enumerate(paid)]
    with book.loading() as loader:
        if rows:
            loader.add_records("spend", to_arrow("spend", rows, sha))
        if quarantined:
            problems = [{"source_sha256": sha, "source_line": 100 + i, "table_name": "spend", "severity": "error",
                         "code": "amount-not-a-number", "message": "not a number"} for i in range(quarantined)]
            loader.add_problems(to_arrow("quarantine", problems, sha))
        book.record_source(SourceRecord(
            sha, name, name, 1, "spend", "test", "csv", publisher=publisher,
            period_start=period[0] if period else None, period_end=period[1] if period else None,
            rows_read=len(rows) + quarantined + 1, rows_accepted=len(rows), rows_quarantined=quarantined,
            rows_structural=1, status=status))
    return sha


def test_months_without_a_current_file_between_the_first_and_the_last(book):
    book.upsert_organisations([{"org_id": "XX-A", "name": "A Council", "kind": "district-council"}])
    _file(book, "2024-01.csv", paid=[date(2024, 1, 5)], period=(date(2024, 1, 1), date(2024, 1, 31)))
    _file(book, "q2.csv", paid=[date(2024, 4, 2)], period=(date(2024, 4, 1), date(2024, 6, 30)), quarantined=1)
    _file(book, "undated.csv", paid=[date(2024, 8, 9), date(2024, 8, 10)])  # no period: its lines' months count
    _file(book, "2024-02.csv", paid=[], status="rejected")  # rejected: February still has no current file
    coverage = bodies.month_coverage(book, "XX-A")
    assert [(c["month"].month, c["files"], c["rows_accepted"]) for c in coverage] == [
        (1, 1, 1), (2, 0, 0), (3, 0, 0), (4, 1, 1), (5, 1, 1), (6, 1, 1), (7, 0, 0), (8, 1, 2)]
    assert [c["rows_quarantined"] for c in coverage if c["month"].month in (4, 5, 6)] == [1, 1, 1]


def test_quarantine_by_code_is_a_share_of_the_bodys_data_rows(book):
    book.upsert_organisations([{"org_id": "XX-A", "name": "A Council", "kind": "district-council"}])
    _file(book, "a.csv", paid=[date(2024, 1, 5)] * 3, quarantined=1)
    _file(book, "other.csv", paid=[date(2024, 1, 5)], quarantined=5, publisher="XX-B")
    rows = bodies.quarantine_by_code(book, "XX-A")
    assert rows == [{"code": "amount-not-a-number", "severity": "error", "rows": 1, "files": 1, "share": 0.25}]
    summary = {r["org_id"]: r for r in bodies.summaries(book).to_pyarrow().to_pylist()}
    assert summary["XX-A"]["quarantine_share"] == 0.25 and summary["XX-A"]["lines"] == 3
