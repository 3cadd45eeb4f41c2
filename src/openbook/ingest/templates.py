"""Blank templates for the publications openbook defines: systems, processes, cost registers, budgets.

No body publishes these yet, so openbook says what a file should hold. Everything here is read
from the tables' Table Schemas and code lists at the time of writing, so a template cannot drift
from what the importer (ingest/registers.py) accepts: the header is the schema's field names, and
the README beside it is each field's description, type, example and allowed codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from openbook import sheets, standard

# Tables with a template and an importer for it.
TEMPLATE_TABLES = ("system", "process", "cost_line", "budget")
# Filled in by openbook (provenance, classification) or derived on load, so never in a template.
NOT_IN_TEMPLATES = frozenset({"source_sha256", "source_line", "classified_by", "classification_confidence",
                              "date_precision"})
FORMATS = ("csv", "xlsx")
README_COLUMNS = ("field", "title", "type", "required", "description", "example", "allowed values")
_EXAMPLE = re.compile(r"\s*Example: (.+?)\.?$")
_LABEL = re.compile(r"[^0-9a-z]+")
# Rows of the XLSX sheet that get drop-down lists for code-list and enum fields.
VALIDATED_ROWS = 5000


@dataclass(frozen=True)
class TemplateField:
    """One column of a template, with what a publisher needs to fill it."""

    name: str
    title: str
    type: str
    required: bool
    description: str
    example: str
    code_list: str | None
    allowed: tuple[str, ...]  # codes of the code list, or the enum's values
    money: bool

    def readme_row(self) -> list[str]:
        allowed = ", ".join(self.allowed)
        if self.code_list:
            allowed = f"codes/{self.code_list}.csv: {allowed}"
        return [self.name, self.title, self.type + (" (pounds, to the penny)" if self.money else ""),
                "yes" if self.required else "no", self.description, self.example, allowed]


def check_table(table: str) -> None:
    """A usage error naming the tables that have templates, for a table that has none."""
    if table not in TEMPLATE_TABLES:
        from openbook.errors import UsageError

        raise UsageError(f"no template for {table!r}; choose one of {', '.join(TEMPLATE_TABLES)}")


def template_fields(table: str) -> list[TemplateField]:
    """The template's columns in schema order: every field but those openbook fills in."""
    check_table(table)
    return list(_template_fields(table))


@cache
def _template_fields(table: str) -> tuple[TemplateField, ...]:
    """Read once per process: every file ingested asks each importer whether its header is a
    template's (`registers.py`), and reading the schema and code lists again for each row of
    each file's head made ingest of the generator's sector three times slower."""
    found = []
    for spec in standard.load_schema(table)["fields"]:
        if spec["name"] in NOT_IN_TEMPLATES:
            continue
        constraints = spec.get("constraints", {})
        description = spec.get("description", "")
        example = _EXAMPLE.search(description)
        code_list = spec.get("codeList")
        allowed = (tuple(row["code"] for row in standard.code_list(code_list)) if code_list
                   else tuple(str(v) for v in constraints.get("enum", ())))
        found.append(TemplateField(
            name=spec["name"], title=spec.get("title", ""), type=spec.get("type", "string"),
            required=bool(constraints.get("required")),
            description=description[:example.start()].strip() if example else description,
            example=example.group(1) if example else "", code_list=code_list, allowed=allowed,
            money=spec.get("sqlType", "").startswith("DECIMAL")))
    return tuple(found)


def template_header(table: str) -> list[str]:
    return [f.name for f in template_fields(table)]


def normalise_label(text: str) -> str:
    """A column label reduced to what names a field: case, spaces, '£' and punctuation do not."""
    return _LABEL.sub("_", str(text).casefold().lstrip("\ufeff")).strip("_")


@cache
def label_index(table: str) -> MappingProxyType[str, str]:
    """Normalised field names and titles → field name: what a template's header may say (read-only,
    made once per process like `_template_fields`)."""
    index: dict[str, str] = {}
    for f in template_fields(table):
        for label in (f.name, f.title):
            if label:
                index.setdefault(normalise_label(label), f.name)
    return MappingProxyType(index)


def write_template(table: str, out: Path, fmt: str = "csv", *, force: bool = False) -> list[Path]:
    """Write a blank template (and, for CSV, its README beside it); returns the files written."""
    from openbook.errors import UsageError

    check_table(table)
    if fmt not in FORMATS:
        raise UsageError(f"no template format {fmt!r}; choose csv or xlsx")
    out = Path(out)
    targets = [out] if fmt == "xlsx" else [out, readme_path(out)]
    existing = [str(p) for p in targets if p.exists()]
    if existing and not force:
        raise UsageError(f"{', '.join(existing)} already exists; choose another --out or pass --force")
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        _write_xlsx(table, out)
    else:
        sheets.write_csv(out, template_header(table), [])
        readme_path(out).write_text(readme_markdown(table), encoding="utf-8")
    return targets


def readme_path(csv_path: Path) -> Path:
    return csv_path.with_name(f"{csv_path.stem}.README.md")


def readme_markdown(table: str) -> str:
    """The CSV template's companion: the same field guide as the XLSX README sheet."""
    schema = standard.load_schema(table)
    lines = [f"# {schema['title']} template (`{table}`)", "", schema["description"], "",
             f"One row per {schema['title'].lower()}. Keep the header row as it is (field names or the "
             "titles below, in any order and case), save as CSV in UTF-8, then check and load the file:",
             "", f"    openbook validate {table}.csv", f"    openbook ingest {table}.csv", "",
             "Money is in pounds to the penny, without '£' or thousands separators; dates are YYYY-MM-DD.",
             "", "| " + " | ".join(README_COLUMNS) + " |", "|" + "---|" * len(README_COLUMNS)]
    for f in template_fields(table):
        lines.append("| " + " | ".join(_cell(c) for c in f.readme_row()) + " |")
    for name in _code_lists(table):
        lines += ["", f"## Code list `{name}`", "", "| code | label | description |", "|---|---|---|"]
        for row in standard.code_list(name):
            lines.append(f"| `{row['code']}` | {_cell(row['label'])} | {_cell(row['description'])} |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _code_lists(table: str) -> list[str]:
    return list(dict.fromkeys(f.code_list for f in template_fields(table) if f.code_list))


def _write_xlsx(table: str, out: Path) -> None:
    """Sheet 1 the header (drop-downs for coded fields), sheet 2 the README, a hidden sheet of codes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    fields = template_fields(table)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table
    sheet.append([f.name for f in fields])
    sheet.freeze_panes = "A2"
    for column, f in enumerate(fields, start=1):
        sheet.cell(1, column).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = max(12, len(f.name) + 4)

    readme = workbook.create_sheet("README")
    readme.append(list(README_COLUMNS))
    for f in fields:
        readme.append(f.readme_row())
    for name in _code_lists(table):
        readme.append([])
        readme.append([f"code list: {name}", "label", "description"])
        for row in standard.code_list(name):
            readme.append([row["code"], row["label"], row["description"]])
    for cell in readme[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFG", (24, 24, 18, 9, 70, 28, 60)):
        readme.column_dimensions[letter].width = width
    for row in readme.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    coded = [(column, f) for column, f in enumerate(fields, start=1) if f.allowed]
    if coded:
        codes = workbook.create_sheet("codes")
        codes.sheet_state = "hidden"
        for position, (column, f) in enumerate(coded, start=1):
            letter = get_column_letter(position)
            codes.cell(1, position, f.name)
            for offset, code in enumerate(f.allowed, start=2):
                codes.cell(offset, position, code)
            target = get_column_letter(column)
            check = DataValidation(type="list", formula1=f"=codes!${letter}$2:${letter}${len(f.allowed) + 1}",
                                   allow_blank=True, showErrorMessage=True, errorTitle=f.name,
                                   error=f"Choose a {f.name} from the list (see the README sheet).")
            check.add(f"{target}2:{target}{VALIDATED_ROWS + 1}")
            sheet.add_data_validation(check)
    workbook.save(out)


__all__ = ["FORMATS", "NOT_IN_TEMPLATES", "TEMPLATE_TABLES", "TemplateField", "check_table", "label_index", "normalise_label",
           "readme_markdown", "template_fields", "template_header", "write_template"]
