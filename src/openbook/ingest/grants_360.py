"""360Giving grants (JSON or CSV/XLSX) into the grant table.

The standard publishes one grant as a JSON object (`recipientOrganization[0].name`) or as a
spreadsheet row (`Recipient Org:Name`); both spellings, and the flat keys some publishers write
(`RecipientOrgName`), reduce to the same letters once case and punctuation go, so one table of
names reads all three. A grant is spend-like: amount_gbp is filled only when the currency is GBP
or the user gave a rate for it (`--fx EUR=0.86`, kept in the source's options); every ISO 4217
currency is kept with its amount, and a code outside ISO 4217 quarantines the grant
(`currency-invalid`).

The funder is the body the registry knows by its identifier or name; else, when its identifier
is an org-id (GB-CHC-…, XI-…), a body of the book under that org-id (see parties.py). Recipients
keep their org-id as published.

`source_line` is the physical line (CSV/XLSX) or the grant's 1-based position in the JSON file's
`grants` array; rows_read counts every line (header, preamble, blank) or every grant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from openbook import standard
from openbook.errors import FileRejected
from openbook.ingest.amounts import AmountError
from openbook.ingest.dates import read_date
from openbook.ingest.base import Importer, IngestContext, load_records
from openbook.ingest.jsonstream import iter_items, text, top_level_shape
from openbook.ingest.money import currency_tally, exact_amount, in_pounds, iso_currency
from openbook.ingest.parties import Bodies
from openbook.ingest.problems import Problem
from openbook.ingest.reader import cell_text
from openbook.ingest.records import Records
from openbook.plugins.manager import hookimpl

if TYPE_CHECKING:
    from openbook.ingest.report import IngestReport

_LETTERS = re.compile(r"[^0-9a-z]+")
_MONTHS = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:months?)?$", re.IGNORECASE)
# grant field → its names in 360Giving JSON (nested keys joined), spreadsheet headers and flat keys.
FIELDS: dict[str, tuple[str, ...]] = {
    "grant_ref": ("id", "identifier"),
    "title": ("title",),
    "description": ("description",),
    "currency": ("currency",),
    "amount_awarded": ("amountawarded",),
    "amount_applied_for": ("amountappliedfor",),
    "amount_disbursed": ("amountdisbursed",),
    "awarded_on": ("awarddate",),
    "planned_start_date": ("planneddatesstartdate",),
    "planned_end_date": ("planneddatesenddate",),
    "planned_months": ("planneddatesduration", "planneddatesdurationmonths"),
    "recipient_id": ("recipientorganizationid", "recipientorgidentifier", "recipientindividualid"),
    "recipient_name": ("recipientorganizationname", "recipientorgname", "recipientindividualname"),
    "recipient_charity_number": ("recipientorganizationcharitynumber", "recipientorgcharitynumber"),
    "recipient_company_number": ("recipientorganizationcompanynumber", "recipientorgcompanynumber"),
    "recipient_postcode": ("recipientorganizationpostalcode", "recipientorgpostalcode"),
    "funder_id": ("fundingorganizationid", "fundingorgidentifier"),
    "funder_name": ("fundingorganizationname", "fundingorgname"),
    "funder_department": ("fundingorganizationdepartment", "fundingorgdepartment"),
    "programme": ("grantprogrammetitle",),
    "beneficiary_locations": ("beneficiarylocationname",),
}
_FIELD_OF = {name: field for field, names in FIELDS.items() for name in names}
PROGRESS_EVERY = 1000


def letters(name: str) -> str:
    return _LETTERS.sub("", str(name).casefold().lstrip("\ufeff"))


@dataclass
class Published:
    """One field as the file gave it: the value, where (column name, number) and the raw text."""

    value: Any
    column: str
    number: int | None = None


class Grants360Importer(Importer):
    name = "grants-360"
    title = "360Giving grants (JSON, CSV or XLSX)"
    dataset = "grant"
    problems = (
        "json-invalid", "json-no-records", "no-header-found", "no-data-rows",
        "value-missing", "amount-missing", "amount-not-a-number", "currency-invalid",
        "date-missing", "date-invalid", "date-out-of-range", "type-error", "value-not-read",
        "currency-missing", "amount-rounded", "date-ambiguous", "date-month-first", "date-month-only",
        "dates-reversed", "header-row", "preamble-row", "blank-row",
    )

    @classmethod
    def claims(cls, head: list[list[str]]) -> float:
        return max((_header_score(row) for row in head), default=0.0)

    @classmethod
    def claims_json(cls, head: str) -> float:
        if re.search(r'"grants"\s*:\s*\[', head):
            return 1.0
        if head.lstrip().startswith("[") and re.search(r'"amountAwarded"\s*:', head):
            return 0.9
        return 0.0

    def ingest(self, context: IngestContext) -> IngestReport:
        records = Records()
        reader = _GrantReader(context, records)
        if context.record.format == "json":
            reader.json()
        else:
            reader.table()
        records.summarise("grant", amount="amount_gbp", day="awarded_on", default_org=context.default_org)
        accepted = records.tables.get("grant", [])
        records.bodies = reader.bodies.added({row.get("org_id") for row in accepted})
        records.dialect = {"currencies": currency_tally(accepted, "amount_awarded", "currency", "amount_gbp"),
                           "bodies_added": [body["org_id"] for body in records.bodies]}
        return load_records(context, records, self.dataset)


def _header_score(cells: list[str]) -> float:
    """1.0 for a 360Giving header (identifier, amount awarded and a recipient), else 0."""
    fields = {_FIELD_OF.get(letters(cell_text(c))) for c in cells}
    if {"grant_ref", "amount_awarded"} <= fields and {"recipient_name", "recipient_id"} & fields:
        return 1.0
    return 0.0


class _GrantReader:
    def __init__(self, context: IngestContext, records: Records):
        self.context, self.records = context, records
        self.default_funder = standard.find_organisation(context.default_org) if context.default_org else None
        self.bodies = Bodies(context.resolve_org)
        self.rates: dict[str, str] = (context.record.options or {}).get("fx") or {}

    # -- the two layouts ----------------------------------------------------------------

    def json(self) -> None:
        shape, _ = top_level_shape(self.context.path, lambda keys: "package" if keys[-1] == "grants" else None)
        if shape is None:
            raise FileRejected("json-no-records", "the file holds no 360Giving grants array")
        prefix = "item" if shape == "list" else "grants.item"
        for line, grant in enumerate(iter_items(self.context.path, prefix), start=1):
            self.records.rows_read += 1
            if not isinstance(grant, dict):
                self.records.problem(Problem("type-error", line, "grants", None, text(grant)[:80],
                                             "360Giving grant object", path=self.context.label))
                continue
            self.grant(line, _flatten(grant), [text(grant.get("id")), text(grant.get("title"))])
            self._progress(line)
        if not self.records.rows_read:
            raise FileRejected("json-no-records", "the file holds no 360Giving grants")

    def table(self) -> None:
        columns: dict[str, int] | None = None
        header: list[str] = []
        data = 0
        for line, cells in self.context.rows:
            self.records.rows_read += 1
            raw = [cell_text(c) for c in cells]
            if columns is None:
                if _header_score(raw):
                    header = raw
                    columns = {}
                    for number, name in enumerate(raw):
                        columns.setdefault(letters(name), number)
                    self.records.problem(Problem("header-row", line, path=self.context.label, raw_row=raw))
                else:
                    self.records.problem(Problem("preamble-row", line, path=self.context.label, raw_row=raw))
                continue
            if not any(c.strip() for c in raw):
                self.records.problem(Problem("blank-row", line, path=self.context.label, raw_row=raw))
                continue
            data += 1
            values = {key: Published(cells[i] if i < len(cells) else None, header[i], i + 1)
                      for key, i in columns.items()}
            self.grant(line, values, raw)
            self._progress(self.records.rows_read)
        if columns is None:
            raise FileRejected("no-header-found", "no row names a 360Giving Identifier, Amount Awarded and recipient")
        if not data:
            raise FileRejected("no-data-rows", "the file has a 360Giving header but no grants")

    def _progress(self, count: int) -> None:
        if self.context.progress and count % PROGRESS_EVERY == 0:
            self.context.progress(PROGRESS_EVERY)

    # -- one grant ----------------------------------------------------------------------

    def grant(self, line: int, published: dict[str, Published], raw: list[str]) -> None:
        problems: list[Problem] = []
        values = {field: _pick(published, names) for field, names in FIELDS.items()}

        def problem(code: str, field: str, value: object = None, detail: str = "") -> None:
            where = values.get(field)
            problems.append(Problem(code, line, where.column if where else _COLUMN.get(field, field),
                                    where.number if where else None, None if value is None else cell_text(value),
                                    detail, path=self.context.label, raw_row=raw))

        say = {field: cell_text(p.value).strip() if p and not isinstance(p.value, list) else ""
               for field, p in values.items()}
        record: dict[str, Any] = {k: say[k] or None for k in (
            "grant_ref", "title", "description", "recipient_id", "recipient_name", "recipient_charity_number",
            "recipient_company_number", "recipient_postcode", "funder_id", "funder_name", "funder_department",
            "programme")}
        record["recipient_is_individual"] = any(
            values[f] is not None and values[f].column.replace(":", "").replace(" ", "").casefold()
            .startswith("recipientindividual") for f in ("recipient_name", "recipient_id"))
        record["beneficiary_locations"] = _locations(values["beneficiary_locations"])
        for field in ("grant_ref", "recipient_name"):
            if not say[field]:
                problem("value-missing", field)
        if say["funder_name"] or say["funder_id"]:
            funder = _org_id_form(say["funder_id"]) or say["funder_id"] or None
            record["org_id"] = self.bodies.body(funder, say["funder_name"])
            record["funder_name"] = record["funder_name"] or record["funder_id"]
        elif self.default_funder:  # a register without funder columns, loaded with --org
            record["org_id"], record["funder_name"] = self.default_funder["org_id"], self.default_funder["name"]
        else:
            problem("value-missing", "funder_name")
        amounts = {field: self._amount(values[field], field, problem)
                   for field in ("amount_awarded", "amount_applied_for", "amount_disbursed")}
        if not say["amount_awarded"]:
            problem("amount-missing", "amount_awarded")
        currency = iso_currency(say["currency"]) or say["currency"]
        if say["currency"] and iso_currency(say["currency"]) is None:
            problem("currency-invalid", "currency", say["currency"])
        elif not currency and amounts["amount_awarded"] is not None:
            problem("currency-missing", "currency", say["amount_awarded"])
        record.update(amounts, currency=currency or None,
                      amount_gbp=in_pounds(amounts["amount_awarded"], currency, self.rates))
        record["awarded_on"] = self._date(values["awarded_on"], "awarded_on", problem, required=True)
        record["planned_start_date"] = self._date(values["planned_start_date"], "planned_start_date", problem)
        record["planned_end_date"] = self._date(values["planned_end_date"], "planned_end_date", problem)
        start, end = record["planned_start_date"], record["planned_end_date"]
        if start and end and end < start:
            problem("dates-reversed", "planned_end_date", say["planned_end_date"], f"{start.isoformat()}")
        record["planned_months"] = self._number(values["planned_months"], "planned_months", problem)
        for found in problems:
            self.records.problem(found)
        if not any(p.severity == "error" for p in problems):
            self.records.add("grant", line, record)

    def _amount(self, published: Published | None, field: str, problem) -> Decimal | None:
        if published is None:
            return None
        try:
            read = exact_amount(published.value)
        except AmountError as error:
            problem(error.code, field, published.value, error.detail)
            return None
        if read is None:
            return None
        amount, rounded = read
        if rounded:
            problem("amount-rounded", field, published.value, str(amount))
        return amount

    def _date(self, published: Published | None, field: str, problem, *, required: bool = False) -> date | None:
        if published is not None and isinstance(published.value, date):  # a typed spreadsheet cell
            return published.value
        value = cell_text(published.value).strip() if published else ""
        if not value:
            if required:
                problem("date-missing", field)
            return None
        return read_date(value, field, problem, latest=self.context.latest)

    def _number(self, published: Published | None, field: str, problem) -> float | None:
        value = cell_text(published.value).strip() if published else ""
        if not value:
            return None
        match = _MONTHS.match(value)  # '12' or '12 months', as the column's own name says months
        if match is None:
            problem("value-not-read", field, value, "a number of months")
            return None
        return float(match[1])


# The 360Giving spreadsheet name of each field, for problems about a field the file lacks.
_COLUMN = {"grant_ref": "Identifier", "recipient_name": "Recipient Org:Name", "funder_name": "Funding Org:Name",
           "amount_awarded": "Amount Awarded", "currency": "Currency", "awarded_on": "Award Date"}


def _org_id_form(identifier: str) -> str | None:
    """A published identifier written as an org-id (scheme-id), its scheme upper-cased; else None."""
    parts = identifier.strip().split("-", 2)
    return f"{parts[0].upper()}-{parts[1].upper()}-{parts[2]}" if len(parts) == 3 and all(parts) else None


def _locations(published: Published | None) -> list[str]:
    if published is None:
        return []
    values = published.value if isinstance(published.value, list) else [published.value]
    return [cell_text(v).strip() for v in values if cell_text(v).strip()]


def _pick(published: dict[str, Published], names: tuple[str, ...]) -> Published | None:
    return next((published[n] for n in names if n in published and _filled(published[n].value)), None) or \
        next((published[n] for n in names if n in published), None)


def _filled(value: Any) -> bool:
    return bool(value) if isinstance(value, list) else cell_text(value).strip() != ""


def _flatten(grant: dict) -> dict[str, Published]:
    """A JSON grant as {letters of the key path: (value, published path)}; arrays give their first object.

    `beneficiaryLocation` keeps every name, as one grant can benefit several places.
    """
    flat: dict[str, Published] = {}

    def walk(value: Any, key: str, path: str) -> None:
        if isinstance(value, dict):
            for name, inner in value.items():
                walk(inner, key + letters(name), f"{path}.{name}" if path else name)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            if key == "beneficiarylocation":
                flat[key + "name"] = Published([v.get("name") for v in value], f"{path}[].name")
            walk(value[0], key, f"{path}[0]")
        else:
            flat.setdefault(key, Published(value, path))

    walk(grant, "", "")
    return flat


@hookimpl
def register_importers():
    return [Grants360Importer]
