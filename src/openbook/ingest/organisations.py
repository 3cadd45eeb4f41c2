"""Organisation files in the standard's own layout: how a user (or the generator) registers bodies.

A body's spend can only be booked against a body the book knows, so registering bodies is itself
an ingest, with the same reconciliation and quarantine as any other file.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from openbook import standard
from openbook.ingest.base import Importer, IngestContext
from openbook.ingest.problems import Problem
from openbook.ingest.reader import cell_text
from openbook.ingest.report import Counts, IngestReport, problem_table

if TYPE_CHECKING:
    from openbook.store.book import Book, SourceRecord

REQUIRED = ("org_id", "name", "kind")


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
        return ingest(context.book, context.path, context.record, context.report)


def ingest(book: Book | None, path: Path, record: SourceRecord, report: IngestReport) -> IngestReport:
    kinds = {row["code"] for row in standard.code_list("organisation_kinds")}
    accepted: list[dict] = []
    problems: list[Problem] = []
    rows_read = 1
    with open(path, encoding=record.encoding or "utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in reader.fieldnames or []]
        problems.append(Problem("header-row", 1, path=str(path), raw_row=header))
        for row in reader:
            rows_read += 1
            line = reader.line_num
            values = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            raw = list(values.values())
            if not any(raw):
                problems.append(Problem("blank-row", line, path=str(path), raw_row=raw))
                continue
            row_problems = [Problem("org-field-missing", line, name, header.index(name) + 1, "", path=str(path),
                                    raw_row=raw) for name in REQUIRED if not values.get(name)]
            if values.get("kind") and values["kind"] not in kinds:
                row_problems.append(Problem("org-kind-unknown", line, "kind", header.index("kind") + 1,
                                            values["kind"], path=str(path), raw_row=raw))
            if row_problems:
                problems.extend(row_problems)
                continue
            accepted.append(_organisation(values))
    counts = Counts(rows_read, len(accepted), len({p.line for p in problems if p.severity == "error"}),
                    sum(1 for p in problems if p.severity == "structural"))
    counts.check(str(path))
    report.dataset = "organisation"
    report.counts = counts
    report.problems = [p for p in problems if p.severity != "structural"]
    report.problems_total = len(report.problems)
    if book is not None:
        record.dataset, record.adapter = "organisation", "organisation"
        record.rows_read, record.rows_accepted = counts.rows_read, counts.accepted
        record.rows_quarantined, record.rows_structural = counts.quarantined, counts.structural
        record.dialect = {"delimiter": ",", "header_line": 1}
        with book.loading() as loader:
            loader.add_organisations(accepted)
            loader.add_problems(problem_table(problems, record.sha256, "organisation"))
            book.record_source(record)
    return report


def _organisation(values: dict[str, str]) -> dict:
    def number(key: str, kind: type) -> int | float | None:
        text = values.get(key, "")
        return kind(float(text)) if text else None

    aliases = [a.strip() for a in standard.parse_aliases(values.get("aliases", "")) if a.strip()]
    return {"org_id": values["org_id"], "name": values["name"], "kind": values["kind"],
            "parent_id": values.get("parent_id") or None,
            "population_served": number("population_served", int), "staff_fte": number("staff_fte", float),
            "aliases": aliases}
