"""Reading UK spend publications' rows: central 'spend over £25,000' and local 'spend over £500'.

One reader reads both, because the two differ in thresholds and column names, not in shape:
a title block, a header, payment lines, and sometimes blank, totals and note rows. Every row
ends in exactly one place: a record, a quarantined row (with every problem it has), or a
structural row; `SpendTally` counts them so the importer (uk_spend.py) can prove it before
committing.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import pyarrow as pa
import pyarrow.compute as pc

from openbook.errors import FileRejected, UsageError
from openbook.ingest.amounts import AmountError, amount_from_number, format_pence, parse_amount
from openbook.ingest.columnar import FastPath
from openbook.ingest.dates import DateError, ParsedDate, date_from_excel_serial, parse_date
from openbook.ingest.headers import HeaderMap, map_header
from openbook.ingest.layout import (
    NIL, check_amount_column, date_order, find_header, given_columns, infer_amount_column, rejection,
)
from openbook.ingest.problems import Problem
from openbook.ingest.reader import Cell, cell_text
from openbook.ingest.report import Counts
from openbook.store.book import pence_array

HEADER_SCAN_ROWS = 40
DATE_ORDER_SCAN_ROWS = 5000
INFER_ROWS = 200  # rows that decide whether an unnamed column holds the amounts
BATCH_ROWS = 50_000

# A whole cell saying total ('Total', 'Grand Total', 'Sub-total:', 'Total for April'), never a
# supplier that merely starts with the word (Total Gas & Power Ltd).
_TOTAL = re.compile(r"^\s*(grand\s+|sub\s*-?\s*)?totals?\s*(for\b.*|:)?\s*$", re.I)
TEXT_FIELDS = ("supplier_name", "supplier_ref", "supplier_postcode", "supplier_vat_number",
               "supplier_company_number", "txn_ref", "expense_type", "expense_area", "description",
               "entity_name")


@dataclass
class SpendBatch:
    """Accepted records as columns (cheap to hand to Arrow) plus the problems met on the way."""

    lines: list[int] = field(default_factory=list)
    org_ids: list[str] = field(default_factory=list)
    paid_on: list[date] = field(default_factory=list)
    precision: list[str] = field(default_factory=list)
    pence: list[int] = field(default_factory=list)
    text: dict[str, list[str | None]] = field(default_factory=lambda: {f: [] for f in TEXT_FIELDS})
    problems: list[Problem] = field(default_factory=list)
    tables: list[pa.Table] = field(default_factory=list)  # lines accepted by the columnar fast path

    def __len__(self) -> int:
        return len(self.lines) + sum(t.num_rows for t in self.tables)


@dataclass
class SpendTally(Counts):
    """The file's counts as it is read, and what the source row records about it."""

    pence: int = 0
    first_paid: date | None = None
    last_paid: date | None = None
    header_line: int | None = None
    month_first: bool = False
    header: HeaderMap | None = None
    problem_counts: dict[str, int] = field(default_factory=dict)
    lines_by_org: Counter = field(default_factory=Counter)  # decides the publisher of a many-body file


def spend_table(batch: SpendBatch) -> pa.Table:
    """The lines a batch accepted row by row, as the columns of the book's spend table."""
    columns = {
        "org_id": pa.array(batch.org_ids, pa.string()),
        "paid_on": pa.array(batch.paid_on, pa.date32()),
        "date_precision": pa.array(batch.precision, pa.string()),
        "amount_gbp": pence_array(batch.pence),
        **{name: pa.array(batch.text[name], pa.string()) for name in TEXT_FIELDS},
        "source_line": pa.array(batch.lines, pa.int64()),
    }
    return pa.table(columns)


OrgResolver = Callable[[str], "str | None"]


def read_spend(
    rows: Iterable[tuple[int, list[Cell]]],
    *,
    resolve_org: OrgResolver,
    default_org: str | None,
    path: str,
    latest: date,
    tally: SpendTally,
    columnar: bool = True,
    bulk: Callable[[int, int], Iterator] | None = None,
    nearest_orgs: Callable[[str], list[str]] | None = None,
    columns: dict[str, str] | None = None,
) -> Iterator[SpendBatch]:
    """Turn a file's rows into batches of records; raise FileRejected when it holds no data.

    `nearest_orgs` names the bodies nearest a body cell that resolves to none, for its quarantine row.
    `columns` (field → column as published, from `ingest --columns`) settles fields the
    synonym table does not; each named column must be in the file's header.
    """
    rows = iter(rows)
    head = list(itertools.islice(rows, HEADER_SCAN_ROWS))
    header_at = find_header(head, columns)
    if header_at is None and columns:
        raise UsageError(f"--columns {', '.join(f'{k}={v!r}' for k, v in columns.items())}: no row in the first "
                         f"{len(head)} lines of {path} holds these columns")
    if header_at is None:
        raise rejection(head, path)
    header_line, header_cells = head[header_at]
    mapping = map_header([cell_text(c) for c in header_cells], given_columns(columns, header_cells, path))
    body = itertools.chain(head[header_at + 1:], rows)
    lookahead = list(itertools.islice(body, DATE_ORDER_SCAN_ROWS if bulk is None else INFER_ROWS))
    inferred = infer_amount_column(mapping, lookahead)
    missing = mapping.missing_required()
    if missing:
        raise FileRejected("missing-required-column", mapping.missing_message(missing), path=path, line=header_line)
    realigned = check_amount_column(mapping, lookahead, path, header_line) if not columns else None
    if "entity_name" not in mapping.fields and default_org is None:
        raise FileRejected("publisher-unknown", "the file has no body name column and no --org was given; "
                           "pass --org with the publishing body's org id or name", path=path)
    tally.header_line, tally.header = header_line, mapping

    batch = SpendBatch()
    for line, cells in head[:header_at]:
        _structural(batch, tally, "blank-row" if _blank(cells) else "preamble-row", line, cells, path)
    _structural(batch, tally, "header-row", header_line, header_cells, path)

    if inferred is not None:
        batch.problems.append(Problem("column-inferred", header_line, mapping.columns[inferred] or None,
                                      inferred + 1, "amount", f"column {inferred + 1} has no name and every "
                                      "filled cell in it is an amount, so it is read as the amount", path))
        tally.problem_counts["column-inferred"] = 1
    if realigned:
        amount_at = mapping.fields["amount_gbp"]
        batch.problems.append(Problem("amount-column-realigned", header_line, mapping.columns[amount_at] or None,
                                      amount_at + 1, realigned[0], realigned[1], path))
        tally.problem_counts["amount-column-realigned"] = 1
    date_at = mapping.fields["paid_on"]
    arrow_batches: Iterator = iter(())
    if bulk is not None:
        arrow_batches = bulk(header_line + 1, len(mapping.columns))
        first = next(arrow_batches, None)
        sample: Counter = Counter()
        if first is not None:
            arrow_batches = itertools.chain([first], arrow_batches)
            if first[0].num_rows:
                counts = pc.value_counts(first[0].column(date_at))
                sample.update(dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist())))
            sample.update(cells[date_at] for _, cells in first[2] if date_at < len(cells))
    else:
        sample = Counter(cells[date_at] for _, cells in lookahead if date_at < len(cells))
    tally.month_first, mixed, window = date_order(sample)
    reader = _RowReader(mapping, resolve_org, default_org, path, latest, tally.month_first)
    reader.mixed, reader.window, reader.nearest_orgs = mixed, window, nearest_orgs
    header_key = [cell_text(c).strip().casefold() for c in header_cells]
    first_name = header_key[0] if header_key else ""

    # Text cells (CSV) take the columnar fast path; typed spreadsheet cells go row by row.
    fast = FastPath(reader, TEXT_FIELDS) if columnar or bulk is not None else None

    def pieces() -> Iterator[tuple[pa.Table | None, list[tuple[int, list[Cell]]]]]:
        """(lines accepted column-wise, the other lines in file order) per batch."""
        if bulk is not None:
            # Arrow reads the data lines again from just below the header; the rows read above
            # served only to recognise the file.
            for arrow_batch, lines, slow in arrow_batches:
                table, rest = fast.split_arrow(arrow_batch, lines) if arrow_batch.num_rows else (None, [])
                yield table, sorted(rest + slow, key=lambda row: row[0])
            return
        rows_left = itertools.chain(lookahead, body)
        while chunk := list(itertools.islice(rows_left, BATCH_ROWS)):
            yield fast.split(chunk) if fast is not None else (None, chunk)

    for table, slow in pieces():
        if table is not None:
            batch.tables.append(table)
            _tally_table(tally, table)
        for line, cells in slow:
            if _blank(cells):
                _structural(batch, tally, "blank-row", line, cells, path)
            elif first_name and cells and _text(cells[0]).casefold() == first_name and \
                    [cell_text(c).strip().casefold() for c in cells[: len(header_key)]] == header_key:
                _structural(batch, tally, "header-row", line, cells, path)
            else:
                reader.read(line, cells, batch, tally)
        yield batch
        batch = SpendBatch()
    if tally.accepted == 0 and tally.quarantined == 0:
        text = " ".join(cell_text(c) for _, cells in head for c in cells)
        if NIL.search(text):
            raise FileRejected("nil-return", "the publisher declares no payments for this period "
                               f"({NIL.search(text).group(0)!r} in the file)", path=path)
        raise FileRejected("no-data-rows", "the file has a header but no payment lines (an unstated nil "
                           "return?)", path=path)
    yield batch


class _RowReader:
    """Reads one record row; kept as a class so the hot loop looks up nothing twice."""

    def __init__(self, mapping: HeaderMap, resolve_org: OrgResolver, default_org: str | None,
                 path: str, latest: date, month_first: bool):
        self.fields = mapping.fields
        self.columns = mapping.columns
        self.width = len(mapping.columns)
        self.amount_at = mapping.fields["amount_gbp"]
        self.date_at = mapping.fields["paid_on"]
        self.supplier_at = mapping.fields["supplier_name"]
        self.entity_at = mapping.fields.get("entity_name")
        self.text_at = [(name, mapping.fields.get(name)) for name in TEXT_FIELDS]
        self.resolve_org = resolve_org
        self.default_org = default_org
        self.path = path
        self.latest = latest
        self.month_first = month_first
        self.mixed = False
        self.window: tuple[date, date] | None = None
        self.dates: dict[str, ParsedDate | DateError] = {}
        self.orgs: dict[str, str | None] = {}
        self.nearest_orgs: Callable[[str], list[str]] | None = None
        self.nearest: dict[str, str] = {}

    def read(self, line: int, cells: list[Cell], batch: SpendBatch, tally: SpendTally) -> None:
        width = len(cells)
        get = (lambda i: cells[i] if i is not None and i < width else None)
        amount_cell, date_cell, supplier_cell = get(self.amount_at), get(self.date_at), get(self.supplier_at)
        date_text = _text(date_cell)
        supplier = _text(supplier_cell)
        amount_text = _text(amount_cell)
        if not date_text and not supplier:
            if amount_text or _mentions_total(cells):
                detail = "" if not amount_text else f"of {amount_text}"
                _structural(batch, tally, "totals-row", line, cells, self.path, detail)
                return
            if sum(1 for c in cells if _text(c)) <= 2:
                _structural(batch, tally, "note-row", line, cells, self.path)
                return
        if _mentions_total(cells) and (not date_text or not supplier):
            _structural(batch, tally, "totals-row", line, cells, self.path)
            return

        problems: list[Problem] = []
        pence, rounded = self._amount(amount_cell, amount_text, line, problems)
        parsed = self._date(date_cell, date_text, line, problems)
        if not supplier:
            problems.append(self._problem("supplier-missing", line, self.supplier_at, ""))
        org_id = self._org(get(self.entity_at), line, problems)
        if width > self.width and any(_text(c) for c in cells[self.width:]):
            extra = [_text(c) for c in cells[self.width:] if _text(c)]
            problems.append(Problem("extra-cell", line, None, self.width + 1, "; ".join(extra),
                                    str(width - self.width), self.path))

        problems.sort(key=lambda p: p.column_number or 0)
        if any(p.severity == "error" for p in problems):
            raw = [cell_text(c) for c in cells]
            for problem in problems:
                problem.raw_row = raw
                tally.problem_counts[problem.code] = tally.problem_counts.get(problem.code, 0) + 1
            batch.problems.extend(problems)
            tally.quarantined += 1
            tally.rows_read += 1
            return

        day, precision, flag, flag_detail = parsed
        if flag:
            problems.append(self._problem(flag, line, self.date_at, date_text, flag_detail))
        if precision == "month":
            problems.append(self._problem("date-month-only", line, self.date_at, date_text))
        if rounded:
            problems.append(self._problem("amount-rounded", line, self.amount_at, amount_text,
                                          format_pence(pence)))
        if problems:
            raw = [cell_text(c) for c in cells]
            for problem in problems:
                problem.raw_row = raw
                tally.problem_counts[problem.code] = tally.problem_counts.get(problem.code, 0) + 1
            batch.problems.extend(problems)

        batch.lines.append(line)
        batch.org_ids.append(org_id)
        tally.lines_by_org[org_id] += 1
        batch.paid_on.append(day)
        batch.precision.append(precision)
        batch.pence.append(pence)
        for name, index in self.text_at:
            batch.text[name].append(_text(get(index)) or None)
        tally.accepted += 1
        tally.rows_read += 1
        tally.pence += pence
        if tally.first_paid is None or day < tally.first_paid:
            tally.first_paid = day
        if tally.last_paid is None or day > tally.last_paid:
            tally.last_paid = day

    def _amount(self, cell: Cell, text: str, line: int, problems: list[Problem]) -> tuple[int, bool]:
        try:
            if isinstance(cell, (int, float)) and not isinstance(cell, bool):
                return amount_from_number(cell)
            return parse_amount(text)
        except AmountError as error:
            problems.append(self._problem(error.code, line, self.amount_at, text, error.detail))
            return 0, False

    def _date(self, cell: Cell, text: str, line: int, problems: list[Problem]) -> ParsedDate:
        if isinstance(cell, datetime):
            cell = cell.date()
        if isinstance(cell, date):
            if cell.year < 1990 or cell > self.latest:
                problems.append(self._problem("date-out-of-range", line, self.date_at, text, cell.isoformat()))
            return ParsedDate(cell)
        if isinstance(cell, (int, float)) and not isinstance(cell, bool) and 20000 < cell < 80000:
            return ParsedDate(date_from_excel_serial(cell))
        result = self.read_date(text)
        if isinstance(result, DateError):
            problems.append(self._problem(result.code, line, self.date_at, text, result.detail))
            return ParsedDate(date.min)
        return result

    def read_date(self, text: str) -> ParsedDate | DateError:
        """A date cell's reading under this file's date order, once per distinct text."""
        result = self.dates.get(text)
        if result is None:
            try:
                result = parse_date(text, month_first=self.month_first, latest=self.latest,
                                    window=self.window, mixed=self.mixed)
            except DateError as error:
                # A fresh, never-raised copy: a cached exception would keep its traceback, and
                # with it every frame (and Arrow batch) of the file alive until the cyclic GC runs.
                result = DateError(error.code, error.detail)
            self.dates[text] = result
        return result

    def _org(self, cell: Cell, line: int, problems: list[Problem]) -> str:
        name = _text(cell)
        if not name:
            if self.default_org is None:
                problems.append(self._problem("unknown-organisation", line, self.entity_at, ""))
                return ""
            return self.default_org
        org_id = self.orgs.get(name, "?")
        if org_id == "?":
            org_id = self.orgs[name] = self.resolve_org(name)
        if org_id is None:
            if self.default_org is not None:
                problems.append(self._problem("entity-unresolved", line, self.entity_at, name, self.default_org))
                return self.default_org
            problems.append(self._problem("unknown-organisation", line, self.entity_at, name, self._nearest(name)))
            return ""
        return org_id

    def _nearest(self, name: str) -> str:
        """'; nearest: …' naming the bodies closest to an unresolved name (once per name), or ''."""
        if self.nearest_orgs is None:
            return ""
        found = self.nearest.get(name)
        if found is None:
            found = self.nearest[name] = "; ".join(self.nearest_orgs(name))
        return f"; nearest: {found}" if found else ""

    def _problem(self, code: str, line: int, index: int | None, value: str, detail: str = "") -> Problem:
        name = self.columns[index] if index is not None and index < len(self.columns) else None
        number = index + 1 if index is not None else None
        return Problem(code, line, name or (f"column {number}" if number else None), number, value, detail, self.path)


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if type(cell) is str:
        return cell.strip()
    return cell_text(cell).strip()


def _blank(cells: list[Cell]) -> bool:
    return not any(_text(c) for c in cells)


def _mentions_total(cells: list[Cell]) -> bool:
    return any(type(c) is str and _TOTAL.search(c) for c in cells)


def _tally_table(tally: SpendTally, table: pa.Table) -> None:
    counts = pc.value_counts(table["org_id"])
    tally.lines_by_org.update(dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist())))
    tally.accepted += table.num_rows
    tally.rows_read += table.num_rows
    tally.pence += int(pc.sum(table["amount_gbp"]).as_py() * 100)
    span = pc.min_max(table["paid_on"]).as_py()
    if tally.first_paid is None or span["min"] < tally.first_paid:
        tally.first_paid = span["min"]
    if tally.last_paid is None or span["max"] > tally.last_paid:
        tally.last_paid = span["max"]


def _structural(batch: SpendBatch, tally: SpendTally, code: str, line: int, cells: list[Cell],
                path: str, detail: str = "") -> None:
    batch.problems.append(Problem(code, line, None, None, None, detail, path, [cell_text(c) for c in cells]))
    tally.structural += 1
    tally.rows_read += 1
    tally.problem_counts[code] = tally.problem_counts.get(code, 0) + 1


