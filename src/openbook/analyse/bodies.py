"""Each body as a publisher: what it spends, what it publishes, what is missing and what was quarantined.

A body's figures are only as good as its publication: a month it did not publish looks like a
month it spent nothing, and a file full of quarantined rows understates its spend. So next to
the money we show the gaps (months missing between its first and last spend file, datasets its
peers publish and it does not) and the quarantine share by problem code.
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from openbook.analyse.quality import month_range
from openbook.store.book import Book

# Datasets a body publishes once a month; others (organograms, registers) come at their own pace.
MONTHLY = ("spend",)


def _sources(book: Book) -> ir.Table:
    """Files that still count: current and rejected ones (a superseded file was replaced by its correction)."""
    source = book.ibis().table("source")
    return source.filter(source.status != "superseded")


def summaries(book: Book, *, text: str | None = None, kind: str | None = None, everyone: bool = False) -> ir.Table:
    """One row per body: spend £ and lines, first and last payment, files, latest period, quarantine share.

    Bodies in the registry with nothing in the book are left out unless `everyone`.
    """
    con = book.ibis()
    organisation = con.table("organisation").select("org_id", "name", "kind")
    spend = con.table("spend_current")
    money = spend.group_by("org_id").aggregate(
        total_gbp=spend.amount_gbp.sum(), lines=spend.count(), first_paid=spend.paid_on.min(),
        last_paid=spend.paid_on.max())
    source = _sources(book)
    source = source.filter(source.publisher.notnull())
    files = source.group_by(org_id=source.publisher).aggregate(
        files=source.count(), rejected_files=(source.status == "rejected").sum(),
        latest_period=source.period_end.max(where=source.status == "current"),
        rows_accepted=source.rows_accepted.sum(), rows_quarantined=source.rows_quarantined.sum())
    rows = organisation.left_join(money, "org_id").select(organisation, "total_gbp", "lines", "first_paid",
                                                          "last_paid")
    rows = rows.left_join(files, "org_id").select(rows, "files", "rejected_files", "latest_period",
                                                  "rows_accepted", "rows_quarantined")
    data_rows = rows.rows_accepted.coalesce(0) + rows.rows_quarantined.coalesce(0)
    rows = rows.mutate(quarantine_share=ibis.ifelse(data_rows > 0, rows.rows_quarantined.cast("float64") / data_rows,
                                                    ibis.null()))
    if not everyone:
        rows = rows.filter(rows.lines.notnull() | rows.files.notnull())
    if text:
        needle = text.lower()
        rows = rows.filter(rows.name.lower().contains(needle) | rows.org_id.lower().contains(needle))
    if kind:
        rows = rows.filter(rows.kind == kind)
    return rows


def publications(book: Book, org_id: str) -> list[dict]:
    """The body's datasets: files current and rejected, rows, and the periods they cover."""
    source = _sources(book)
    mine = source.filter(source.publisher == org_id)
    return mine.group_by("dataset").aggregate(
        files=(mine.status == "current").sum(), rejected_files=(mine.status == "rejected").sum(),
        first_period=mine.period_start.min(), last_period=mine.period_end.max(),
        rows_accepted=mine.rows_accepted.sum(), rows_quarantined=mine.rows_quarantined.sum(),
    ).order_by("dataset").to_pyarrow().to_pylist()


def datasets_published(book: Book) -> dict[str, int]:
    """Each dataset and how many bodies publish it: what a body's peers publish that it may not."""
    source = _sources(book)
    current = source.filter((source.status == "current") & source.publisher.notnull())
    rows = current.group_by("dataset").aggregate(bodies=current.publisher.nunique()).to_pyarrow().to_pylist()
    return {r["dataset"]: r["bodies"] for r in rows}


def month_coverage(book: Book, org_id: str, dataset: str = "spend") -> list[dict]:
    """Every month from the body's first to its last file of a monthly dataset: published or missing.

    A month counts as published when a current file's period covers it; a file without a period
    counts for the months its lines were paid in.
    """
    source = _sources(book)
    mine = source.filter((source.publisher == org_id) & (source.dataset == dataset) & (source.status == "current"))
    files = mine.select("sha256", "period_start", "period_end", "rows_accepted", "rows_quarantined")
    files = files.to_pyarrow().to_pylist()
    months: dict[date, dict] = {}

    def mark(month: date, rows_accepted: int, rows_quarantined: int) -> None:
        entry = months.setdefault(month, {"month": month, "files": 0, "rows_accepted": 0, "rows_quarantined": 0})
        entry["files"] += 1
        entry["rows_accepted"] += rows_accepted or 0
        entry["rows_quarantined"] += rows_quarantined or 0

    unperiodised = []
    for f in files:
        if f["period_start"] and f["period_end"]:
            for month in month_range(f["period_start"], f["period_end"]):
                mark(month, f["rows_accepted"], f["rows_quarantined"])
        else:
            unperiodised.append(f["sha256"])
    if unperiodised and dataset == "spend":
        spend = book.ibis().table("spend")
        paid = spend.filter(spend.source_sha256.isin(unperiodised))
        by_month = paid.group_by(month=paid.paid_on.truncate("M")).aggregate(lines=paid.count())
        for row in by_month.to_pyarrow().to_pylist():
            if row["month"] is not None:
                mark(row["month"], row["lines"], 0)
    if not months:
        return []
    return [months.get(m, {"month": m, "files": 0, "rows_accepted": 0, "rows_quarantined": 0})
            for m in month_range(min(months), max(months))]


def quarantine_by_code(book: Book, org_id: str) -> list[dict]:
    """Rows the body's files had quarantined or flagged, by problem code, as a share of its data rows."""
    con = book.ibis()
    source = _sources(book)
    mine = source.filter(source.publisher == org_id)
    data_rows = mine.aggregate(n=(mine.rows_accepted.coalesce(0) + mine.rows_quarantined.coalesce(0)).sum())
    data_rows = data_rows.to_pyarrow().to_pylist()[0]["n"] or 0
    quarantine = con.table("quarantine")
    problems = quarantine.filter(quarantine.source_sha256.isin(mine.sha256) & (quarantine.severity != "structural"))
    rows = problems.group_by(["code", "severity"]).aggregate(
        rows=(problems.source_sha256.concat(":", problems.source_line.cast("string"))).nunique(),
        files=problems.source_sha256.nunique())
    rows = rows.order_by([ibis.desc("rows"), "code"]).to_pyarrow().to_pylist()
    for row in rows:
        row["share"] = row["rows"] / data_rows if data_rows else None
    return rows
