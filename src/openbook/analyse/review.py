"""Review of findings: a person's verdict on each, kept with who and when, and each detector's
precision measured on the findings people have reviewed.

A verdict is 'confirmed' (the duplication or waste is real), 'explained' (real money, but for a
good reason) or 'false' (the detector was wrong). Verdicts are appended to `finding_review`, never
rewritten, and the finding's own `status` becomes its latest verdict, which `save_findings`
carries over when the detector runs again. Precision is confirmed / (confirmed + false) over each
finding's latest verdict: an explained finding was right about the money and wrong about the
waste, so it counts in neither part and is reported beside.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

import ibis

from openbook import sheets
from openbook.errors import UsageError
from openbook.ingest.records import to_arrow
from openbook.store.book import Book

OUTCOMES = ("confirmed", "explained", "false")
EXPORT_COLUMNS = ["review_id", "finding_id", "detector", "kind", "outcome", "reviewed_by", "reviewed_at", "note",
                  "title", "org_ids", "gbp_at_stake", "latest"]


def review(book: Book, finding_id: str, outcome: str, by: str, note: str | None = None,
           at: datetime | None = None) -> dict:
    """Record a verdict on a finding and make it the finding's status; returns the review row."""
    if outcome not in OUTCOMES:
        raise UsageError(f"{outcome!r} is not a verdict; choose from {', '.join(OUTCOMES)}")
    if not by or not by.strip():
        raise UsageError("say who reviewed the finding (--by NAME)")
    rows = book.query("SELECT detector, kind FROM finding WHERE finding_id = ?", [finding_id])
    if not rows:
        raise UsageError(f"no finding {finding_id!r} in the book; `openbook findings` lists them")
    detector, kind = rows[0]
    at = at or datetime.now(timezone.utc).replace(tzinfo=None)
    record = {"finding_id": finding_id, "detector": detector, "kind": kind, "outcome": outcome,
              "reviewed_by": by.strip(), "reviewed_at": at, "note": note or None}
    digest = hashlib.sha256("\n".join([finding_id, outcome, by.strip(), at.isoformat()]).encode()).hexdigest()
    record["review_id"] = f"rev-{digest[:12]}"
    with book.loading() as loader:
        loader.add_records("finding_review", to_arrow("finding_review", [record], ""))
        book.con.execute("UPDATE finding SET status = ? WHERE finding_id = ?", [outcome, finding_id])
    return record


def history(book: Book, finding_id: str | None = None) -> list[dict]:
    """Every verdict, oldest first, with the finding's title, bodies and £ where it still exists;
    `latest` marks the verdict that stands."""
    where, params = ("WHERE r.finding_id = ?", [finding_id]) if finding_id else ("", [])
    return book._dicts(
        "SELECT r.*, f.title, f.org_ids, f.gbp_at_stake, "
        "row_number() OVER (PARTITION BY r.finding_id ORDER BY r.reviewed_at DESC, r.review_id DESC) = 1 AS latest "
        f"FROM finding_review r LEFT JOIN finding f USING (finding_id) {where} "
        "ORDER BY r.reviewed_at, r.review_id", params)


def export_reviews(book: Book, path: Path) -> int:
    """Write every verdict to a CSV file (UTF-8, one row per verdict); returns how many."""
    rows = [{**row, "org_ids": ";".join(row["org_ids"] or []),
             "reviewed_at": row["reviewed_at"].isoformat(timespec="seconds")} for row in history(book)]
    return sheets.write_csv(path, EXPORT_COLUMNS, ([row.get(c) for c in EXPORT_COLUMNS] for row in rows))


def precision(book: Book) -> list[dict]:
    """Per detector: findings now stored, verdicts by outcome (latest per finding) and precision.

    Precision is None until a detector has a confirmed or false verdict: no figure beats an
    invented one. Reviews of findings a later run no longer produces still count, because the
    verdict was on what the detector said at the time.
    """
    con = book.ibis()
    reviews = con.table("finding_review")
    latest = reviews.mutate(rank=ibis.row_number().over(group_by="finding_id",
                                                       order_by=[ibis.desc("reviewed_at"), ibis.desc("review_id")]))
    latest = latest.filter(latest["rank"] == 0)
    verdicts = latest.group_by("detector").aggregate(
        reviewed=latest.count(),
        **{o: (latest.outcome == o).sum() for o in OUTCOMES})
    findings = con.table("finding")
    stored = findings.group_by("detector").aggregate(findings=findings.count())
    counts: dict[str, dict] = {}
    for row in stored.to_pyarrow().to_pylist() + verdicts.to_pyarrow().to_pylist():
        counts.setdefault(row["detector"], {}).update(row)
    out = []
    for detector in sorted(counts):
        row = {"detector": detector, "findings": 0, "reviewed": 0, **{o: 0 for o in OUTCOMES}, **counts[detector]}
        for key in ("findings", "reviewed", *OUTCOMES):
            row[key] = int(row[key] or 0)
        judged = row["confirmed"] + row["false"]
        row["precision"] = row["confirmed"] / judged if judged else None
        out.append(row)
    return out

