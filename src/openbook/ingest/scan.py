"""One pass over a file's bytes: its SHA-256, size, encoding, lines, longest line and quoted line breaks.

Every file is read once here before it is parsed; doing the four checks in the same pass keeps
that read the only one (it was four, a fifth of ingest time on monthly files).
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from openbook.ingest.sniff import utf16_encoding

_CHUNK = 1 << 22
_QUOTE, _NEWLINE = ord('"'), ord("\n")


@dataclass(frozen=True)
class FileScan:
    sha256: str
    size: int
    utf8: bool  # the whole file decodes as UTF-8
    bom: bool  # it starts with a UTF-8 byte-order mark
    lines: int  # physical lines, as Arrow's reader and Python's csv count them (\n-terminated)
    quoted_line_breaks: bool  # some line has an odd number of quotes: a quoted cell spans lines
    bare_cr: bool  # some line ends in a lone \r (old Mac files), which \n-counting would miss
    utf16: str | None = None  # 'utf-16' (with BOM), 'utf-16-le' or 'utf-16-be': two bytes a character
    longest_line: int = 0  # bytes in the longest \n-terminated line

    @property
    def one_line_one_row(self) -> bool:
        """Whether Arrow's reader, which cannot report lines, may read the data rows.

        Not for UTF-16 either: the byte counts of quotes and line ends above assume ASCII is one byte.
        """
        return not self.quoted_line_breaks and not self.bare_cr and self.utf16 is None

    @property
    def encoding(self) -> str | None:
        """'utf-16…', 'utf-8-sig' or 'utf-8' when the bytes say so; None means a single-byte code page."""
        if self.utf16:
            return self.utf16
        return ("utf-8-sig" if self.bom else "utf-8") if self.utf8 else None


def scan_file(path: Path) -> FileScan:
    digest, size, lines = hashlib.sha256(), 0, 0
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, broken, carry, bom, last, bare_cr = True, False, 0, False, b"", False
    utf16, longest, line_start = None, 0, 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            if size == 0:
                bom = chunk.startswith(codecs.BOM_UTF8)
                utf16 = utf16_encoding(chunk[:4096])
            digest.update(chunk)
            size += len(chunk)
            last = chunk
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            if not bare_cr and chunk.count(b"\r") != chunk.count(b"\r\n"):
                bare_cr = True  # may also be a \r\n split across chunks: then Python reads it, no harm
            data = np.frombuffer(chunk, dtype=np.uint8)
            ends = np.flatnonzero(data == _NEWLINE)
            if len(ends):
                starts = np.concatenate(([line_start - size + len(chunk)], ends[:-1] + 1))
                longest = max(longest, int((ends + 1 - starts).max()))
                line_start = size - len(chunk) + int(ends[-1]) + 1
            lines += len(ends)
            if not broken:
                broken, carry = _quoted_break(data, ends, carry)
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if last and not last.endswith(b"\n"):
        lines += 1
        broken = broken or carry % 2 == 1
    longest = max(longest, size - line_start)
    return FileScan(digest.hexdigest(), size, utf8, bom, lines, broken, bare_cr, utf16, longest)


def _quoted_break(data: np.ndarray, ends: np.ndarray, carry: int) -> tuple[bool, int]:
    """(a line ending in this chunk holds an odd number of quotes, quotes after its last line end).

    `carry` is the number of quotes on the line the previous chunk left unfinished.
    """
    quotes = np.flatnonzero(data == _QUOTE)
    if not len(ends):
        return False, carry + len(quotes)
    before = np.searchsorted(quotes, ends)  # quotes before each line end
    per_line = np.diff(before + carry, prepend=0)
    return bool((per_line & 1).any()), len(quotes) - int(before[-1])
