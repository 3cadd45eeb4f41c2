"""The generator's truth, recovered by ingest: per-file counts, money, and every planted bad row."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from openbook.ingest.paths import expand_paths
from openbook.ingest import ingest_file
from openbook.store import Book
from openbook.synth import generate


@pytest.fixture(scope="module")
def sector(tmp_path_factory):
    out = tmp_path_factory.mktemp("sector")
    generate(out, seed=7, rows=30_000)
    book = Book(out / "book.duckdb")
    paths = expand_paths([str(out / "organisations.csv"), str(out / "spend")])
    reports = {str(Path(r.path).relative_to(out)): r for r in (ingest_file(book, path) for path in paths)}
    yield out, book, reports
    book.close()


def _truth(out: Path, name: str) -> list[dict]:
    with open(out / "truth" / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_generated_file_reconciles_with_its_truth(sector):
    out, book, reports = sector
    files = _truth(out, "files.csv")
    assert len(files) > 100
    for truth in files:
        report = reports[truth["file"]]
        if truth["dialect"] == "nil-return":
            assert (report.status, report.rejection.code) == ("rejected", "nil-return"), truth["file"]
            continue
        expected = (int(truth["rows_read"]), int(truth["data_rows"]) - int(truth["bad_rows"]),
                    int(truth["bad_rows"]), int(truth["structural_rows"]), int(truth["amount_good_pence"]))
        got = (report.rows_read, report.accepted, report.quarantined, report.structural, report.amount_pence)
        assert got == expected, truth["file"]
        assert report.publisher == truth["org_id"]


def test_every_planted_bad_row_is_quarantined_with_its_code_and_nothing_else_is(sector):
    out, book, reports = sector
    planted = {(row["file"], int(row["line"]), row["code"]) for row in _truth(out, "bad_rows.csv")}
    assert len(planted) > 20
    by_sha = {r.sha256: name for name, r in reports.items()}
    found = {(by_sha[sha], line, code) for sha, line, code in book.query(
        "SELECT source_sha256, source_line, code FROM quarantine WHERE severity = 'error' AND code NOT IN "
        "('nil-return')")}
    assert found == planted


def test_planted_duplicates_are_in_the_book_at_their_lines(sector):
    out, book, reports = sector
    duplicates = _truth(out, "duplicates.csv")
    assert len(duplicates) > 10
    lines = defaultdict(set)
    for name, report in reports.items():
        for (line,) in book.query("SELECT source_line FROM spend WHERE source_sha256 = ?", [report.sha256]):
            lines[name].add(line)
    missing = [d for d in duplicates if int(d["line"]) not in lines[d["file"]] or
               int(d["original_line"]) not in lines[d["original_file"]]]
    assert missing == []
