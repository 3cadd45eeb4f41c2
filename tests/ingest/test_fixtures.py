"""Crafted fixtures, one defect each, with complete expected answers (tests/data/README.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from openbook.ingest import ingest_file, validate_file

TRAFFORD = "GB-LAE-TRF"


def _lines(book, sha, severity=None):
    sql = "SELECT source_line, column_number, code FROM quarantine WHERE source_sha256 = ?"
    params = [sha]
    if severity:
        sql += " AND severity = ?"
        params.append(severity)
    return sorted(book.query(sql + " ORDER BY source_line, column_number NULLS FIRST", params),
                  key=lambda r: (r[0], r[1] or 0))


def test_everything_wrong_reports_every_problem_at_its_place(book, fixtures):
    report = ingest_file(book, fixtures / "everything-wrong.csv")
    assert report.status == "loaded"
    assert _lines(book, report.sha256) == [
        (1, None, "preamble-row"),
        (2, None, "blank-row"),
        (3, None, "header-row"),
        (5, 2, "date-invalid"),
        (6, 3, "supplier-missing"),
        (7, 5, "amount-not-a-number"),
        (8, 2, "date-missing"),
        (8, 5, "amount-missing"),
        (9, 1, "unknown-organisation"),
        (11, 5, "amount-rounded"),
        (12, 7, "extra-cell"),
        (13, 2, "date-month-only"),
        (14, 2, "date-out-of-range"),
        (15, None, "blank-row"),
        (16, None, "totals-row"),
        (17, None, "note-row"),
    ]
    assert (report.rows_read, report.accepted, report.quarantined, report.structural) == (17, 4, 7, 6)
    accepted = book.query("SELECT source_line, amount_gbp, paid_on, date_precision FROM spend "
                          "WHERE source_sha256 = ? ORDER BY source_line", [report.sha256])
    assert accepted == [
        (4, Decimal("1234.56"), date(2024, 4, 1), "day"),
        (10, Decimal("-250.00"), date(2024, 4, 5), "day"),
        (11, Decimal("100.00"), date(2024, 4, 6), "day"),
        (13, Decimal("30.00"), date(2024, 4, 1), "month"),
    ]
    raw = book.query("SELECT raw_value, raw_row FROM quarantine WHERE source_sha256 = ? AND source_line = 7",
                     [report.sha256])
    assert raw == [("1,2O0.00", ["Trafford Council", "03/04/2024", "Beta plc", "T4", "1,2O0.00", "Travel"])]


def test_everything_wrong_messages_name_file_line_column_and_a_hint(fixtures):
    report = validate_file(fixtures / "everything-wrong.csv")
    rendered = [p.render() for p in report.problems]
    path = str(fixtures / "everything-wrong.csv")
    assert f"{path}:7:5 amount-not-a-number column 'Amount': '1,2O0.00' is not an amount " \
           "(letter O in place of a digit?)" in rendered
    assert f"{path}:5:2 date-invalid column 'Date': '31/02/2024' is not a date " \
           "(no such day in the calendar either way round)" in rendered
    assert report.status == "checked" and report.quarantined == 7


@pytest.mark.parametrize("name,structural,amounts", [
    ("preamble-rows.csv", 5, ["600.00", "700.50"]),
    ("cp1252-pound.csv", 1, ["1000.00", "2.50"]),
    ("utf8-bom.csv", 1, ["10.00", "-5.25"]),
    ("totals-footer.csv", 2, ["10.00", "20.00"]),
    ("semicolon.csv", 1, ["1234.00", "5.00"]),
    ("amount-styles.csv", 1, ["1234.56", "-1234.56", "-1234.56", "-1234.56", "1234.50", "-1234.56"]),
])
def test_dialects_load_to_the_same_exact_amounts(book, fixtures, name, structural, amounts):
    report = ingest_file(book, fixtures / name)
    assert (report.status, report.structural, report.quarantined) == ("loaded", structural, 0)
    stored = book.query("SELECT amount_gbp, org_id FROM spend WHERE source_sha256 = ? ORDER BY source_line",
                        [report.sha256])
    assert [str(a) for a, _ in stored] == amounts
    assert {org for _, org in stored} == {TRAFFORD}


def test_cp1252_text_is_decoded(book, fixtures):
    report = ingest_file(book, fixtures / "cp1252-pound.csv")
    assert report.encoding == "cp1252"
    assert book.query("SELECT supplier_name FROM spend WHERE source_sha256 = ? ORDER BY source_line",
                      [report.sha256])[0] == ("Café Nero Ltd",)


def test_every_date_style_reads_to_the_same_day(book, fixtures):
    report = ingest_file(book, fixtures / "date-styles.csv")
    days = book.query("SELECT DISTINCT paid_on FROM spend WHERE source_sha256 = ?", [report.sha256])
    assert days == [(date(2019, 4, 12),)] and report.accepted == 6


def test_a_month_first_file_is_read_month_first_and_flags_ambiguous_dates(book, fixtures):
    report = ingest_file(book, fixtures / "month-first-dates.csv")
    stored = book.query("SELECT source_line, paid_on FROM spend WHERE source_sha256 = ? ORDER BY 1", [report.sha256])
    assert stored == [(2, date(2024, 4, 13)), (3, date(2024, 4, 5)), (4, date(2024, 4, 4))]
    # 04/05 reads both ways, but only April 5 falls within the file's other dates (April 2024).
    assert _lines(book, report.sha256, "warning") == [(3, 2, "date-ambiguous")]


def test_a_supplier_whose_name_starts_with_total_is_not_a_totals_row(book, fixtures):
    report = ingest_file(book, fixtures / "supplier-named-total.csv")
    assert _lines(book, report.sha256) == [(1, None, "header-row"), (3, 2, "date-missing"), (4, None, "totals-row")]


@pytest.mark.parametrize("name,code", [
    ("excel-binary.csv", "excel-binary-as-csv"),
    ("nil-return.csv", "nil-return"),
    ("metadata-pasted.csv", "metadata-not-data"),
    ("header-only.csv", "no-data-rows"),
    ("no-body-column.csv", "publisher-unknown"),
])
def test_files_without_data_are_rejected_with_a_code_and_recorded(book, fixtures, name, code):
    report = ingest_file(book, fixtures / name)
    assert report.status == "rejected" and report.rejection.code == code
    assert book.query("SELECT status, rejection_code FROM source WHERE sha256 = ?", [report.sha256]) == [
        ("rejected", code)]
    assert book.query("SELECT count(*) FROM spend WHERE source_sha256 = ?", [report.sha256]) == [(0,)]


def test_an_empty_file_is_rejected_as_empty(book, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    report = ingest_file(book, path)
    assert (report.status, report.rejection.code) == ("rejected", "file-empty")


def test_org_option_names_the_publisher_of_a_file_without_a_body_column(book, fixtures):
    report = ingest_file(book, fixtures / "no-body-column.csv", org="Trafford Council")
    assert report.status == "loaded" and report.publisher == TRAFFORD


def test_xlsx_with_a_title_row_and_typed_cells(book, tmp_path):
    workbook = Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes.append(["This workbook lists payments over £500."])
    sheet = workbook.create_sheet("April 2024")
    sheet.append(["Trafford Council - spend over £500"])
    sheet.append([])
    sheet.append(["Body Name", "Payment Date", "Supplier Name", "Net Amount", "Transaction Number"])
    sheet.append(["Trafford Council", date(2024, 4, 2), "Acme Ltd", 1234.56, 1001])
    sheet.append(["Trafford Council", "03/04/2024", "Beta plc", "£2,000.10", 1002])
    sheet.append(["Trafford Council", 45386, "Gamma LLP", -15, "T-3"])
    path = tmp_path / "april.xlsx"
    workbook.save(path)

    report = ingest_file(book, path)
    assert (report.status, report.format, report.rows_read, report.accepted, report.structural) == \
        ("loaded", "xlsx", 6, 3, 3)
    stored = book.query("SELECT source_line, paid_on, amount_gbp, txn_ref FROM spend WHERE source_sha256 = ? "
                        "ORDER BY 1", [report.sha256])
    assert stored == [(4, date(2024, 4, 2), Decimal("1234.56"), "1001"),
                      (5, date(2024, 4, 3), Decimal("2000.10"), "1002"),
                      (6, date(2024, 4, 4), Decimal("-15.00"), "T-3")]


def test_a_rejected_file_retried_is_recorded_as_its_first_rejection_was(book, tmp_path):
    """A retry runs inside a transaction opened around the earlier load's removal: the structural rows
    the importer wrote before it gave up must not stay behind (nor pile up on each retry)."""
    path = tmp_path / "nil.csv"
    path.write_text("Department for Rural Resilience\nSpend over 25,000 - May 2024\n\n"
                    "Entity,Date,Supplier,Transaction Number,Amount\n\nNIL RETURN\n", encoding="utf-8")
    problems = "SELECT severity, code, source_line FROM quarantine WHERE source_sha256 = ? ORDER BY ALL"
    first = ingest_file(book, path)
    recorded = book.query(problems, [first.sha256])
    assert (first.status, first.rejection.code) == ("rejected", "nil-return") and recorded
    for _ in range(2):
        again = ingest_file(book, path)
        assert (again.status, again.rejection.code) == ("rejected", "nil-return")
        assert book.query(problems, [first.sha256]) == recorded
