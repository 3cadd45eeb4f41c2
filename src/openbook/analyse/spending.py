"""Where the money goes: totals of current spend by a dimension, through Ibis.

Ibis rather than SQL strings so the same expression runs on DuckDB and, later, on Spark.
"""

from __future__ import annotations

from decimal import Decimal

import ibis

from openbook.store.book import Book

DIMENSIONS = ("org_id", "supplier_name", "expense_type", "expense_area")


def top_by(book: Book, dimension: str, limit: int = 10) -> list[dict]:
    """The largest totals of current spend by one dimension, with row counts and shares."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; choose from {', '.join(DIMENSIONS)}")
    con = book.ibis()
    spend = con.table("spend_current")
    grand = spend.amount_gbp.sum().to_pyarrow().as_py() or Decimal(0)
    grouped = (
        spend.group_by(dimension)
        .aggregate(total_gbp=spend.amount_gbp.sum(), lines=spend.count())
        .order_by([ibis.desc("total_gbp"), dimension])
        .limit(limit)
    )
    rows = grouped.to_pyarrow().to_pylist()
    for row in rows:
        row["share"] = float(row["total_gbp"] / grand) if grand else 0.0
    if dimension == "org_id":
        names = {r["org_id"]: r["name"] for r in con.table("organisation").select("org_id", "name").to_pyarrow().to_pylist()}
        for row in rows:
            row["name"] = names.get(row["org_id"], row["org_id"])
    return rows


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
