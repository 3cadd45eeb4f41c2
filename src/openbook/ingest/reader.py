"""Streaming rows out of CSV files and workbooks (XLSX, XLS, ODS) with their physical line numbers.

The line number is where the record starts in the file (as a text editor or spreadsheet shows
it), so a quarantined row can be found by hand; a quoted cell spanning lines keeps the number of
its first line.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from datetime import date, datetime, time
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from python_calamine import CalamineWorkbook

# A cell may be as long as the file: publishers paste whole documents into a description.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
ARROW_BLOCK = 1 << 22

Cell = str | float | int | date | datetime | bool | None


def iter_csv(path: Path, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        start = 1
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1


def iter_xlsx(path: Path, sheet: int | None = None) -> Iterator[tuple[int, list[Cell]]]:
    """Rows of one sheet of any workbook calamine reads (XLSX, XLS, ODS); line numbers are sheet
    row numbers, counting leading blank rows."""
    workbook = CalamineWorkbook.from_path(str(path))
    target = workbook.get_sheet_by_index(sheet or 0)
    first_row = (target.start or (0, 0))[0]
    for offset, cells in enumerate(target.iter_rows()):
        yield first_row + offset + 1, [_clean(c) for c in cells]


_LAYOUT_SPACE = re.compile(r"[ \t]*[\r\n][\s]*")


class _TableRows(HTMLParser):
    """The cells of every <tr> of a page, each row with the line its <tr> starts on."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[int, list[str]]] = []  # rows ended so far
        self._row: list[str] | None = None
        self._row_line = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "tr":
            self._end_row()
            self._row, self._row_line = [], self.getpos()[0]
        elif tag in ("td", "th") and self._row is not None:
            self._end_cell()
            self._cell = []
            span = next((v for k, v in attrs if k == "colspan" and v and v.isdigit()), "1")
            self._row.extend([""] * (min(int(span), 1000) - 1))  # the cell's text goes in its last column
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._end_cell()
        elif tag in ("tr", "table"):
            self._end_row()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def _end_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            # A line break in the page's source is layout, not text; spaces written in the cell are kept.
            self._row.append(_LAYOUT_SPACE.sub(" ", "".join(self._cell)).strip())
        self._cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self._row is not None:
            self.rows.append((self._row_line, self._row))
        self._row = None


def iter_html_table(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """Rows of the tables of a web page saved as a spreadsheet, with the line each row starts on."""
    parser = _TableRows()
    with open(path, encoding=encoding, errors="replace") as fh:
        while chunk := fh.read(1 << 20):
            parser.feed(chunk)
            yield from parser.rows
            parser.rows.clear()
    parser.close()
    parser._end_row()  # a last row left open
    yield from parser.rows


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


def arrow_block_size(scan) -> int:
    """Arrow's read block for a file: at least twice its longest line, which must fit in one block."""
    return max(ARROW_BLOCK, 2 * scan.longest_line)


def iter_csv_arrow(path: Path, encoding: str, delimiter: str, first_line: int, width: int,
                   block_size: int = ARROW_BLOCK) -> Iterator[tuple[pa.RecordBatch, np.ndarray, list[tuple[int, list[str]]]]]:
    """Batches of the data lines from `first_line` on, each with the physical line of every row.

    Only for files without quoted line breaks, where one line is one row. Rows of the wrong
    width come back separately (split by Python's csv module) with their own line numbers, so
    the line of every other row follows from counting past them.
    """
    skipped: list[tuple[int, str]] = []

    def wrong_width(row) -> str:
        skipped.append((row.number, row.text))
        return "skip"

    names = [f"c{i}" for i in range(width)]
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(skip_rows=first_line - 1, column_names=names, use_threads=False,
                                       block_size=block_size,
                                       encoding="utf8" if encoding in {"utf-8", "utf-8-sig"} else encoding),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=False, ignore_empty_lines=False,
                                         invalid_row_handler=wrong_width),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    line, taken = first_line, 0
    for batch in reader:
        lines = np.empty(batch.num_rows, dtype=np.int64)
        filled = 0
        slow: list[tuple[int, list[str]]] = []
        while filled < batch.num_rows:
            next_skip = skipped[taken][0] if taken < len(skipped) else None
            run = batch.num_rows - filled if next_skip is None else min(batch.num_rows - filled, next_skip - line)
            lines[filled:filled + run] = np.arange(line, line + run)
            filled += run
            line += run
            if filled < batch.num_rows:
                slow.append(_split_text(skipped[taken], delimiter))
                taken += 1
                line += 1
        yield batch, lines, slow
    rest = [_split_text(row, delimiter) for row in skipped[taken:]]
    if rest:
        yield pa.RecordBatch.from_pydict({n: pa.array([], pa.string()) for n in names}), np.empty(0, np.int64), rest


def _split_text(row: tuple[int, str], delimiter: str) -> tuple[int, list[str]]:
    number, text = row
    return number, next(csv.reader([text], delimiter=delimiter), [])
