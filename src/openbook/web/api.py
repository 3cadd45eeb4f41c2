"""The REST API under /api/v1: every list filterable, paginated by cursor and downloadable.

Lists read the book through Ibis (the store's seam) so the same code serves a Spark-backed book.
Pages of a list are keyset-paginated on (sort column, source_sha256, source_line): stable under
inserts and as fast on the millionth page as on the first.
"""

from __future__ import annotations

import base64
import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from fastapi import APIRouter, Depends, Query

from openbook.store.book import Book
from openbook.web.app import ApiError, book_for_request
from openbook.web.downloads import FORMATS, download, json_default

router = APIRouter(prefix="/api/v1", tags=["book"])
BookDep = Annotated[Book, Depends(book_for_request)]
Format = Annotated[Literal["page", "csv", "json", "parquet", "xlsx"] | None, Query(
    description="Leave out for a JSON page with a cursor to the next; csv, json, parquet or xlsx for the "
                "whole filtered list as a download (up to max_download_rows).")]
MAX_DOWNLOAD_ROWS = 1_000_000
SPEND_SORTS = ("paid_on", "amount_gbp", "supplier_name", "org_id")


def _page(table: pa.Table, *, next_cursor: str | None, total: int | None = None) -> dict:
    rows = json.loads(json.dumps(table.to_pylist(), default=json_default))
    return {"rows": rows, "count": len(rows), "next_cursor": next_cursor, "total": total}


def _encode(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=json_default).encode()).decode()


def _decode(cursor: str) -> list:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(values, list) or len(values) != 3:
            raise ValueError
        return values
    except ValueError:
        raise ApiError(400, "bad-cursor", "the cursor is not one this API gave out; start again without it") from None


def _org_id(book: Book, org: str | None) -> str | None:
    """The org_id a body's id or name refers to; a name the book does not know is a 404."""
    if not org:
        return None
    org_id = book.resolve_org(org)
    if org_id is None:
        raise ApiError(404, "not-found", f"no body {org!r} in the book")
    return org_id


def _money(text: str | None, name: str) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ApiError(422, "invalid-request", f"{name} {text!r} is not an amount") from None


def _listing(expr: ir.Table, *, sort: str, descending: bool, cursor: str | None, limit: int, fmt: str | None,
             name: str):
    """A keyset page of `expr` ordered by (sort, source_sha256, source_line), or the whole list as a download."""
    keys = [sort, "source_sha256", "source_line"]
    order = [ibis.desc(k) if descending else ibis.asc(k) for k in keys]
    if fmt and fmt != "page":
        table = expr.order_by(order).limit(MAX_DOWNLOAD_ROWS).to_pyarrow()
        return download(table, fmt, name)
    if cursor:
        value, sha, line = _decode(cursor)
        column = expr[sort]
        value = _typed(expr, sort, value)
        after = (column < value) if descending else (column > value)
        tie = (expr.source_sha256 < sha) | ((expr.source_sha256 == sha) & (expr.source_line < line)) if descending \
            else (expr.source_sha256 > sha) | ((expr.source_sha256 == sha) & (expr.source_line > line))
        expr = expr.filter(after | ((column == value) & tie))
    table = expr.order_by(order).limit(limit + 1).to_pyarrow()
    more = table.num_rows > limit
    table = table.slice(0, limit)
    next_cursor = None
    if more:
        last = table.slice(limit - 1, 1).to_pylist()[0]
        next_cursor = _encode([last[sort], last["source_sha256"], last["source_line"]])
    return _page(table, next_cursor=next_cursor)


def _typed(expr: ir.Table, column: str, value):
    kind = expr.schema()[column]
    if kind.is_date():
        return date.fromisoformat(value)
    if kind.is_decimal():
        return Decimal(value)
    return value


@router.get("/organisations", summary="Public bodies in the book, with the spend and findings held for each")
def organisations(book: BookDep, format: Format = None):
    con = book.ibis()
    organisation = con.table("organisation")
    spend = con.table("spend_current")
    totals = spend.group_by("org_id").aggregate(spend_gbp=spend.amount_gbp.sum(), spend_lines=spend.count())
    expr = organisation.left_join(totals, "org_id").select(organisation, "spend_gbp", "spend_lines")
    expr = expr.order_by([ibis.desc("spend_gbp"), "org_id"])
    table = expr.to_pyarrow()
    if format and format != "page":
        return download(table, format, "organisations")
    return _page(table, next_cursor=None, total=table.num_rows)


@router.get("/organisations/{org_id}", summary="One body: its registry entry and headline figures")
def organisation(org_id: str, book: BookDep):
    rows = book.ibis().table("organisation").filter(lambda t: t.org_id == org_id).to_pyarrow().to_pylist()
    if not rows:
        resolved = book.resolve_org(org_id)
        if resolved is None:
            raise ApiError(404, "not-found", f"no body {org_id!r} in the book")
        rows = book.ibis().table("organisation").filter(lambda t: t.org_id == resolved).to_pyarrow().to_pylist()
    return json.loads(json.dumps(rows[0], default=json_default))


@router.get("/spend", summary="Payment lines, filtered, sorted and paginated by cursor")
def spend(
    book: BookDep,
    org: Annotated[str | None, Query(description="Body id or name")] = None,
    supplier: Annotated[str | None, Query(description="Supplier name contains (case-insensitive), or a supplier_id")] = None,
    function: Annotated[str | None, Query(description="Function code, e.g. finance")] = None,
    date_from: date | None = None,
    date_to: date | None = None,
    amount_min: Annotated[str | None, Query(description="Smallest amount in £, e.g. 500.00")] = None,
    amount_max: Annotated[str | None, Query(description="Largest amount in £")] = None,
    sort: Annotated[Literal[SPEND_SORTS], Query()] = "paid_on",  # type: ignore[valid-type]
    order: Literal["asc", "desc"] = "desc",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    format: Format = None,
):
    expr = book.ibis().table("spend_current")
    if org:
        expr = expr.filter(expr.org_id == _org_id(book, org))
    if supplier:
        expr = expr.filter((expr.supplier_id == supplier)
                           | expr.supplier_name.lower().contains(supplier.lower()))
    if function:
        expr = expr.filter(expr.function == function)
    if date_from:
        expr = expr.filter(expr.paid_on >= date_from)
    if date_to:
        expr = expr.filter(expr.paid_on <= date_to)
    low, high = _money(amount_min, "amount_min"), _money(amount_max, "amount_max")
    if low is not None:
        expr = expr.filter(expr.amount_gbp >= low)
    if high is not None:
        expr = expr.filter(expr.amount_gbp <= high)
    return _listing(expr, sort=sort, descending=order == "desc", cursor=cursor, limit=limit, fmt=format, name="spend")


@router.get("/aggregates/spend", summary="Current spend grouped by a dimension: the figures behind the charts")
def spend_aggregate(
    book: BookDep,
    by: Literal["org_id", "function", "capability", "supplier", "supplier_name", "expense_type", "expense_area",
                "month", "year"] = "function",
    org: str | None = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 50,
    format: Format = None,
):
    from openbook.analyse.spending import totals

    org_id = _org_id(book, org)
    rows = totals(book, by, org=org_id, limit=limit)
    table = pa.Table.from_pylist(rows) if rows else pa.table({by: pa.array([], pa.string())})
    if format and format != "page":
        return download(table, format, f"spend-by-{by}")
    return _page(table, next_cursor=None, total=len(rows))


@router.get("/findings", summary="Evidenced duplication and waste, largest £ at stake first")
def findings(
    book: BookDep,
    kind: str | None = None,
    org: str | None = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 100,
    format: Format = None,
):
    org_id = _org_id(book, org)
    rows = book.findings(kind=kind, org=org_id, limit=limit)
    table = pa.Table.from_pylist(rows) if rows else pa.table({"finding_id": pa.array([], pa.string())})
    if format and format != "page":
        return download(table, format, "findings")
    return _page(table, next_cursor=None, total=len(rows))


@router.get("/sources", summary="Every file ingested, with its reconciliation and status")
def sources(book: BookDep, status: str | None = None, dataset: str | None = None, format: Format = None):
    expr = book.ibis().table("source")
    if status:
        expr = expr.filter(expr.status == status)
    if dataset:
        expr = expr.filter(expr.dataset == dataset)
    table = expr.order_by([ibis.desc("loaded_at"), "sha256"]).to_pyarrow()
    if format and format != "page":
        return download(table, format, "sources")
    return _page(table, next_cursor=None, total=table.num_rows)


@router.get("/problems", summary="Quarantined rows and flags, each with its file, line, column and raw row")
def problems(
    book: BookDep,
    file: Annotated[str | None, Query(description="File name, path or SHA-256 prefix")] = None,
    code: str | None = None,
    severity: Literal["error", "warning", "structural"] | None = "error",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    format: Format = None,
):
    expr = book.ibis().table("quarantine")
    if severity:
        expr = expr.filter(expr.severity == severity)
    if code:
        expr = expr.filter(expr.code == code)
    if file:
        source = book.ibis().table("source")
        match = source.filter((source.file_name == file) | (source.path == file) | source.sha256.startswith(file))
        expr = expr.filter(expr.source_sha256.isin(match.sha256))
    return _listing(expr, sort="code", descending=False, cursor=cursor, limit=limit, fmt=format, name="problems")


__all__ = ["router", "FORMATS"]
