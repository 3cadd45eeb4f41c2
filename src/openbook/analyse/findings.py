"""Findings: evidenced duplication or waste, each with £, the formula behind it and its rows.

Every detector returns Findings and stores them with `save_findings`, which replaces that
detector's earlier findings (so analyses are re-computable) while keeping any review status a
person gave a finding whose evidence has not changed (its id is derived from the evidence).

A finding from a rule that cannot reach 0.9 precision from published data alone (measured on the
labelled corpus, docs/methodology.md) is stored with `needs_review`: it is listed below reviewed
and confident findings, labelled "needs review", and no savings figure counts it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal

import pyarrow as pa

from openbook.ingest.records import money, to_arrow
from openbook.store.book import Book

Evidence = tuple[str, int]  # (source_sha256, source_line)


@dataclass
class Finding:
    kind: str
    detector: str
    org_ids: Sequence[str]
    title: str
    gbp_at_stake: Decimal
    formula: str
    confidence: float
    evidence: Sequence[Evidence]
    description: str = ""
    status: str = "open"
    needs_review: bool = False  # the rule behind it cannot reach 0.9 precision from published data
    key: str = ""  # what makes two findings the same beyond their evidence (e.g. a measure name)
    computed_at: datetime | None = field(default=None, compare=False)

    @property
    def finding_id(self) -> str:
        text = "\n".join([self.detector, self.kind, self.key, *sorted(self.org_ids),
                          *sorted(f"{sha}:{line}" for sha, line in self.evidence)])
        return f"{self.kind}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"

    def as_record(self, computed_at: datetime) -> dict:
        return {
            "finding_id": self.finding_id, "kind": self.kind, "detector": self.detector,
            "org_ids": sorted(set(self.org_ids)), "title": self.title, "description": self.description,
            "gbp_at_stake": money(self.gbp_at_stake), "formula": self.formula,
            "confidence": round(float(self.confidence), 4),
            "evidence": [f"{sha}:{line}" for sha, line in self.evidence],
            "status": self.status, "needs_review": self.needs_review, "computed_at": computed_at,
        }


@dataclass(frozen=True)
class Detector:
    """One question the book can answer with findings; registered through `register_detectors`."""

    name: str
    question: str
    findings: Callable[[Book], Iterable[Finding]]


def save_findings(book: Book, detector: str, findings: Iterable[Finding]) -> int:
    """Replace a detector's findings in one transaction; reviewed statuses carry over by id."""
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    records = {}
    for finding in findings:
        records[finding.finding_id] = finding.as_record(now)  # the same evidence twice is one finding
    reviewed = dict(book.query("SELECT finding_id, status FROM finding WHERE detector = ? AND status <> 'open'",
                               [detector]))
    for finding_id, record in records.items():
        if finding_id in reviewed:
            record["status"] = reviewed[finding_id]
    table = to_arrow("finding", list(records.values()), "") if records else None
    with book.loading() as loader:
        book.con.execute("DELETE FROM finding WHERE detector = ?", [detector])
        if table is not None:
            loader.add_records("finding", table)
    return len(records)


def parse_evidence(evidence: Iterable[str]) -> list[Evidence]:
    """Stored evidence ('sha256:line' strings) as (source_sha256, source_line) pairs, in order."""
    pairs = []
    for ref in evidence:
        sha, _, line = ref.rpartition(":")
        pairs.append((sha, int(line)))
    return pairs


def evidence_rows(book: Book, evidence: Iterable[str]) -> dict[str, pa.Table]:
    """The stored rows a finding cites, by table (spend, system, post, …), each with its file's name.

    A file's dataset names the table its rows went to; rows are read from the table itself (not a
    current-only view) so a finding still shows its evidence after a file is superseded.
    """
    import ibis

    refs = parse_evidence(evidence)
    if not refs:
        return {}
    con = book.ibis()
    wanted = ibis.memtable(pa.table({"source_sha256": [s for s, _ in refs],
                                     "source_line": pa.array([n for _, n in refs], pa.int64()),
                                     "evidence_order": pa.array(range(len(refs)), pa.int64())}))
    source = con.table("source")
    files = source.filter(source.sha256.isin(list({s for s, _ in refs}))).select(
        "sha256", "dataset", "file_name").to_pyarrow().to_pylist()
    tables = set(con.list_tables())
    result = {}
    for dataset in sorted({f["dataset"] for f in files if f["dataset"] in tables}):
        shas = [f["sha256"] for f in files if f["dataset"] == dataset]
        table = con.table(dataset)
        rows = table.join(wanted.filter(wanted.source_sha256.isin(shas)), ["source_sha256", "source_line"])
        rows = rows.join(source.select(source_sha256=source.sha256, file_name=source.file_name), "source_sha256")
        found = rows.order_by("evidence_order").drop("evidence_order").to_pyarrow()
        if found.num_rows:
            result[dataset] = found
    return result
