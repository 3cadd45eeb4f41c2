"""sniff → read → map → check → accept | quarantine, for one file, in one transaction.

The pipeline opens a file, lets the registered importers bid for it, and hands the best one an
IngestContext; the importer proves the counts (report.Counts) before anything is committed. A
file that holds no data is rejected as a whole with one coded problem, and that rejection is
itself recorded so publication health can show it.
"""

from __future__ import annotations

import itertools
import traceback
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

from openbook import standard
from openbook.errors import BookError, FileRejected, UsageError
from openbook.ingest.base import Collected, Importer, IngestContext
from openbook.ingest.body_search import nearest_bodies
from openbook.ingest.headers import header_score
from openbook.ingest.problems import Problem
from openbook.ingest.reader import Cell, cell_text, iter_csv, iter_html_table, iter_xlsx, xlsx_sheet_names
from openbook.ingest.records import write_records
from openbook.ingest.report import IngestReport, problem_table, unchanged_report
from openbook.ingest.scan import FileScan, scan_file
from openbook.ingest.sniff import (FORMAT_TITLES, named_format, read_sample, single_byte_encoding, sniff_delimiter,
                                   sniff_format, utf16_encoding)
from openbook.ingest.spend_rows import HEADER_SCAN_ROWS
from openbook.ingest.uk_spend import write_spend
from openbook.plugins.manager import importers
from openbook.store.book import Book, SourceRecord

HEAD_ROWS = HEADER_SCAN_ROWS  # rows an importer sees to recognise a file: the header search's rows
Progress = Callable[[int], None]
OrgResolver = Callable[[str], "str | None"]


def ingest_file(book: Book | None, path: Path, *, org: str | None = None, progress: Progress | None = None,
                latest: date | None = None, write: bool = True, resolve: OrgResolver | None = None,
                collect: Collected | None = None, fx: dict[str, str] | None = None,
                as_of: date | None = None, columns: dict[str, str] | None = None,
                nearest: Callable[[str], list[str]] | None = None) -> IngestReport:
    """Load one file into the book; with write=False (or no book) only check it.

    `fx` (pounds per unit, by currency: see money.read_rates) gives contracts and grants in those
    currencies a pound figure; the rates are kept in the source's options. `as_of` is the
    snapshot date the user gives for organograms that do not say theirs (kept there too), as are
    `columns` (field → column as published, from `ingest --columns`).

    With `collect` (and no book) the accepted batches are kept there instead of written, so a
    worker process can read a file and the process that owns the book write it (parallel.py).
    """
    path = Path(path)
    try:
        scan = scan_file(path)
    except OSError as error:  # gone or unreadable since it was listed: nothing to record it under
        return internal_error(IngestReport(str(path), "", "rejected"), error)
    sha, label = scan.sha256, str(path)
    resolve = resolve or (book.resolve_org if book is not None else _registry_resolver())
    index = book.org_index() if book is not None else None
    nearest = nearest or nearest_names(standard.registry_index() if index is None else index)
    if book is not None and not write:
        book = None
    if book is not None:
        known = book.source(sha)
        if known and known["status"] != "rejected" and not book.reload_needed(sha):
            return unchanged_report(label, known)
        if known:
            # Loaded again (a rejection retried, or rows now resolving to a body added since), in one
            # transaction with the new load, so that a failure leaves the earlier load as it was.
            try:
                with book.transaction():
                    book.forget_source(sha)
                    return _load(book, path, scan, org=org, progress=progress, latest=latest, resolve=resolve,
                                 index=index, collect=collect, fx=fx, as_of=as_of, columns=columns, nearest=nearest)
            except (UsageError, BookError):
                raise
            except Exception as error:  # noqa: BLE001 - rolled back to the earlier load; the run goes on
                return internal_error(IngestReport(label, sha, "rejected"), error)
    return _load(book, path, scan, org=org, progress=progress, latest=latest, resolve=resolve, index=index,
                 collect=collect, fx=fx, as_of=as_of, columns=columns, nearest=nearest)


def _load(book: Book | None, path: Path, scan: FileScan, *, org: str | None, progress: Progress | None,
          latest: date | None, resolve: OrgResolver, index: standard.OrgIndex | None,
          collect: Collected | None, fx: dict[str, str] | None,
          as_of: date | None, columns: dict[str, str] | None,
          nearest: Callable[[str], list[str]]) -> IngestReport:
    sha, size, label = scan.sha256, scan.size, str(path)
    default_org = resolve_publisher(resolve, org, index)
    latest = latest or date.today() + timedelta(days=366)
    # The body --org names publishes the file even when it is rejected (a nil return is still its return).
    record = SourceRecord(sha, label, path.name, size, "spend", "uk-spend", "csv", publisher=default_org,
                          options={**({"org": org} if org else {}), **({"fx": fx} if fx else {}),
                                   **({"as_of": as_of.isoformat()} if as_of else {}),
                                   **({"columns": columns} if columns else {})})
    report = IngestReport(label, sha, "checked" if book is None else "loaded")
    if collect is not None:
        collect.record, collect.default_org = record, default_org
    try:
        rows = _open_rows(path, record, scan)
        renamed = _named_otherwise(path, record)
        report.note(renamed)
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
                                default_org, latest, progress, scan, collect, nearest)
        done = importer().ingest(context)
        done.problem_counts.update({p.code: 1 for p in renamed})
        return done
    except FileRejected as rejection:
        rejection.path = rejection.path or label
        problem = Problem(rejection.code, rejection.line, path=label, text=str(rejection.args[0]))
        report.status, report.rejection = "rejected", problem
        if book is not None:
            if book.in_transaction:
                # Inside a transaction opened above (a rejection retried), the rows the importer
                # wrote before it gave up are not rolled back for us: remove them here, so the file
                # is recorded exactly as a first rejection records it.
                book.forget_source(sha)
            record_rejection(book, report, record)
    except (UsageError, BookError):
        raise  # the run as a whole cannot go on: a wrong option, a book that cannot be written
    except Exception as error:  # noqa: BLE001 - one file's failure never ends the run
        if book is not None and book.in_transaction:
            raise  # its half-written rows are rolled back only by the transaction's opener
        internal_error(report, error)
        if book is not None:
            record_rejection(book, report, record)
    return report


def internal_error(report: IngestReport, error: BaseException) -> IngestReport:
    """Mark the file rejected for an error openbook did not foresee; the traceback is kept for --debug."""
    report.status = "rejected"
    report.rejection = Problem("internal-error", None, path=report.path, text=f"{type(error).__name__}: {error}")
    report.traceback = "".join(traceback.format_exception(error))
    return report


def resolve_publisher(resolve: OrgResolver, org: str | None, index: standard.OrgIndex | None = None) -> str | None:
    """The org_id that --org names, or a usage error saying what it accepts.

    `index` is the one `resolve` looks up (a book's: the registry and the bodies users added), so
    that a name is judged ambiguous among the same bodies it resolves among (as Book.require_org);
    without it, the shipped registry's."""
    if not org:
        return None
    org_id = resolve(org)
    index = standard.registry_index() if index is None else index
    if org_id is None and len(candidates := [(o, index.names[o]) for o in index.candidates(org)]) > 1:
        raise UsageError(f"--org {standard.AmbiguousOrganisation(org, candidates)}")
    if org_id is None:
        raise UsageError(f"--org {org!r} is not a body in the organisation registry "
                         "(give an org id such as GB-GOR-… or a name the registry knows)")
    return org_id


def write_prepared(book: Book, report: IngestReport, collected: Collected) -> IngestReport:
    """Write a file read elsewhere (a worker process) in one transaction, as its importer would have."""
    record = collected.record
    if collected.records is not None:
        write_records(book, record, collected.records, collected.dataset)
        report.status = "loaded"
        report.publisher, report.supersedes = record.publisher, record.supersedes
        return report
    return write_spend(book, report, collected)


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
        head = fh.read(size)
    encoding = utf16_encoding(head) or "utf-8"
    return head.decode(encoding, errors="replace").lstrip("\ufeff")


def _named_otherwise(path: Path, record: SourceRecord) -> list[Problem]:
    """A format-by-bytes warning when the name says another format than the bytes, or plain text
    where the bytes are UTF-16 (two bytes a character, which most tools cannot open as CSV)."""
    named = named_format(path)
    if named not in (None, record.format):
        what = FORMAT_TITLES[record.format]
    elif record.format == "csv" and (record.encoding or "").startswith("utf-16"):
        what = "UTF-16 text (CSV)"
    else:
        return []
    return [Problem("format-by-bytes", None, path=str(path), value=path.suffix, detail=what)]


def _open_rows(path: Path, record: SourceRecord, scan: FileScan) -> Iterator[tuple[int, list[Cell]]]:
    """The file's rows, read as its bytes say (a workbook or web page named .csv is read as one, with a
    format-by-bytes warning naming what it is)."""
    kind = sniff_format(path)
    record.format = kind
    if kind == "empty":
        raise FileRejected("file-empty", "the file holds no bytes or only blank lines")
    if kind in {"xls", "xlsx"} and named_format(path) == "csv":
        try:
            xlsx_sheet_names(path)
        except Exception:  # noqa: BLE001 - calamine's errors name no class worth catching apart
            raise FileRejected("excel-binary-as-csv", f"this is {FORMAT_TITLES[kind]} saved under a {path.suffix} "
                               "name, not text, and it cannot be read as a workbook either; open it in a "
                               "spreadsheet and save it as CSV or XLSX") from None
    if kind == "html":
        record.encoding = scan.encoding or single_byte_encoding(path)
        return iter_html_table(path, record.encoding)
    if kind == "json":
        record.encoding = scan.encoding or "utf-8"
        return iter(())
    if kind in {"xlsx", "xls", "ods"}:
        sheet = _spend_sheet(path, kind)
        record.dialect = {"sheet": sheet}
        return iter_xlsx(path, sheet)
    record.encoding = scan.encoding or single_byte_encoding(path)
    delimiter = sniff_delimiter(read_sample(path, record.encoding))
    record.dialect = {"delimiter": delimiter}
    return iter_csv(path, record.encoding, delimiter)


def _spend_sheet(path: Path, kind: str = "xlsx") -> int:
    """The first sheet whose early rows hold a spend header (workbooks often lead with notes)."""
    try:
        names = xlsx_sheet_names(path)
    except Exception as error:  # noqa: BLE001 - calamine's errors name no class worth catching apart
        raise FileRejected("unsupported-format", f"this {kind.upper()} workbook cannot be read ({error}); "
                           "open it in a spreadsheet and save it as XLSX or CSV") from None
    for index, _ in enumerate(names):
        for _, (_, cells) in zip(range(40), iter_xlsx(path, index)):
            if header_score([cell_text(c) for c in cells]):
                return index
    return 0


def nearest_names(index: standard.OrgIndex) -> Callable[[str], list[str]]:
    """'Name (org_id)' of the bodies nearest a name that resolves to none: the quarantine's hint."""
    return lambda name: [f"{m.name} ({m.org_id})" for m in nearest_bodies(index, name)]


def _registry_resolver() -> OrgResolver:
    """Without a book, bodies resolve against the standard's registry, the same way a book does."""
    return standard.registry_index().get
