"""Recognising what a published file is before reading it: format, encoding, delimiter.

Publishers name files freely (an Excel binary called `.csv`, a CSV called `.txt`), so the
bytes decide, not the extension.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_ODS = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"
_CHUNK = 1 << 22
_LINE_CAP = 1 << 20
DELIMITERS = (",", ";", "\t", "|")


# What a file's name says it is; a name not here (".dat", none) claims nothing.
NAMED_FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls",
                 ".ods": "ods", ".json": "json", ".htm": "html", ".html": "html"}
FORMAT_TITLES = {"csv": "text (CSV)", "xlsx": "an Excel workbook (XLSX)", "xls": "an Excel 97 workbook (XLS, BIFF)",
                 "ods": "an OpenDocument spreadsheet (ODS)", "json": "JSON", "html": "an HTML table (a web page)"}
_HTML = (b"<!doctype html", b"<html", b"<table")


def named_format(path: Path) -> str | None:
    """The format the file's name claims, or None when the name claims none."""
    return NAMED_FORMATS.get(path.suffix.lower())


def sniff_format(path: Path) -> str:
    """One of 'csv', 'xlsx', 'xls', 'ods', 'json', 'html', 'empty'."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    wide = utf16_encoding(head)
    if wide:
        head = head.decode(wide, errors="replace").encode("utf-8")
    if not head.strip(b" \t\r\n\x00"):
        return "empty"
    if head.startswith(_OLE2):
        return "xls"
    if head.startswith(_ZIP):
        # An OpenDocument package names its type in an uncompressed first member (ODF 1.2, 3.3).
        return "ods" if _ODS in head[:200] else "xlsx"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").lstrip("\ufeff".encode()).startswith((b"{", b"[")):
        return "json"
    if _is_html(head):
        return "html"
    return "csv"


def _is_html(head: bytes) -> bool:
    """A web page saved as a spreadsheet ("Save as Excel" from many reporting systems writes HTML)."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(_HTML)


def utf16_encoding(head: bytes) -> str | None:
    """'utf-16' (with a byte-order mark), 'utf-16-le' or 'utf-16-be', or None for other text.

    Spreadsheets save "Unicode text" as UTF-16, not always with a BOM; without one, the NULs
    that pad ASCII characters give it away: in the odd bytes for little-endian, the even for big.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = head[:4096 - len(head) % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    zeros_even, zeros_odd = even.count(0), odd.count(0)
    if zeros_odd >= 0.6 * len(odd) and zeros_even <= 0.05 * len(even):
        return "utf-16-le"
    if zeros_even >= 0.6 * len(even) and zeros_odd <= 0.05 * len(odd):
        return "utf-16-be"
    return None


def single_byte_encoding(path: Path) -> str:
    """'cp1252', what UK spreadsheets save as 'CSV', or 'latin-1' when cp1252 cannot decode it."""
    # cp1252 leaves five bytes undefined; latin-1 maps every byte, so it is the last resort.
    with open(path, "rb") as fh:
        try:
            while chunk := fh.read(_CHUNK):
                chunk.decode("cp1252")
        except UnicodeDecodeError:
            return "latin-1"
    return "cp1252"


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the sample's lines most consistently into several cells.

    The sample is split as the csv module reads a file: a delimiter inside quotes does not count,
    and lines may end in CR, LF or CRLF, mixed. A tie goes to the first of DELIMITERS (comma).
    """
    best, best_score = ",", -1
    for delimiter in DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
                      if any(cell.strip() for cell in row)]
        except csv.Error:  # a quote left open at the sample's end
            continue
        if not counts:
            continue
        widest = max(set(counts), key=lambda n: (counts.count(n), n))
        score = counts.count(widest) if widest > 1 else 0
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_sample(path: Path, encoding: str, lines: int = 60) -> str:
    """The first lines of a text file (CR, LF and CRLF each end one), at most 1 MiB of each."""
    out = []
    with open(path, encoding=encoding, newline="", errors="replace") as fh:
        for _ in range(lines):
            line = fh.readline(_LINE_CAP)
            if not line:
                break
            out.append(line)
    return "".join(out).lstrip("\ufeff")
