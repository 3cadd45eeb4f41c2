"""What every list in the API shares: filters, keyset pages and downloads.

Lists read the book through Ibis (the store's seam) so the same code serves a Spark-backed book.
A page is keyset-paginated on (sort column, then columns unique to a row, such as source_sha256
and source_line): stable under inserts and as fast on the millionth page as on the first.
Routes answer with a Response they build themselves; the response models only document them.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from fastapi import Path, Query
from fastapi.responses import Response

from openbook.store.book import Book
from openbook.web.downloads import download, json_default, stream_download
from openbook.web.errors import ApiError

Format = Annotated[Literal["page", "csv", "json", "parquet", "xlsx"] | None, Query(
    description="Leave out for a JSON page with a cursor to the next; csv, json, parquet or xlsx for the "
                "whole filtered list as a download (csv and json streamed whole; parquet and xlsx up to "
                "1,000,000 rows).")]
Cursor = Annotated[str | None, Query(description="The next_cursor of the page before; leave out for the first page")]
Limit = Annotated[int, Query(ge=1, le=1000, description="Rows on a page")]
Order = Annotated[Literal["asc", "desc"], Query(description="Sort order")]
OrgQuery = Annotated[str | None, Query(description="A body's id or name, e.g. GB-LAE-TRF or Trafford Council")]
MONEY_PATTERN = r"^-?[0-9]{1,13}(\.[0-9]{1,2})?$"
# Any text but NUL, which no published cell holds and which Ibis cannot put in a SQL literal.
TEXT_PATTERN = r"^[^\x00]*$"


def text(description: str, example: str | None = None):
    """A free-text query parameter compared with the book's values."""
    return Query(description=description, pattern=TEXT_PATTERN, examples=[example] if example else None)


def key(description: str):
    """A path parameter naming one record by its id."""
    return Path(description=description, pattern=TEXT_PATTERN)


def pounds(description: str, example: str | None = None):
    """A query parameter holding an amount in pounds, as the document describes it (e.g. 500 or -12.50)."""
    return Query(description=description, pattern=MONEY_PATTERN, examples=[example] if example else None)


def sort_by(columns: tuple[str, ...]):
    """The `sort` parameter of a list: one of its columns."""
    return Annotated[Literal[columns], Query(description="Column to sort by")]  # type: ignore[valid-type]


def json_response(body: object, status: int = 200) -> Response:
    """JSON with money as exact strings and dates as ISO 8601, written once (no re-validation)."""
    text = json.dumps(body, default=json_default, ensure_ascii=False, separators=(",", ":"))
    return Response(text.encode("utf-8"), status_code=status, media_type="application/json")


def rows_response(table: pa.Table | list[dict], fmt: str | None, name: str, *,
                  next_cursor: str | None = None, total: int | None = None) -> Response:
    """A small list answered whole: a page (with its total) or the asked download."""
    if isinstance(table, list):
        table = pa.Table.from_pylist(table) if table else pa.table({})
    if fmt and fmt != "page":
        return download(table, fmt, name)
    rows = table.to_pylist()
    return json_response({"rows": rows, "count": len(rows), "next_cursor": next_cursor,
                          "total": len(rows) if total is None and next_cursor is None else total})


def org_id(book: Book, org: str | None) -> str | None:
    """The org_id a body's id or name refers to; a name the book does not know is a 404."""
    if not org:
        return None
    resolved = book.resolve_org(org)
    if resolved is None:
        raise ApiError(404, "not-found", f"no body {org!r} in the book")
    return resolved


def money(text: str | None, name: str) -> Decimal | None:
    """An amount in £ from a `pounds` parameter, exactly (never through a float)."""
    if text is None or text == "":
        return None
    if not re.fullmatch(MONEY_PATTERN, text):
        raise ApiError(422, "invalid-request", f"{name} {text!r} is not an amount in pounds, e.g. 500.00")
    return Decimal(text)


def contains(column: ir.StringValue, text: str) -> ir.BooleanValue:
    """Case-insensitive 'contains', for names people half remember."""
    return column.lower().contains(text.lower())


def equal(expr: ir.Table, **wanted) -> ir.Table:
    """Rows whose columns equal each value given; a value left out (None or empty) does not filter."""
    for column, value in wanted.items():
        if value is not None and value != "":
            expr = expr.filter(expr[column] == value)
    return expr


def between(expr: ir.Table, column: str, low, high) -> ir.Table:
    if low is not None:
        expr = expr.filter(expr[column] >= low)
    if high is not None:
        expr = expr.filter(expr[column] <= high)
    return expr


def listing(expr: ir.Table, *, sort: str, unique: tuple[str, ...] = ("source_sha256", "source_line"),
            descending: bool = False, cursor: str | None = None, limit: int = 100, fmt: str | None = None,
            name: str) -> Response:
    """A keyset page of `expr` ordered by (sort, *unique), or the whole list as a download."""
    keys = [sort, *unique]
    order = [ibis.desc(k) if descending else ibis.asc(k) for k in keys]
    if fmt and fmt != "page":
        return stream_download(expr.order_by(order), fmt, name)
    if cursor:
        expr = expr.filter(_after(expr, keys, _decode(cursor, expr, keys), descending))
    table = expr.order_by(order).limit(limit + 1).to_pyarrow()
    next_cursor = None
    if table.num_rows > limit:
        table = table.slice(0, limit)
        last = table.slice(limit - 1, 1).to_pylist()[0]
        next_cursor = _encode([sort, *(last[k] for k in keys)])
    return rows_response(table, None, name, next_cursor=next_cursor)


def _after(expr: ir.Table, keys: list[str], values: list, descending: bool) -> ir.BooleanValue:
    """Rows after `values` in (keys) order, nulls last (DuckDB's default and ibis's), as one predicate."""
    column, value = expr[keys[0]], values[0]
    if len(keys) == 1:
        if value is None:
            return ibis.literal(False)
        return ((column < value) if descending else (column > value)) | column.isnull()
    rest = _after(expr, keys[1:], values[1:], descending)
    if value is None:
        return column.isnull() & rest
    beyond = ((column < value) if descending else (column > value)) | column.isnull()
    return beyond | ((column == value) & rest)


def _encode(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=json_default).encode()).decode()


def _decode(cursor: str, expr: ir.Table, keys: list[str]) -> list:
    """The key values a cursor holds, typed as the columns are; anything else is a 400, never a 500."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(values, list) or len(values) != len(keys) + 1 or values[0] != keys[0]:
            raise ValueError
        schema = expr.schema()
        return [_typed(schema[k], v) for k, v in zip(keys, values[1:])]
    except (ValueError, TypeError, UnicodeError, binascii.Error, InvalidOperation):
        raise ApiError(400, "bad-cursor", "the cursor is not one this API gave out for this sort; "
                       "start again without it") from None


def _typed(kind, value):
    if value is None:
        return None
    if kind.is_date():
        return date.fromisoformat(value)
    if kind.is_timestamp():
        return datetime.fromisoformat(value)
    if kind.is_decimal() and isinstance(value, str):
        amount = Decimal(value)
        if not amount.is_finite() or abs(amount) >= Decimal("1e16"):
            raise ValueError(f"{value!r} is not an amount")
        return amount
    if kind.is_boolean() and isinstance(value, bool):
        return value
    if kind.is_integer() and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind.is_floating() and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if kind.is_string() and isinstance(value, str):
        return value
    raise ValueError(f"{value!r} does not fit {kind}")
