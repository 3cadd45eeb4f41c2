"""Real tuning-half publications, rewritten in ways a publisher might: the accepted rows must not change.

Two sets of cases, both from the tuning half of tests/data/publisher-split.csv:
- every distinct spend header of files.csv, with the first rows of one file that carries it;
- a fixed-seed sample of spend files (their first rows, so that the test stays quick).
Each case is first written plainly (UTF-8, commas, CRLF, header on line 1) and loaded; then each
rewrite of the same rows must give the same accepted rows — count, pence total, supplier names
and dates — and never raise. One test per kind of rewrite, so each passes or fails on its own.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from openbook.ingest import ingest_file
from openbook.ingest.base import Collected

HEADER_CASE_ROWS = 25
SAMPLE_FILES = 20
SAMPLE_ROWS = 100
SEED = 20151


@dataclass
class Case:
    name: str
    org: str | None
    rows: list[list[str]]  # the header first, then the data rows


# -- reading the real files plainly -----------------------------------------------------------

def _text(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _cells(row: list[str]) -> list[str]:
    return [cell.strip() for cell in row]


def _case(shared_data: Path, manifest_row: dict[str, str], limit: int) -> Case | None:
    """The header files.csv names and the first `limit` non-blank rows after it, or None if not found."""
    text = _text(shared_data / manifest_row["local_path"])
    wanted = [c.strip() for c in manifest_row["header"].split(" | ")]
    for delimiter in (",", ";", "\t", "|"):
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        for at, row in enumerate(rows[:50]):
            if _cells(row)[:len(wanted)] == wanted and not any(_cells(row)[len(wanted):]):
                body = [r for r in rows[at + 1:] if any(c.strip() for c in r)][:limit]
                return Case(manifest_row["local_path"], manifest_row["publisher"] or None, [row, *body])
    return None


def _spend(rows):
    """Spend files with a text header (an Excel binary saved as .csv has none to rewrite)."""
    return [r for r in rows if ("spend" in r["kind"] or "procurement card" in r["kind"]) and r["header"]
            and r["header"].isprintable()]


@pytest.fixture(scope="module")
def cases(shared_data, publisher_split) -> list[Case]:
    tuning = _spend(publisher_split["tuning"])
    by_header: dict[str, dict[str, str]] = {}
    for row in sorted(tuning, key=lambda r: r["local_path"]):
        by_header.setdefault(row["header"], row)
    found = [_case(shared_data, row, HEADER_CASE_ROWS) for row in by_header.values()]
    # Every distinct header is found in its file; a miss would silently shrink the test.
    assert [row["header"] for row, case in zip(by_header.values(), found) if case is None] == []
    sample = random.Random(SEED).sample(sorted(tuning, key=lambda r: r["local_path"]), SAMPLE_FILES)
    found += [_case(shared_data, row, SAMPLE_ROWS) for row in sample]
    assert len(by_header) > 80 and all(found)
    return found


# -- what the book accepts ---------------------------------------------------------------------

def accepted(path: Path, org: str | None) -> tuple:
    collected = Collected()
    report = ingest_file(None, path, org=org, collect=collected)
    collected.compact()
    table = collected.spend
    if report.status == "rejected" or table is None:
        return (report.status, report.rejection.code if report.rejection else None)
    rows = table.select(["amount_gbp", "supplier_name", "paid_on"]).to_pylist()
    return (report.accepted, sum(r["amount_gbp"] for r in rows),
            Counter(r["supplier_name"] for r in rows), Counter(r["paid_on"] for r in rows))


def write_plain(path: Path, rows: list[list[str]], *, delimiter=",", newline="\r\n", encoding="utf-8") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


# -- the rewrites ------------------------------------------------------------------------------

_NUMBER = re.compile(r"^-?£?\s*-?[\d,]*\.?\d+$")
_DATE = re.compile(r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}$|^\d{1,2}[ -][A-Za-z]{3,9}[ -]\d{2,4}$")


def _column_kind(rows: list[list[str]], position: int) -> str:
    values = [r[position].strip() for r in rows[1:] if position < len(r) and r[position].strip()]
    if values and all(_NUMBER.match(v) for v in values):
        return "number"
    if values and all(_DATE.match(v) for v in values):
        return "date"
    return "text"


def numbered(rows):
    """`1 Department Family`, `2 Entity`, …: every named column numbered in order."""
    return [[f"{i} {cell.strip()}" if cell.strip() else cell for i, cell in enumerate(rows[0], 1)], *rows[1:]]


ANNOTATION = {"number": " (£)", "date": " (dd/mm/yyyy)", "text": " [text]"}


def annotated(rows):
    """A type or unit suffix on each named column, chosen from the column's own values."""
    return [[f"{cell.strip()}{ANNOTATION[_column_kind(rows, i)]}" if cell.strip() else cell
             for i, cell in enumerate(rows[0])], *rows[1:]]


def _amount_column(rows) -> int:
    numeric = [i for i in range(len(rows[0])) if _column_kind(rows, i) == "number"]
    named = [i for i in numeric if re.search(r"amount|value|£|sterling|total|net", rows[0][i], re.I)]
    return (named or numeric or [len(rows[0]) - 1])[-1 if not named else 0]


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text.replace("£", "").replace(",", "").strip() or 0)
    except InvalidOperation:
        return Decimal(0)


def titled(rows):
    """Two title lines and a blank line above the header, as many councils publish."""
    width = len(rows[0])
    return [["Payments to suppliers"] + [""] * (width - 1), ["Published by the body named in the file"]
            + [""] * (width - 1), [""] * width, *rows]


def totalled(rows):
    """A blank line and a total of the amount column after the last row."""
    width, at = len(rows[0]), _amount_column(rows)
    total = [""] * width
    total[0 if at else width - 1] = "Total"
    total[at] = f"{sum(_decimal(r[at]) for r in rows[1:] if at < len(r)):.2f}"
    return [*rows, [""] * width, total]


def _typed(rows):
    """Each cell as a spreadsheet holds it: numbers (after the header) as numbers, everything else as text."""
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            plain = cell.strip().replace(",", "")
            yield r, c, float(plain) if r and re.fullmatch(r"-?\d+(\.\d+)?", plain) else cell


def write_xls(path: Path, rows, suffix: str = ".xls") -> Path:
    """A legacy Excel (BIFF) workbook, saved under `suffix`."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Sheet1")
    for r, c, value in _typed(rows):
        sheet.write(r, c, value)
    book.save(str(path.with_suffix(".xls")))
    return path.with_suffix(".xls").rename(path.with_suffix(suffix))


def write_xlsx(path: Path, rows, suffix: str = ".xlsx") -> Path:
    """An Excel (XLSX) workbook, saved under `suffix`."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for r, c, value in _typed(rows):
        sheet.cell(row=r + 1, column=c + 1, value=value)
    book.save(str(path.with_suffix(".xlsx")))
    return path.with_suffix(".xlsx").rename(path.with_suffix(suffix))


def write_html(path: Path, rows, suffix: str = ".xls") -> Path:
    """A web page with one table, as reporting systems "export to Excel", saved under `suffix`."""
    from html import escape

    body = "\n".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    page = f"<html><head><meta charset='utf-8'></head><body>\n<table>\n{body}\n</table>\n</body></html>\n"
    path = path.with_suffix(suffix)
    path.write_text(page, encoding="utf-8")
    return path


REWRITES = {
    "numbered-headers": lambda p, rows: write_plain(p, numbered(rows)),
    "annotated-headers": lambda p, rows: write_plain(p, annotated(rows)),
    "semicolon": lambda p, rows: write_plain(p, rows, delimiter=";"),
    "tab": lambda p, rows: write_plain(p.with_suffix(".tsv"), rows, delimiter="\t"),
    "pipe": lambda p, rows: write_plain(p, rows, delimiter="|"),
    "cr-endings": lambda p, rows: write_plain(p, rows, newline="\r"),
    "utf-16-bom": lambda p, rows: write_plain(p, rows, encoding="utf-16"),
    "utf-16-no-bom": lambda p, rows: write_plain(p, rows, encoding="utf-16-le"),
    "xls": write_xls,
    "xls-named-csv": lambda p, rows: write_xls(p, rows, ".csv"),
    "xlsx-named-csv": lambda p, rows: write_xlsx(p, rows, ".csv"),
    "html-named-xls": write_html,
    "title-rows": lambda p, rows: write_plain(p, titled(rows)),
    "total-rows": lambda p, rows: write_plain(p, totalled(rows)),
}


@pytest.fixture(scope="module")
def originals(cases, tmp_path_factory) -> list[tuple]:
    folder = tmp_path_factory.mktemp("originals")
    results = [accepted(write_plain(folder / f"{n}.csv", case.rows), case.org) for n, case in enumerate(cases)]
    # The plain copies load: otherwise a rewrite could "match" by being rejected just the same.
    assert sum(isinstance(r[0], int) and r[0] > 0 for r in results) >= 0.95 * len(results)
    return results


@pytest.mark.parametrize("kind", REWRITES)
def test_a_rewritten_publication_gives_the_same_accepted_rows(kind, cases, originals, tmp_path):
    differ, outcomes = {}, Counter()
    for n, (case, original) in enumerate(zip(cases, originals)):
        if not isinstance(original[0], int):
            continue
        path = REWRITES[kind](tmp_path / f"{n}.csv", case.rows)
        try:
            rewritten = accepted(path, case.org)
        except Exception as exc:  # noqa: BLE001 - a crash is reported with the case that caused it
            rewritten = ("raised", f"{type(exc).__name__}: {exc}")
        if rewritten != original:
            differ[f"{n}: {case.name}"] = (original[:2], rewritten[:2])
            outcomes[rewritten[:2] if isinstance(rewritten[0], str) else "other rows"] += 1
    assert differ == {}, f"{len(differ)} of {len(cases)} differ: {dict(outcomes)}"
