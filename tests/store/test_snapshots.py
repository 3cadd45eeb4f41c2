"""Read copies: a writer publishes one when it closes; readers open it while another process writes the book."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from openbook.cli import app
from openbook.errors import BookError
from openbook.ingest import ingest_file
from openbook.store import Book, snapshots
from openbook.store.reader import Reader

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def loaded(tmp_path, fixtures) -> Path:
    path = tmp_path / "book.duckdb"
    with Book(path) as book:
        ingest_file(book, fixtures / "amount-styles.csv")
    return path


def _lines(book: Book) -> int:
    return book.query("SELECT count(*) FROM spend")[0][0]


def test_each_writer_publishes_a_new_version_and_the_oldest_are_pruned(loaded, fixtures):
    first = snapshots.current(loaded)
    assert first is not None and snapshots.is_fresh(loaded, first)
    for _ in range(snapshots.KEEP + 1):
        Book(loaded).close()
    latest = snapshots.current(loaded)
    assert latest.version == first.version + snapshots.KEEP + 1
    kept = sorted(p.name for p in snapshots.folder(loaded).glob("*.duckdb"))
    assert kept == [f"{v:08d}.duckdb" for v in range(latest.version - snapshots.KEEP + 1, latest.version + 1)]
    pointer = json.loads((snapshots.folder(loaded) / snapshots.POINTER).read_text())
    assert pointer["file"] == latest.path.name


def test_reads_work_while_another_process_writes_and_see_the_last_published_version(loaded, runner, hold_book):
    with Book(loaded, read_only=True) as before:
        lines = _lines(before)
    hold_book(loaded)
    with Book(loaded, read_only=True) as reading:
        assert reading.snapshot is not None and _lines(reading) == lines > 0
    status = runner.invoke(app, ["status", "--book", str(loaded), "--json"])
    assert status.exit_code == 0, status.output
    assert json.loads(status.stdout)["lines"] == lines
    findings = runner.invoke(app, ["findings", "--book", str(loaded)])
    assert findings.exit_code == 0, findings.output


def test_a_reader_with_no_copy_yet_says_the_book_is_being_written(tmp_path, hold_book):
    path = tmp_path / "bare.duckdb"
    Book(path).close()
    for copy in snapshots.folder(path).iterdir():
        copy.unlink()
    hold_book(path)
    with pytest.raises(BookError, match="being written by another process"):
        Book(path, read_only=True)


def test_a_writer_waits_for_another_and_says_so_when_it_gives_up(loaded, monkeypatch, hold_book):
    monkeypatch.setenv("OPENBOOK_LOCK_WAIT", "0.5")
    hold_book(loaded)
    with pytest.raises(BookError, match="OPENBOOK_LOCK_WAIT"):
        Book(loaded)
    write = ("import sys; from openbook.store import Book\n"
             "with Book(sys.argv[1]) as b: print(b.query('SELECT count(*) FROM spend')[0][0])")
    waiting = subprocess.Popen([sys.executable, "-c", write, str(loaded)], env={"PYTHONPATH": str(SRC),
                               "OPENBOOK_LOCK_WAIT": "60"}, stdout=subprocess.PIPE, text=True)
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            waiting.wait(timeout=1.5)  # still waiting while the book is held
    finally:
        hold_book.release()
    out, _ = waiting.communicate(timeout=60)
    assert waiting.returncode == 0 and int(out) > 0


def test_a_reader_that_finds_the_book_changed_since_its_copy_makes_a_new_one(loaded, fixtures):
    import duckdb

    old = snapshots.current(loaded)
    with duckdb.connect(str(loaded)) as con:  # written without publishing, as a killed writer leaves it
        con.execute("DELETE FROM spend")
    assert not snapshots.is_fresh(loaded, old)
    fresh = snapshots.refresh(loaded)
    assert fresh.version == old.version + 1 and snapshots.is_fresh(loaded, fresh)
    with Book(loaded, read_only=True) as reading:
        assert reading.snapshot == fresh and _lines(reading) == 0


def test_the_server_reader_switches_versions_between_requests_not_during_one(loaded, fixtures):
    reader = Reader(loaded)
    try:
        held = reader.acquire()
        lines = _lines(held.book)
        assert not reader.changed()
        with Book(loaded) as writer:
            ingest_file(writer, fixtures / "date-styles.csv")
        assert reader.changed()
        newer = reader.acquire()
        assert newer.version == held.version + 1 and _lines(newer.book) > lines
        assert _lines(held.book) == lines  # the request that started before still reads its version
        reader.release(held)
        with pytest.raises(Exception):
            held.book.query("SELECT 1")  # closed once its last request ended
        reader.release(newer)
    finally:
        reader.close()
