"""Importers for files in openbook's template layouts: systems, processes, cost registers, budgets.

A template's header is the table's field names (or their titles, in any case and spacing), so
reading one is mapping columns to fields and checking cells. The cell checks are the SQL that
`standard_check` generates from the Table Schema, the same that `openbook validate` runs on
bulk files in the standard's layout: one definition of a valid value per table. What SQL over a
single cell cannot see is checked here: bodies resolved through the registry, keys repeated
within a file, and a few cross-field sums that are worth a warning.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from itertools import groupby
from typing import TYPE_CHECKING, Any, ClassVar

from openbook import standard
from openbook.errors import FileRejected
from openbook.ingest.base import Importer, IngestContext, load_records
from openbook.ingest.problems import Problem
from openbook.ingest.reader import cell_text
from openbook.ingest.records import Records, money
from openbook.ingest.report import IngestReport, problem_table
from openbook.ingest.standard_check import cell_detail, check_rows
from openbook.ingest.templates import label_index, normalise_label, template_fields
from openbook.plugins.manager import hookimpl

if TYPE_CHECKING:
    from openbook.store.book import Book

HEADER_SEARCH_ROWS = 40
KNOWN_SHARE = 0.8  # at least this share of a header's labels must be the table's fields


class TemplateImporter(Importer):
    """A table's template layout; subclasses name the table and what makes a header theirs."""

    table: ClassVar[str]
    marks: ClassVar[tuple[str, ...]]  # fields whose presence says the file is this table's
    key: ClassVar[tuple[str, ...]] = ()  # fields that name one record, unique within a file
    money_total: ClassVar[str | None] = None  # the field summed into the source's accepted amount
    reads_standard_layout: ClassVar[bool] = True  # `openbook validate` leaves such files to the importer
    problems = (
        "column-unknown", "column-duplicated", "column-missing", "no-data-rows",
        "value-missing", "type-error", "constraint-error", "unknown-code", "unknown-organisation",
        "extra-cell", "key-duplicated", "amount-rounded", "preamble-row", "header-row", "blank-row",
    )

    @classmethod
    def header_match(cls, cells: list[str]) -> float:
        """How surely a row is this table's template header: 0, or the share of labels known."""
        labels = [normalise_label(c) for c in cells if str(c).strip()]
        if len(labels) < 2:
            return 0.0
        index = label_index(cls.table)
        known = [index[label] for label in labels if label in index]
        share = len(known) / len(labels)
        return share if set(cls.marks) <= set(known) and share >= KNOWN_SHARE else 0.0

    @classmethod
    def claims(cls, head: list[list[str]]) -> float:
        best = max((cls.header_match(row) for row in head[:HEADER_SEARCH_ROWS]), default=0.0)
        return 0.0 if not best else (0.95 if best == 1 else 0.9)

    def ingest(self, context: IngestContext) -> IngestReport:
        return _TemplateReading(type(self), context).run()

    # Hooks for the tables' own checks -----------------------------------------------------

    def start(self, context: IngestContext) -> None:
        """Called once before the rows are checked."""

    def row_warnings(self, line: int, values: dict[str, Any], column: dict[str, int]) -> list[Problem]:
        """Warnings about an otherwise valid row (it is accepted with them)."""
        return []


class SystemImporter(TemplateImporter):
    name = "template-system"
    title = "Systems registers in openbook's template layout (system_ref, product, vendor, capability …)"
    dataset = table = "system"
    marks = ("system_ref",)
    key = ("org_id", "system_ref")
    money_total = "annual_cost_gbp"


class ProcessImporter(TemplateImporter):
    name = "template-process"
    title = "Process registers in openbook's template layout (process_code, function, volume, cost …)"
    dataset = table = "process"
    marks = ("process_code",)
    key = ("org_id", "process_code", "period")
    money_total = "annual_cost_gbp"
    problems = (*TemplateImporter.problems, "system-ref-unknown")  # set after loading: check_references


class CostLineImporter(TemplateImporter):
    name = "template-cost-line"
    title = "Supplier open-book cost registers in openbook's template layout (contract_ref, cost_category …)"
    dataset = table = "cost_line"
    marks = ("contract_ref", "cost_category")
    money_total = "amount_gbp"
    problems = (*TemplateImporter.problems, "agreed-margin-conflict", "amount-differs-from-rate")

    def start(self, context: IngestContext) -> None:
        self._agreed: dict[tuple, tuple[Decimal, int]] = {}

    def row_warnings(self, line, values, column):
        found = []
        rate, quantity, amount = values.get("rate_gbp"), values.get("quantity"), values.get("amount_gbp")
        if rate is not None and quantity is not None and amount is not None:
            expected = money(rate * Decimal(str(quantity)))
            if expected != amount:
                found.append(Problem("amount-differs-from-rate", line, "amount_gbp", column["amount_gbp"],
                                     str(amount), detail=f"{rate} × {quantity} = {expected}"))
        agreed = values.get("agreed_margin_pct")
        if agreed is not None:
            group = (values["org_id"], values["contract_ref"], values["period"])
            first = self._agreed.setdefault(group, (Decimal(str(agreed)), line))
            if first[0] != Decimal(str(agreed)):
                found.append(Problem("agreed-margin-conflict", line, "agreed_margin_pct",
                                     column["agreed_margin_pct"], str(agreed),
                                     detail=f"{first[0]} on line {first[1]}"))
        return found


class BudgetImporter(TemplateImporter):
    name = "template-budget"
    title = "Budget and outturn lines in openbook's template layout (period, basis, function, amount …)"
    dataset = table = "budget"
    marks = ("basis", "amount_gbp")
    money_total = "amount_gbp"


class _TemplateReading:
    """One file read against one table's template: header, rows, checks, records."""

    def __init__(self, importer: type[TemplateImporter], context: IngestContext):
        self.importer = importer()
        self.table = importer.table
        self.context = context
        self.records = Records()
        self.fields = {f["name"]: f for f in standard.load_schema(self.table)["fields"]}

    def run(self) -> IngestReport:
        context, records = self.context, self.records
        self.importer.start(context)
        rows = self._header_and_rows()
        self._check(rows)
        if not self.records.accepted_lines and not any(p.severity == "error" for p in records.problems):
            raise FileRejected("no-data-rows", f"the file has a {self.table} header but no rows")
        if context.progress:
            context.progress(records.rows_read)
        report = load_records(context, records, self.table)
        if context.book is not None and self.table in {"system", "process"}:
            check_references(context.book)
        return report

    # -- header -------------------------------------------------------------------------------

    def _header_and_rows(self) -> list[tuple[int, list[str]]]:
        """Structural rows recorded up to the header; the data rows after it, as text."""
        records, path = self.records, self.context.label
        header: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        for line, cells in self.context.rows:
            records.rows_read += 1
            texts = [cell_text(c).strip() for c in cells]
            if header is None:
                if not any(texts):
                    records.problem(Problem("blank-row", line, path=path, raw_row=texts))
                elif records.rows_read <= HEADER_SEARCH_ROWS and self.importer.header_match(texts):
                    header, self.header_line = texts, line
                    records.problem(Problem("header-row", line, path=path, raw_row=texts))
                else:
                    records.problem(Problem("preamble-row", line, path=path, raw_row=texts))
                continue
            rows.append((line, texts))
        if header is None:
            raise FileRejected("column-missing", f"no row in the first {HEADER_SEARCH_ROWS} names the "
                               f"{self.table} template's fields; make one with `openbook template {self.table}`")
        self._map_header(header)
        return rows

    def _map_header(self, header: list[str]) -> None:
        index = label_index(self.table)
        self.header = header
        self.position: dict[str, int] = {}  # field → 0-based column
        unknown, repeated = [], []
        for position, label in enumerate(header):
            if not label:
                continue
            name = index.get(normalise_label(label))
            if name is None:
                unknown.append(label)
            elif name in self.position:
                repeated.append(label)
            else:
                self.position[name] = position
        allowed = ", ".join(f.name for f in template_fields(self.table))
        if unknown:
            raise FileRejected("column-unknown", f"the {self.table} template has no column "
                               f"{', '.join(repr(u) for u in unknown)}; its columns are {allowed}",
                               line=self.header_line)
        if repeated:
            raise FileRejected("column-duplicated", f"{', '.join(repr(r) for r in repeated)} names a column "
                               "already in the header", line=self.header_line)
        required = [f.name for f in template_fields(self.table) if f.required and f.name not in self.position]
        if required == ["org_id"] and self.context.default_org:
            required = []
        if required:
            raise FileRejected("column-missing", f"the header has no {', '.join(required)} column "
                               f"(required by the {self.table} template)", line=self.header_line)
        self.names = list(self.position)
        if "org_id" not in self.position:
            self.names.append("org_id")  # filled from --org
        # 1-based column of each field, as problems report it; None for org_id taken from --org.
        self.column = {name: self.position[name] + 1 if name in self.position else None for name in self.names}
        self.records.dialect = {"header_line": self.header_line, "layout": f"openbook-template:{self.table}",
                                "columns": [[label, index.get(normalise_label(label))] for label in header]}

    # -- rows ---------------------------------------------------------------------------------

    def _check(self, rows: list[tuple[int, list[str]]]) -> None:
        records, path = self.records, self.context.label
        data: list[tuple[int, list[str], list[str | None]]] = []
        for line, texts in rows:
            if not any(texts):
                records.problem(Problem("blank-row", line, path=path, raw_row=texts))
                continue
            values = [self._cell(texts, name) for name in self.names]
            data.append((line, texts, values))
        broken = check_rows(self.table, self.names, [values for _, _, values in data])
        seen: dict[tuple, int] = {}
        totals = Counter()
        for number, (line, texts, values) in enumerate(data):
            found = [Problem(code, line, self._label(name), self.column[name], values[i],
                             cell_detail(self.fields[name], code), path=path, raw_row=texts)
                     for i, (name, code) in enumerate(zip(self.names, broken.get(number, ()))) if code]
            found += self._extra_cells(line, texts)
            record, more = self._typed(line, texts, dict(zip(self.names, values)), found)
            found += more
            if not any(p.severity == "error" for p in found):
                key = tuple(record.get(k) for k in self.importer.key)
                if key and key in seen:
                    found.append(Problem("key-duplicated", line, self._label(self.importer.key[-1]),
                                         self.column[self.importer.key[-1]], " / ".join(map(str, key)),
                                         detail=str(seen[key]), path=path, raw_row=texts))
                elif key:
                    seen[key] = line
            if not any(p.severity == "error" for p in found):
                for warning in self.importer.row_warnings(line, record, self.column):
                    warning.path, warning.raw_row = path, texts
                    found.append(warning)
            for problem in sorted(found, key=lambda p: p.column_number or 0):
                records.problem(problem)
            if any(p.severity == "error" for p in found):
                continue
            records.add(self.table, line, record)
            totals[record["org_id"]] += 1
            self._add_amount(record)
        if totals:
            records.publisher = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[0][0]

    def _cell(self, texts: list[str], name: str) -> str | None:
        position = self.position.get(name)
        text = texts[position] if position is not None and position < len(texts) else ""
        if name == "org_id" and not text and self.context.default_org:
            return self.context.default_org
        return text or None

    def _label(self, name: str) -> str:
        position = self.position.get(name)
        return self.header[position] if position is not None else name

    def _extra_cells(self, line: int, texts: list[str]) -> list[Problem]:
        """Values under no column (beyond the header, or under a blank label) are not dropped in silence."""
        mapped = set(self.position.values())
        extra = [(i, t) for i, t in enumerate(texts) if t and i not in mapped]
        if not extra:
            return []
        return [Problem("extra-cell", line, None, extra[0][0] + 1, " | ".join(t for _, t in extra),
                        detail=str(len(extra)), path=self.context.label, raw_row=texts)]

    def _typed(self, line: int, texts: list[str], values: dict[str, str | None],
               found: list[Problem]) -> tuple[dict[str, Any], list[Problem]]:
        """The row's record with typed values; conversion problems for cells SQL passed."""
        broken = {p.column_name for p in found}
        record: dict[str, Any] = {}
        more: list[Problem] = []
        for name, text in values.items():
            if text is None or self._label(name) in broken:
                record[name] = None
                continue
            spec = self.fields[name]
            try:
                record[name] = self._value(spec, text)
            except (ValueError, InvalidOperation):  # a form DuckDB reads and Python does not
                more.append(Problem("type-error", line, self._label(name), self.column[name], text,
                                    spec.get("type", "string"), path=self.context.label, raw_row=texts))
                continue
            if isinstance(record[name], Decimal) and record[name] != Decimal(text):
                more.append(Problem("amount-rounded", line, self._label(name), self.column[name], text,
                                    detail=str(record[name]), path=self.context.label, raw_row=texts))
            if name == "org_id":
                org_id = self.context.resolve_org(text)
                if org_id is None:
                    more.append(Problem("unknown-organisation", line, self._label(name), self.column[name], text,
                                        path=self.context.label, raw_row=texts))
                record[name] = org_id
        return record, more

    @staticmethod
    def _value(spec: dict, text: str) -> Any:
        kind = spec.get("type", "string")
        if spec.get("sqlType", "").startswith("DECIMAL"):
            return money(text)
        if kind == "integer":
            number = Decimal(text)
            if number != number.to_integral_value():
                raise ValueError(text)
            return int(number)
        if kind == "number":
            return float(Decimal(text))
        if kind == "date":
            return date.fromisoformat(text)
        if kind == "boolean":
            return text.casefold() in {"true", "1", "yes"}
        return text

    def _add_amount(self, record: dict[str, Any]) -> None:
        name = self.importer.money_total
        value = record.get(name) if name else None
        if value is None:
            return
        if self.table == "cost_line" and _category_kind(record.get("cost_category")) not in {"direct", "indirect"}:
            return  # the source's amount is the register's costs, not its revenue or margin lines
        self.records.amount += value


@cache
def _category_kinds() -> dict[str, str]:
    return {row["code"]: row["kind"] for row in standard.code_list("cost_categories")}


def _category_kind(code: str | None) -> str | None:
    return _category_kinds().get(code or "")


def check_references(book: Book) -> int:
    """Flag current processes whose system_ref none of their body's loaded systems has.

    A process and the system it runs on come in different files, loaded in any order (and read
    in different worker processes), so the check runs on the book after loading: every earlier
    `system-ref-unknown` warning is replaced. A body with no systems loaded is not judged.
    Returns the number of processes flagged.
    """
    names = ("source_sha256", "source_line", "system_ref", "path", "dialect", "systems")
    found = [dict(zip(names, row)) for row in book.query(
        """SELECT p.source_sha256, p.source_line, p.system_ref, src.path, src.dialect,
                  (SELECT count(DISTINCT s.system_ref) FROM system s WHERE s.org_id = p.org_id) AS systems
           FROM process p JOIN source src ON src.sha256 = p.source_sha256 AND src.status = 'current'
           WHERE p.system_ref IS NOT NULL
             AND EXISTS (SELECT 1 FROM system s WHERE s.org_id = p.org_id)
             AND NOT EXISTS (SELECT 1 FROM system s WHERE s.org_id = p.org_id AND s.system_ref = p.system_ref)
           ORDER BY p.source_sha256, p.source_line""")]
    with book.loading() as loader:
        book.query("DELETE FROM quarantine WHERE code = 'system-ref-unknown'")
        for sha, rows in groupby(found, key=lambda r: r["source_sha256"]):
            rows = list(rows)
            columns = (json.loads(rows[0]["dialect"] or "{}") or {}).get("columns") or []
            label, number = next(((c[0], i + 1) for i, c in enumerate(columns) if c[1] == "system_ref"),
                                 ("system_ref", None))
            loader.add_problems(problem_table(
                [Problem("system-ref-unknown", r["source_line"], label, number, r["system_ref"],
                         detail=f"{r['systems']} systems", path=r["path"]) for r in rows], sha, "process"))
    return len(found)


@hookimpl
def register_importers():
    return [SystemImporter, ProcessImporter, CostLineImporter, BudgetImporter]


__all__ = ["BudgetImporter", "CostLineImporter", "ProcessImporter", "SystemImporter", "TemplateImporter",
           "check_references"]
