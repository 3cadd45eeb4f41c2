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
        names = dict(book.query("SELECT org_id, name FROM organisation"))
        for row in rows:
            row["name"] = names.get(row["org_id"], row["org_id"])
    return rows


def book_totals(book: Book) -> dict:
    """Headline figures: current spend, lines, bodies, sources by status."""
    total, lines, bodies = book.query(
        "SELECT coalesce(sum(amount_gbp), 0), count(*), count(DISTINCT org_id) FROM spend_current")[0]
    statuses = dict(book.query("SELECT status, count(*) FROM source GROUP BY status"))
    return {"total_gbp": total, "lines": lines, "bodies": bodies, "sources": statuses}
