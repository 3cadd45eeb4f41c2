"""Records of any standard table: typed by the standard's schema, counted, and written.

Spend has its own columnar path (uk_spend.py) because it is most of the book's rows; every other
importer (organograms, contracts, grants, systems …) builds plain records and hands them to
base.load_records, so all of them reconcile, quarantine and record their source the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from openbook import standard
from openbook.ingest.problems import Problem
from openbook.ingest.report import Counts, problem_table

if TYPE_CHECKING:
    from openbook.store.book import Book, SourceRecord

_ARROW = {
    "string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "date": pa.date32(),
    "datetime": pa.timestamp("us"), "boolean": pa.bool_(), "array": pa.list_(pa.string()),
    "object": pa.string(), "year": pa.int32(), "yearmonth": pa.string(), "any": pa.string(),
}
MONEY = pa.decimal128(18, 2)
_PENNY = Decimal("0.01")


@cache
def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of a standard table: DECIMAL(18,2) money stays exact decimal."""
    fields = []
    for spec in standard.load_schema(table)["fields"]:
        kind = MONEY if spec.get("sqlType", "").startswith("DECIMAL") else _ARROW[spec.get("type", "string")]
        fields.append(pa.field(spec["name"], kind))
    return pa.schema(fields)


@cache
def _objects(table: str) -> frozenset[str]:
    """Fields of type object: stored as JSON text."""
    return frozenset(f["name"] for f in standard.load_schema(table)["fields"] if f.get("type") == "object")


def money(value: Decimal | int | str | None) -> Decimal | None:
    """A sterling amount as an exact Decimal to the penny (half-even, as accountants round)."""
    if value is None or value == "":
        return None
    return Decimal(value).quantize(_PENNY)


def to_arrow(table: str, records: list[dict[str, Any]], source_sha256: str) -> pa.Table:
    """Records (dicts keyed by the standard's field names) as an Arrow table of that schema.

    Money must be Decimal (see `money`), never float: pyarrow builds decimal128 from it exactly.
    Missing keys are null; unknown keys are an error, so a typo cannot silently drop a field.
    """
    schema = arrow_schema(table)
    names = set(schema.names)
    for record in records[:1]:
        unknown = set(record) - names
        if unknown:
            raise KeyError(f"{table} has no field {', '.join(sorted(unknown))}")
    columns = {}
    for spec in schema:
        if spec.name == "source_sha256":
            values = [source_sha256] * len(records)
        else:
            values = [r.get(spec.name) for r in records]
            if spec.name in _objects(table):
                values = [v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in values]
        columns[spec.name] = pa.array(values, spec.type)
    return pa.table(columns, schema=schema)


@dataclass
class Records:
    """What one file yields: records per table, every problem, and the rows it read.

    `accepted_lines` counts input rows that became records (an OCDS release can make several
    contract records, so rows and records differ); a row with an error problem is quarantined
    and a row with a structural problem is structural; the three must add up to rows_read.
    """

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    accepted_lines: set[int] = field(default_factory=set)
    publisher: str | None = None
    period: tuple[date, date] | None = None
    amount: Decimal = Decimal(0)
    dialect: dict | None = None
    bodies: list[dict[str, Any]] = field(default_factory=list)  # bodies the file names that the book lacks

    def add(self, table: str, line: int, record: dict[str, Any]) -> None:
        self.tables.setdefault(table, []).append({**record, "source_line": line})
        self.accepted_lines.add(line)

    def problem(self, problem: Problem) -> None:
        self.problems.append(problem)

    def counts(self) -> Counts:
        """The rows read, and the input rows accepted, quarantined and structural; a row counts once, errors first."""
        errors = {p.line for p in self.problems if p.severity in ("error", "file")}
        structural = {p.line for p in self.problems if p.severity == "structural"} - errors
        accepted = self.accepted_lines - errors - structural
        return Counts(self.rows_read, len(accepted), len(errors), len(structural))

    def count(self, table: str) -> int:
        return len(self.tables.get(table, []))

    def summarise(self, table: str, *, amount: str, day: str, default_org: str | None) -> None:
        """The file's total, publisher and period from its records of `table`.

        The publisher is the one body every record names; a file naming several bodies, or a
        record naming none, falls back to the body the user gave (`--org`).
        """
        rows = self.tables.get(table, [])
        self.amount = sum((r[amount] for r in rows if r[amount] is not None), Decimal(0))
        bodies = {r["org_id"] for r in rows}
        self.publisher = next(iter(bodies)) if len(bodies) == 1 and None not in bodies else default_org
        days = [r[day] for r in rows if r[day]]
        if days:
            self.period = (min(days), max(days))


def write_records(book: Book, record: SourceRecord, records: Records, dataset: str) -> None:
    """The write half of load_records, also used for files a worker process read."""
    counts = records.counts()
    record.dataset = dataset
    record.rows_read, record.rows_accepted = counts.rows_read, counts.accepted
    record.rows_quarantined, record.rows_structural = counts.quarantined, counts.structural
    record.amount_accepted_pence = int(records.amount * 100)
    record.publisher = records.publisher
    if records.period:
        record.period_start, record.period_end = records.period
    if records.dialect is not None:
        record.dialect = {**(record.dialect or {}), **records.dialect}
    with book.loading() as loader:
        if records.bodies:
            loader.add_missing_organisations(records.bodies)
        for table, rows in records.tables.items():
            if rows:
                loader.add_records(table, to_arrow(table, rows, record.sha256))
        if records.problems:
            loader.add_problems(problem_table(records.problems, record.sha256, dataset))
        book.record_source(record)
