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
_CHUNK = 1 << 22


def sniff_format(path: Path) -> str:
    """One of 'csv', 'xlsx', 'xls', 'json', 'empty'."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if not head.strip():
        return "empty"
    if head.startswith(_OLE2):
        return "xls"
    if head.startswith(_ZIP):
        return "xlsx"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        return "json"
    return "csv"


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
    """The delimiter that splits the sample's lines most consistently into several cells."""
    best, best_score = ",", -1
    for delimiter in (",", ";", "\t", "|"):
        counts = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if any(row)]
        if not counts:
            continue
        widest = max(set(counts), key=lambda n: (counts.count(n), n))
        score = counts.count(widest) if widest > 1 else 0
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_sample(path: Path, encoding: str, lines: int = 60) -> str:
    out = []
    with open(path, encoding=encoding, newline="", errors="replace") as fh:
        for _, line in zip(range(lines), fh):
            out.append(line)
    return "".join(out)
