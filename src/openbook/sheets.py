"""The one writer of every CSV and Excel file openbook hands to people: downloads, exports of
reviews, savings plans.

A publisher can name a supplier `=HYPERLINK(...)`; a spreadsheet opening our file would run it.
In CSV, text that starts with = + - @ (or a tab or carriage return) gets a leading apostrophe,
the OWASP advice. In Excel (XlsxWriter) every text cell is written as a string, never a formula,
and one that starts so carries Excel's quote prefix, so it shows exactly as published and stays
text when edited. Numbers are never touched: a credit of -250.00 stays a number.

Data exports that other programs read back (the Data Package, the Parquet lake) are not
spreadsheets and keep every value exactly; they do not come through here.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_PATTERN = r"^([=+\-@\t\r])"


def neutralise(value: object) -> object:
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe; numbers untouched."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def json_default(value: object) -> object:
    """JSON for the values the book holds that JSON lacks: exact decimals as text, dates in ISO form."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def as_text(value: object) -> object:
    """Nested values (lists, JSON objects) as JSON text, for formats that hold only scalars."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=json_default, ensure_ascii=False)
    return value


# -- CSV ----------------------------------------------------------------------------------

def write_csv(target: Path | IO[str], header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Rows as UTF-8 CSV to a path or an open text stream, every cell neutralised; returns the rows written."""
    if isinstance(target, (str, Path)):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="") as handle:
            return write_csv(handle, header, rows)
    writer = csv.writer(target)
    writer.writerow([neutralise(name) for name in header])
    count = 0
    for row in rows:
        writer.writerow(["" if v is None else neutralise(as_text(v)) for v in row])
        count += 1
    return count


def flat(batch: pa.RecordBatch | pa.Table) -> pa.Table:
    """Nested columns as JSON text and text columns neutralised, vectorised (a million rows stay quick)."""
    columns = []
    for field, column in zip(batch.schema, batch.columns):
        kind = field.type
        if pa.types.is_nested(kind):
            column = pa.array([as_text(v) for v in column.to_pylist()], pa.string())
        elif pa.types.is_dictionary(kind):
            column = column.cast(kind.value_type)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = pc.replace_substring_regex(column, pattern=_TRIGGER_PATTERN, replacement="'\\1")
        columns.append(column)
    return pa.table(columns, names=batch.schema.names)


def csv_chunks(schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> Iterator[bytes]:
    """Arrow record batches as CSV bytes, one chunk per batch (the header first), neutralised:
    a download of any size streams in the memory of one batch."""
    if not schema.names:
        yield b"\n"
        return
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow([neutralise(name) for name in schema.names])
    yield header.getvalue().encode("utf-8")
    options = pacsv.WriteOptions(quoting_style="needed", include_header=False)
    for batch in batches:
        if batch.num_rows:
            out = io.BytesIO()
            pacsv.write_csv(flat(batch), out, options)
            yield out.getvalue()


def arrow_csv(table: pa.Table) -> bytes:
    """A whole Arrow table as neutralised CSV bytes."""
    return b"".join(csv_chunks(table.schema, table.to_batches(50_000)))


# -- Excel --------------------------------------------------------------------------------

Sheet = tuple[str, Sequence[str], Iterable[Sequence[object]]]
"""A sheet's name, its header and its rows."""


def write_xlsx(target: Path | IO[bytes], sheets: Iterable[Sheet]) -> None:
    """Sheets to a workbook at a path or in a binary stream: text as strings (quote-prefixed when
    it would read as a formula), numbers and money as numbers (money `#,##0.00`), dates as dates."""
    import xlsxwriter

    if isinstance(target, (str, Path)):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        target = str(target)
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False,
                                            "nan_inf_to_errors": True})
    formats = {"text": workbook.add_format({"quote_prefix": True}),
               "money": workbook.add_format({"num_format": "#,##0.00"}),
               "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
               "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
               "bold": workbook.add_format({"bold": True})}
    for name, header, rows in sheets:
        sheet = workbook.add_worksheet(name[:31])
        for column, title in enumerate(header):
            sheet.write_string(0, column, str(title), formats["bold"])
        for row_number, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                _write_cell(sheet, row_number, column, as_text(value), formats)
    workbook.close()


def _write_cell(sheet, row: int, column: int, value: object, formats: dict) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, Decimal):
        sheet.write_number(row, column, float(value), formats["money"])
    elif isinstance(value, (int, float)):
        sheet.write_number(row, column, value)
    elif isinstance(value, datetime):
        sheet.write_datetime(row, column, value.replace(tzinfo=None), formats["datetime"])
    elif isinstance(value, date):
        sheet.write_datetime(row, column, datetime(value.year, value.month, value.day), formats["date"])
    else:
        text = str(value)
        if text.startswith(TRIGGERS):
            sheet.write_string(row, column, text, formats["text"])
        else:
            sheet.write_string(row, column, text)


def arrow_xlsx(table: pa.Table, sheet: str = "data") -> bytes:
    """An Arrow table as one sheet of a workbook, in bytes."""
    out = io.BytesIO()
    rows = (tuple(row.values()) for batch in table.to_batches(50_000) for row in batch.to_pylist())
    write_xlsx(out, [(sheet, table.column_names, rows)])
    return out.getvalue()
