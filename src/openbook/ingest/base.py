"""What an importer is, what the pipeline hands it, and the one way its records reach the book.

An importer (one per publication format) reads a file into the standard's tables through the
book's Loader and fills the IngestReport; it never opens connections or writes SQL itself.
Every importer but spend builds plain `Records` and hands them to `load_records`, so all of
them reconcile, quarantine and record their source the same way. Importers register through
the `register_importers` hook (importers.py registers the built-in ones).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar

import pyarrow as pa

from openbook.errors import ReconciliationError
from openbook.ingest.reader import Cell
from openbook.ingest.records import Records, write_records
from openbook.ingest.report import IngestReport, problem_table
from openbook.ingest.scan import FileScan
from openbook.ingest.spend_rows import SpendBatch, SpendTally, spend_table
from openbook.store.book import Book, SourceRecord


@dataclass
class Collected:
    """A file read without a book: what the pipeline's write_prepared needs to load it later."""

    record: SourceRecord | None = None
    default_org: str | None = None
    tally: SpendTally | None = None
    batches: list[SpendBatch] = field(default_factory=list)
    spend: pa.Table | None = None  # the batches as one table each, after compact()
    problems: pa.Table | None = None
    records: Records | None = None  # any other dataset's records (see load_records)
    dataset: str = "spend"

    def compact(self) -> None:
        """One spend table and one problem table: cheaper to pickle and to insert than many batches."""
        spend = [t for b in self.batches for t in ([spend_table(b)] if b.lines else []) + b.tables]
        problems = [p for b in self.batches for p in b.problems]
        sha = self.record.sha256 if self.record else ""
        self.spend = pa.concat_tables(spend, promote_options="default") if spend else None
        self.problems = problem_table(problems, sha, "spend") if problems else None
        self.batches = []


@dataclass
class IngestContext:
    """What the pipeline hands an importer: the opened file and everything decided about it."""

    book: Book | None  # None when only checking
    path: Path
    label: str
    record: SourceRecord
    report: IngestReport
    rows: Iterator[tuple[int, list[Cell]]]  # empty for JSON: the importer reads `path` itself
    resolve_org: Callable[[str], str | None]
    default_org: str | None
    latest: date
    progress: Callable[[int], None] | None
    scan: FileScan
    collect: Collected | None = None  # when set (and no book), keep the batches for another process
    nearest_orgs: Callable[[str], list[str]] | None = None  # bodies nearest an unresolved name, for hints


class Importer(ABC):
    """A publication format. `claims` scores a file's first rows; the highest score wins."""

    name: ClassVar[str]
    title: ClassVar[str]
    dataset: ClassVar[str]
    problems: ClassVar[tuple[str, ...]]

    @classmethod
    @abstractmethod
    def claims(cls, head: list[list[str]]) -> float:
        """0 when the file is not this format, up to 1 when it certainly is."""

    @classmethod
    def claims_json(cls, head: str) -> float:
        """Like `claims`, for a JSON file: scores its first characters (64 KiB). Most formats are tables."""
        return 0.0

    @abstractmethod
    def ingest(self, context: IngestContext) -> IngestReport:
        """Read the file into the book (or only check it) and fill the report."""


def load_records(context: IngestContext, records: Records, dataset: str) -> IngestReport:
    """Prove the counts, then write the records, problems and source row in one transaction.

    A row that is both accepted and quarantined (records written, then an error found) would
    break the count, so importers must decide a row's fate before adding its records.
    """
    book, record, report = context.book, context.record, context.report
    counts = records.counts()
    errors = {p.line for p in records.problems if p.severity in ("error", "file")}
    clashing = sorted(records.accepted_lines & errors)
    if clashing:
        raise ReconciliationError(f"{context.label}: line {clashing[0]} is both accepted and quarantined")
    counts.check(context.label)
    report.dataset = record.dataset = dataset
    report.counts = counts
    report.amount_pence = int(records.amount * 100)
    report.publisher = records.publisher
    report.not_in_pounds = {code: entry["amount"] for code, entry in
                            ((records.dialect or {}).get("currencies") or {}).items() if entry["without_gbp"]}
    if records.period:
        report.period = records.period
    report.note(records.problems)
    for problem in records.problems:
        if problem.severity != "structural":
            report.problem_counts[problem.code] = report.problem_counts.get(problem.code, 0) + 1
    if book is None:
        if context.collect is not None:
            context.collect.records, context.collect.dataset = records, dataset
        return report
    write_records(book, record, records, dataset)
    report.supersedes = record.supersedes
    return report


__all__ = ["Collected", "Importer", "IngestContext", "load_records"]
