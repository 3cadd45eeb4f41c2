"""The book's promises: idempotent loads, supersession of corrected re-publications, atomicity."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from openbook.ingest import ingest_file
from openbook.store import Book
from openbook.store.book import pence_array


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(["Body Name,Date,Supplier,Transaction Number,Amount", *lines]) + "\n")
    return path


def _month(prefix: str, count: int, change: dict[int, str] | None = None) -> list[str]:
    change = change or {}
    return [f"Trafford Council,{1 + i % 28:02d}/05/2024,Supplier {i},{prefix}{i},{change.get(i, f'{100 + i}.00')}"
            for i in range(count)]


def test_loading_the_same_bytes_again_changes_nothing(book, tmp_path):
    path = _write(tmp_path / "may.csv", _month("T", 20))
    first = ingest_file(book, path)
    again = ingest_file(book, path)
    assert (first.status, again.status) == ("loaded", "unchanged")
    assert book.query("SELECT count(*) FROM spend") == [(20,)]
    assert book.query("SELECT count(*) FROM source") == [(1,)]


def test_a_corrected_republication_supersedes_and_both_stay_in_source(book, tmp_path):
    original = ingest_file(book, _write(tmp_path / "may.csv", _month("T", 20)))
    corrected = ingest_file(book, _write(tmp_path / "may-v2.csv", _month("T", 20, {3: "999.99"})))
    assert corrected.supersedes == original.sha256
    statuses = dict(book.query("SELECT sha256, status FROM source"))
    assert statuses == {original.sha256: "superseded", corrected.sha256: "current"}
    assert book.query("SELECT superseded_by FROM source WHERE sha256 = ?", [original.sha256]) == [(corrected.sha256,)]
    # Both versions' rows are kept; current spend counts the correction only.
    assert book.query("SELECT count(*) FROM spend") == [(40,)]
    current = book.query("SELECT count(*), sum(amount_gbp) FROM spend_current")[0]
    assert current == (20, sum(Decimal(f"{100 + i}.00") for i in range(20)) - Decimal("103.00") + Decimal("999.99"))


def test_a_second_file_for_the_same_month_with_other_lines_is_not_a_correction(book, tmp_path):
    first = ingest_file(book, _write(tmp_path / "may-part1.csv", _month("A", 10)))
    second = ingest_file(book, _write(tmp_path / "may-part2.csv", _month("B", 10)))
    assert second.supersedes is None
    assert dict(book.query("SELECT sha256, status FROM source")) == {first.sha256: "current",
                                                                     second.sha256: "current"}
    assert book.query("SELECT count(*) FROM spend_current") == [(20,)]


def test_money_goes_in_as_exact_decimals():
    array = pence_array([123456, -5, 0, 99_999_999_999])
    assert [str(v) for v in array.to_pylist()] == ["1234.56", "-0.05", "0.00", "999999999.99"]


_SLOW_LOAD = textwrap.dedent("""
    import sys, time
    from openbook.store import Book
    from openbook.ingest import ingest_file
    book = Book(sys.argv[1])
    def progress(rows):
        print("batch", rows, flush=True)
        time.sleep(60)  # hold the transaction open until the test kills us
    ingest_file(book, sys.argv[2], progress=progress)
""")


@pytest.mark.slow
def test_killing_the_process_mid_load_leaves_the_book_as_it_was(tmp_path):
    book_path = tmp_path / "book.duckdb"
    with Book(book_path) as book:
        ingest_file(book, _write(tmp_path / "may.csv", _month("T", 20)))
    big = _write(tmp_path / "june.csv", [f"Trafford Council,{1 + i % 28:02d}/06/2024,Supplier {i % 500},J{i},"
                                         f"{i % 9000}.{i % 100:02d}" for i in range(120_000)])
    child = subprocess.Popen([sys.executable, "-c", _SLOW_LOAD, str(book_path), str(big)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().startswith("batch ")  # rows inserted, not committed
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    with Book(book_path) as book:
        assert book.query("SELECT count(*) FROM spend") == [(20,)]
        assert book.query("SELECT count(*) FROM source") == [(1,)]
        assert book.query("SELECT count(*) FROM quarantine WHERE source_line > 21") == [(0,)]
        report = ingest_file(book, big)
        assert (report.status, report.accepted) == ("loaded", 120_000)
        assert book.query("SELECT count(*) FROM spend") == [(120_020,)]


def test_a_book_from_an_earlier_version_gains_new_fields(tmp_path):
    import duckdb

    from openbook.store import Book

    path = tmp_path / "old.duckdb"
    with Book(path) as book:
        book.con.execute('ALTER TABLE post DROP COLUMN "title"')
        book.con.execute('ALTER TABLE spend DROP COLUMN "classified_by"')
    with Book(path) as book:
        columns = {c for (c,) in book.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'spend'")}
        assert "classified_by" in columns
        assert book.query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'post' "
                          "AND column_name = 'title'") == [(1,)]
    duckdb.connect(str(path)).close()


def test_the_environment_sets_duckdbs_memory_limit_and_spill_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENBOOK_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("OPENBOOK_TEMP_DIRECTORY", str(tmp_path / "spill"))
    with Book(tmp_path / "book.duckdb") as book:
        limit, spill = book.query("SELECT current_setting('memory_limit'), current_setting('temp_directory')")[0]
    assert limit == "953.6 MiB" and spill == str(tmp_path / "spill")  # DuckDB shows 1GB in MiB


def test_a_bad_memory_limit_names_the_variable(tmp_path, monkeypatch):
    from openbook.errors import BookError

    monkeypatch.setenv("OPENBOOK_MEMORY_LIMIT", "lots")
    with pytest.raises(BookError, match="OPENBOOK_MEMORY_LIMIT='lots' is not a valid DuckDB memory_limit"):
        Book(tmp_path / "book.duckdb")


def test_a_book_from_an_earlier_version_says_so_read_only_and_is_brought_up_to_date_writable(tmp_path, runner):
    """A table and a field the standard added since the book was made: read-only, the book
    refuses with what it lacks and the command that fixes it; opened writable, it gains both."""
    import duckdb

    from openbook.cli import app
    from openbook.store.book import BookError

    path = tmp_path / "old.duckdb"
    Book(path).close()
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE finding_review")
    con.execute("ALTER TABLE spend DROP COLUMN supplier_ref")
    con.close()
    with pytest.raises(BookError, match=r"lacks finding_review, spend\.supplier_ref.*openbook init --book"):
        Book(path, read_only=True)
    result = runner.invoke(app, ["init", "--book", str(path)])
    assert result.exit_code == 0, result.output
    with Book(path, read_only=True) as book:
        assert book.query("SELECT count(*) FROM finding_review")[0][0] == 0
        assert book.query("SELECT count(supplier_ref) FROM spend")[0][0] == 0
