"""/api/v1/suppliers: resolved suppliers, their name variants and the bodies that pay them."""

from __future__ import annotations

from typing import Annotated, Any

import ibis
from fastapi import APIRouter, Query

from openbook.web.deps import BookDep
from openbook.web.errors import ApiError
from openbook.web.listing import Cursor, Format, Limit, Order, contains, json_response, key, \
    listing, org_id, sort_by, text
from openbook.web.models import listing as listing_model
from openbook.web.models import model, responses, row_model

router = APIRouter(prefix="/api/v1", tags=["suppliers"])
_TOTALS = {"total_gbp": (str, "Current spend with the supplier, £ (with one body's, when org is given)"),
           "spend_lines": (int, "Current payment lines"), "bodies": (int, "Bodies paying it")}
Supplier = row_model("supplier", "Supplier", _TOTALS)
Spelling = model("SupplierSpelling", {"supplier_name": (str, "The name as a publisher wrote it"),
                                      "lines": (int, "Payment lines"), "total_gbp": (str, "£")})
Payer = model("SupplierPayer", {"org_id": (str, "Body"), "name": (str, "Body's name"), "total_gbp": (str, "£"),
                                "lines": (int, "Payment lines"), "first_paid_on": (str, "YYYY-MM-DD"),
                                "last_paid_on": (str, "YYYY-MM-DD")})
SupplierDetail = row_model("supplier", "SupplierDetail", {
    **_TOTALS, "spellings": (list[Spelling], "Every spelling publishers used, with its lines and £"),
    "paid_by": (list[Payer], "Every body paying the supplier, largest £ first")})
SORTS = ("total_gbp", "canonical_name", "spend_lines", "bodies")


def _totals(book, org: str | None):
    spend = book.ibis().table("spend_current")
    spend = spend.filter(spend.supplier_id.notnull())
    if org:
        spend = spend.filter(spend.org_id == org)
    return spend.group_by("supplier_id").aggregate(total_gbp=spend.amount_gbp.sum(), spend_lines=spend.count(),
                                                   bodies=spend.org_id.nunique())


@router.get("/suppliers", summary="Resolved suppliers with their current spend, largest first",
            response_model=listing_model(Supplier), responses=responses())
def suppliers(
    book: BookDep,
    name: Annotated[str | None, text("Canonical name or any spelling contains (case-insensitive)", "cleaning")] = None,
    org: Annotated[str | None, Query(description="Only suppliers this body pays (id or name); totals are then "
                                                 "that body's spend with each")] = None,
    company_number: Annotated[str | None, text("Companies House number")] = None,
    sort: sort_by(SORTS) = "total_gbp",
    order: Order = "desc",
    cursor: Cursor = None,
    limit: Limit = 100,
    format: Format = None,
):
    body = org_id(book, org)
    supplier = book.ibis().table("supplier")
    totals = _totals(book, body)
    expr = (supplier.inner_join(totals, "supplier_id") if body else supplier.left_join(totals, "supplier_id"))
    expr = expr.select(supplier, *[c for c in totals.columns if c != "supplier_id"])
    expr = expr.mutate(total_gbp=expr.total_gbp.coalesce(ibis.literal(0).cast(expr.total_gbp.type())),
                       spend_lines=expr.spend_lines.coalesce(0), bodies=expr.bodies.coalesce(0))
    if name:
        expr = expr.filter(contains(expr.canonical_name, name) | contains(expr.aliases.join("\n"), name))
    if company_number:
        expr = expr.filter(expr.company_number == company_number.strip().upper())
    return listing(expr, sort=sort, unique=("supplier_id",), descending=order == "desc", cursor=cursor, limit=limit,
                   fmt=format, name="suppliers")


@router.get("/suppliers/{supplier_id}", summary="One supplier: its name variants and the bodies paying it",
            response_model=SupplierDetail, responses=responses(downloads=False, errors=(404, 422)))
def supplier(supplier_id: Annotated[str, key("The supplier's id, e.g. OB-SUP-4bf634077790")], book: BookDep):
    con = book.ibis()
    table = con.table("supplier")
    rows = table.filter(table.supplier_id == supplier_id).to_pyarrow().to_pylist()
    if not rows:
        raise ApiError(404, "not-found", f"no supplier {supplier_id!r} in the book; search /api/v1/suppliers?name=")
    row: dict[str, Any] = rows[0]
    spend = con.table("spend_current")
    spend = spend.filter(spend.supplier_id == supplier_id)
    totals = spend.aggregate(total_gbp=spend.amount_gbp.sum(), spend_lines=spend.count(),
                             bodies=spend.org_id.nunique()).to_pyarrow().to_pylist()[0]
    spellings = spend.group_by("supplier_name").aggregate(lines=spend.count(), total_gbp=spend.amount_gbp.sum())
    organisation = con.table("organisation").select("org_id", "name")
    payers = spend.group_by("org_id").aggregate(total_gbp=spend.amount_gbp.sum(), lines=spend.count(),
                                                first_paid_on=spend.paid_on.min(), last_paid_on=spend.paid_on.max())
    payers = payers.left_join(organisation, "org_id").select(payers, "name")
    row.update(totals)
    row["spellings"] = spellings.order_by([ibis.desc("lines"), "supplier_name"]).to_pyarrow().to_pylist()
    row["paid_by"] = payers.order_by([ibis.desc("total_gbp"), "org_id"]).to_pyarrow().to_pylist()
    return json_response(row)
