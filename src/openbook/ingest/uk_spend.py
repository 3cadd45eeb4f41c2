"""The UK spend importer: central 'spend over £25,000' and local 'spend over £500' files.

Spend is most of a book's rows, so it has its own columnar path instead of plain records: the
rows are read into batches (spend_rows.py), written through the book's Loader in one
transaction, and the counts proven (`SpendTally.check`) before the source row is recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

from openbook.errors import ReconciliationError
from openbook.ingest.base import Collected, Importer, IngestContext
from openbook.ingest.headers import header_score
from openbook.ingest.reader import arrow_block_size, iter_csv_arrow
from openbook.ingest.report import IngestReport, problem_table
from openbook.ingest.scan import FileScan
from openbook.ingest.spend_rows import SpendBatch, SpendTally, read_spend, spend_table
from openbook.store.book import Book, SourceRecord

Progress = Callable[[int], None]


class SpendImporter(Importer):
    name = "uk-spend"
    title = "UK spend publications (central £25,000 and local £500)"
    dataset = "spend"
    problems = (
        "file-empty", "excel-binary-as-csv", "unsupported-format", "nil-return", "metadata-not-data",
        "no-header-found", "missing-required-column", "no-data-rows", "publisher-unknown", "amount-column-suspect",
        "amount-missing", "amount-not-a-number", "date-missing", "date-invalid", "date-out-of-range",
        "supplier-missing", "unknown-organisation", "extra-cell", "date-ambiguous", "date-month-first",
        "date-month-only", "amount-rounded", "entity-unresolved", "column-inferred", "amount-column-realigned",
        "preamble-row", "header-row", "blank-row", "totals-row", "note-row",
    )

    @classmethod
    def claims(cls, head: list[list[str]]) -> float:
        # Spend is the default reading of a table of payments: a weak claim even without a header,
        # so that a file holding no data is rejected with the spend importer's coded reasons.
        best = max((header_score(row) for row in head), default=0)
        return 0.1 + min(best, 9) / 10

    def ingest(self, context: IngestContext) -> IngestReport:
        return ingest_spend(context)


def ingest_spend(context: IngestContext) -> IngestReport:
    """The spend importer's load: batches into the book in one transaction, counts proven."""
    book, record, report = context.book, context.record, context.report
    tally = SpendTally()
    csv_text = record.format == "csv"
    bulk = _arrow_bulk(context.path, record, context.scan) if csv_text else None
    batches = read_spend(context.rows, resolve_org=context.resolve_org, default_org=context.default_org,
                         path=context.label, latest=context.latest, tally=tally, columnar=csv_text, bulk=bulk,
                         nearest_orgs=context.nearest_orgs, columns=(record.options or {}).get("columns"))
    if book is None:
        _drain(batches, report, context.progress, context.collect)
        if context.collect is not None:
            context.collect.tally = tally
    else:
        with book.loading() as loader:
            for batch in batches:
                if batch.lines:
                    loader.add_spend(spend_table(batch), record.sha256)
                for table in batch.tables:
                    loader.add_spend(table, record.sha256)
                loader.add_problems(problem_table(batch.problems, record.sha256, "spend"))
                report.note(batch.problems)
                if context.progress:
                    context.progress(len(batch) + _count_non_accepted(batch))
            _finish(book, record, tally, context.default_org)
    _fill(report, tally, record)
    return report


def write_spend(book: Book, report: IngestReport, collected: Collected) -> IngestReport:
    """Write a spend file read elsewhere (a worker process) in one transaction, as ingest_spend does."""
    record, tally = collected.record, collected.tally
    with book.loading() as loader:
        if collected.spend is not None:
            loader.add_spend(collected.spend, record.sha256)
        if collected.problems is not None:
            loader.add_problems(collected.problems)
        _finish(book, record, tally, collected.default_org)
    report.status = "loaded"
    _fill(report, tally, record)
    return report


def _arrow_bulk(path: Path, record: SourceRecord, scan: FileScan):
    """Arrow's CSV reader for the data lines, when one line is one row; else None."""
    if not scan.one_line_one_row:
        return None
    lines = scan.lines
    record.dialect = {**(record.dialect or {}), "reader": "arrow"}

    def bulk(first_line: int, width: int):
        seen = 0
        for batch, numbers, slow in iter_csv_arrow(path, record.encoding, record.dialect["delimiter"],
                                                   first_line, width, block_size=arrow_block_size(scan)):
            seen += batch.num_rows + len(slow)
            yield batch, numbers, slow
        if seen != max(lines - first_line + 1, 0):
            raise ReconciliationError(f"{path}: Arrow read {seen} rows from line {first_line}, the file has "
                                      f"{lines - first_line + 1}")
    return bulk


def _finish(book: Book, record: SourceRecord, tally: SpendTally, default_org: str | None) -> None:
    tally.check(record.path)
    record.publisher = default_org or _dominant_org(tally)
    if tally.first_paid and tally.last_paid:
        record.period_start = tally.first_paid.replace(day=1)
        record.period_end = _month_end(tally.last_paid)
    record.rows_read, record.rows_accepted = tally.rows_read, tally.accepted
    record.rows_quarantined, record.rows_structural = tally.quarantined, tally.structural
    record.amount_accepted_pence = tally.pence
    record.dialect = {**(record.dialect or {}), "header_line": tally.header_line,
                      "date_order": "month-first" if tally.month_first else "day-first",
                      "columns": tally.header.describe() if tally.header else [],
                      "matches": tally.header.scored() if tally.header else []}
    book.record_source(record)


def _fill(report: IngestReport, tally: SpendTally, record: SourceRecord) -> None:
    report.counts = tally
    report.amount_pence, report.publisher = tally.pence, record.publisher
    report.problem_counts = dict(tally.problem_counts)
    report.columns = tally.header.scored() if tally.header else []
    report.supersedes = record.supersedes
    if record.period_start:
        report.period = (record.period_start, record.period_end)


def _drain(batches: Iterator[SpendBatch], report: IngestReport, progress: Progress | None,
           collect: Collected | None = None) -> None:
    for batch in batches:
        report.note(batch.problems)
        if collect is not None:
            collect.batches.append(batch)
        if progress:
            progress(len(batch) + _count_non_accepted(batch))


def _count_non_accepted(batch: SpendBatch) -> int:
    return len({p.line for p in batch.problems if p.severity in ("error", "structural")})


def _dominant_org(tally: SpendTally) -> str | None:
    ranked = sorted(tally.lines_by_org.items(), key=lambda item: (-item[1], item[0]))
    return ranked[0][0] if ranked else None


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)
