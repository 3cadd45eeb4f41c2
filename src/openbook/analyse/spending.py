"""Where the money goes: totals of current spend by any dimension, shares, change and peers.

Ibis rather than SQL strings so the same expressions run on DuckDB and on Spark; money stays
DECIMAL until a ratio is taken.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from statistics import median

import ibis
import ibis.expr.types as ir

from openbook.store.book import Book

DIMENSIONS = ("org_id", "function", "capability", "supplier", "supplier_name", "expense_type", "expense_area",
              "month", "year")


def _with_dimensions(spend: ir.Table) -> ir.Table:
    """The derived dimensions: a resolved supplier where there is one, the month and year paid."""
    return spend.mutate(
        supplier=spend.supplier_id.coalesce(spend.supplier_name),
        month=spend.paid_on.truncate("M"),
        year=spend.paid_on.year(),
    )


def current_spend(book: Book, org: str | None = None, *, paid_from: date | None = None,
                  paid_to: date | None = None) -> ir.Table:
    """Current spend, of one body and paid within [paid_from, paid_to] where given."""
    spend = _with_dimensions(book.ibis().table("spend_current"))
    if org:
        spend = spend.filter(spend.org_id == org)
    if paid_from:
        spend = spend.filter(spend.paid_on >= paid_from)
    if paid_to:
        spend = spend.filter(spend.paid_on <= paid_to)
    return spend


def totals(book: Book, by: str | list[str], *, org: str | None = None, limit: int | None = None,
           paid_from: date | None = None, paid_to: date | None = None) -> list[dict]:
    """Current spend grouped by one or more dimensions: £, lines and share of the whole, largest first."""
    keys = [by] if isinstance(by, str) else list(by)
    unknown = [k for k in keys if k not in DIMENSIONS]
    if unknown:
        raise ValueError(f"unknown dimension {unknown[0]!r}; choose from {', '.join(DIMENSIONS)}")
    spend = current_spend(book, org, paid_from=paid_from, paid_to=paid_to)
    grand = spend.amount_gbp.sum().to_pyarrow().as_py() or Decimal(0)
    grouped = spend.group_by(keys).aggregate(total_gbp=spend.amount_gbp.sum(), lines=spend.count())
    grouped = grouped.order_by([ibis.desc("total_gbp"), *keys])
    rows = (grouped.limit(limit) if limit else grouped).to_pyarrow().to_pylist()
    for row in rows:
        row["share"] = float(row["total_gbp"] / grand) if grand else 0.0
    if "org_id" in keys:
        names = _org_names(book)
        for row in rows:
            row["name"] = names.get(row["org_id"], row["org_id"])
    return rows


def top_by(book: Book, dimension: str, limit: int = 10) -> list[dict]:
    """The largest totals of current spend by one dimension, with row counts and shares."""
    return totals(book, dimension, limit=limit)


def year_on_year(book: Book, by: str, *, org: str | None = None) -> list[dict]:
    """Each group's spend per calendar year and the change on the year before (None for the first)."""
    rows = totals(book, [by, "year"], org=org)
    rows.sort(key=lambda r: (str(r[by]), r["year"]))
    previous: dict = {}
    for row in rows:
        before = previous.get(row[by])
        row["change_gbp"] = row["total_gbp"] - before["total_gbp"] if before and before["year"] == row["year"] - 1 else None
        row["change_share"] = (float(row["change_gbp"] / before["total_gbp"])
                               if row["change_gbp"] is not None and before["total_gbp"] else None)
        previous[row[by]] = row
    return rows


def peer_profile(book: Book, org_id: str, by: str = "function") -> list[dict]:
    """A body's spend shares by a dimension next to the median share among bodies of its kind.

    Shares, not pounds, so that a county and a district can be read side by side; a peer that
    spends nothing on a group counts as a share of 0.
    """
    con = book.ibis()
    organisations = con.table("organisation").select("org_id", "kind").to_pyarrow().to_pylist()
    kind = {o["org_id"]: o["kind"] for o in organisations}
    if org_id not in kind:
        raise ValueError(f"no body {org_id!r} in the book")
    peers = [o for o, k in kind.items() if k == kind[org_id]]
    spend = current_spend(book)
    spend = spend.filter(spend.org_id.isin(peers))
    grouped = spend.group_by(["org_id", by]).aggregate(total_gbp=spend.amount_gbp.sum()).to_pyarrow().to_pylist()
    body_totals: dict[str, Decimal] = {}
    for row in grouped:
        body_totals[row["org_id"]] = body_totals.get(row["org_id"], Decimal(0)) + row["total_gbp"]
    shares: dict[str, dict] = {}
    for row in grouped:
        total = body_totals[row["org_id"]]
        shares.setdefault(row[by], {})[row["org_id"]] = float(row["total_gbp"] / total) if total else 0.0
    spending_peers = sorted(body_totals)
    profile = []
    for group, by_body in shares.items():
        if org_id not in body_totals:
            break
        values = [by_body.get(o, 0.0) for o in spending_peers]
        profile.append({by: group, "share": by_body.get(org_id, 0.0), "peer_median_share": median(values),
                        "peers": len(spending_peers), "kind": kind[org_id]})
    profile.sort(key=lambda r: -r["share"])
    return profile


def book_totals(book: Book) -> dict:
    """Headline figures: current spend, lines, bodies, sources by status."""
    con = book.ibis()
    spend = con.table("spend_current")
    row = spend.aggregate(total_gbp=spend.amount_gbp.sum(), lines=spend.count(),
                          bodies=spend.org_id.nunique()).to_pyarrow().to_pylist()[0]
    source = con.table("source")
    statuses = source.group_by("status").aggregate(files=source.count()).to_pyarrow().to_pylist()
    return {**row, "total_gbp": row["total_gbp"] or Decimal(0),
            "sources": {r["status"]: r["files"] for r in statuses}}


def _org_names(book: Book) -> dict[str, str]:
    rows = book.ibis().table("organisation").select("org_id", "name").to_pyarrow().to_pylist()
    return {r["org_id"]: r["name"] for r in rows}
