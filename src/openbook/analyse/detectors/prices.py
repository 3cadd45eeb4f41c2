"""Price variation for the same supplier: what bodies of one kind pay it per unit of need.

Spend alone has no unit prices, so the unit is need: per head of population served, else per
employee. Where unit prices exist (systems' cost per user) see systems.price_findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from statistics import median

import ibis

from openbook.analyse.denominators import body_context
from openbook.analyse.findings import Finding
from openbook.store.book import Book

_PENNY = Decimal("0.01")
_MARGIN = 0.999  # the engine's float pre-filter lets through anything the exact Decimal test could flag


@dataclass(frozen=True)
class PriceSettings:
    """Declared thresholds; docs/methodology.md explains each."""

    min_bodies: int = 4  # bodies of one kind paying the supplier for the expense type
    ratio: float = 3.0  # a body paying this many times the peers' median per unit of need is flagged
    min_gap_gbp: Decimal = Decimal("25000")
    evidence_rows: int = 50


def supplier_unit_costs(book: Book, settings: PriceSettings | None = None, *, supplier: str | None = None) -> list[dict]:
    """Per supplier, expense type and body: £, and £ per head / per employee, with the body's kind
    (`supplier` only, when given).

    With `settings`, only the peer groups that can hold a finding: enough bodies, and one paying
    at least nearly `ratio` times the group's median per unit (by a float test in the engine,
    with a margin; the exact test is in Decimal, in `findings`). There are millions of groups at
    national scale and few of them hold a finding, so the rest never reach Python.
    """
    con = book.ibis()
    spend = con.table("spend_current")
    spend = spend.filter(spend.expense_type.notnull()).mutate(supplier=spend.supplier_id.coalesce(spend.supplier_name))
    if supplier is not None:
        spend = spend.filter(spend.supplier == supplier)
    grouped = spend.group_by(["supplier", "expense_type", "org_id"]).aggregate(
        total_gbp=spend.amount_gbp.sum(), lines=spend.count())
    rows = grouped.join(body_context(book), "org_id")
    rows = rows.filter(rows.total_gbp > 0)
    rows = rows.mutate(
        unit=ibis.ifelse(rows.population_served > 0, "per head", ibis.ifelse(rows.staff_fte > 0, "per employee", None)))
    rows = rows.mutate(denominator=ibis.ifelse(rows.unit == "per head", rows.population_served.cast("float64"),
                                               rows.staff_fte))
    rows = rows.filter(rows.unit.notnull())
    if settings is not None:
        per_unit = rows.total_gbp.cast("float64") / rows.denominator
        group = ibis.window(group_by=["supplier", "expense_type", "kind", "unit"])
        rows = rows.mutate(_bodies=rows.org_id.count().over(group), _median=per_unit.median().over(group),
                           _highest=per_unit.max().over(group))
        rows = rows.filter((rows._bodies >= settings.min_bodies)
                           & (rows._highest >= rows._median * (settings.ratio * _MARGIN))).drop(
            "_bodies", "_median", "_highest")
    return rows.order_by(["supplier", "expense_type", "org_id"]).to_pyarrow().to_pylist()


def comparisons(book: Book, settings: PriceSettings = PriceSettings(), *, flagged_only: bool = False,
                supplier: str | None = None) -> list[dict]:
    """Groups of peers paying one supplier (or `supplier` only) for one expense type, each body's figure and
    the median (with `flagged_only`, only the groups that can hold a finding: see supplier_unit_costs)."""
    groups: dict[tuple, list[dict]] = {}
    for row in supplier_unit_costs(book, settings if flagged_only else None, supplier=supplier):
        row["per_unit_gbp"] = row["total_gbp"] / Decimal(str(row["denominator"]))
        groups.setdefault((row["supplier"], row["expense_type"], row["kind"], row["unit"]), []).append(row)
    result = []
    for (supplier, expense_type, kind, unit), rows in sorted(groups.items(), key=lambda i: tuple(map(str, i[0]))):
        if len(rows) < settings.min_bodies:
            continue
        typical = Decimal(str(median(r["per_unit_gbp"] for r in rows)))
        result.append({"supplier": supplier, "expense_type": expense_type, "kind": kind, "unit": unit,
                       "median_per_unit_gbp": typical, "rows": rows})
    return result


def findings(book: Book, settings: PriceSettings = PriceSettings()) -> list[Finding]:
    found = []
    for group in comparisons(book, settings, flagged_only=True):
        typical = group["median_per_unit_gbp"]
        for row in group["rows"]:
            if not typical or row["per_unit_gbp"] < typical * Decimal(str(settings.ratio)):
                continue
            at_median = (typical * Decimal(str(row["denominator"]))).quantize(_PENNY)
            at_stake = row["total_gbp"] - at_median
            if at_stake < settings.min_gap_gbp:
                continue
            unit = group["unit"]
            found.append(Finding(
                kind="supplier-price-variation", detector="prices", org_ids=[row["org_id"]],
                key=f"{group['supplier']}:{group['expense_type']}",
                title=(f"{row['name']} pays {group['supplier']} £{row['per_unit_gbp']:,.2f} {unit} for "
                       f"{group['expense_type']}, {float(row['per_unit_gbp'] / typical):.1f}× the median of "
                       f"{len(group['rows'])} peers"),
                description=("Bodies of the same kind buy the same thing from the same supplier at very different "
                             "cost per unit of need. Volumes, scope and what is coded to the expense type differ; "
                             "compare the contracts and invoices before acting."),
                gbp_at_stake=at_stake,
                formula=(f"£{row['total_gbp']:,.2f} − median £{typical:,.4f} {unit} × {row['denominator']:,.0f} "
                         f"= £{at_stake:,.2f}"),
                confidence=0.45,
                evidence=_evidence(book, row["org_id"], group["supplier"], group["expense_type"],
                                   settings.evidence_rows),
            ))
    return found


def _evidence(book: Book, org_id: str, supplier: str, expense_type: str, limit: int) -> list[tuple[str, int]]:
    spend = book.ibis().table("spend_current")
    key = spend.supplier_id.coalesce(spend.supplier_name)
    rows = (spend.filter((spend.org_id == org_id) & (key == supplier) & (spend.expense_type == expense_type))
            .order_by([ibis.desc("amount_gbp"), "source_sha256", "source_line"]).limit(limit)
            .select("source_sha256", "source_line").to_pyarrow().to_pylist())
    return [(r["source_sha256"], r["source_line"]) for r in rows]
