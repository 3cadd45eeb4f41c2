"""Organograms into the book's `post` table: who works where, at what grade and pay, under whom.

Central bodies publish two CSVs per snapshot (31 March, 30 September): senior posts one a row,
each naming the senior post it reports to ("XX" for the top), and junior posts in groups that
each report to a senior post. Councils publish the LGA OrganisationStructure chart and senior
salaries. The column names live in `organogram_headers.toml`; this module applies them.

Withheld values stay withheld: a pay written "N/D", "Vacant" or "N/A" is stored as no number,
with the publisher's words kept in `withheld`, never guessed. The snapshot date comes from the
file name, or else from the content, and `source.dialect` says which.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, ClassVar

from openbook.errors import FileRejected
from openbook.ingest.amounts import AmountError, parse_amount
from openbook.ingest.dates import DateError, parse_date
from openbook.ingest.headers import header_forms, header_score, normalise_header, same_header
from openbook.ingest.base import Importer, IngestContext, load_records
from openbook.ingest.problems import Problem
from openbook.ingest.reader import cell_text, iter_xlsx, xlsx_sheet_names
from openbook.ingest.records import Records, money
from openbook.plugins.manager import hookimpl

if TYPE_CHECKING:
    from openbook.ingest.report import IngestReport

HEADER_SCAN_ROWS = 40
MONEY_FIELDS = ("pay_floor_gbp", "pay_ceiling_gbp", "salary_cost_of_reports_gbp", "grade_maximum_gbp")
# Words publishers write where a value is withheld or does not apply; compared case-blind with
# quotes and spaces trimmed. Anything else that is not a number is flagged (pay-not-a-number).
WITHHELD = {"n/d", "nd", "n.d.", "n/a", "na", "not disclosed", "not applicable", "not in post", "vacant",
            "withheld", "redacted", "-", "nil"}
VACANT = {"vacant", "vacancy", "post vacant", "vacant post"}
TOP = {"xx"}
_NAME_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_NAME_DATE_DMY = re.compile(r"(?<!\d)(\d{2})-(\d{2})-(\d{4})(?!\d)")
# The triplestore exports name each row's original workbook, in a folder named by the snapshot.
_FOLDER_DATE = re.compile(r"/(\d{4})-(\d{2})-(\d{2})/")
# data.gov.uk's own post-count reports and upload logs name senior and junior columns like this.
_REPORT_COLUMNS = re.compile(r"\b(senior|junior)\b")


@dataclass(frozen=True)
class Column:
    synonyms: tuple[str, ...]
    position: int | None


@dataclass(frozen=True)
class Layout:
    """One published organogram layout: how to recognise its header and where each field sits."""

    name: str
    kind: str  # senior | junior
    signature: frozenset[str]
    widths: tuple[int, ...]
    columns: dict[str, Column]

    def matches(self, cells: Iterable[str]) -> bool:
        forms = [header_forms(c) for c in cells]
        return all(any(same_header(f, s) for f in forms) for s in self.signature)

    def map(self, cells: list[str]) -> dict[str, int]:
        """field → cell index: each field takes its earliest synonym, a column feeds one field."""
        names = [header_forms(c) for c in cells]
        found: dict[str, int] = {}
        for field, column in self.columns.items():
            for synonym in column.synonyms:
                index = next((i for i, n in enumerate(names) if same_header(n, synonym) and i not in found.values()),
                             None)
                if index is not None:
                    found[field] = index
                    break
        return found

    def by_position(self, width: int) -> dict[str, int]:
        return {f: c.position for f, c in self.columns.items() if c.position is not None and c.position < width}


@cache
def layouts() -> dict[str, Layout]:
    text = resources.files("openbook.ingest").joinpath("organogram_headers.toml").read_text("utf-8")
    found = {}
    for name, spec in tomllib.loads(text)["layouts"].items():
        columns = {field: Column(tuple(normalise_header(s) for s in c["synonyms"]), c.get("position"))
                   for field, c in spec["columns"].items()}
        found[name] = Layout(name, spec["kind"], frozenset(normalise_header(s) for s in spec["signature"]),
                             tuple(spec.get("width", ())), columns)
    return found


def find_header(rows: list[list[str]], names: Iterable[str]) -> tuple[int, Layout] | None:
    """(index in rows, layout) of the first row that is one of these layouts' headers."""
    candidates = [layouts()[n] for n in names]
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        for layout in candidates:
            if layout.matches(cells):
                return index, layout
    return None


def is_post_count_report(rows: list[list[str]]) -> bool:
    """data.gov.uk's post-count reports and upload logs: a header with senior and junior columns."""
    for cells in rows[:HEADER_SCAN_ROWS]:
        kinds = {m.group(1) for m in (_REPORT_COLUMNS.search(normalise_header(c)) for c in cells) if m}
        if kinds == {"senior", "junior"}:
            return True
    return False


def infer_layout(rows: list[list[str]]) -> Layout | None:
    """A headerless senior or junior file, recognised by its width and where its numbers sit.

    Junior rows carry two pay figures and an FTE at fixed places; senior rows an FTE, two pay
    figures and a reports-to. Most data rows must fit, so a headerless spend file is not taken.
    """
    data = [r for r in rows[:HEADER_SCAN_ROWS] if any(c.strip() for c in r)]
    if len(data) < 1:
        return None
    for name in ("junior", "senior"):
        layout = layouts()[name]
        numeric = [layout.columns[f].position for f in ("fte", "pay_floor_gbp", "pay_ceiling_gbp")]
        fits = sum(1 for r in data if len(r) in layout.widths and _looks_numeric(r[numeric[0]])
                   and all(_looks_numeric(r[i]) or _withheld(r[i]) for i in numeric[1:]))
        if fits >= max(1, 0.8 * len(data)):
            return layout
    return None


def _looks_numeric(text: str) -> bool:
    try:
        Decimal(text.strip().replace(",", "").lstrip("£"))
    except InvalidOperation:
        return False
    return True


def _withheld(text: str) -> bool:
    return _plain(text) in WITHHELD


def _plain(text: str) -> str:
    return text.strip().strip("'\"").strip().casefold()


def snapshot_from_name(name: str) -> date | None:
    """The snapshot date a file name carries: `…-2011-09-30-senior.csv` or `…__31-03-2015__…`."""
    for pattern, order in ((_NAME_DATE, (0, 1, 2)), (_NAME_DATE_DMY, (2, 1, 0))):
        for match in pattern.finditer(name):
            parts = match.groups()
            try:
                return date(int(parts[order[0]]), int(parts[order[1]]), int(parts[order[2]]))
            except ValueError:
                continue
    return None


class _Base(Importer):
    """Shared reading for every organogram layout; subclasses say which layouts they claim."""

    dataset = "post"
    layout_names: ClassVar[tuple[str, ...]]
    problems = (
        "metadata-not-data", "no-data-rows", "snapshot-date-unknown", "not-an-organogram",
        "value-missing", "type-error", "constraint-error", "date-invalid", "extra-cell",
        "pay-not-a-number", "body-unresolved", "entity-unresolved", "header-inferred",
        "preamble-row", "header-row", "blank-row",
    )

    @classmethod
    def claims(cls, head: list[list[str]]) -> float:
        rows = [[cell_text(c) if not isinstance(c, str) else c for c in r] for r in head]
        if find_header(rows, cls.layout_names):
            return 0.95
        return 0.0

    def ingest(self, context: IngestContext) -> IngestReport:
        if context.record.format == "xlsx":
            sheets = list(_workbook_sheets(context, self.layout_names))
        else:
            sheets = [(None, [(line, [cell_text(c) for c in cells]) for line, cells in context.rows])]
        records = Records()
        reader = _Reader(context, records, self.layout_names)
        offset = 0
        for sheet, rows in sheets:
            reader.read(rows, sheet, offset)
            offset += max((line for line, _ in rows), default=0)
        return reader.finish()


class OrganogramImporter(_Base):
    name = "organogram"
    title = "Central government organograms: senior and junior staff (Cabinet Office layout)"
    layout_names = ("senior", "junior")

    @classmethod
    def claims(cls, head: list[list[str]]) -> float:
        score = super().claims(head)
        if score:
            return score
        rows = [[cell_text(c) for c in r] for r in head]
        if is_post_count_report(rows):
            return 0.9  # to reject it as metadata, not read it as payments
        if infer_layout(rows):
            return 0.6
        if not any(header_score(r) for r in rows) and any("organogram" in c.casefold() for r in rows for c in r):
            return 0.5  # a workbook whose first sheet is the template's notes (never a spend header)
        return 0.0


class LocalStaffImporter(_Base):
    name = "lga-organisation-chart"
    title = "Council organisation charts and senior salaries (LGA Transparency Code layouts)"
    layout_names = ("lga-structure", "lga-senior-salaries")


def _workbook_sheets(context: IngestContext, names: tuple[str, ...]) -> Iterator[tuple[str, list]]:
    """Every sheet of the workbook that holds one of the layouts, with its rows as text."""
    found = False
    report = False
    for index, sheet in enumerate(xlsx_sheet_names(context.path)):
        rows = [(line, [cell_text(c) for c in cells]) for line, cells in iter_xlsx(context.path, index)]
        texts = [cells for _, cells in rows]
        if find_header(texts, names):
            found = True
            yield sheet, rows
        elif is_post_count_report(texts):
            report = True
    if found:
        return
    if report:
        raise FileRejected("metadata-not-data", "the workbook describes organogram publications (senior and "
                           "junior post counts per body), not the posts themselves; load the organograms it "
                           "counts instead")
    raise FileRejected("not-an-organogram", "no sheet of the workbook has a senior or junior staff header "
                       "(e.g. 'Post Unique Reference … Reports to Senior Post' or 'Reporting Senior Post … "
                       "Number of Posts in FTE')")


class _Reader:
    """Reads rows of one or more sheets into posts; every row ends accepted, quarantined or structural."""

    def __init__(self, context: IngestContext, records: Records, names: tuple[str, ...]):
        self.context, self.records, self.names = context, records, names
        self.bodies: dict[str, str | None] = {}
        self.flagged_bodies: set[str] = set()
        self.dialect: dict = {"layouts": [], "sheets": []}
        self.snapshot_from: set[str] = set()
        self.as_ofs: set[date] = set()
        self.named = snapshot_from_name(context.path.name)

    def problem(self, code: str, line: int, cells: list[str] | None = None, column: str | None = None,
                number: int | None = None, value: str | None = None, detail: str = "") -> Problem:
        return Problem(code, line, column, number, value, detail, path=self.context.label, raw_row=cells)

    def read(self, rows: list[tuple[int, list[str]]], sheet: str | None, offset: int) -> None:
        texts = [cells for _, cells in rows]
        found = find_header(texts, self.names)
        if found is None and rows and self.context.record.format != "xlsx":
            if is_post_count_report(texts):
                raise FileRejected("metadata-not-data", "the file describes organogram publications (senior and "
                                   "junior post counts or an upload log), not the posts themselves")
            inferred = infer_layout(texts) if "senior" in self.names else None
            if inferred is None:
                raise FileRejected("not-an-organogram", "no row in the first 40 names the columns of a senior or "
                                   "junior staff organogram, and the rows do not have its shape")
            header_index, layout = -1, inferred
        elif found is None:
            return
        else:
            header_index, layout = found
        if header_index >= 0:
            header = texts[header_index]
            fields = layout.map(header)
        else:
            header = []
            fields = layout.by_position(max(len(c) for c in texts))
        as_of, dated_by = self._snapshot(layout, fields, texts[header_index + 1:])
        self.dialect["layouts"].append(layout.name)
        self.dialect["sheets"].append({
            "sheet": sheet, "line_offset": offset, "layout": layout.name,
            "header_line": rows[header_index][0] + offset if header_index >= 0 else None,
            "columns": [[c, next((f for f, i in fields.items() if i == n), None)] for n, c in enumerate(header)],
        })
        flagged = False
        for index, (line, cells) in enumerate(rows):
            line += offset
            self.records.rows_read += 1
            if not any(c.strip() for c in cells):
                self.records.problem(self.problem("blank-row", line))
            elif index < header_index:
                self.records.problem(self.problem("preamble-row", line, cells))
            elif index == header_index or (header and layout.matches(cells)):
                self.records.problem(self.problem("header-row", line, cells))
            else:
                if header_index < 0 and not flagged:
                    flagged = True
                    self.records.problem(self.problem(
                        "header-inferred", line, cells, detail=f"{layout.name} staff ({len(cells)} columns)"))
                self._row(layout, fields, header, line, cells, as_of, dated_by)

    def _snapshot(self, layout: Layout, fields: dict[str, int], rows: list[list[str]]) -> tuple[date | None, str]:
        if "as_of" in fields:
            return self.named, "EffectiveDate column"
        if self.named:
            return self.named, "file name"
        if "source_file" in fields:
            dates = Counter(m.groups() for r in rows if len(r) > fields["source_file"]
                            for m in [_FOLDER_DATE.search(r[fields["source_file"]])] if m)
            if len(dates) == 1:
                year, month, day = next(iter(dates))
                return date(int(year), int(month), int(day)), "source_file column"
        raise FileRejected("snapshot-date-unknown", f"neither the file name nor the {layout.name} staff columns "
                           "say the snapshot date; name the file with it, e.g. body-2011-09-30-senior.csv")

    def _row(self, layout: Layout, fields: dict[str, int], header: list[str], line: int, cells: list[str],
             as_of: date | None, dated_by: str) -> None:
        problems: list[Problem] = []
        width = len(header) if header else len(cells)
        extra = [c for c in cells[width:] if c.strip()]
        if extra:
            problems.append(self.problem("extra-cell", line, cells, None, width + 1, extra[0], str(len(extra))))

        def text(field: str) -> str:
            index = fields.get(field)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        def where_is(field: str) -> tuple[str, int | None]:
            index = fields.get(field)
            name = (header[index] if header and index is not None else field) or field
            return name, (index + 1 if index is not None else None)

        lga = layout.name.startswith("lga")

        def value(field: str) -> str | None:
            raw = text(field)
            if lga and raw == "NA":  # the LGA schema's own word for 'not applicable'
                return None
            return raw or None

        record: dict = {"is_senior": layout.kind == "senior", "as_of": as_of}
        withheld: dict[str, str] = {}
        if "as_of" in fields:
            raw = text("as_of")
            column, number = where_is("as_of")
            try:
                record["as_of"] = parse_date(raw).day if raw else as_of
            except DateError as error:
                record["as_of"] = None
                problems.append(self.problem("date-invalid", line, cells, column, number, raw, error.detail))
            dated_by = "EffectiveDate column" if raw else "file name"
            if record["as_of"] is None and raw == "":
                problems.append(self.problem("value-missing", line, cells, column, number, raw))
        self.snapshot_from.add(dated_by)
        for field in ("post_ref", "title", "grade", "profession", "unit", "notes", "duties", "directorate",
                      "contract_type", "parent_department"):
            record[field] = value(field)
        record["name"] = text("name") or None  # kept as written, 'N/D' or 'Vacant' included
        record["body_name"] = text("body_name") or None
        reports = text("reports_to")
        record["is_top"] = _plain(reports) in TOP if layout.name == "senior" else False
        record["reports_to"] = None if record["is_top"] or not reports else reports
        if "level" in fields and text("level"):
            column, number = where_is("level")
            if text("level").isdigit():
                record["level"] = int(text("level"))
                record["is_top"] = record["level"] == 1
            else:
                problems.append(self.problem("type-error", line, cells, column, number, text("level"),
                                             "whole number (the level below the top, 1 for the top post)"))
        vacancy = _plain(text("vacancy")) if "vacancy" in fields else ""
        record["is_vacant"] = _plain(record["name"] or "") in VACANT or vacancy in VACANT
        if "shared_post" in fields:
            record["is_shared"] = _plain(text("shared_post")) == "shared"
        for field in MONEY_FIELDS:
            if field in fields:
                record[field] = self._money(field, text(field), line, cells, where_is(field), withheld, problems)
        if "pay_band" in fields:
            self._band(text("pay_band"), line, cells, where_is("pay_band"), record, withheld, problems)
        if "salary" in fields:
            pay = self._money("salary", text("salary"), line, cells, where_is("salary"), withheld, problems)
            record["pay_floor_gbp"] = record["pay_ceiling_gbp"] = pay
        if "fte" in fields:
            record["fte"] = self._fte(text("fte"), line, cells, where_is("fte"), withheld, problems)
        elif layout.name == "lga-structure":
            record["fte"] = 1.0  # the chart lists posts one a row
        if withheld:
            record["withheld"] = withheld
        if layout.name == "senior" and not record["post_ref"]:
            problems.append(self.problem("value-missing", line, cells, *where_is("post_ref"), ""))
        if not record["title"]:
            problems.append(self.problem("value-missing", line, cells, *where_is("title"), ""))
        self._body(record, line, cells, fields, where_is, problems)
        if any(p.severity == "error" for p in problems):
            for problem in problems:
                self.records.problem(problem)
            return
        for problem in problems:
            self.records.problem(problem)
        if record["as_of"] is not None:
            self.as_ofs.add(record["as_of"])
        self.records.add("post", line, record)

    def _money(self, field: str, raw: str, line: int, cells: list[str], where: tuple[str, int | None],
               withheld: dict[str, str], problems: list[Problem]) -> Decimal | None:
        if not raw:
            return None
        if _withheld(raw):
            withheld[field] = raw
            return None
        try:
            pence, _ = parse_amount(raw)
        except AmountError as error:
            withheld[field] = raw
            problems.append(self.problem("pay-not-a-number", line, cells, *where, raw, error.detail or "text"))
            return None
        if pence < 0:
            withheld[field] = raw
            problems.append(self.problem("pay-not-a-number", line, cells, *where, raw, "negative"))
            return None
        return money(Decimal(pence) / 100)

    def _band(self, raw: str, line: int, cells: list[str], where: tuple[str, int | None], record: dict,
              withheld: dict[str, str], problems: list[Problem]) -> None:
        """An LGA salary band, '65000 - 69999', as floor and ceiling."""
        if not raw:
            return
        if _withheld(raw):
            withheld["pay_floor_gbp"] = withheld["pay_ceiling_gbp"] = raw
            return
        parts = [p.strip() for p in re.split(r"\s+-\s+|\s*–\s*|\s+to\s+", raw)]
        if len(parts) == 1:
            parts = parts * 2
        pay = []
        for part in parts[:2]:
            try:
                pence, _ = parse_amount(part)
            except AmountError:
                pay = []
                break
            pay.append(money(Decimal(pence) / 100))
        if len(parts) != 2 or len(pay) != 2:
            withheld["pay_floor_gbp"] = withheld["pay_ceiling_gbp"] = raw
            problems.append(self.problem("pay-not-a-number", line, cells, *where, raw, "not a band 'low - high'"))
            return
        record["pay_floor_gbp"], record["pay_ceiling_gbp"] = pay

    def _fte(self, raw: str, line: int, cells: list[str], where: tuple[str, int | None],
             withheld: dict[str, str], problems: list[Problem]) -> float | None:
        if not raw:
            return None
        if _withheld(raw):
            withheld["fte"] = raw
            return None
        try:
            fte = Decimal(raw.replace(",", ""))
        except InvalidOperation:
            problems.append(self.problem("type-error", line, cells, *where, raw, "number of full-time equivalents"))
            return None
        if fte < 0 or not fte.is_finite():
            problems.append(self.problem("constraint-error", line, cells, *where, raw, "FTE cannot be negative"))
            return None
        return float(fte)

    def _body(self, record: dict, line: int, cells: list[str], fields: dict[str, int], where_is,
              problems: list[Problem]) -> None:
        """The body from 'Organisation' (or 'Parent Department' where that is blank), kept as written."""
        name = record["body_name"] or record["parent_department"]
        if not name:
            if self.context.default_org:
                record["org_id"] = self.context.default_org
                return
            problems.append(self.problem("value-missing", line, cells, *where_is("body_name"), ""))
            return
        record["body_name"] = name
        if name not in self.bodies:
            self.bodies[name] = self.context.resolve_org(name)
        org_id = self.bodies[name]
        if org_id is None and self.context.default_org:
            org_id = self.context.default_org
            if name not in self.flagged_bodies:
                self.flagged_bodies.add(name)
                problems.append(self.problem("entity-unresolved", line, cells, *where_is("body_name"), name, org_id))
        elif org_id is None and name not in self.flagged_bodies:
            self.flagged_bodies.add(name)
            problems.append(self.problem("body-unresolved", line, cells, *where_is("body_name"), name))
        record["org_id"] = org_id

    def finish(self) -> IngestReport:
        records = self.records
        posts = records.tables.get("post", [])
        if not posts and not any(p.severity == "error" for p in records.problems):
            raise FileRejected("no-data-rows", "the file has an organogram header but no posts")
        for post in posts:
            if post.get("withheld") is not None:
                post["withheld"] = _json(post["withheld"])
        orgs = Counter(p["org_id"] for p in posts if p.get("org_id"))
        records.publisher = orgs.most_common(1)[0][0] if orgs else self.context.default_org
        if self.as_ofs:
            records.period = (min(self.as_ofs), max(self.as_ofs))
        self.dialect["as_of"] = sorted(d.isoformat() for d in self.as_ofs)
        self.dialect["as_of_from"] = sorted(self.snapshot_from)
        records.dialect = self.dialect
        return load_records(self.context, records, "post")


def _json(value: dict) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@hookimpl
def register_importers():
    return [OrganogramImporter, LocalStaffImporter]
