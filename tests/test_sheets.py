"""The one writer of CSV and Excel files: formulas inert, text as text, numbers as numbers."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pyarrow as pa
from openpyxl import load_workbook

from openbook import sheets

HOSTILE = ['=HYPERLINK("http://x","y")', "+44 161", "-cmd", "@SUM(1+1)", "\tTab", "\rCR"]


def test_csv_neutralises_every_trigger_and_leaves_numbers_and_plain_text(tmp_path):
    target = tmp_path / "out.csv"
    rows = [[text, Decimal("-250.00"), -3, "plain", None, ["a", "b"]] for text in HOSTILE]
    assert sheets.write_csv(target, ["text", "money", "count", "plain", "blank", "list"], rows) == len(HOSTILE)
    with open(target, encoding="utf-8", newline="") as fh:
        written = list(csv.DictReader(fh))
    assert [r["text"] for r in written] == ["'" + text for text in HOSTILE]
    assert {(r["money"], r["count"], r["plain"], r["blank"], r["list"]) for r in written} == {
        ("-250.00", "-3", "plain", "", '["a", "b"]')}


def test_arrow_csv_streams_in_batches_and_neutralises_like_the_row_writer():
    table = pa.table({"name": HOSTILE * 3, "amount": pa.array([Decimal("1.50")] * 18, pa.decimal128(18, 2))})
    chunks = list(sheets.csv_chunks(table.schema, table.to_batches(5)))
    assert len(chunks) == 1 + 4  # the header, then one chunk per batch
    written = list(csv.DictReader(io.StringIO(b"".join(chunks).decode("utf-8"))))
    assert [r["name"] for r in written] == ["'" + t for t in HOSTILE] * 3 and {r["amount"] for r in written} == {"1.50"}


def test_excel_holds_text_as_text_numbers_as_numbers_and_dates_as_dates(tmp_path):
    target = tmp_path / "out.xlsx"
    rows = [[text, Decimal("-250.00"), 7, date(2024, 4, 1), "a\x00b"] for text in HOSTILE]
    sheets.write_xlsx(target, [("data", ["text", "money", "count", "paid_on", "control"], rows)])
    sheet = load_workbook(target).active
    assert [c.value for c in sheet[1]] == ["text", "money", "count", "paid_on", "control"]
    cells = list(sheet.iter_rows(min_row=2))
    assert [(r[0].data_type, _excel_text(r[0].value), r[0].quotePrefix) for r in cells] == [
        ("s", t, True) for t in HOSTILE]
    assert _excel_text(cells[0][4].value) == "a\x00b"  # a control character kept, as Excel escapes it
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert (cells[0][1].data_type, cells[0][1].value, cells[0][1].number_format) == ("n", -250.0, "#,##0.00")
    assert cells[0][2].value == 7 and cells[0][3].value.date() == date(2024, 4, 1)


def _excel_text(value: str) -> str:
    """Excel's escapes for control characters (_x000D_), which openpyxl leaves as written."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)
