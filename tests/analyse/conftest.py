"""Books with known rows written straight into the standard's tables, for analyses' known answers."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest

from openbook.ingest.records import to_arrow
from openbook.store.book import SourceRecord


class BookWriter:
    """Writes records as if one file of each dataset held them, so evidence rows have a source."""

    def __init__(self, book):
        self.book = book
        self.lines: dict[str, int] = {}

    def sha(self, name: str) -> str:
        return hashlib.sha256(name.encode()).hexdigest()

    def add(self, table: str, rows: list[dict], *, file: str | None = None) -> str:
        file = file or f"{table}.csv"
        sha = self.sha(file)
        first = self.lines.get(file, 1)
        records = [{"source_line": first + i + 1, **row} for i, row in enumerate(rows)]
        self.lines[file] = first + len(rows)
        with self.book.loading() as loader:
            loader.add_records(table, to_arrow(table, records, sha))
            if not self.book.source(sha):
                self.book.record_source(SourceRecord(sha, file, file, 1, table, "test", "csv"))
        return sha

    def spend(self, org_id: str, amount: str | Decimal, *, paid_on: date = date(2024, 5, 1),
              supplier: str = "Acme Ltd", file: str | None = None, **fields) -> None:
        self.add("spend", [{"org_id": org_id, "paid_on": paid_on, "date_precision": "day",
                            "amount_gbp": Decimal(amount), "supplier_name": supplier, **fields}], file=file)

    def organisation(self, org_id: str, kind: str, *, population: int | None = None,
                     staff: float | None = None, name: str | None = None) -> None:
        self.book.upsert_organisations([{"org_id": org_id, "name": name or org_id, "kind": kind,
                                         "population_served": population, "staff_fte": staff}])


@pytest.fixture
def writer(book) -> BookWriter:
    return BookWriter(book)
