"""Lists as downloads: CSV, JSON, Parquet and Excel, with spreadsheet formulas neutralised.

A publisher can name a supplier `=HYPERLINK(...)`; a spreadsheet opening our CSV would run it.
Text cells that start with = + - @ (or a tab or carriage return) get a leading apostrophe in CSV
and Excel, the OWASP advice; JSON and Parquet keep the text exactly.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi.responses import Response

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json",
           "parquet": "application/vnd.apache.parquet",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
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


def download(table: pa.Table, fmt: str, name: str) -> Response:
    """The table in the asked format, as an attachment named after the list."""
    body = {"csv": _csv, "json": _json, "parquet": _parquet, "xlsx": _xlsx}[fmt](table)
    return Response(body, media_type=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


def _csv(table: pa.Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow([_cell(v) for v in row.values()])
    return out.getvalue().encode("utf-8")


def _cell(value: object) -> object:
    if isinstance(value, (list, dict)):
        value = json.dumps(value, default=json_default, ensure_ascii=False)
    return neutralise(value)


def _json(table: pa.Table) -> bytes:
    return json.dumps(table.to_pylist(), default=json_default, ensure_ascii=False).encode("utf-8")


def _parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def _xlsx(table: pa.Table) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append(table.column_names)
    for row in table.to_pylist():
        cells = []
        for value in row.values():
            value = _cell(value)
            cells.append(float(value) if isinstance(value, Decimal) else value)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
