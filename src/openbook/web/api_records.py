"""/api/v1/posts, /systems and /contracts: the organogram posts, IT systems and contracts bodies publish."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from openbook.web.deps import BookDep
from openbook.web.listing import Cursor, Format, Limit, Order, OrgQuery, between, contains, equal, listing, \
    money, org_id, pounds, sort_by, text
from openbook.web.models import listing as listing_model
from openbook.web.models import responses, row_model

router = APIRouter(prefix="/api/v1", tags=["posts, systems and contracts"])
Post = row_model("post", "Post")
System = row_model("system", "System")
Contract = row_model("contract", "Contract")
POST_SORTS = ("org_id", "as_of", "grade", "pay_ceiling_gbp", "title")
SYSTEM_SORTS = ("annual_cost_gbp", "users", "contract_end", "org_id", "capability")
CONTRACT_SORTS = ("value_gbp", "awarded_on", "start_date", "end_date", "org_id")
Function = Annotated[str | None, text("Function code, e.g. finance")]
Capability = Annotated[str | None, text("Capability (Lego block) code, e.g. payroll")]


def _table(book, name: str, org: str | None):
    expr = book.ibis().table(name)
    return expr.filter(expr.org_id == org_id(book, org)) if org else expr


@router.get("/posts", summary="Posts in bodies' organograms: grade, function, pay band, who reports to whom",
            response_model=listing_model(Post), responses=responses())
def posts(
    book: BookDep,
    org: OrgQuery = None,
    function: Function = None,
    grade: Annotated[str | None, text("Grade as published, e.g. SCS1")] = None,
    senior: Annotated[bool | None, Query(description="Only senior (true) or junior (false) posts")] = None,
    title: Annotated[str | None, text("Job title contains (case-insensitive)")] = None,
    as_of: Annotated[date | None, Query(description="One snapshot date, YYYY-MM-DD")] = None,
    latest: Annotated[bool, Query(description="Only each body's latest snapshot")] = False,
    sort: sort_by(POST_SORTS) = "org_id",
    order: Order = "asc",
    cursor: Cursor = None,
    limit: Limit = 100,
    format: Format = None,
):
    expr = _table(book, "post", org)
    if latest:
        newest = expr.group_by("org_id").aggregate(newest=expr.as_of.max())
        expr = expr.join(newest, [expr.org_id == newest.org_id, expr.as_of == newest.newest]).select(expr)
    expr = equal(expr, function=function, grade=grade, is_senior=senior, as_of=as_of)
    if title:
        expr = expr.filter(contains(expr.title, title))
    return listing(expr, sort=sort, descending=order == "desc", cursor=cursor, limit=limit, fmt=format, name="posts")


@router.get("/systems", summary="IT systems bodies run: product, vendor, capability, annual cost, users, contract end",
            response_model=listing_model(System), responses=responses())
def systems(
    book: BookDep,
    org: OrgQuery = None,
    capability: Capability = None,
    function: Function = None,
    vendor: Annotated[str | None, text("Vendor contains (case-insensitive)")] = None,
    product: Annotated[str | None, text("Product contains (case-insensitive)")] = None,
    ending_before: Annotated[date | None, Query(description="Contract ends on or before, YYYY-MM-DD")] = None,
    sort: sort_by(SYSTEM_SORTS) = "annual_cost_gbp",
    order: Order = "desc",
    cursor: Cursor = None,
    limit: Limit = 100,
    format: Format = None,
):
    expr = equal(_table(book, "system", org), capability=capability, function=function)
    if vendor:
        expr = expr.filter(contains(expr.vendor, vendor))
    if product:
        expr = expr.filter(contains(expr.product.coalesce(expr.name), product))
    if ending_before:
        expr = expr.filter(expr.contract_end <= ending_before)
    return listing(expr, sort=sort, descending=order == "desc", cursor=cursor, limit=limit, fmt=format,
                   name="systems")


@router.get("/contracts", summary="Contracts bodies awarded: supplier, value, dates, classification",
            response_model=listing_model(Contract), responses=responses())
def contracts(
    book: BookDep,
    org: OrgQuery = None,
    supplier: Annotated[str | None, text("Supplier name contains (case-insensitive), or a supplier_id")] = None,
    capability: Capability = None,
    function: Function = None,
    value_min: Annotated[str | None, pounds("Smallest value in £", "100000")] = None,
    value_max: Annotated[str | None, pounds("Largest value in £")] = None,
    awarded_from: Annotated[date | None, Query(description="Awarded on or after, YYYY-MM-DD")] = None,
    awarded_to: Annotated[date | None, Query(description="Awarded on or before, YYYY-MM-DD")] = None,
    ending_before: Annotated[date | None, Query(description="Ends on or before, YYYY-MM-DD")] = None,
    sort: sort_by(CONTRACT_SORTS) = "value_gbp",
    order: Order = "desc",
    cursor: Cursor = None,
    limit: Limit = 100,
    format: Format = None,
):
    expr = equal(_table(book, "contract", org), capability=capability, function=function)
    if supplier:
        expr = expr.filter((expr.supplier_id == supplier) | contains(expr.supplier_name, supplier))
    expr = between(expr, "value_gbp", money(value_min, "value_min"), money(value_max, "value_max"))
    expr = between(expr, "awarded_on", awarded_from, awarded_to)
    if ending_before:
        expr = expr.filter(expr.end_date <= ending_before)
    return listing(expr, sort=sort, descending=order == "desc", cursor=cursor, limit=limit, fmt=format,
                   name="contracts")
