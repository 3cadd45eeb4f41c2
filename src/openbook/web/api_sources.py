"""/api/v1/sources and /problems: every file ingested, and every row quarantined or flagged."""

from __future__ import annotations

import json
from typing import Annotated, Literal

import ibis
from fastapi import APIRouter, Query

from openbook.web.deps import BookDep
from openbook.web.listing import Cursor, Format, Limit, equal, listing, rows_response, text
from openbook.web.models import listing as listing_model
from openbook.web.models import responses, row_model

router = APIRouter(prefix="/api/v1", tags=["sources and problems"])
Source = row_model("source", "Source", extra={"columns": (list[dict], "Which published column filled which "
                                                   "field of the standard, with the match score and how it matched "
                                                   "(exact, same-words, close-spelling, given by --columns)")})
Problem = row_model("quarantine", "Problem")


@router.get("/sources", summary="Every file ingested, with its reconciliation and status",
            response_model=listing_model(Source), responses=responses(errors=(422,)))
def sources(
    book: BookDep,
    status: Annotated[str | None, text("current, superseded or rejected")] = None,
    dataset: Annotated[str | None, text("e.g. spend, organogram, system")] = None,
    format: Format = None,
):
    expr = equal(book.ibis().table("source"), status=status, dataset=dataset)
    expr = expr.mutate(columns=expr.dialect["matches"])
    table = expr.order_by([ibis.desc("loaded_at"), "sha256"]).to_pyarrow()
    if format and format not in ("page", "json"):
        return rows_response(table, format, "sources")  # a flat file keeps the matches as JSON text
    rows = table.to_pylist()
    for row in rows:
        row["columns"] = (json.loads(row["columns"]) if row["columns"] else None) or []  # JSON null too
    return rows_response(rows, format, "sources")


@router.get("/problems", summary="Quarantined rows and flags, each with its file, line, column and raw row",
            response_model=listing_model(Problem), responses=responses())
def problems(
    book: BookDep,
    file: Annotated[str | None, text("File name, path or SHA-256 prefix")] = None,
    code: Annotated[str | None, text("Problem code, e.g. amount-not-a-number")] = None,
    severity: Annotated[Literal["error", "warning", "structural"] | None,
                        Query(description="Leave out for errors only")] = "error",
    cursor: Cursor = None,
    limit: Limit = 100,
    format: Format = None,
):
    expr = equal(book.ibis().table("quarantine"), severity=severity, code=code)
    if file:
        source = book.ibis().table("source")
        match = source.filter((source.file_name == file) | (source.path == file) | source.sha256.startswith(file))
        expr = expr.filter(expr.source_sha256.isin(match.sha256))
    return listing(expr, sort="code", unique=("source_sha256", "source_line", "column_number"), cursor=cursor,
                   limit=limit, fmt=format, name="problems")
