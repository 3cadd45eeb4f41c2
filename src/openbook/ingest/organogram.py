"""Organograms into the book's `post` table: who works where, at what grade and pay, under whom.

Central bodies publish two CSVs per snapshot (31 March, 30 September): senior posts one a row,
each naming the senior post it reports to ("XX" for the top), and junior posts in groups that
each report to a senior post. Councils publish the LGA OrganisationStructure chart and senior
salaries. The column names live in `organogram_headers.toml`; this module applies them.

Withheld values stay withheld: a pay written "N/D", "Vacant" or "N/A" is stored as no number,
with the publisher's words kept in `withheld`, never guessed. The snapshot date comes from the
file name, or else from the content, or else from the user (`ingest --as-of`), and
`source.dialect` says which; a file that says none is rejected rather than dated by guess.
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
from openbook.ingest.snapshots import Snapshot, snapshot_from_column, snapshot_from_name
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
# The triplestore exports name each row's original workbook, in a folder named by the snapshot.
_FOLDER_DATE = re.compile(r"/(\d{4})-(\d{2})-(\d{2})/")
# Headers a leading row-number column carries (pandas writes a blank one, or 'Unnamed: 0' re-saved).
_INDEX_NAMES = {"", "unnamed 0", "index", "id"}
# A column telling senior rows from junior ones in a combined file ('Type', 'Senior/Junior', 'Post type').
_KIND_COLUMN = re.compile(r"^(post |staff |record )?(type|kind|category)$|\bsenior\b.*\bjunior\b|\bjunior\b.*\bsenior\b")
_SENIOR_GRADE = re.compile(r"^(scs|senior civil serv)")
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


class _Base(Importer):
    """Shared reading for every organogram layout; subclasses say which layouts they claim."""

    dataset = "post"
    layout_names: ClassVar[tuple[str, ...]]
    problems = (
        "metadata-not-data", "no-data-rows", "snapshot-date-unknown", "not-an-organogram",
        "value-missing", "type-error", "constraint-error", "date-invalid", "extra-cell",
        "pay-not-a-number", "unknown-organisation", "entity-unresolved", "header-inferred",
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
        if infer_layout(rows) or (index_column(rows, -1) and infer_layout([r[1:] for r in rows])):
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


@dataclass
class _Section:
    """One header and the rows under it; a combined senior+junior header maps both kinds."""

    start: int  # index of the header row, -1 when the layout was inferred from the rows
    layout: Layout
    header: list[str]
    fields: dict[str, int]
    kinds: dict[str, tuple[Layout, dict[str, int]]] | None = None
    kind_at: int | None = None  # a column saying 'senior' or 'junior'
    snapshot: tuple[date | None, str] = (None, "")

    @property
    def name(self) -> str:
        return "senior+junior" if self.kinds else self.layout.name

    def kind_of(self, cells: list[str]) -> tuple[Layout, dict[str, int]]:
        """In a combined file: the kind the type column says, else a post reference means senior,
        else a senior civil service grade, else junior (junior rows are groups without references)."""
        if not self.kinds:
            return self.layout, self.fields

        def cell(index: int | None) -> str:
            return cells[index].strip().casefold() if index is not None and index < len(cells) else ""

        said = cell(self.kind_at)
        if "junior" in said:
            return self.kinds["junior"]
        senior_layout, senior_fields = self.kinds["senior"]
        if "senior" in said or cell(senior_fields.get("post_ref")) or _SENIOR_GRADE.match(
                cell(senior_fields.get("grade"))):
            return self.kinds["senior"]
        return self.kinds["junior"]


def _headers(rows: list[list[str]], names: tuple[str, ...], first: tuple[int, Layout]) -> list[tuple[int, Layout]]:
    """The first header and every later row that is another layout's header (files that stack
    a senior table and a junior table one after the other)."""
    found = [first]
    candidates = [layouts()[n] for n in names]
    for index in range(first[0] + 1, len(rows)):
        cells = rows[index]
        if found[-1][1].matches(cells):
            continue  # a repeated header of the same table
        for layout in candidates:
            if layout is not found[-1][1] and layout.matches(cells):
                found.append((index, layout))
                break
    return found


def _kinds(section: _Section, names: tuple[str, ...]) -> dict[str, tuple[Layout, dict[str, int]]] | None:
    """Both kinds' column maps when one header holds senior and junior rows: it carries both
    layouts' columns, or one layout's and a column whose name says senior/junior or post type."""
    if not section.header or not {"senior", "junior"} <= set(names):
        return None
    senior, junior = layouts()["senior"], layouts()["junior"]
    names_in = [normalise_header(c) for c in section.header]
    kind_at = next((i for i, n in enumerate(names_in) if _KIND_COLUMN.search(n)), None)
    both = senior.matches(section.header) and junior.matches(section.header)
    if not both and kind_at is None:
        return None
    section.kind_at = kind_at
    return {"senior": (senior, senior.map(section.header)), "junior": (junior, junior.map(section.header))}


def index_column(rows: list[list[str]], header_at: int) -> bool:
    """A leading column that only numbers the rows (0, 1, 2 … or 1, 2, 3 …), under a blank,
    'Unnamed: 0' or 'index' header or none: pandas writes one unless told not to."""
    if header_at >= 0 and normalise_header(rows[header_at][0] if rows[header_at] else "") not in _INDEX_NAMES:
        return False
    data = [r for r in rows[header_at + 1:] if any(c.strip() for c in r)]
    first = [r[0].strip() for r in data[:HEADER_SCAN_ROWS * 10]]
    if not first or not all(c.isdigit() for c in first) or len(data[0]) < 2:
        return False
    start = int(first[0])
    return start in (0, 1) and [int(c) for c in first] == list(range(start, start + len(first)))


class _Reader:
    """Reads rows of one or more sheets into posts; every row ends accepted, quarantined or structural."""

    def __init__(self, context: IngestContext, records: Records, names: tuple[str, ...]):
        self.context, self.records, self.names = context, records, names
        self.bodies: dict[str, str | None] = {}
        self.dialect: dict = {"layouts": [], "sheets": []}
        self.snapshot_from: set[str] = set()
        self.as_ofs: set[date] = set()
        self.named = snapshot_from_name(context.path.name)
        given = (context.record.options or {}).get("as_of")
        self.given = Snapshot(date.fromisoformat(given), "--as-of") if given else None
        self.shift = 0  # 1 while a leading index column (pandas' 0, 1, 2 …) is set aside
        self.leading: dict[int, str] = {}  # its cell on each line, for the raw rows of problems

    def problem(self, code: str, line: int, cells: list[str] | None = None, column: str | None = None,
                number: int | None = None, value: str | None = None, detail: str = "") -> Problem:
        number = number + self.shift if number is not None else None
        if self.shift and cells is not None:  # the raw row as published, its row number included
            cells = [self.leading.get(line, ""), *cells]
        return Problem(code, line, column, number, value, detail, path=self.context.label, raw_row=cells)

    def read(self, rows: list[tuple[int, list[str]]], sheet: str | None, offset: int) -> None:
        texts = [cells for _, cells in rows]
        found = find_header(texts, self.names)
        self.shift = 1 if index_column(texts, found[0] if found else -1) else 0
        if self.shift:
            self.leading = {line + offset: cells[0] for line, cells in rows if cells}
            rows = [(line, cells[1:]) for line, cells in rows]
            texts = [cells for _, cells in rows]
        if found is None and rows and self.context.record.format != "xlsx":
            if is_post_count_report(texts):
                raise FileRejected("metadata-not-data", "the file describes organogram publications (senior and "
                                   "junior post counts or an upload log), not the posts themselves")
            inferred = infer_layout(texts) if "senior" in self.names else None
            if inferred is None:
                raise FileRejected("not-an-organogram", "no row in the first 40 names the columns of a senior or "
                                   "junior staff organogram, and the rows do not have its shape")
            sections = [_Section(-1, inferred, [], inferred.by_position(max(len(c) for c in texts)))]
        elif found is None:
            return
        else:
            sections = [_Section(i, layout, texts[i], layout.map(texts[i])) for i, layout in
                        _headers(texts, self.names, found)]
        ends = [s.start for s in sections[1:]] + [len(rows)]
        for section, end in zip(sections, ends):
            section.kinds = _kinds(section, self.names)
            section.snapshot = self._snapshot(section, texts[section.start + 1:end])
            self.dialect["layouts"].append(section.name)
            self.dialect["sheets"].append({
                "sheet": sheet, "line_offset": offset, "layout": section.name,
                "header_line": rows[section.start][0] + offset if section.start >= 0 else None,
                "columns": [[c, next((f for f, i in section.fields.items() if i == n), None)]
                            for n, c in enumerate(section.header)],
                **({"index_column": True} if self.shift else {}),
            })
        flagged = False
        section, following = sections[0], iter(sections[1:])
        upcoming = next(following, None)
        for index, (line, cells) in enumerate(rows):
            line += offset
            self.records.rows_read += 1
            if upcoming is not None and index == upcoming.start:
                section, upcoming = upcoming, next(following, None)
            if not any(c.strip() for c in cells):
                self.records.problem(self.problem("blank-row", line))
            elif index < section.start:
                self.records.problem(self.problem("preamble-row", line, cells))
            elif index == section.start or (section.header and section.layout.matches(cells)):
                self.records.problem(self.problem("header-row", line, cells))
            else:
                if section.start < 0 and not flagged:
                    flagged = True
                    self.records.problem(self.problem(
                        "header-inferred", line, cells, detail=f"{section.layout.name} staff ({len(cells)} columns)"))
                layout, fields = section.kind_of(cells)
                self._row(layout, fields, section.header, line, cells, *section.snapshot)

    def _snapshot(self, section: _Section, rows: list[list[str]]) -> tuple[date | None, str]:
        """The file name's date, else the content's, else the user's --as-of: never a guess."""
        fields = section.fields
        if "as_of" in fields:  # a date on every row (LGA EffectiveDate)
            fallback = self.named or self.given
            return (fallback.day if fallback else None), "EffectiveDate column"
        if self.named:
            return self.named
        if "source_file" in fields:
            dates = Counter(m.groups() for r in rows if len(r) > fields["source_file"]
                            for m in [_FOLDER_DATE.search(r[fields["source_file"]])] if m)
            if len(dates) == 1:
                year, month, day = next(iter(dates))
                return date(int(year), int(month), int(day)), "source_file column"
        if found := snapshot_from_column(section.header, fields, rows):
            return found
        if self.given:
            return self.given
        raise FileRejected("snapshot-date-unknown", f"neither the file name nor the {section.layout.name} staff "
                           "columns say the snapshot date; give it with `openbook ingest --as-of 2011-09-30 …` "
                           "(or name the file with it, e.g. body-2011-09-30-senior.csv)")

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
        """The body from 'Organisation' (or 'Parent Department' where that is blank), kept as written.

        A post is never stored without its body: a name the registry does not know is booked to
        the body --org names, with a warning on each post (so counts show them), or else the row is
        quarantined as unknown-organisation, raw row kept, to load once the body is known.
        """
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
            problems.append(self.problem("entity-unresolved", line, cells, *where_is("body_name"), name, org_id))
        elif org_id is None:
            problems.append(self.problem("unknown-organisation", line, cells, *where_is("body_name"), name))
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
