"""Coverage: the book against a file's own total row and a body's entered annual accounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openbook.analyse.coverage import coverage, file_totals, row_total
from openbook.errors import UsageError
from openbook.ingest import ingest_file
from openbook.store import published_totals

D = Decimal
FILE = """Body Name,Date,Supplier,Amount
Trafford Council,02/04/2024,Acme Ltd,10.00
Trafford Council,03/04/2024,Beta plc,20.00
Trafford Council,not a date,Gamma Ltd,5.00
,,Grand Total,"35.00"
"""


def test_a_total_row_states_its_largest_amount():
    assert row_total(["", "", "Grand Total", "1,234.56"]) == D("1234.56")
    assert row_total(["Total", "12", "£-2,000.00"]) == D("-2000.00")  # a count of 12 lines is not the total
    assert row_total(["Total", "", "n/a"]) is None and row_total([]) is None


@pytest.fixture
def loaded(book, tmp_path):
    path = tmp_path / "trafford-2024-04.csv"
    path.write_text(FILE, encoding="utf-8")
    ingest_file(book, path)
    return book


def test_a_files_total_row_is_set_against_the_lines_the_book_took_from_it(loaded):
    book = loaded
    assert book.query("SELECT count(*) FROM quarantine WHERE code = 'totals-row'")[0][0] == 1
    assert list(file_totals(book).values()) == [D("35.00")]
    [row] = coverage(book)
    assert row["period"] == "2024-25" and row["book_gbp"] == D("30.00")
    assert row["files_with_total"] == 1 and row["files_total_gbp"] == D("35.00")
    assert row["files_coverage"] == pytest.approx(30 / 35)  # the line with no date was quarantined
    assert row["accounts_gbp"] is None and row["accounts_coverage"] is None


def test_annual_accounts_entered_by_a_user_give_the_share_the_book_holds(loaded):
    book = loaded
    org_id = coverage(book)[0]["org_id"]
    published_totals.add_total(book, org_id, "2024-25", D("120.00"), "https://example.org/accounts.pdf", "alice")
    [row] = coverage(book, org_id)
    assert row["accounts_gbp"] == D("120.00") and row["accounts_coverage"] == pytest.approx(0.25)
    assert row["accounts_source"] == "https://example.org/accounts.pdf"
    # Entered again, it replaces the figure; a year with accounts but nothing in the book still shows.
    published_totals.add_total(book, org_id, "2024-25", D("60.00"), "https://example.org/v2.pdf", "bob")
    published_totals.add_total(book, org_id, "2023-24", D("50.00"), "accounts-2023.pdf", "bob")
    rows = {r["period"]: r for r in coverage(book, org_id)}
    assert rows["2024-25"]["accounts_coverage"] == pytest.approx(0.5)
    assert rows["2023-24"]["book_gbp"] == 0 and rows["2023-24"]["accounts_coverage"] == 0
    assert len(published_totals.totals(book)) == 2


def test_entered_figures_are_checked_in_words():
    assert published_totals.financial_year("2024") == "2024-25"
    assert published_totals.financial_year("2024/2025") == "2024-25"
    assert published_totals.financial_year("1999-00") == "1999-00"
    with pytest.raises(UsageError, match="a financial year runs from one year into the next"):
        published_totals.financial_year("2024-26")
    with pytest.raises(UsageError, match="not a financial year"):
        published_totals.financial_year("last year")
    assert published_totals.amount("£1,234,567.891") == D("1234567.89")
    for bad in ("0", "-5", "lots", "nan", "inf"):
        with pytest.raises(UsageError):
            published_totals.amount(bad)


def test_a_source_is_required(book):
    with pytest.raises(UsageError, match="give the address"):
        published_totals.add_total(book, "XX-A", "2024-25", D(1), "javascript:alert(1)", "eve")
