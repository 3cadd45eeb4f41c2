"""/api/v1/spend: payment lines, filtered, sorted and paginated by cursor."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from openbook.web.deps import BookDep
from openbook.web.listing import Cursor, Format, Limit, Order, OrgQuery, between, contains, equal, listing, \
    money, org_id, pounds, sort_by, text
from openbook.web.models import listing as listing_model
from openbook.web.models import responses, row_model

router = APIRouter(prefix="/api/v1", tags=["spend"])
SpendLine = row_model("spend", "SpendLine")
SORTS = ("paid_on", "amount_gbp", "supplier_name", "org_id")


@router.get("/spend", summary="Payment lines, filtered, sorted and paginated by cursor",
            response_model=listing_model(SpendLine), responses=responses())
def spend(
    book: BookDep,
    org: OrgQuery = None,
    supplier: Annotated[str | None, text("Supplier name contains (case-insensitive), or a supplier_id", "Acme")] = None,
    function: Annotated[str | None, text("Function code, e.g. finance", "finance")] = None,
    capability: Annotated[str | None, text("Capability code, e.g. payroll")] = None,
    date_from: Annotated[date | None, Query(description="Paid on or after, YYYY-MM-DD")] = None,
    date_to: Annotated[date | None, Query(description="Paid on or before, YYYY-MM-DD")] = None,
    amount_min: Annotated[str | None, pounds("Smallest amount in £", "500.00")] = None,
    amount_max: Annotated[str | None, pounds("Largest amount in £ (credits are negative)", "-0.01")] = None,
    sort: sort_by(SORTS) = "paid_on",
    order: Order = "desc",
    cursor: Cursor = None,
    limit: Limit = 100,
    format: Format = None,
):
    expr = book.ibis().table("spend_current")
    if org:
        expr = expr.filter(expr.org_id == org_id(book, org))
    if supplier:
        expr = expr.filter((expr.supplier_id == supplier) | contains(expr.supplier_name, supplier))
    expr = equal(expr, function=function, capability=capability)
    expr = between(expr, "paid_on", date_from, date_to)
    expr = between(expr, "amount_gbp", money(amount_min, "amount_min"), money(amount_max, "amount_max"))
    return listing(expr, sort=sort, descending=order == "desc", cursor=cursor, limit=limit, fmt=format, name="spend")
