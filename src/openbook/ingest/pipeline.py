"""sniff → read → map → check → accept | quarantine, for one file, in one transaction.

The counts must reconcile (`rows_read = accepted + quarantined + structural`) before anything
is committed; a file that holds no data is rejected as a whole with one coded problem, and that
rejection is itself recorded so publication health can show it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa

from openbook import standard
from openbook.errors import FileRejected, UsageError
from openbook.ingest.headers import header_score
from openbook.ingest.importers import Importer, IngestContext
from openbook.ingest.problems import Problem
from openbook.ingest.records import Records, write_records
from openbook.ingest.reader import Cell, cell_text, iter_csv, iter_csv_arrow, iter_xlsx, xlsx_sheet_names
from openbook.ingest.scan import FileScan, scan_file
from openbook.ingest.sniff import read_sample, single_byte_encoding, sniff_delimiter, sniff_format
from openbook.ingest.uk_spend import HEADER_SCAN_ROWS, TEXT_FIELDS, SpendBatch, SpendTally, read_spend
from openbook.plugins.manager import importers
from openbook.store.book import Book, SourceRecord, build_org_index, lookup_org, pence_array

PROBLEMS_KEPT_IN_REPORT = 1000
HEAD_ROWS = HEADER_SCAN_ROWS  # rows an importer sees to recognise a file: the header search's rows
Progress = Callable[[int], None]
OrgResolver = Callable[[str], "str | None"]


@dataclass
class Collected:
    """A spend file read without a book: what write_prepared needs to load it later."""

    record: SourceRecord | None = None
    default_org: str | None = None
    tally: SpendTally | None = None
    batches: list[SpendBatch] = field(default_factory=list)
    spend: pa.Table | None = None  # the batches as one table each, after compact()
    problems: pa.Table | None = None
    records: Records | None = None  # any other dataset's records (ingest/records.py)
    dataset: str = "spend"

    def compact(self) -> None:
        """One spend table and one problem table: cheaper to pickle and to insert than many batches."""
        spend = [t for b in self.batches for t in ([_spend_table(b)] if b.lines else []) + b.tables]
        problems = [p for b in self.batches for p in b.problems]
        sha = self.record.sha256 if self.record else ""
        self.spend = pa.concat_tables(spend, promote_options="default") if spend else None
        self.problems = problem_table(problems, sha, "spend") if problems else None
        self.batches = []


@dataclass
class IngestReport:
    """What happened to one file; the same numbers the CLI, API and pages show."""

    path: str
    sha256: str
    status: str  # loaded | unchanged | rejected | checked
    dataset: str = "spend"
    publisher: str | None = None
    format: str | None = None
    encoding: str | None = None
    rows_read: int = 0
    accepted: int = 0
    quarantined: int = 0
    structural: int = 0
    amount_pence: int = 0
    period: tuple[date, date] | None = None
    supersedes: str | None = None
    rejection: Problem | None = None
    problems: list[Problem] = field(default_factory=list)
    problems_total: int = 0
    problem_counts: dict[str, int] = field(default_factory=dict)
    # Accepted amounts with no pound figure (a currency without a user's rate), by currency: left out of £.
    not_in_pounds: dict[str, str] = field(default_factory=dict)

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.accepted + self.quarantined + self.structural

    @property
    def partial(self) -> bool:
        return self.problems_total > len(self.problems)


def ingest_file(book: Book | None, path: Path, *, org: str | None = None, progress: Progress | None = None,
                latest: date | None = None, write: bool = True, resolve: OrgResolver | None = None,
                collect: Collected | None = None, fx: dict[str, str] | None = None) -> IngestReport:
    """Load one file into the book; with write=False (or no book) only check it.

    `fx` (pounds per unit, by currency: see money.read_rates) gives contracts and grants in those
    currencies a pound figure; the rates are kept in the source's options.

    With `collect` (and no book) the accepted batches are kept there instead of written, so a
    worker process can read a file and the process that owns the book write it (parallel.py).
    """
    path = Path(path)
    scan = scan_file(path)
    sha, size = scan.sha256, scan.size
    label = str(path)
    resolve = resolve or (book.resolve_org if book is not None else _registry_resolver())
    if book is not None and not write:
        book = None
    if book is not None:
        known = book.source(sha)
        if known and known["status"] != "rejected":
            return unchanged_report(label, known)
        if known:
            book.forget_rejection(sha)
    default_org = resolve_publisher(resolve, org)
    latest = latest or date.today() + timedelta(days=366)
    # The body --org names publishes the file even when it is rejected (a nil return is still its return).
    record = SourceRecord(sha, label, path.name, size, "spend", "uk-spend", "csv", publisher=default_org,
                          options={**({"org": org} if org else {}), **({"fx": fx} if fx else {})})
    report = IngestReport(label, sha, "checked" if book is None else "loaded")
    if collect is not None:
        collect.record, collect.default_org = record, default_org
    try:
        rows = _open_rows(path, record, scan)
        report.format, report.encoding = record.format, record.encoding
        if record.format == "json":
            head = []
            importer = choose_importer(json_head=_json_head(path))
        else:
            head = list(itertools.islice(rows, HEAD_ROWS))
            importer = choose_importer([[cell_text(c) for c in cells] for _, cells in head])
        record.adapter, record.dataset = importer.name, importer.dataset
        report.dataset = importer.dataset
        context = IngestContext(book, path, label, record, report, itertools.chain(head, rows), resolve,
                                default_org, latest, progress, scan, collect)
        return importer().ingest(context)
    except FileRejected as rejection:
        rejection.path = rejection.path or label
        problem = Problem(rejection.code, rejection.line, path=label, text=str(rejection.args[0]))
        report.status, report.rejection = "rejected", problem
        if book is not None:
            record_rejection(book, report, record)
    return report


def resolve_publisher(resolve: OrgResolver, org: str | None) -> str | None:
    """The org_id that --org names, or a usage error saying what it accepts."""
    if not org:
        return None
    org_id = resolve(org)
    if org_id is None:
        raise UsageError(f"--org {org!r} is not a body in the organisation registry "
                         "(give an org id such as GB-GOR-… or a name the registry knows)")
    return org_id


def unchanged_report(label: str, known: dict) -> IngestReport:
    """The report for bytes the book already holds: loading them again changes nothing."""
    return IngestReport(label, known["sha256"], "unchanged", dataset=known["dataset"], publisher=known["publisher"],
                        rows_read=known["rows_read"], accepted=known["rows_accepted"],
                        quarantined=known["rows_quarantined"], structural=known["rows_structural"])


def write_prepared(book: Book, report: IngestReport, collected: Collected) -> IngestReport:
    """Write a spend file read elsewhere (a worker process) in one transaction, as ingest_spend does."""
    record, tally = collected.record, collected.tally
    if collected.records is not None:
        write_records(book, record, collected.records, collected.dataset)
        report.status = "loaded"
        report.publisher, report.supersedes = record.publisher, record.supersedes
        return report
    with book.loading() as loader:
        if collected.spend is not None:
            loader.add_spend(collected.spend, record.sha256)
        if collected.problems is not None:
            loader.add_problems(collected.problems)
        _finish(book, record, tally, collected.default_org)
    report.status = "loaded"
    _fill(report, tally, record)
    return report


def record_rejection(book: Book, report: IngestReport, record: SourceRecord) -> None:
    problem = report.rejection
    record.status, record.rejection_code, record.rejection_message = "rejected", problem.code, problem.message
    with book.loading() as loader:
        loader.add_problems(problem_table([problem], record.sha256, "spend"))
        book.record_source(record)


def choose_importer(head: list[list[str]] | None = None, *, json_head: str | None = None) -> type[Importer]:
    """The registered importer that recognises these first rows (or JSON text) best."""
    if json_head is not None:
        scored = [(importer.claims_json(json_head), importer.name, importer) for importer in importers()]
    else:
        scored = [(importer.claims(head or []), importer.name, importer) for importer in importers()]
    score, _, best = max(scored, key=lambda item: (item[0], item[1]))
    if score <= 0:
        what = "JSON file" if json_head is not None else "file"
        raise FileRejected("unsupported-format", f"no importer recognises this {what}")
    return best


def _json_head(path: Path, size: int = 1 << 16) -> str:
    with open(path, "rb") as fh:
        return fh.read(size).decode("utf-8", errors="replace").lstrip("\ufeff")


def ingest_spend(context: IngestContext) -> IngestReport:
    """The spend importer's load: batches into the book in one transaction, counts proven."""
    book, record, report = context.book, context.record, context.report
    tally = SpendTally()
    csv_text = record.format == "csv"
    bulk = _arrow_bulk(context.path, record, context.scan) if csv_text else None
    batches = read_spend(context.rows, resolve_org=context.resolve_org, default_org=context.default_org,
                         path=context.label, latest=context.latest, tally=tally, columnar=csv_text, bulk=bulk)
    if book is None:
        _drain(batches, report, context.progress, context.collect)
        if context.collect is not None:
            context.collect.tally = tally
    else:
        with book.loading() as loader:
            for batch in batches:
                if batch.lines:
                    loader.add_spend(_spend_table(batch), record.sha256)
                for table in batch.tables:
                    loader.add_spend(table, record.sha256)
                loader.add_problems(problem_table(batch.problems, record.sha256, "spend"))
                _note(report, batch.problems)
                if context.progress:
                    context.progress(len(batch) + _count_non_accepted(batch))
            _finish(book, record, tally, context.default_org)
    _fill(report, tally, record)
    return report


def _open_rows(path: Path, record: SourceRecord, scan: FileScan) -> Iterator[tuple[int, list[Cell]]]:
    kind = sniff_format(path)
    record.format = kind
    if kind == "empty":
        raise FileRejected("file-empty", "the file holds no bytes or only blank lines")
    if kind == "xls":
        if path.suffix.lower() in {".csv", ".txt"}:
            raise FileRejected("excel-binary-as-csv", "this is a legacy Excel (.xls) workbook saved under a "
                               f"{path.suffix} name, not text; open it in a spreadsheet and save it as CSV or XLSX")
        raise FileRejected("unsupported-format", "legacy Excel .xls workbooks are not read; save it as XLSX or CSV")
    if kind == "json":
        record.encoding = "utf-8"
        return iter(())
    if kind == "xlsx":
        sheet = _spend_sheet(path)
        record.dialect = {"sheet": sheet}
        return iter_xlsx(path, sheet)
    record.encoding = scan.encoding or single_byte_encoding(path)
    delimiter = sniff_delimiter(read_sample(path, record.encoding))
    record.dialect = {"delimiter": delimiter}
    return iter_csv(path, record.encoding, delimiter)


def _arrow_bulk(path: Path, record: SourceRecord, scan: FileScan):
    """Arrow's CSV reader for the data lines, when one line is one row; else None."""
    if not scan.one_line_one_row:
        return None
    lines = scan.lines
    record.dialect = {**(record.dialect or {}), "reader": "arrow"}

    def bulk(first_line: int, width: int):
        seen = 0
        for batch, numbers, slow in iter_csv_arrow(path, record.encoding, record.dialect["delimiter"],
                                                   first_line, width):
            seen += batch.num_rows + len(slow)
            yield batch, numbers, slow
        if seen != max(lines - first_line + 1, 0):
            raise AssertionError(f"{path}: Arrow read {seen} rows from line {first_line}, the file has "
                                 f"{lines - first_line + 1}")
    return bulk


def _spend_sheet(path: Path) -> int:
    """The first sheet whose early rows hold a spend header (workbooks often lead with notes)."""
    for index, _ in enumerate(xlsx_sheet_names(path)):
        for _, (_, cells) in zip(range(40), iter_xlsx(path, index)):
            if header_score([cell_text(c) for c in cells]):
                return index
    return 0


def _finish(book: Book, record: SourceRecord, tally: SpendTally, default_org: str | None) -> None:
    if not tally.reconciles():
        raise AssertionError(f"{record.path}: rows_read {tally.rows_read} != accepted {tally.accepted} + "
                             f"quarantined {tally.quarantined} + structural {tally.structural}")
    record.publisher = default_org or _dominant_org(tally)
    if tally.first_paid and tally.last_paid:
        record.period_start = tally.first_paid.replace(day=1)
        record.period_end = _month_end(tally.last_paid)
    record.rows_read, record.rows_accepted = tally.rows_read, tally.accepted
    record.rows_quarantined, record.rows_structural = tally.quarantined, tally.structural
    record.amount_accepted_pence = tally.pence
    record.dialect = {**(record.dialect or {}), "header_line": tally.header_line,
                      "date_order": "month-first" if tally.month_first else "day-first",
                      "columns": tally.header.describe() if tally.header else []}
    book.record_source(record)


def _fill(report: IngestReport, tally: SpendTally, record: SourceRecord) -> None:
    report.rows_read, report.accepted = tally.rows_read, tally.accepted
    report.quarantined, report.structural = tally.quarantined, tally.structural
    report.amount_pence, report.publisher = tally.pence, record.publisher
    report.problem_counts = dict(tally.problem_counts)
    report.supersedes = record.supersedes
    if record.period_start:
        report.period = (record.period_start, record.period_end)


def _drain(batches: Iterator[SpendBatch], report: IngestReport, progress: Progress | None,
           collect: Collected | None = None) -> None:
    for batch in batches:
        _note(report, batch.problems)
        if collect is not None:
            collect.batches.append(batch)
        if progress:
            progress(len(batch) + _count_non_accepted(batch))


def _note(report: IngestReport, problems: list[Problem]) -> None:
    interesting = [p for p in problems if p.severity != "structural"]
    report.problems_total += len(interesting)
    room = PROBLEMS_KEPT_IN_REPORT - len(report.problems)
    if room > 0:
        report.problems.extend(interesting[:room])


def _count_non_accepted(batch: SpendBatch) -> int:
    return len({p.line for p in batch.problems if p.severity in ("error", "structural")})


def _dominant_org(tally: SpendTally) -> str | None:
    ranked = sorted(tally.lines_by_org.items(), key=lambda item: (-item[1], item[0]))
    return ranked[0][0] if ranked else None


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def _registry_resolver() -> OrgResolver:
    """Without a book, bodies resolve against the standard's registry, the same way a book does."""
    index = build_org_index((o["org_id"], o["name"], o["aliases"])
                            for o in sorted(standard.organisation_registry(), key=lambda o: o["org_id"]))
    return lambda name: lookup_org(index, name)


def _spend_table(batch: SpendBatch) -> pa.Table:
    columns = {
        "org_id": pa.array(batch.org_ids, pa.string()),
        "paid_on": pa.array(batch.paid_on, pa.date32()),
        "date_precision": pa.array(batch.precision, pa.string()),
        "amount_gbp": pence_array(batch.pence),
        **{name: pa.array(batch.text[name], pa.string()) for name in TEXT_FIELDS},
        "source_line": pa.array(batch.lines, pa.int64()),
    }
    return pa.table(columns)


def problem_table(problems: list[Problem], sha: str, table_name: str) -> pa.Table:
    return pa.table({
        "source_sha256": pa.array([sha] * len(problems), pa.string()),
        "source_line": pa.array([p.line for p in problems], pa.int64()),
        "table_name": pa.array([table_name] * len(problems), pa.string()),
        "severity": pa.array([p.severity if p.severity != "file" else "error" for p in problems], pa.string()),
        "code": pa.array([p.code for p in problems], pa.string()),
        "column_name": pa.array([p.column_name for p in problems], pa.string()),
        "column_number": pa.array([p.column_number for p in problems], pa.int64()),
        "raw_value": pa.array([p.value for p in problems], pa.string()),
        "message": pa.array([p.message for p in problems], pa.string()),
        "raw_row": pa.array([p.raw_row for p in problems], pa.list_(pa.string())),
    })
