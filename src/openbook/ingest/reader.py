"""Streaming rows out of CSV and XLSX files with their physical line numbers.

The line number is where the record starts in the file (as a text editor or spreadsheet shows
it), so a quarantined row can be found by hand; a quoted cell spanning lines keeps the number of
its first line.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

from python_calamine import CalamineWorkbook

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

Cell = str | float | int | date | datetime | bool | None


def iter_csv(path: Path, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        start = 1
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1


def iter_xlsx(path: Path, sheet: int | None = None) -> Iterator[tuple[int, list[Cell]]]:
    """Rows of one sheet; line numbers are sheet row numbers, counting leading blank rows."""
    workbook = CalamineWorkbook.from_path(str(path))
    target = workbook.get_sheet_by_index(sheet or 0)
    first_row = (target.start or (0, 0))[0]
    for offset, cells in enumerate(target.iter_rows()):
        yield first_row + offset + 1, [_clean(c) for c in cells]


def xlsx_sheet_names(path: Path) -> list[str]:
    return list(CalamineWorkbook.from_path(str(path)).sheet_names)


def _clean(cell: Cell) -> Cell:
    if isinstance(cell, time):
        return cell.isoformat()
    return cell


def cell_text(cell: Cell) -> str:
    """The text a publisher would see in the cell, for quarantine and messages."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ") if cell.time() != time(0) else cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)
