"""Reading in worker processes and writing in this one gives the same book as reading here."""

from __future__ import annotations

from openbook.ingest.paths import expand_paths
from openbook.ingest.parallel import ingest_paths
from openbook.store import Book
from openbook.synth import generate

SUMMARY = """SELECT s.file_name, s.status, s.rows_read, s.rows_accepted, s.rows_quarantined, s.rows_structural,
                    s.amount_accepted_gbp, s.publisher, (SELECT count(*) FROM quarantine q WHERE q.source_sha256 = s.sha256)
             FROM source s ORDER BY s.path"""


def test_parallel_and_sequential_ingest_build_the_same_book(tmp_path):
    data = tmp_path / "sector"
    generate(data, rows=8_000, seed=3, bodies=8, months=3)
    files = expand_paths([str(data / "organisations.csv"), str(data / "spend")])
    books = {}
    for jobs in (1, 2):
        with Book(tmp_path / f"book-{jobs}.duckdb") as book:
            reports = list(ingest_paths(book, files, jobs=jobs))
            assert [r.path for r in reports] == [str(p) for p in files]
            books[jobs] = (book.query(SUMMARY), book.query("SELECT sum(amount_gbp), count(*) FROM spend"))
    assert books[1] == books[2]
    assert books[1][1][0][1] > 7_000


def test_a_file_that_fails_to_write_leaves_no_trace_and_the_rest_of_its_group_is_kept(tmp_path, monkeypatch):
    import pytest

    from openbook.ingest import parallel

    data = tmp_path / "sector"
    generate(data, rows=4_000, seed=4, bodies=4, months=3)
    files = expand_paths([str(data / "organisations.csv"), str(data / "spend")])
    spend_files = [p for p in files if p.parent.parent.name == "spend" and p.suffix == ".csv"]
    target = spend_files[3]
    original = parallel.write_prepared

    def failing(book, report, collected):
        if report.path == str(target):
            raise OSError("disk full")
        return original(book, report, collected)

    monkeypatch.setattr(parallel, "write_prepared", failing)
    with Book(tmp_path / "book.duckdb") as book:
        with pytest.raises(OSError, match="disk full"):
            list(ingest_paths(book, files, jobs=2))
        loaded = {name for (name,) in book.query("SELECT path FROM source")}
        assert str(target) not in loaded
        assert {str(p) for p in files[: files.index(target)]} <= loaded
        lines = book.query("SELECT count(*) FROM spend WHERE source_sha256 NOT IN (SELECT sha256 FROM source)")
        assert lines == [(0,)]
