"""The catalogue of problems openbook reports about published files.

Codes are stable slugs: once published they never change meaning, because users filter,
count and script against them. Each carries a severity that decides where the row ends:
an error quarantines the row (or, at file level, rejects the file), a warning accepts the row
with a flag, a structural code marks a row that was never a record (header, title, totals).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["file", "error", "warning", "structural"]


@dataclass(frozen=True)
class ProblemType:
    code: str
    severity: Severity
    title: str
    template: str
    hint: str = ""


_TYPES = [
    # File level: the file is rejected and nothing from it is loaded.
    ProblemType("file-empty", "file", "Empty file", "the file holds no bytes or only blank lines",
                "ask the publisher for the real file"),
    ProblemType("excel-binary-as-csv", "file", "Excel workbook named .csv",
                "this is a legacy Excel (.xls, OLE2) workbook saved under a .csv name, not text",
                "open it in a spreadsheet and save it as CSV or XLSX"),
    ProblemType("unsupported-format", "file", "Unsupported format",
                "{detail}", "openbook reads CSV, XLSX, XLS and ODS files and OCDS or 360Giving JSON"),
    ProblemType("internal-error", "file", "Internal error",
                "{detail}", "a fault in openbook, not in the file: the other files were still read; "
                "run again with --debug for the traceback and report it"),
    ProblemType("nil-return", "file", "Nil return",
                "the publisher declares no payments for this period ({detail})",
                "nothing to load; the period is recorded as a nil return"),
    ProblemType("metadata-not-data", "file", "Metadata instead of data",
                "the file holds dataset metadata ({detail}), not payment lines",
                "the publisher pasted the catalogue entry in place of the data; fetch the data file"),
    ProblemType("no-header-found", "file", "No header row",
                "no row in the first {detail} lines names an amount and a date or supplier column",
                "add the column names to the synonym table or check this is a spend file"),
    ProblemType("missing-required-column", "file", "Required column missing",
                "the header has no {detail} column",
                "add the publisher's column name to the header synonym table"),
    ProblemType("no-data-rows", "file", "No data rows",
                "the file has a header but no payment lines",
                "if this is a nil return, say so in the file"),
    ProblemType("amount-column-suspect", "file", "Amount column holds no amounts",
                "{detail}",
                "the header names the wrong column as the amount (often one column is missing from the header); "
                "ask the publisher for a corrected file, or name the amount column with `ingest --columns amount_gbp=…`"),
    ProblemType("publisher-unknown", "file", "Publisher unknown",
                "the file does not say which body published it",
                "pass --org with the body's org id or name"),
    # Row level errors: the row is quarantined.
    ProblemType("amount-missing", "error", "Amount missing", "the amount is empty"),
    ProblemType("amount-not-a-number", "error", "Amount not a number",
                "{value!r} is not an amount{detail}"),
    ProblemType("date-missing", "error", "Date missing", "the payment date is empty"),
    ProblemType("date-invalid", "error", "Date not valid", "{value!r} is not a date{detail}"),
    ProblemType("date-out-of-range", "error", "Date out of range",
                "{value!r} is {detail}, outside the years a payment can fall in"),
    ProblemType("supplier-missing", "error", "Supplier missing", "the supplier is empty"),
    ProblemType("unknown-organisation", "error", "Unknown organisation",
                "{value!r} is not a body in the organisation registry{detail}",
                "record the body with `openbook orgs add NAME --kind KIND` (or add the name as an alias of "
                "the body it means), or load the file with --org; a row or organogram post is never stored "
                "without its body, and the quarantine keeps it whole"),
    ProblemType("extra-cell", "error", "Extra cells",
                "the row has {detail} more cells than the header, holding {value!r}"),
    ProblemType("org-field-missing", "error", "Organisation field missing", "the {value}field is empty"),
    ProblemType("org-kind-unknown", "error", "Unknown organisation kind",
                "{value!r} is not in the organisation_kinds code list"),
    # Files in the standard's own layout, checked by SQL generated from the Table Schema.
    ProblemType("column-missing", "file", "Column missing", "{detail}",
                "add the column; the standard's schema lists every field"),
    ProblemType("value-missing", "error", "Value missing", "a value is required"),
    ProblemType("type-error", "error", "Wrong type", "{value!r} is not a {detail}"),
    ProblemType("constraint-error", "error", "Constraint broken", "{value!r} breaks the rule: {detail}"),
    ProblemType("unknown-code", "error", "Unknown code", "{value!r} is not in the {detail} code list"),
    # openbook's template layouts (systems, processes, supplier cost registers, budgets): ingest/registers.py.
    ProblemType("column-unknown", "file", "Column not in the template", "{detail}",
                "rename the column to a field of the template (`openbook template TABLE` writes one) or remove it"),
    ProblemType("column-duplicated", "file", "Column named twice", "{detail}",
                "keep one column per field"),
    ProblemType("key-duplicated", "error", "Key repeated", "{value!r} repeats the record on line {detail}",
                "give each record its own reference, or remove the repeated row"),
    ProblemType("system-ref-unknown", "warning", "System not in the body's register",
                "{value!r} is none of the body's {detail} in the book",
                "load the body's systems register, or correct the system_ref"),
    ProblemType("agreed-margin-conflict", "warning", "Agreed margin differs",
                "{value!r} differs from the agreed margin {detail} for the same contract and period",
                "give one agreed margin per contract and period"),
    ProblemType("amount-differs-from-rate", "warning", "Amount is not rate × quantity",
                "{value!r} differs from {detail}"),
    # Row level warnings: the row is accepted with a flag.
    ProblemType("date-ambiguous", "warning", "Ambiguous date", "{value!r} reads both ways: {detail}"),
    ProblemType("date-month-first", "warning", "Month-first date", "{value!r} is {detail}"),
    ProblemType("entity-unresolved", "warning", "Body not in the registry",
                "{value!r} is not in the organisation registry; booked to {detail}, the publisher given with --org"),
    ProblemType("column-inferred", "warning", "Column inferred",
                "the header names no {value} column; {detail}"),
    ProblemType("amount-column-realigned", "warning", "Amount column re-aligned",
                "the column headed {value!r} holds references, not amounts; {detail}",
                "check the file's other columns: a header missing a column shifts every column after the gap"),
    ProblemType("date-month-only", "warning", "Month-only date",
                "{value!r} names a month, not a day; stored as the first of the month"),
    ProblemType("amount-rounded", "warning", "Amount below a penny",
                "{value!r} has fractions of a penny; stored rounded half-even to {detail}"),
    # Organograms (ingest/organogram.py, analyse/organogram_tree.py): posts and reporting lines.
    ProblemType("snapshot-date-unknown", "file", "Snapshot date unknown",
                "neither the file name nor its content says the organogram's snapshot date",
                "give it with `openbook ingest --as-of 2011-09-30 …`, or name the file with it, "
                "e.g. body-2011-09-30-senior.csv (a month-only name means the month's last day)"),
    ProblemType("not-an-organogram", "file", "Not an organogram",
                "no senior or junior staff header, and the rows do not have an organogram's shape",
                "check this is a senior or junior staff file (or workbook sheet)"),
    ProblemType("pay-not-a-number", "warning", "Pay not a number",
                "{value!r} is not an amount ({detail}); the post is kept with no figure and the text in 'withheld'"),
    ProblemType("body-unresolved", "warning", "Body not in the registry",
                "{value!r} is not in the organisation registry; its posts keep the name as written, with no org id "
                "(books loaded before organograms quarantined such posts as unknown-organisation)",
                "add it as an alias in an organisations file, or pass --org"),
    ProblemType("format-by-bytes", "warning", "File read by its bytes, not its name",
                "the file is named {value} but its bytes are {detail}; it was read as that",
                "ask the publisher to name the file for what it is"),
    ProblemType("header-inferred", "warning", "Header inferred",
                "the file has no header row; its columns were read by position as {detail}"),
    ProblemType("reporting-cycle", "warning", "Reporting cycle",
                "post {value!r} reports to itself through {detail}",
                "the publisher's 'Reports to Senior Post' values loop; ask for the corrected file"),
    ProblemType("reports-to-unknown", "warning", "Reports to an unknown post",
                "post reports to {value!r}, which is not a senior post of the snapshot{detail}"),
    ProblemType("junior-reports-to-unknown", "warning", "Junior staff under an unknown post",
                "junior staff report to {value!r}, which is not a senior post of the snapshot{detail}"),
    ProblemType("post-ref-duplicate", "warning", "Post reference repeated",
                "post reference {value!r} appears on {detail} rows of the snapshot"),
    ProblemType("reports-cost-mismatch", "warning", "Salary cost of reports does not reconcile",
                "published salary cost of reports {value} is outside the junior pay bill {detail}"),
    # Structural rows: never records.
    ProblemType("preamble-row", "structural", "Title row", "a title or note above the header"),
    ProblemType("header-row", "structural", "Header row", "the column names"),
    ProblemType("blank-row", "structural", "Blank row", "the row is empty"),
    ProblemType("totals-row", "structural", "Totals row", "a total or subtotal line{detail}"),
    ProblemType("note-row", "structural", "Note row", "free text below or between records"),
    # Contracts (OCDS packages, council contract registers) and grants (360Giving).
    ProblemType("json-invalid", "file", "Not valid JSON", "the JSON is not valid: {detail}",
                "check the file was downloaded whole; nothing from it is loaded"),
    ProblemType("json-no-records", "file", "No records in the JSON", "the file holds no {detail}",
                "check this is the data file and not its metadata"),
    ProblemType("ocds-shape-unknown", "file", "Not an OCDS file",
                "not an OCDS release, record, package or list of them: {detail}",
                "openbook reads release packages, record packages, single releases or records, "
                "a list of releases and JSON Lines"),
    ProblemType("ocds-not-a-release", "error", "Not an OCDS release or record",
                "this item is not an OCDS release or record ({detail})"),
    ProblemType("ocds-record-uncompiled", "error", "Record without a compiled release",
                "the record has no compiledRelease and its releases are only links; nothing to read",
                "ask the publisher for a record package with compiled releases, or load the releases"),
    ProblemType("currency-invalid", "error", "Currency not valid", "{value!r} is not an ISO 4217 currency code"),
    ProblemType("buyer-not-in-registry", "warning", "Buyer not in the registry",
                "{value!r} is not a body in the organisation registry; kept as the buyer's name, org_id left blank",
                "if it is a UK public body, add it (or this name as an alias) in an organisations file"),
    ProblemType("buyer-missing", "error", "Buyer missing",
                "the release names no buyer, and no other release of its ocid in this file does",
                "another release of the same ocid names it: load the record package, or the releases together"),
    ProblemType("currency-missing", "warning", "Currency missing",
                "the amount {value!r} has no currency; kept as published, no sterling value"),
    ProblemType("value-not-read", "warning", "Value not read",
                "{value!r} is not {detail}; left blank, the row kept", "a secondary field: the rest of the row holds"),
    ProblemType("dates-reversed", "warning", "End before start", "the end date {value!r} is before the start {detail}"),
    ProblemType("ocds-tender-only", "structural", "Release without an award",
                "a planning or tender release: no award or contract to record{detail}"),
    ProblemType("ocds-release-superseded", "structural", "Release restated later",
                "every award and contract in this release is restated by a later release of the same ocid{detail}"),
]

PROBLEM_TYPES: dict[str, ProblemType] = {t.code: t for t in _TYPES}


@dataclass
class Problem:
    """One problem at one place: the same record in the CLI, the API and the book."""

    code: str
    line: int | None = None
    column_name: str | None = None
    column_number: int | None = None
    value: str | None = None
    detail: str = ""
    path: str = ""
    raw_row: list[str] | None = field(default=None, repr=False)
    text: str = ""  # a complete message that replaces the template (file-level rejections)

    @property
    def type(self) -> ProblemType:
        return PROBLEM_TYPES[self.code]

    @property
    def severity(self) -> Severity:
        return self.type.severity

    @property
    def message(self) -> str:
        if self.text:
            return self.text
        detail = f" ({self.detail})" if self.detail and self.code in _PAREN_DETAIL else self.detail
        text = self.type.template.format(value=self.value, detail=detail)
        if self.column_name and self.severity in ("error", "warning"):
            text = f"column {self.column_name!r}: {text}"
        return text

    def location(self) -> str:
        parts = [self.path or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column_number is not None:
                parts.append(str(self.column_number))
        return ":".join(parts)

    def render(self) -> str:
        """file:line:column code message — the one-line form every face prints."""
        hint = f" — {self.type.hint}" if self.type.hint and self.severity == "file" and not self.text else ""
        return f"{self.location()} {self.code} {self.message}{hint}"

    def as_dict(self) -> dict:
        return {
            "path": self.path, "line": self.line, "column_name": self.column_name,
            "column_number": self.column_number, "code": self.code,
            "severity": self.severity, "value": self.value, "message": self.message,
        }


# Codes whose detail reads as a parenthetical after the value ("… is not a date (hint)").
_PAREN_DETAIL = {"amount-not-a-number", "date-invalid", "totals-row"}


def catalogue_markdown() -> str:
    """The problem catalogue as Markdown: docs/problems.md is this text, checked by a test."""
    sections = {"file": "File rejected", "error": "Row quarantined", "warning": "Row accepted with a flag",
                "structural": "Structural row (never a record)"}
    lines = ["# Problem codes", "",
             "Generated from `openbook.ingest.problems`; codes are stable and never change meaning.", ""]
    for severity, title in sections.items():
        lines += [f"## {title}", "", "| code | title | message | what to do |", "|---|---|---|---|"]
        for problem in _TYPES:
            if problem.severity == severity:
                message = problem.template.replace("{value!r}", "'…'").replace("{value}", "…")
                message = message.replace("{detail}", "…").replace("|", "\\|")
                lines.append(f"| `{problem.code}` | {problem.title} | {message} | {problem.hint} |")
        lines.append("")
    return "\n".join(lines)
