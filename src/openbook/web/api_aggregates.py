"""/api/v1/aggregates/…: the figures behind the charts, each a list that downloads like any other.

Each reads the whole book, so each answer is kept per book version (web/cache.py).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from openbook.analyse.spending import DIMENSIONS
from openbook.web.cache import Remember
from openbook.web.deps import BookDep
from openbook.web.listing import Format, OrgQuery, org_id, rows_response
from openbook.web.models import listing, model, responses

router = APIRouter(prefix="/api/v1/aggregates", tags=["aggregates"])
SpendTotal = model("SpendTotal", {
    "total_gbp": (str, "Current spend in the group, £"), "lines": (int, "Payment lines"),
    "share": (float, "Share of the whole (of the body's, when org is given)"),
    "name": (str, "The body's name, when grouped by org_id")},
    doc="One group: the dimension asked for (e.g. function: finance) with its £, lines and share.")
Benchmark = model("FunctionBenchmark", {
    "org_id": (str, "Body"), "name": (str, "Body's name"), "kind": (str, "Kind of body: its peer group"),
    "function": (str, "Admin function"), "cost_gbp": (str, "Its spend on the function, £"),
    "lines": (int, "Payment lines"), "basis": (str, "per_head, per_employee or share: the basis compared"),
    "value": (float, "Its figure on that basis"), "peers": (int, "Bodies of its kind compared"),
    "peer_median": (float, "The peers' median"), "peer_p25": (float, "The peers' lower quartile"),
    "peer_p75": (float, "The peers' upper quartile"), "decile": (int, "1 (cheapest) to 10"),
    "outlier": (bool, "Above the upper quartile by more than 1.5 interquartile ranges"),
    "gap_to_median_gbp": (str, "£ above the peer median"),
    "gap_to_best_quartile_gbp": (str, "£ above the peers' best quartile")})
Cell = model("CapabilityCell", {
    "org_id": (str, "Body"), "capability": (str, "Capability (Lego block)"), "systems": (int, "Its systems for it"),
    "products": (list[str], "Products"), "vendors": (list[str], "Vendors"),
    "annual_cost_gbp": (str, "Their annual cost, £"), "users": (int, "Users"), "costed": (int, "Systems with a cost"),
    "source": (str, "declared (the body's systems register) or inferred-from-spend"),
    "inferred": (bool, "True when the cell is inferred from the body's payments, not declared"),
    "confidence": (float, "An inferred cell's confidence (0-1)"), "year": (int, "The calendar year an inferred cell prices"),
    "evidence": (list[str], "An inferred cell's payment lines, as source sha256:line"),
    "residents": (int, "The body's population (registry)"),
    "per_resident_gbp": (str, "An inferred cell's annual cost per resident, £"),
    "conformance": (str, "conforming, not conforming or untested: the block's interface, from loaded certificates")})
CapabilitySummary = model("CapabilitySummary", {
    "capability": (str, "Capability (Lego block)"), "label": (str, "Its name"),
    "bodies": (int, "Bodies running their own system for it"), "systems": (int, "Separate systems"),
    "products": (int, "Distinct products"), "vendors": (int, "Distinct vendors"), "contracts": (int, "Contracts"),
    "annual_cost_gbp": (str, "What they pay a year, £"), "users": (int, "Users"),
    "inferred_systems": (int, "Of the systems, those inferred from spend"),
    "inferred_bodies": (int, "Bodies with at least one system inferred from spend")})


@router.get("/spend", summary="Current spend grouped by a dimension: by function, body, month, supplier …",
            response_model=listing(SpendTotal), responses=responses())
def spend(
    book: BookDep,
    remember: Remember,
    by: Annotated[Literal[DIMENSIONS], Query(  # type: ignore[valid-type]
        description="The dimension to group by")] = "function",
    org: OrgQuery = None,
    limit: Annotated[int, Query(ge=1, le=10000, description="The largest groups to return")] = 50,
    format: Format = None,
):
    from openbook.analyse.spending import totals

    body = org_id(book, org)
    rows = remember(("spend", by, body, limit), lambda: totals(book, by, org=body, limit=limit))
    return rows_response(rows, format, f"spend-by-{by}")


@router.get("/function-benchmarks", summary="Each body's cost of each admin function against peers of its kind",
            response_model=listing(Benchmark), responses=responses())
def function_benchmarks(
    book: BookDep,
    remember: Remember,
    function: Annotated[str | None, Query(description="One admin function, e.g. finance")] = None,
    org: OrgQuery = None,
    kind: Annotated[str | None, Query(description="One kind of body, e.g. district")] = None,
    outliers: Annotated[bool, Query(description="Only bodies well above their peers")] = False,
    format: Format = None,
):
    from openbook.analyse.detectors.functions import benchmark

    body = org_id(book, org)
    rows = [r for r in remember(("benchmarks",), lambda: benchmark(book))
            if (not function or r["function"] == function) and (not body or r["org_id"] == body)
            and (not kind or r["kind"] == kind) and (not outliers or r.get("outlier"))]
    return rows_response(rows, format, "function-benchmarks")


@router.get("/capability-map", summary="Bodies × capabilities: who runs their own system for each Lego block",
            response_model=listing(Cell), responses=responses())
def capability_map(
    book: BookDep,
    remember: Remember,
    capability: Annotated[str | None, Query(description="One capability, e.g. payroll")] = None,
    org: OrgQuery = None,
    format: Format = None,
):
    from openbook.analyse.detectors.systems import capability_map

    body = org_id(book, org)
    rows = [r for r in remember(("capability-map",), lambda: capability_map(book))
            if (not capability or r["capability"] == capability) and (not body or r["org_id"] == body)]
    return rows_response(rows, format, "capability-map")


Unmatched = model("UnmatchedSoftware", {
    "org_id": (str, "Body"), "body": (str, "Its name"), "supplier_name": (str, "The payee as published"),
    "lines": (int, "Payment lines"), "amount_gbp": (str, "What they paid, £"), "first_paid": (str, "First payment"),
    "last_paid": (str, "Last payment"), "example": (str, "One line's expense type and description"),
    "evidence": (list[str], "Up to 20 of the lines, as source sha256:line")},
    doc="Software spend that names no product of the catalogue: listed for review, never guessed.")


@router.get("/software-unmatched", summary="Software spend no known product explains, largest £ first, for review",
            response_model=listing(Unmatched), responses=responses())
def software_unmatched(
    book: BookDep,
    remember: Remember,
    org: OrgQuery = None,
    limit: Annotated[int, Query(ge=1, le=10000, description="The largest groups to return")] = 50,
    format: Format = None,
):
    from openbook.analyse.systems_inference import unmatched_software

    body = org_id(book, org)
    rows = remember(("software-unmatched", body, limit), lambda: unmatched_software(book, org_id=body, limit=limit))
    return rows_response(rows, format, "software-unmatched")


@router.get("/capabilities", summary="Per capability across the sector: bodies, systems, products and cost",
            response_model=listing(CapabilitySummary), responses=responses(errors=(422,)))
def capabilities(book: BookDep, remember: Remember, format: Format = None):
    from openbook.analyse.detectors.systems import capability_summary

    return rows_response(remember(("capabilities",), lambda: capability_summary(book)), format, "capabilities")
