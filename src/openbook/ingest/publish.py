"""Publishing a file for one body: read in isolation, checked to touch only that body, then written.

The upload goes through the same pipeline as `openbook ingest`. It is read without the book
first (as a worker process reads), so that a file whose rows name another body can be refused
whole before anything is written: a token for one body never writes to another's book.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openbook.ingest.base import Collected
from openbook.ingest.pipeline import ingest_file, record_rejection, write_prepared
from openbook.ingest.report import IngestReport, unchanged_report
from openbook.store.book import Book


@dataclass
class PublishResult:
    report: IngestReport
    foreign_bodies: list[str]  # bodies other than the publisher that rows would have been booked to


def bodies_in(collected: Collected) -> set[str]:
    bodies: set[str] = set()
    if collected.spend is not None and "org_id" in collected.spend.column_names:
        bodies |= {b for b in collected.spend.column("org_id").to_pylist() if b}
    if collected.records is not None:
        for rows in collected.records.tables.values():
            bodies |= {r["org_id"] for r in rows if r.get("org_id")}
    return bodies


def publish_file(book: Book, path: Path, org_id: str) -> PublishResult:
    """Load `path` for `org_id` unless any of its rows would be booked to another body."""
    known = book.source(_sha(path))
    if known and known["status"] != "rejected":
        return PublishResult(unchanged_report(str(path), known), [])
    collected = Collected()
    report = ingest_file(None, path, org=org_id, resolve=book.resolve_org, collect=collected)
    collected.compact()
    if report.status == "rejected":
        if known:
            book.forget_rejection(report.sha256)
        record_rejection(book, report, collected.record)
        return PublishResult(report, [])
    foreign = sorted(bodies_in(collected) - {org_id})
    if foreign:
        return PublishResult(report, foreign)
    if known:
        book.forget_rejection(report.sha256)
    return PublishResult(write_prepared(book, report, collected), [])


def _sha(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
