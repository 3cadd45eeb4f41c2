"""Rows to bytes: per-file lookup tables, a CSV sink that controls every byte, an XLSX sink.

The csv module cannot write what publishers write (a padded title line, a cp1252 '£', a BOM
only once), and it is slow for 100M rows, so CSV lines are joined from pre-escaped cells.
openpyxl stamps the current time into docProps/core.xml and into every zip entry, so each
XLSX is re-packed with fixed times to keep a seeded run byte-identical.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
import zipfile
from pathlib import Path

import numpy as np

from . import vocab
from .dialects import Style, date_strings, format_amounts, invalid_date, month_days, not_a_number

_FIXED_TIME = (2024, 1, 1, 0, 0, 0)
_FIXED_ISO = "2024-01-01T00:00:00Z"


def open_sink(path: Path, style: Style, fmt: str, sheet: str):
    return XlsxSink(path, style, sheet) if fmt == "xlsx" else CsvSink(path, style)


class CsvSink:
    def __init__(self, path: Path, style: Style):
        self.style = style
        self.sep, self.eol = style.delimiter, style.eol
        self.ncols = len(style.dialect.columns)
        self.encoding = "utf-8" if style.encoding == "utf-8-sig" else style.encoding
        self.f = open(path, "wb")
        if style.encoding == "utf-8-sig":
            self.f.write(b"\xef\xbb\xbf")  # BOM once, not per chunk
        self.lines = 0
        self.esc = _escaper(style)

    def structural(self, cells: list[str], pad: bool = True) -> None:
        """A title, header, totals or note line; padded with delimiters when the body pads."""
        cells = list(cells)
        if pad and self.style.pad_structural:
            cells += [""] * (self.ncols - len(cells))
        text = self.sep.join(self.esc(c) if c else "" for c in cells)
        self.write_rows([text])

    def blank_line(self) -> str:
        return self.sep * (self.ncols - 1) if self.style.pad_structural else ""

    def write_blank(self) -> None:
        self.write_rows([self.blank_line()])

    def write_rows(self, lines: list[str]) -> None:
        if lines:
            self.f.write((self.eol.join(lines) + self.eol).encode(self.encoding))
            self.lines += len(lines)

    def close(self) -> None:
        self.f.close()


class XlsxSink:
    def __init__(self, path: Path, style: Style, sheet_title: str):
        from openpyxl import Workbook

        self.path = path
        self.wb = Workbook(write_only=True)
        created = dt.datetime(2024, 1, 1)
        self.wb.properties.created = created
        self.wb.properties.creator = "openbook synth"
        self.ws = self.wb.create_sheet(sheet_title)
        self.lines = 0

    def structural(self, cells: list, pad: bool = True) -> None:
        self.ws.append([c if c != "" else None for c in cells])
        self.lines += 1

    def blank_line(self) -> list:
        return []

    def write_blank(self) -> None:
        self.write_rows([[]])

    def write_rows(self, rows: list[list]) -> None:
        append = self.ws.append
        for r in rows:
            append(r)
        self.lines += len(rows)

    def close(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        self.wb.save(tmp)
        repack_zip(tmp, self.path)
        os.remove(tmp)


_MODIFIED = re.compile(rb"(<dcterms:(?:modified|created)[^>]*>)[^<]*(</dcterms:)")


def repack_zip(src: Path, dst: Path) -> None:
    """Copy a zip with fixed entry times and a fixed docProps timestamp."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + _FIXED_ISO.encode() + rb"\g<2>", data)
            out = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            out.compress_type = zipfile.ZIP_DEFLATED
            out.external_attr = 0o600 << 16
            zout.writestr(out, data)


class FileRenderer:
    """Per-file lookup tables (already escaped for CSV) and the renderers that use them."""

    def __init__(self, bw, year: int, month: int, fmt: str):
        st, b, tab = bw.style, bw.b, bw.table
        self.fmt, self.st, self.year = fmt, st, year
        self.xlsx = fmt == "xlsx"
        q = f"Q{(month - 4) % 12 // 3 + 1}"
        fy0 = year if month >= 4 else year - 1
        fields = dict(m=calendar.month_name[month], y=year, q=q, fy=f"{fy0}/{(fy0 + 1) % 100:02d}",
                      d="07", mn=f"{month:02d}")
        desc = [t.format(**fields) for cat in vocab.CATEGORIES for t in vocab.DESCRIPTIONS[cat]]
        esc = (lambda s: s) if self.xlsx else _escaper(st)
        self.esc = esc
        arr = lambda xs: np.array([esc(x) for x in xs], dtype=object)  # noqa: E731
        self.desc = arr(desc)
        self.etype, self.egroup, self.ecode = arr(tab.labels), arr(tab.groups), arr(tab.codes)
        self.caprev = arr(["Capital" if c else "Revenue" for c in tab.capital])
        self.area = arr(bw.areas)
        self.division, self.unit = arr(vocab.LOCAL_DIVISIONS), arr(vocab.LOCAL_UNITS)
        self.const = {"entity": esc(b.display_name), "family": esc(b.family_name),
                      "body_uri": esc(f"https://synth.openbook.invalid/id/{b.org_id}"),
                      "irrvat": esc(bw.irrvat)}
        if self.xlsx:
            days = range(1, month_days(year, month) + 1)
            self.date = np.array([dt.date(year, month, d) for d in days], dtype=object)
            self.names = bw.names
        else:
            self.date = arr(date_strings(year, month, st.date_style))
            if bw.names_csv is None:
                bw.names_csv = escape_array(bw.names, st)
            self.names = bw.names_csv
            self.wrap = st.quote_all
            sample = format_amounts(np.array([-123456789]), st.amount_style)[0]
            self.amount_quoted = st.quote_all or st.delimiter in sample

    def _amounts(self, pence: np.ndarray) -> list:
        if self.xlsx:
            return (pence / 100).tolist()
        out = format_amounts(pence, self.st.amount_style)
        if self.st.quote_all:
            out = ['"' + s + '"' for s in out]
        elif self.amount_quoted:  # only cells holding the delimiter, as Excel does
            sep = self.st.delimiter
            out = ['"' + s + '"' if sep in s else s for s in out]
        return out

    def totals_row(self, total: int) -> list:
        cells: list = ["Total"] + [""] * (len(self.st.dialect.columns) - 1)
        i = self.st.dialect.index("amount")
        cells[i] = total / 100 if self.xlsx else format_amounts(np.array([total]), self.st.amount_style)[0]
        return cells

    def render(self, ch, bw) -> list:
        pool, k = bw.run.pool, len(ch.sup)
        sup = ch.sup
        wrap = (lambda xs: ['"' + x + '"' for x in xs]) if (not self.xlsx and self.wrap) else (lambda xs: xs)
        cols = []
        for _label, f in self.st.dialect.columns:
            if f in self.const:
                col = [self.const[f]] * k
            elif f == "date":
                col = self.date[ch.day].tolist()
            elif f == "amount":
                col = self._amounts(ch.amount)
            elif f == "supplier":
                col = self.names[sup].tolist()
                for j, s in ch.name_over.items():
                    col[j] = self.esc(s)
            elif f == "txn":
                col = wrap(ch.txn)
            elif f == "etype":
                col = self.etype[ch.etype].tolist()
            elif f == "egroup":
                col = self.egroup[ch.etype].tolist()
            elif f == "ecode":
                col = self.ecode[ch.etype].tolist()
            elif f == "caprev":
                col = self.caprev[ch.etype].tolist()
            elif f == "area":
                col = self.area[ch.area].tolist()
            elif f == "division":
                col = self.division[(ch.area + ch.etype) % len(self.division)].tolist()
            elif f == "unit":
                col = self.unit[(sup * 7 + ch.area) % len(self.unit)].tolist()
            elif f == "desc":
                col = self.desc[ch.desc].tolist()
            elif f == "postcode":
                col = wrap(pool.postcode[sup].tolist())
            elif f == "vat":
                col = wrap(pool.vat[sup].tolist())
            elif f == "supplier_id":
                col = wrap(list(map(str, (sup + bw.vendor_base).tolist())))
            elif f == "contract":  # a fifth of suppliers are on a contract
                col = wrap(np.where(sup % 5 == 0, _CONTRACTS[sup * 37 % 100_000 // 5], "").tolist())
            else:
                raise KeyError(f)
            cols.append(col)
        idx = {f: i for i, (_l, f) in enumerate(self.st.dialect.columns)}
        for j, (field, code, pick) in ch.bad.items():
            cols[idx[field]][j] = self._bad_value(field, code, pick, int(ch.amount[j]))
        if self.xlsx:
            return [list(r) for r in zip(*cols)]
        return list(map(self.st.delimiter.join, zip(*cols)))

    def _bad_value(self, field: str, code: str, pick: int, pence: int):
        if code.endswith("-missing"):
            return None if self.xlsx else self.esc("")
        if code == "date-invalid":
            return self.esc(invalid_date("cell" if self.xlsx else self.st.date_style, self.year, pick))
        written = format_amounts(np.array([pence]), "thousands" if self.xlsx else self.st.amount_style)[0]
        return self.esc(not_a_number(written, pick))


def _escaper(st: Style):
    sep = st.delimiter
    if st.quote_all:
        return lambda s: '"' + s.replace('"', '""') + '"'
    return lambda s: '"' + s.replace('"', '""') + '"' if (sep in s or '"' in s) else s


_CONTRACTS = np.array([f"CT{i * 5:05d}" for i in range(20_000)], dtype=object)


def escape_array(names: np.ndarray, st: Style) -> np.ndarray:
    """CSV-escape an object array of names; only the few holding a delimiter or quote change."""
    esc = _escaper(st)
    if st.quote_all:
        return np.array([esc(s) for s in names], dtype=object)
    text = names.astype(np.dtypes.StringDType())
    need = (np.strings.find(text, st.delimiter) >= 0) | (np.strings.find(text, '"') >= 0)
    out = names.copy()
    for i in np.flatnonzero(need).tolist():
        out[i] = esc(out[i])
    return out
