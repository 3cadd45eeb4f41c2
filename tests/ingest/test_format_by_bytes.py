"""A file whose bytes say another format than its name is read by its bytes, with a warning naming
what it is; only a file that holds no data, or none readable, is rejected (sniff.py, reader.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from openbook.ingest import ingest_file

ROWS = [["Body Name", "Date", "Supplier", "Transaction Number", "Amount"],
        ["Trafford Council", "01/04/2024", "Acme & Sons Ltd", "T1", "120.00"],
        ["Trafford Council", "02/04/2024", "Beta plc", "T2", "80.50"],
        ["Trafford Council", "03/04/2024", "Gamma <Holdings>", "T3", "-15.25"]]


def _xls(path: Path, rows) -> Path:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Payments")
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            sheet.write(r, c, float(cell) if r and c == 4 else cell)
    book.save(str(path))
    return path


def _xlsx(path: Path, rows) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(str(path))
    return path


def _html(path: Path, rows) -> Path:
    from html import escape

    cells = ["".join(f"<td>{escape(c)}</td>" for c in row) for row in rows]
    path.write_text("<!DOCTYPE html>\n<html><body><p>Payments</p><table>\n"
                    + "\n".join(f"  <tr>{c}</tr>" for c in cells) + "\n</table></body></html>\n", encoding="utf-8")
    return path


def _accepted(book, report) -> list[tuple]:
    return book.query("SELECT supplier_name, CAST(amount_gbp AS VARCHAR) FROM spend WHERE source_sha256 = ? "
                      "ORDER BY source_line", [report.sha256])


@pytest.mark.parametrize("write, name, what", [
    (_xls, "payments.csv", "Excel 97 workbook (XLS"),
    (_xlsx, "payments.csv", "Excel workbook (XLSX)"),
    (_html, "payments.xls", "HTML table"),
    (_html, "payments.xlsx", "HTML table"),
])
def test_a_file_named_for_another_format_is_read_by_its_bytes_with_a_warning(book, tmp_path, write, name, what):
    report = ingest_file(book, write(tmp_path / name, ROWS))
    assert (report.status, report.counts.accepted, report.counts.quarantined) == ("loaded", 3, 0)
    assert _accepted(book, report) == [("Acme & Sons Ltd", "120.00"), ("Beta plc", "80.50"),
                                       ("Gamma <Holdings>", "-15.25")]
    warned = [p for p in report.problems if p.code == "format-by-bytes"]
    assert len(warned) == 1 and what in warned[0].message and Path(name).suffix in warned[0].message
    assert report.problem_counts["format-by-bytes"] == 1


def test_utf16_text_named_csv_is_read_with_a_warning_naming_its_encoding(book, tmp_path):
    text = "\r\n".join(",".join(row) for row in ROWS) + "\r\n"
    for name, encoded in (("bom.csv", text.encode("utf-16")), ("plain.txt", text.encode("utf-16-le"))):
        report = ingest_file(book, tmp_path / name) if (tmp_path / name).write_bytes(encoded) else None
        assert (report.status, report.counts.accepted, report.encoding.startswith("utf-16")) == ("loaded", 3, True)
        assert [p.message for p in report.problems if p.code == "format-by-bytes"] == [
            f"the file is named {Path(name).suffix} but its bytes are UTF-16 text (CSV); it was read as that"]


def test_a_file_named_for_what_it_is_carries_no_warning(book, tmp_path):
    report = ingest_file(book, _xlsx(tmp_path / "payments.xlsx", ROWS))
    assert report.counts.accepted == 3
    assert "format-by-bytes" not in report.problem_counts


def test_an_html_rows_line_is_where_its_row_starts_and_a_spanned_cell_keeps_the_columns(book, tmp_path):
    page = tmp_path / "payments.xls"
    page.write_text("<html><table>\n<tr><th colspan='5'>Spend over £500</th></tr>\n"
                    + "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in ROWS)
                    + "\n<tr><td>Trafford Council<td>04/04/2024<td>Delta<br>Ltd<td>T4<td>oops</tr>\n</table></html>",
                    encoding="utf-8")
    report = ingest_file(book, page)
    assert (report.counts.accepted, report.counts.quarantined) == (3, 1)
    assert book.query("SELECT source_line, code FROM quarantine WHERE source_sha256 = ? AND severity = 'error'",
                      [report.sha256]) == [(7, "amount-not-a-number")]


def test_a_workbook_named_csv_that_holds_no_data_is_still_rejected_with_its_code(book, tmp_path):
    unreadable = tmp_path / "broken.csv"
    unreadable.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    report = ingest_file(book, unreadable)
    assert (report.status, report.rejection.code) == ("rejected", "excel-binary-as-csv")
    nil = ingest_file(book, _xls(tmp_path / "nil.csv", [ROWS[0], ["NIL return"]]))
    assert (nil.status, nil.rejection.code) == ("rejected", "nil-return")
    header_only = ingest_file(book, _xlsx(tmp_path / "empty.csv", ROWS[:1]))
    assert (header_only.status, header_only.rejection.code) == ("rejected", "no-data-rows")
