"""Lists as downloads: CSV, JSON, Parquet and Excel, with spreadsheet formulas neutralised.

Every CSV and Excel file goes through `openbook.sheets`, the one writer (formulas made inert,
numbers untouched). JSON and Parquet keep every value exactly.

A whole list (`stream_download`) comes from DuckDB in Arrow record batches: CSV and JSON are
sent batch by batch with no Content-Length and no row cap, so a ten-million-line download costs
the server the memory of one batch. Parquet and Excel are files with a footer or a zip index
written last, so they are built whole, and cut at `MAX_FILE_ROWS` (Excel holds 1,048,576 rows).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi.responses import Response, StreamingResponse

from openbook.sheets import arrow_csv, arrow_xlsx, csv_chunks, json_default

__all__ = ["FORMATS", "MAX_FILE_ROWS", "download", "json_default", "stream_download"]

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json",
           "parquet": "application/vnd.apache.parquet",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
STREAMED = {"csv", "json"}
MAX_FILE_ROWS = 1_000_000
BATCH_ROWS = 50_000


def download(table: pa.Table, fmt: str, name: str, *, partial: bool = False) -> Response:
    """The table in the asked format, as an attachment named after the list.

    `partial`: the list was cut at the download limit; the X-Openbook-Partial header says so.
    """
    body = {"csv": arrow_csv, "json": _json, "parquet": _parquet, "xlsx": arrow_xlsx}[fmt](table)
    headers = {**_attachment(name, fmt), "X-Openbook-Rows": str(table.num_rows)}
    if partial:
        headers["X-Openbook-Partial"] = f"only the first {table.num_rows:,} rows; narrow the filters for the rest"
    return Response(body, media_type=FORMATS[fmt], headers=headers)


def stream_download(expr, fmt: str, name: str) -> Response:
    """An Ibis expression's rows as a download: CSV and JSON streamed in record batches, whole;
    Parquet and Excel built in memory up to MAX_FILE_ROWS."""
    if fmt not in STREAMED:
        table = expr.limit(MAX_FILE_ROWS + 1).to_pyarrow()
        return download(table.slice(0, MAX_FILE_ROWS), fmt, name, partial=table.num_rows > MAX_FILE_ROWS)
    backend = expr._find_backend()  # the request's DuckDB cursor, which stays open until the answer is sent
    reader = backend.con.sql(str(backend.compile(expr))).to_arrow_reader(BATCH_ROWS)
    chunks = csv_chunks(reader.schema, reader) if fmt == "csv" else _json_chunks(reader)
    return StreamingResponse(_closing(chunks, reader), media_type=FORMATS[fmt], headers=_attachment(name, fmt))


def _attachment(name: str, fmt: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}


def _closing(chunks: Iterator[bytes], reader) -> Iterator[bytes]:
    """The chunks, and the DuckDB result closed however the client leaves (done or disconnected)."""
    try:
        yield from chunks
    finally:
        reader.close()


def _json_chunks(batches: Iterable[pa.RecordBatch]) -> Iterator[bytes]:
    """One JSON array, written a batch at a time."""
    yield b"["
    first = True
    for batch in batches:
        rows = batch.to_pylist()
        if not rows:
            continue
        text = ",".join(json.dumps(row, default=json_default, ensure_ascii=False) for row in rows)
        yield (text if first else "," + text).encode("utf-8")
        first = False
    yield b"]"


def _json(table: pa.Table) -> bytes:
    return json.dumps(table.to_pylist(), default=json_default, ensure_ascii=False).encode("utf-8")


def _parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()
