"""/api/v1/findings: evidenced duplication and waste, headlined findings first, largest £ at stake first.

A finding that needs review (its rule cannot reach 0.9 precision from published data) comes after
every headlined one, and a client may leave such findings out with `needs_review=false`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from openbook.web.deps import BookDep
from openbook.web.errors import ApiError
from openbook.web.listing import Cursor, Format, Limit, OrgQuery, equal, json_response, key, listing, money, \
    org_id, pounds, text
from openbook.web.models import listing as listing_model
from openbook.web.models import responses, row_model

router = APIRouter(prefix="/api/v1", tags=["findings"])
Finding = row_model("finding", "Finding")


@router.get("/findings", summary="Evidenced duplication and waste: headlined findings first, then those that need "
            "review; largest £ at stake first within each",
            response_model=listing_model(Finding), responses=responses())
def findings(
    book: BookDep,
    kind: Annotated[str | None, text("One kind, e.g. duplicate-payment or duplicated-system")] = None,
    org: OrgQuery = None,
    min_gbp: Annotated[str | None, pounds("Only findings with at least this £ at stake", "10000")] = None,
    needs_review: Annotated[bool | None, Query(description="false: only headlined findings; true: only those "
                                                           "that need review; leave out for both")] = None,
    cursor: Cursor = None,
    limit: Limit = 100,
    format: Format = None,
):
    expr = equal(book.ibis().table("finding"), kind=kind)
    if org:
        expr = expr.filter(expr.org_ids.contains(org_id(book, org)))
    low = money(min_gbp, "min_gbp")
    if low is not None:
        expr = expr.filter(expr.gbp_at_stake >= low)
    if needs_review is not None:
        expr = expr.filter(expr.needs_review.fill_null(False) == needs_review)
    # headlined (not needing review) sorts first in the descending order every key shares.
    # A CASE, not NOT(...): ibis renders `NOT (x) IS NULL` for the cursor's null test, which DuckDB
    # reads as NOT (x IS NULL), always true, so every page would repeat the first.
    expr = expr.mutate(headlined=expr.needs_review.fill_null(False).ifelse(False, True))
    return listing(expr, sort="headlined", unique=("gbp_at_stake", "finding_id"), descending=True, cursor=cursor,
                   limit=limit, fmt=format, name="findings")


@router.get("/findings/{finding_id}", summary="One finding with its formula and the source rows it cites",
            response_model=Finding, responses=responses(downloads=False, errors=(404, 422)))
def finding(finding_id: Annotated[str, key("The finding's id")], book: BookDep):
    table = book.ibis().table("finding")
    rows = table.filter(table.finding_id == finding_id).to_pyarrow().to_pylist()
    if not rows:
        raise ApiError(404, "not-found", f"no finding {finding_id!r} in the book")
    return json_response(rows[0])
