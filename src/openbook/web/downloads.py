"""Lists as downloads: CSV, JSON, Parquet and Excel, with spreadsheet formulas neutralised.

A publisher can name a supplier `=HYPERLINK(...)`; a spreadsheet opening our CSV would run it.
In CSV, text that starts with = + - @ (or a tab or carriage return) gets a leading apostrophe,
the OWASP advice. In Excel every text cell is written as text (never a formula) with Excel's own
quote prefix, so it shows exactly as published and stays text when edited. Numbers are never
touched: a credit of -250.00 stays a number. JSON and Parquet keep every value exactly.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from fastapi.responses import Response

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json",
           "parquet": "application/vnd.apache.parquet",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_PATTERN = r"^([=+\-@\t\r])"
_BATCH = 50_000


def neutralise(value: object) -> object:
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe; numbers untouched."""
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


def json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def download(table: pa.Table, fmt: str, name: str, *, partial: bool = False) -> Response:
    """The table in the asked format, as an attachment named after the list.

    `partial`: the list was cut at the download limit; the X-Openbook-Partial header says so.
    """
    body = {"csv": _csv, "json": _json, "parquet": _parquet, "xlsx": _xlsx}[fmt](table)
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"', "X-Openbook-Rows": str(table.num_rows)}
    if partial:
        headers["X-Openbook-Partial"] = f"only the first {table.num_rows:,} rows; narrow the filters for the rest"
    return Response(body, media_type=FORMATS[fmt], headers=headers)


def _text(value: object) -> object:
    """Nested values (lists, JSON objects) as JSON text, for formats that hold only scalars."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=json_default, ensure_ascii=False)
    return value


def _flat(table: pa.Table) -> pa.Table:
    """Nested columns as JSON text; text columns neutralised (vectorised, so a million rows stay quick)."""
    columns = []
    for field, column in zip(table.schema, table.columns):
        kind = field.type
        if pa.types.is_nested(kind):
            column = pa.array([_text(v) for v in column.to_pylist()], pa.string())
        elif pa.types.is_dictionary(kind):
            column = column.cast(kind.value_type)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = pc.replace_substring_regex(column, pattern=_TRIGGER_PATTERN, replacement="'\\1")
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def _csv(table: pa.Table) -> bytes:
    out = io.BytesIO()
    if table.num_columns == 0:
        return b"\n"
    pacsv.write_csv(_flat(table), out, pacsv.WriteOptions(quoting_style="needed"))
    return out.getvalue()


def _json(table: pa.Table) -> bytes:
    return json.dumps(table.to_pylist(), default=json_default, ensure_ascii=False).encode("utf-8")


def _parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def _xlsx(table: pa.Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append(table.column_names)

    def cell(value: object) -> object:
        value = _text(value)
        if isinstance(value, Decimal):
            return float(value)
        if not isinstance(value, str):
            return value
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)  # control characters cannot be stored in a sheet
        if not value.startswith(_TRIGGERS):
            return value
        text = WriteOnlyCell(sheet)
        text._value, text.data_type, text.quotePrefix = value, "s", True  # text, never a formula
        return text

    for batch in table.to_batches(_BATCH):
        for row in batch.to_pylist():
            sheet.append([cell(v) for v in row.values()])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
