"""openbook.open(): Ibis tables over the book for notebooks, money exact, read-only, never holding the book."""

from __future__ import annotations

import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import openbook
from openbook import standard
from openbook.errors import UsageError
from openbook.store import Book

SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture
def book_path(demo_book, tmp_path) -> Path:
    target = tmp_path / "book.duckdb"
    shutil.copy(demo_book, target)
    return target


def _sql(path: Path, query: str):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(query).fetchone()


def test_every_table_of_the_standard_and_findings_is_an_ibis_table(book_path):
    import ibis.expr.types as ir

    with openbook.open(book_path) as book:
        assert set(standard.table_names()) | {"finding", "spend_current"} <= set(book.tables)
        assert isinstance(book.spend, ir.Table) and isinstance(book.table("finding"), ir.Table)
        findings = book.finding.count().execute()
        lines = book.spend_current.count().execute()
        assert "finding" in dir(book) and "spend" in dir(book)
        with pytest.raises(UsageError, match="no table 'api_token'"):
            book.table("api_token")  # the token hashes are not a table of the standard
        with pytest.raises(AttributeError):
            book.no_such_table
    assert findings == _sql(book_path, "SELECT count(*) FROM finding")[0] > 0
    assert lines == _sql(book_path, "SELECT count(*) FROM spend_current")[0] > 0


def test_money_is_exact_decimal_in_ibis_pandas_and_arrow(book_path):
    with openbook.open(book_path) as book:
        spend = book.spend
        assert spend.amount_gbp.type().is_decimal() and spend.amount_gbp.type().scale == 2
        total = spend.amount_gbp.sum().execute()
        arrow = spend.select("amount_gbp").to_pyarrow()
        frame = spend.select("amount_gbp").limit(1000).to_pandas()
    exact = _sql(book_path, "SELECT sum(amount_gbp) FROM spend")[0]
    assert isinstance(exact, Decimal) and Decimal(total) == exact
    assert pa.types.is_decimal(arrow.schema.field("amount_gbp").type)
    assert sum(arrow.column("amount_gbp").to_pylist(), Decimal(0)) == exact
    assert len(frame) == 1000 and all(isinstance(v, Decimal) for v in frame["amount_gbp"].dropna())


def test_polars_gets_decimals_too(book_path):
    polars = pytest.importorskip("polars")
    with openbook.open(book_path) as book:
        frame = book.spend.select("amount_gbp").limit(10).to_polars()
    assert isinstance(frame.schema["amount_gbp"], polars.Decimal)


def test_read_only_by_default_and_never_holding_the_book(book_path):
    with openbook.open(book_path) as book:
        with pytest.raises(duckdb.Error):
            book.book.con.execute("DELETE FROM spend")
        before = book.spend.count().execute()
        # Another process writes the book while the notebook is open: it is not kept out.
        write = ("import sys; from openbook.store import Book\n"
                 "with Book(sys.argv[1]) as b: b.con.execute('DELETE FROM finding')")
        done = subprocess.run([sys.executable, "-c", write, str(book_path)], env={"PYTHONPATH": str(SRC)},
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert book.spend.count().execute() == before  # the notebook keeps the version it opened
        assert book.finding.count().execute() > 0
    with openbook.open(book_path) as again:  # opened again: the version that write published
        assert again.finding.count().execute() == 0 and again.version > 0


def test_the_notebook_reads_while_a_writer_holds_the_book(book_path, hold_book):
    with Book(book_path) as writer:  # a writer in this process closes and publishes a copy
        lines = writer.query("SELECT count(*) FROM spend")[0][0]
    hold_book(book_path)
    with openbook.open(book_path) as book:
        assert book.spend.count().execute() == lines > 0


def test_importing_openbook_stays_light():
    probe = "import sys, openbook; print(sorted(m for m in ('duckdb', 'ibis', 'pandas') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], env={"PYTHONPATH": str(SRC)}, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr
