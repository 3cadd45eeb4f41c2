"""What the page modules share: a page's tables as downloads, paging, months in the query, a body
by its id, and the decile cut points drawn on the ranking charts.

Pages answer a wrong id or argument with an HTTPException, which the app renders as an error page.
Every page router checks its request's text first (`page_router`), so no page hands the book a
NUL, a control character or a broken UTF-8 sequence, which no id holds and SQL cannot quote.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Annotated, Literal

import pyarrow as pa
from fastapi import APIRouter, Depends, Query, Request
from starlette.exceptions import HTTPException

from openbook.analyse.measures.ranks import centile
from openbook.store.book import Book
from openbook.web.downloads import download

Format = Annotated[Literal["csv", "json", "parquet", "xlsx"] | None, Query()]
Page = Annotated[int, Query(ge=1, le=1_000_000)]
PER_PAGE = 100


def _malformed(text: str, *, segment: bool) -> bool:
    """NUL, a lone surrogate, or (in a path segment) any control character or the replacement
    character that stands for bytes which were not UTF-8."""
    for char in text:
        category = unicodedata.category(char)
        if char == "\x00" or category == "Cs" or (segment and (category == "Cc" or char == "\ufffd")):
            return True
    return False


def well_formed_request(request: Request) -> None:
    """A malformed path segment names no page (404); a malformed query value is refused (400)."""
    for value in request.path_params.values():
        if isinstance(value, str) and _malformed(value, segment=True):
            raise HTTPException(404, "No such page: the address holds characters no id has.")
    for name, value in request.query_params.multi_items():
        if _malformed(name, segment=False) or _malformed(value, segment=False):
            raise HTTPException(400, f"the query parameter {name!r} holds a NUL or broken text")


def page_router() -> APIRouter:
    """The router every page module serves from: out of the API document, request text checked."""
    return APIRouter(include_in_schema=False, dependencies=[Depends(well_formed_request)])


def table_download(fmt: str | None, tables: dict[str, list[dict]], table: str | None, name: str):
    """The page's named table as a download (its twin), or None when the page itself was asked for."""
    if not fmt:
        return None
    chosen = table or next(iter(tables))
    if chosen not in tables:
        raise HTTPException(404, f"this page has no table {chosen!r}; it has {', '.join(tables)}")
    rows = tables[chosen]
    arrow = pa.Table.from_pylist(rows) if rows else pa.table({"empty": pa.array([], pa.string())})
    return download(arrow, fmt, f"{name}-{chosen}" if len(tables) > 1 else name)


def page_window(request: Request, page: int, total: int, per_page: int = PER_PAGE) -> dict:
    """Which rows page `page` of `total` shows, and the links to the pages either side."""
    first = (page - 1) * per_page
    return {"page": page, "total": total, "first": first + 1 if total else 0, "last": min(first + per_page, total),
            "offset": first, "limit": per_page,
            "prev": str(request.url.include_query_params(page=page - 1)) if page > 1 else None,
            "next": str(request.url.include_query_params(page=page + 1)) if first + per_page < total else None}


def parse_month(text: str | None, name: str, *, end: bool = False) -> date | None:
    """'2024-04' as the first (or, for an end, the last) day of that month."""
    if not text:
        return None
    try:
        year, month = (int(part) for part in text.split("-")[:2])
        first = date(year, month, 1)
    except ValueError:
        raise HTTPException(400, f"{name} {text!r} is not a month; write it as YYYY-MM, e.g. 2024-04") from None
    if not end:
        return first
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def body_or_404(book: Book, org_id: str) -> dict:
    """The body's organisation row, found by id or by any name the book knows it by."""
    if not org_id.isprintable():  # a NUL or control character names no body (and would break the query)
        raise HTTPException(404, f"No body {org_id!r} in the book.")
    organisation = book.ibis().table("organisation")
    rows = organisation.filter(organisation.org_id == org_id).to_pyarrow().to_pylist()
    if not rows:
        resolved = book.resolve_org(org_id)
        rows = organisation.filter(organisation.org_id == resolved).to_pyarrow().to_pylist() if resolved else []
    if not rows:
        raise HTTPException(404, f"No body {org_id!r} in the book. Search for it by name at /search, "
                                 "or load the registry with `openbook ingest organisations.csv`.")
    return rows[0]


def body_names(book: Book) -> dict[str, str]:
    """org_id -> name, for the pages that name bodies they list by id."""
    rows = book.ibis().table("organisation").select("org_id", "name").to_pyarrow().to_pylist()
    return {r["org_id"]: r["name"] for r in rows}


def deciles(values: list[float]) -> list[float]:
    """The nine cut points between deciles, as the measures compute them (ranks.centile)."""
    if len(values) < 2:
        return []
    return [centile(values, i / 10) for i in range(1, 10)]
