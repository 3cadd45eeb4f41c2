"""Ingesting many files on every core: worker processes read, the book's owner writes.

DuckDB has one writer, and a file must load all or nothing, so the split is: each worker reads
and checks a whole file (the CPU-heavy part) and hands back Arrow tables; this process writes
them in the order given, a group of files per transaction, while the workers read ahead. Files too big to
hold in memory, and organisation registers (which change how later files resolve bodies), are
ingested here directly. A file whose worker fails is read again here; a file that cannot be written
is rejected as `internal-error` (unless the book itself cannot be written); either way the run goes on.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

from openbook.ingest.base import Collected
from openbook.ingest.organisations import OrganisationImporter
from openbook.ingest.pipeline import (ingest_file, internal_error, nearest_names, record_rejection, resolve_publisher,
                                       write_prepared)
from openbook.ingest.report import IngestReport, unchanged_report
from openbook.ingest.sniff import read_sample
from openbook.store.book import Book, lookup_org

# A file read in a worker is held whole in memory until written; bigger files stream in-process.
MAX_WORKER_FILE_BYTES = 64 << 20
READ_AHEAD = 4  # files per worker read before their turn to be written
# Files committed together: one fsync per group instead of per file (a third of write time on
# monthly files). Each file is still all or nothing; a crash loses at most the open group.
GROUP_FILES = 64
# DuckDB's own memory during a bulk load (it spills beyond); with the readers this keeps a
# 10M-row load under 1 GB of RSS on this project's 2-core machine. OPENBOOK_INGEST_MEMORY overrides.
INGEST_MEMORY = "256MB"
GROUP_ROWS = 250_000


def ingest_paths(book: Book, paths: list[Path], *, org: str | None = None, jobs: int | None = None,
                 fx: dict[str, str] | None = None, as_of: date | None = None,
                 columns: dict[str, str] | None = None, progress: Callable[[int], None] | None = None,
                 on_file: Callable[[Path], None] | None = None) -> Iterator[IngestReport]:
    """Ingest files in order, yielding each report as its file is committed."""
    with book.memory_capped(os.environ.get("OPENBOOK_INGEST_MEMORY", INGEST_MEMORY)):
        yield from _ingest_paths(book, paths, org=org, fx=fx, as_of=as_of, columns=columns,
                                 jobs=jobs or os.cpu_count() or 1, progress=progress,
                                 on_file=on_file)
        # Checkpoint under the cap too: uncapped, folding the last WAL into the file took 2.5 GB.
        book.checkpoint()


def _ingest_paths(book: Book, paths: list[Path], *, org: str | None, fx: dict[str, str] | None,
                  as_of: date | None, columns: dict[str, str] | None, jobs: int,
                  progress: Callable[[int], None] | None,
                  on_file: Callable[[Path], None] | None) -> Iterator[IngestReport]:
    registers = {p for p in paths if _is_organisation_register(p)}
    for path in [p for p in paths if p in registers]:
        if on_file:
            on_file(path)
        yield ingest_file(book, path, org=org, fx=fx, as_of=as_of, columns=columns, progress=progress)
    rest = [p for p in paths if p not in registers]
    resolve_publisher(book.resolve_org, org, book.org_index())  # a wrong --org stops here, not in every worker
    small = [p for p in rest if _size(p) <= MAX_WORKER_FILE_BYTES]
    if jobs <= 1 or len(small) < 2:
        for path in rest:
            if on_file:
                on_file(path)
            yield ingest_file(book, path, org=org, fx=fx, as_of=as_of, columns=columns, progress=progress)
        return
    latest = date.today() + timedelta(days=366)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                             initargs=(book.org_index(),)) as pool:
        pending: dict[Path, object] = {}
        queue = iter(small)

        def top_up() -> None:
            while len(pending) < jobs * READ_AHEAD:
                path = next(queue, None)
                if path is None:
                    return
                try:
                    pending[path] = pool.submit(_read_file, path, org, latest, fx, as_of, columns)
                except Exception:  # noqa: BLE001 - a broken pool: files not handed out are read here
                    return

        top_up()
        group: list[tuple[IngestReport, Collected]] = []
        for path in rest:
            if on_file:
                on_file(path)
            if path not in pending:
                yield from _commit(book, group, progress)
                yield ingest_file(book, path, org=org, fx=fx, as_of=as_of, columns=columns, progress=progress)
                continue
            try:
                report, collected = pending.pop(path).result()
            except Exception:  # noqa: BLE001 - a worker that died or failed: read the file here instead
                top_up()
                yield from _commit(book, group, progress)
                yield ingest_file(book, path, org=org, fx=fx, as_of=as_of, columns=columns, progress=progress)
                continue
            top_up()
            group.append((report, collected))
            if len(group) >= GROUP_FILES or sum(r.rows_read for r, _ in group) >= GROUP_ROWS:
                yield from _commit(book, group, progress)
        yield from _commit(book, group, progress)


def _commit(book: Book, group: list[tuple[IngestReport, Collected]],
            progress: Callable[[int], None] | None) -> Iterator[IngestReport]:
    """Write a group of read files in one transaction; if any fails, each again in its own."""
    if not group:
        return
    try:
        with book.group():
            reports = [_write(book, report, collected, progress) for report, collected in group]
    except Exception:  # noqa: BLE001 - retried file by file, so the failing one fails alone
        reports = [_write_alone(book, report, collected, progress) for report, collected in group]
    group.clear()
    yield from reports


def _write_alone(book: Book, report: IngestReport, collected: Collected,
                 progress: Callable[[int], None] | None) -> IngestReport:
    """Write one file in its own transaction; if that fails too, record it as rejected (internal-error).

    An OSError (a full disk, a book gone read-only) is the book's failure, not the file's: it ends the run.
    """
    try:
        with book.group():
            return _write(book, report, collected, progress)
    except OSError:
        raise
    except Exception as error:  # noqa: BLE001 - one file's failure never ends the run
        record_rejection(book, internal_error(report, error), collected.record)
        return report


def _write(book: Book, report: IngestReport, collected: Collected,
           progress: Callable[[int], None] | None) -> IngestReport:
    known = book.source(report.sha256)
    if known and known["status"] != "rejected" and not book.reload_needed(report.sha256):
        return unchanged_report(report.path, known)
    with book.transaction():  # a file loaded again replaces its earlier load, or leaves it as it was
        if known:
            book.forget_source(report.sha256)
        if report.status == "rejected":
            record_rejection(book, report, collected.record)
            return report
        write_prepared(book, report, collected)
    if progress:
        progress(report.rows_read)
    return report


_WORKER_INDEX: list = []  # the book's OrgIndex, set once per worker


def _start_worker(index) -> None:
    _WORKER_INDEX[:] = [index]


def _resolve(name: str) -> str | None:
    return lookup_org(_WORKER_INDEX[0], name)


def _read_file(path: Path, org: str | None, latest: date,
               fx: dict[str, str] | None = None, as_of: date | None = None,
               columns: dict[str, str] | None = None) -> tuple[IngestReport, Collected]:
    collected = Collected()
    report = ingest_file(None, path, org=org, latest=latest, resolve=_resolve, collect=collected, fx=fx,
                         as_of=as_of, columns=columns, nearest=nearest_names(_WORKER_INDEX[0]))
    collected.compact()
    return report, collected


def _size(path: Path) -> int:
    """Bytes in the file; a file gone since it was listed counts as big, so it is read (and reported) here."""
    try:
        return path.stat().st_size
    except OSError:
        return MAX_WORKER_FILE_BYTES + 1


def _is_organisation_register(path: Path) -> bool:
    if path.suffix.lower() != ".csv":
        return False
    try:
        sample = read_sample(path, "utf-8", lines=1)
    except (OSError, UnicodeDecodeError):
        return False
    return OrganisationImporter.claims([sample.lstrip("\ufeff").strip().split(",")]) > 0


__all__ = ["ingest_paths"]
