"""Council contract registers (Transparency Code "Contracts over £5,000", LGA contracts schema).

A register is a table with one contract a row: reference, title, department, description,
supplier and its registration numbers, the value over the contract's life (and/or the annual
estimate), irrecoverable VAT, start, end and review dates, the route to market and the SME/VCSE
flags. Column names vary by council, so they are read through the reviewable synonym table
`contracts_register_headers.toml`. Values are sterling (the Code is English law); a value cell
that says it is withheld ("commercially sensitive", "N/D") is kept blank with a flag, never
guessed. Dates are day-first, as UK councils write them; end and review dates may lie far ahead.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from openbook import standard
from openbook.errors import FileRejected
from openbook.ingest.amounts import AmountError
from openbook.ingest.dates import read_date
from openbook.ingest.headers import SynonymTable, normalise_header, table_of
from openbook.ingest.base import Importer, IngestContext, load_records
from openbook.ingest.money import exact_amount
from openbook.ingest.problems import Problem
from openbook.ingest.reader import Cell, cell_text
from openbook.ingest.records import Records
from openbook.plugins.manager import hookimpl

if TYPE_CHECKING:
    from openbook.ingest.report import IngestReport

HEADER_ROWS = 40
MONEY = ("value_amount", "annual_value_amount", "vat_irrecoverable_gbp")
DATES = ("start_date", "end_date", "review_date", "awarded_on")
TEXT = ("contract_ref", "title", "department", "description", "supplier_name", "supplier_company_number",
        "supplier_charity_number", "procurement_method", "ocid", "status", "buyer_name", "buyer_id")
# Words a council writes in place of a sum it will not or cannot give.
WITHHELD = re.compile(r"^(n/?d|not disclosed|undisclosed|redacted|withheld|commercially sensitive|"
                      r"commercial in confidence|confidential|exempt|not published)$", re.IGNORECASE)
YES = {"y", "yes", "true", "1", "sme", "vcse", "charity", "social enterprise", "community interest company", "cic",
       "voluntary", "voluntary organisation", "community group", "mutual", "co operative", "cooperative"}
NO = {"n", "no", "false", "0", "not sme", "non sme", "not vcse", "non vcse", "none", "n a", "large", "private"}
CPV = re.compile(r"^([0-9]{8}(?:-[0-9])?)\b")


@cache
def register_fields() -> dict[str, tuple[str, ...]]:
    text = resources.files("openbook.ingest").joinpath("contracts_register_headers.toml").read_text("utf-8")
    return {name: tuple(normalise_header(s) for s in spec["synonyms"])
            for name, spec in tomllib.loads(text)["fields"].items()}


@cache
def register_table() -> SynonymTable:
    return table_of(register_fields())


def map_columns(cells: list[str]) -> dict[str, int]:
    """field → column index, matched as spend headers are (numbering, annotations, spellings; see headers.py)."""
    return register_table().map(cells).fields


def register_score(cells: list[str]) -> float:
    """1.0 for a register header: a supplier, a reference or title, a contract date and a value."""
    mapped = map_columns(cells).keys()
    if "supplier_name" not in mapped or not {"contract_ref", "title"} & mapped:
        return 0.0
    dated = {"start_date", "end_date"} & mapped
    valued = {"value_amount", "annual_value_amount"} & mapped
    return 1.0 if dated and valued else 0.9 if len(dated) == 2 else 0.0


class ContractsRegisterImporter(Importer):
    name = "contracts-register"
    title = "Council contract registers (Transparency Code contracts over £5,000, LGA contracts schema)"
    dataset = "contract"
    problems = (
        "no-header-found", "no-data-rows", "publisher-unknown",
        "value-missing", "supplier-missing", "amount-missing", "amount-not-a-number", "date-invalid", "date-out-of-range",
        "amount-rounded", "date-ambiguous", "date-month-first", "date-month-only", "value-not-read",
        "dates-reversed", "buyer-not-in-registry", "header-row", "preamble-row", "blank-row",
    )

    @classmethod
    def claims(cls, head: list[list[str]]) -> float:
        return max((register_score(row) for row in head), default=0.0)

    def ingest(self, context: IngestContext) -> IngestReport:
        records = Records()
        reader = _RegisterReader(context, records)
        for line, cells in context.rows:
            records.rows_read += 1
            reader.row(line, cells)
            if context.progress and records.rows_read % 1000 == 0:
                context.progress(1000)
        if reader.columns is None:
            raise FileRejected("no-header-found", f"no row in the first {HEADER_ROWS} lines names a supplier, "
                               "a reference or title, a start or end date and a value")
        if not reader.data_rows:
            raise FileRejected("no-data-rows", "the register has a header but no contracts")
        records.summarise("contract", amount="value_gbp", day="start_date", default_org=context.default_org)
        records.dialect = {"header_line": reader.header_line,
                           "columns": [[name, reader.field_at.get(i)] for i, name in enumerate(reader.header)],
                           "matches": register_table().map(reader.header).scored()}
        return load_records(context, records, self.dataset)


class _RegisterReader:
    def __init__(self, context: IngestContext, records: Records):
        self.context, self.records = context, records
        self.columns: dict[str, int] | None = None
        self.header: list[str] = []
        self.header_line = 0
        self.field_at: dict[int, str] = {}
        self.data_rows = 0
        self.publisher = standard.find_organisation(context.default_org) if context.default_org else None

    def row(self, line: int, cells: list[Cell]) -> None:
        raw = [cell_text(c) for c in cells]
        label = self.context.label
        if self.columns is None:
            if line <= HEADER_ROWS and register_score(raw):
                self._header(line, raw)
                self.records.problem(Problem("header-row", line, path=label, raw_row=raw))
            elif line > HEADER_ROWS:
                raise FileRejected("no-header-found", f"no row in the first {HEADER_ROWS} lines names a supplier, "
                                   "a reference or title, a start or end date and a value")
            else:
                self.records.problem(Problem("preamble-row", line, path=label, raw_row=raw))
            return
        if not any(c.strip() for c in raw):
            self.records.problem(Problem("blank-row", line, path=label, raw_row=raw))
            return
        self.data_rows += 1
        self._contract(line, cells, raw)

    def _header(self, line: int, raw: list[str]) -> None:
        self.columns = map_columns(raw)
        self.header, self.header_line = [c.strip() for c in raw], line
        self.field_at = {i: field for field, i in self.columns.items()}
        has_buyer = {"buyer_name", "buyer_id"} & self.columns.keys()
        if not has_buyer and self.publisher is None:
            raise FileRejected("publisher-unknown", "the register names no council (no Organisation column); "
                               "pass --org with the body's org id or name")

    def _contract(self, line: int, cells: list[Cell], raw: list[str]) -> None:
        problems: list[Problem] = []
        columns = self.columns or {}

        def cell(field: str) -> Cell:
            i = columns.get(field)
            return cells[i] if i is not None and i < len(cells) else None

        def problem(code: str, field: str, value: object = None, detail: str = "") -> None:
            i = columns.get(field)
            name = self.header[i] if i is not None else field
            problems.append(Problem(code, line, name, i + 1 if i is not None else None,
                                    None if value is None else cell_text(value), detail,
                                    path=self.context.label, raw_row=raw))

        record: dict[str, Any] = {f: cell_text(cell(f)).strip() or None for f in TEXT}
        if not record["contract_ref"] and not record["title"]:
            problem("value-missing", "title" if "title" in columns else "contract_ref")
        if not record["supplier_name"]:
            problem("supplier-missing", "supplier_name")
        for field in MONEY:
            record[field] = self._money(cell(field), field, problem)
        for field in DATES:
            record[field] = self._date(cell(field), field, problem)
        if record["start_date"] and record["end_date"] and record["end_date"] < record["start_date"]:
            problem("dates-reversed", "end_date", cell("end_date"), record["start_date"].isoformat())
        record["supplier_sme"] = self._flag(cell("supplier_sme"), "supplier_sme", problem)
        record["supplier_vcse"] = self._flag(cell("supplier_vcse"), "supplier_vcse", problem)
        match = CPV.match(cell_text(cell("cpv")).strip())
        record["cpv"] = match[1] if match else None
        record["cpv_codes"] = [record["cpv"]] if record["cpv"] else []
        record["org_id"] = self._buyer(record, problem)
        record.update(value_currency="GBP" if record["value_amount"] is not None else None,
                      value_gbp=record["value_amount"], supplier_names=[record["supplier_name"]] if
                      record["supplier_name"] else [], source_item=1)
        for found in problems:
            self.records.problem(found)
        if not any(p.severity == "error" for p in problems):
            self.records.add("contract", line, record)

    def _buyer(self, record: dict, problem) -> str | None:
        named = record["buyer_id"] or record["buyer_name"]
        if not named:
            if self.publisher:
                record["buyer_name"] = self.publisher["name"]
                return self.publisher["org_id"]
            return None
        org_id = next((found for key in (record["buyer_id"], record["buyer_name"])
                       if key and (found := self.context.resolve_org(key))), None)
        if org_id is None:
            if self.publisher:  # the body named by --org publishes the register; the column names a unit of it
                record["buyer_name"] = record["buyer_name"] or self.publisher["name"]
                return self.publisher["org_id"]
            problem("buyer-not-in-registry", "buyer_name" if record["buyer_name"] else "buyer_id", named)
        return org_id

    def _money(self, value: Cell, field: str, problem) -> Decimal | None:
        published = cell_text(value).strip()
        if not published:
            return None
        if WITHHELD.match(published):
            problem("value-not-read", field, published, "a sum (the council withholds it)")
            return None
        try:
            read = exact_amount(value if isinstance(value, (int, float)) and not isinstance(value, bool)
                                else published)
        except AmountError as error:
            problem(error.code, field, published, error.detail)
            return None
        if read is None:
            return None
        amount, rounded = read
        if rounded:
            problem("amount-rounded", field, published, str(amount))
        return amount

    def _date(self, value: Cell, field: str, problem) -> date | None:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        published = cell_text(value).strip()
        if not published:
            return None
        return read_date(published, field, problem)  # no latest: a contract may end or be reviewed years ahead

    def _flag(self, value: Cell, field: str, problem) -> bool | None:
        published = normalise_header(cell_text(value))
        if not published:
            return None
        if published in YES:
            return True
        if published in NO:
            return False
        problem("value-not-read", field, cell_text(value), "yes or no")
        return None


@hookimpl
def register_importers():
    return [ContractsRegisterImporter]
