"""Importers: one per publication format, chosen by how well each recognises a file's head.

The built-in ones register through the same `register_importers` hook as a plugin would, so
the hook is always exercised. An importer reads a file into the standard's tables through the
book's Loader and fills the IngestReport; it never opens connections or writes SQL itself.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from openbook.ingest.headers import header_score
from openbook.ingest.reader import Cell, cell_text
from openbook.ingest.scan import FileScan
from openbook.plugins.manager import hookimpl

if TYPE_CHECKING:
    from openbook.ingest.pipeline import Collected, IngestReport
    from openbook.store.book import Book, SourceRecord


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


class SpendImporter(Importer):
    name = "uk-spend"
    title = "UK spend publications (central £25,000 and local £500)"
    dataset = "spend"
    problems = (
        "file-empty", "excel-binary-as-csv", "unsupported-format", "nil-return", "metadata-not-data",
        "no-header-found", "missing-required-column", "no-data-rows", "publisher-unknown",
        "amount-missing", "amount-not-a-number", "date-missing", "date-invalid", "date-out-of-range",
        "supplier-missing", "unknown-organisation", "extra-cell", "date-ambiguous", "date-month-first",
        "date-month-only", "amount-rounded", "entity-unresolved", "column-inferred",
        "preamble-row", "header-row", "blank-row", "totals-row", "note-row",
    )

    @classmethod
    def claims(cls, head: list[list[str]]) -> float:
        # Spend is the default reading of a table of payments: a weak claim even without a header,
        # so that a file holding no data is rejected with the spend importer's coded reasons.
        best = max((header_score(row) for row in head), default=0)
        return 0.1 + min(best, 9) / 10

    def ingest(self, context: IngestContext) -> IngestReport:
        from openbook.ingest.pipeline import ingest_spend

        return ingest_spend(context)


class OrganisationImporter(Importer):
    name = "organisation"
    title = "Organisation registers in the standard's layout (org_id, name, kind …)"
    dataset = "organisation"
    problems = ("org-field-missing", "org-kind-unknown", "header-row", "blank-row")

    @classmethod
    def claims(cls, head: list[list[str]]) -> float:
        first = {cell_text(c).strip().casefold().lstrip("\ufeff") for c in head[0]} if head else set()
        return 1.0 if {"org_id", "name", "kind"} <= first else 0.0

    def ingest(self, context: IngestContext) -> IngestReport:
        from openbook.ingest import organisations

        return organisations.ingest(context.book, context.path, context.record, context.report)


@hookimpl
def register_importers():
    return [SpendImporter, OrganisationImporter]
