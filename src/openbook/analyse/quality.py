"""Publication quality per body: what it has published, how late, how clean, how classifiable,
and how much of what openbook says about it rests on rows that carried a warning.

Coverage is read from the rows, not from file names: a month counts as published when the book
holds current payment lines of the body dated in it (a file's period is the span of its dates, so
one stray date would otherwise claim a year). The expected range runs from the body's first to
its last published month; months inside it with no lines are the gaps, and `months_behind` says
how far its last month trails the latest month any body has published. Timeliness is the days
from the end of a file's period to the moment the book loaded it: the book knows when it loaded a
file, not when the body put it online, so this is an upper bound on the publisher's delay.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from statistics import median

import ibis

from openbook.store.book import Book

DATASETS = {"spend": "spend_current", "organogram": "post", "contracts": "contract"}


def published_months(book: Book) -> dict[str, dict[date, dict]]:
    """org_id → {first day of month: {'lines', 'gbp'}} over current spend."""
    spend = book.ibis().table("spend_current")
    spend = spend.mutate(month=spend.paid_on.truncate("M"))
    rows = spend.group_by(["org_id", "month"]).aggregate(lines=spend.count(), gbp=spend.amount_gbp.sum())
    out: dict[str, dict[date, dict]] = defaultdict(dict)
    for row in rows.to_pyarrow().to_pylist():
        out[row["org_id"]][row["month"]] = {"lines": row["lines"], "gbp": row["gbp"] or Decimal(0)}
    return out


def month_range(first: date, last: date) -> list[date]:
    months, (y, m) = [], (first.year, first.month)
    while (y, m) <= (last.year, last.month):
        months.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def quality(book: Book, org: str | None = None) -> list[dict]:
    """One row per body that has published anything (or the one asked for), largest spend first."""
    months = published_months(book)
    latest = max((m for by_month in months.values() for m in by_month), default=None)
    files = _files(book)
    datasets = _datasets(book)
    coverage = {r["org_id"]: r for r in book.classification_coverage("spend", "amount_gbp", by="org_id")["groups"]}
    warned = _findings_on_warned_rows(book)
    names = dict(book.query("SELECT org_id, name FROM organisation"))
    bodies = sorted(set(months) | set(files) | {o for o, d in datasets.items() if d})
    if org:
        bodies = [org]
    out = []
    for org_id in bodies:
        by_month = months.get(org_id, {})
        span = month_range(min(by_month), max(by_month)) if by_month else []
        gaps = [m for m in span if m not in by_month]
        f = files.get(org_id, {})
        delays = f.get("delays", [])
        read = f.get("accepted", 0) + f.get("quarantined", 0)
        cov = coverage.get(org_id, {})
        w = warned.get(org_id, {})
        out.append({
            "org_id": org_id, "name": names.get(org_id, org_id),
            "first_month": span[0] if span else None, "last_month": span[-1] if span else None,
            "months_expected": len(span), "months_published": len(by_month), "missing_months": gaps,
            "months_behind": _months_between(span[-1], latest) if span else None,
            "datasets": datasets.get(org_id, {}), "missing_datasets": [d for d in DATASETS
                                                                      if not datasets.get(org_id, {}).get(d)],
            "files": f.get("files", 0), "files_rejected": f.get("rejected", 0), "nil_returns": f.get("nil", 0),
            "median_days_to_load": median(delays) if delays else None, "max_days_to_load": max(delays, default=None),
            "rows_accepted": f.get("accepted", 0), "rows_quarantined": f.get("quarantined", 0),
            "quarantine_share": f.get("quarantined", 0) / read if read else None,
            "lines": cov.get("rows", 0), "lines_classified": cov.get("rows_classified", 0),
            "gbp_gross": cov.get("gbp", Decimal(0)), "gbp_classified": cov.get("gbp_classified", Decimal(0)),
            "classified_share_gbp": float(cov["gbp_classified"] / cov["gbp"]) if cov.get("gbp") else None,
            "classified_share_lines": cov["rows_classified"] / cov["rows"] if cov.get("rows") else None,
            "findings": w.get("findings", 0), "findings_gbp": w.get("gbp", Decimal(0)),
            "findings_on_warned_rows": w.get("warned", 0), "findings_gbp_on_warned_rows": w.get("warned_gbp", Decimal(0)),
            "warned_share_gbp": float(w["warned_gbp"] / w["gbp"]) if w.get("gbp") else None,
        })
    out.sort(key=lambda r: (-r["gbp_gross"], r["org_id"]))
    return out


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _files(book: Book) -> dict[str, dict]:
    """Per publisher: spend files (current and rejected), nil returns, rows and load delays in days.

    Quarantined rows name no body (they were not read), so they count against the file's publisher.
    """
    source = book.ibis().table("source")
    source = source.filter((source.dataset == "spend") & source.status.isin(["current", "rejected"])
                           & source.publisher.notnull())
    rows = source.select("publisher", "status", "rejection_code", "rows_accepted", "rows_quarantined",
                         "period_end", "loaded_at").to_pyarrow().to_pylist()
    out: dict[str, dict] = defaultdict(lambda: {"files": 0, "rejected": 0, "nil": 0, "accepted": 0,
                                                 "quarantined": 0, "delays": []})
    for r in rows:
        f = out[r["publisher"]]
        f["files"] += 1
        if r["status"] == "rejected":
            f["nil" if r["rejection_code"] == "nil-return" else "rejected"] += 1
            continue
        f["accepted"] += r["rows_accepted"] or 0
        f["quarantined"] += r["rows_quarantined"] or 0
        if r["period_end"] and r["loaded_at"]:
            f["delays"].append((r["loaded_at"].date() - r["period_end"]).days)
    return dict(out)


def _datasets(book: Book) -> dict[str, dict[str, int]]:
    """Per body: rows held in each dataset that quality looks for (current files only)."""
    con = book.ibis()
    source = con.table("source").filter(lambda s: s.status == "current").select(sha="sha256")
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for name, table in DATASETS.items():
        t = con.table(table)
        if table != "spend_current":
            t = t.join(source, t.source_sha256 == source.sha)
        for row in t.group_by("org_id").aggregate(n=t.count()).to_pyarrow().to_pylist():
            out[row["org_id"]][name] = row["n"]
    return dict(out)


def _findings_on_warned_rows(book: Book) -> dict[str, dict]:
    """Per body: its findings' £, and the £ of those citing at least one row accepted with a warning.

    A finding about several bodies counts in full for each: the question is how much of what is
    said about this body could move if the warned rows turned out wrong.
    """
    con = book.ibis()
    finding = con.table("finding")
    evidence = finding.select("finding_id", cited=finding.evidence.unnest())
    parts = evidence.cited.split(":")
    evidence = evidence.mutate(sha=parts[0], line=parts[1].cast("int64"))
    warnings = con.table("quarantine").filter(lambda q: q.severity == "warning")
    warnings = warnings.select(w_sha="source_sha256", w_line="source_line").distinct()
    hit = evidence.join(warnings, (evidence.sha == warnings.w_sha) & (evidence.line == warnings.w_line))
    warned = hit.select("finding_id").distinct().mutate(warned=ibis.literal(True))
    per_body = finding.select("finding_id", "gbp_at_stake", org_id=finding.org_ids.unnest())
    per_body = per_body.left_join(warned, "finding_id")
    is_warned = per_body.warned.fill_null(False)
    rows = per_body.group_by("org_id").aggregate(
        findings=per_body.count(), gbp=per_body.gbp_at_stake.sum(),
        warned=is_warned.sum(), warned_gbp=per_body.gbp_at_stake.sum(where=is_warned))
    out = {}
    for r in rows.to_pyarrow().to_pylist():
        out[r["org_id"]] = {**r, "gbp": r["gbp"] or Decimal(0), "warned_gbp": r["warned_gbp"] or Decimal(0),
                            "warned": int(r["warned"] or 0)}
    return out
