"""Publishers' dialects: column layouts, and how each body writes dates, money and references.

Five layouts copy real publications (see shared/data/MANIFEST.md): the central 'spend over
£25,000' template and a titled variant with renamed columns; the Local Government
Transparency Code '£500' layout; the older SeRCOP layout with a URI 'Body' column; and an
NHS trust layout. On top of the layout each body has a fixed *style* (encoding, line ending,
amount and date style, totals row, footer note ...), picked from decks so that the default
24 bodies show every option at least once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from itertools import repeat
from dataclasses import dataclass

import numpy as np

from .bodies import Body


@dataclass(frozen=True)
class Dialect:
    name: str
    columns: tuple[tuple[str, str], ...]  # (header label, field)
    threshold_gbp: int

    @property
    def header(self) -> list[str]:
        return [label for label, _ in self.columns]

    def index(self, field: str) -> int:
        return [f for _, f in self.columns].index(field)


DIALECTS = {
    d.name: d for d in (
        Dialect("central-25k", (
            ("Department Family", "family"), ("Entity", "entity"), ("Date", "date"),
            ("Expense Type", "etype"), ("Expense Area", "area"), ("Supplier", "supplier"),
            ("Transaction Number", "txn"), ("Amount", "amount"), ("Description", "desc"),
        ), 25_000),
        Dialect("central-25k-titled", (
            ("Departmental Family", "family"), ("Entity", "entity"), ("Date of Payment", "date"),
            ("Expense Type", "etype"), ("Expense Area", "area"), ("Supplier", "supplier"),
            ("Supplier Postcode", "postcode"), ("VAT Registration Number", "vat"),
            ("Transaction Number", "txn"), ("Amount in Sterling", "amount"), ("Description", "desc"),
        ), 25_000),
        Dialect("lgtc-500", (
            ("Body Name", "entity"), ("Service Area", "area"), ("Expenses Type", "etype"),
            ("Date Paid", "date"), ("Transaction Number", "txn"), ("Net Amount", "amount"),
            ("Supplier Name", "supplier"), ("Supplier ID", "supplier_id"),
            ("Irrecoverable VAT", "irrvat"), ("Purpose of Spend", "desc"),
        ), 500),
        Dialect("sercop-legacy", (
            ("Body name", "entity"), ("Body", "body_uri"), ("Service Area Categorisation", "area"),
            ("Service Division Categorisation", "division"), ("Responsible Unit", "unit"),
            ("Expenses Type", "egroup"), ("Detailed Expenses Type", "etype"),
            ("Expense Code", "ecode"), ("Narrative", "desc"), ("Date", "date"),
            ("Transaction Number", "txn"), ("Amount", "amount"), ("Supplier Name", "supplier"),
            ("Supplier ID", "supplier_id"), ("Contract ID", "contract"),
            ("Capital/Revenue", "caprev"),
        ), 500),
        Dialect("nhs-trust", (
            ("Trust", "entity"), ("Expense Type", "etype"), ("Expense Area", "area"),
            ("Supplier", "supplier"), ("Date", "date"), ("Transaction Number", "txn"),
            ("AP Amount", "amount"), ("VAT Registration Number", "vat"), ("Description", "desc"),
        ), 25_000),
    )
}
NIL_RETURN = "nil-return"  # dialect name recorded in truth/files.csv for nil-return files

AMOUNT_STYLES = ("gbp", "thousands", "plain", "accounting", "general", "padded")
DATE_STYLES = ("dmy_slash", "dmy_abbr", "dmy_abbr4", "iso", "dmy_long", "serial")
TXN_STYLES = ("num10", "pinv", "eft", "yymm", "num6")


@dataclass
class Style:
    """How one body writes its files; fixed for the body across months."""

    dialect: Dialect
    fmt: str  # 'csv' | 'xlsx'
    encoding: str  # 'utf-8' | 'utf-8-sig' | 'cp1252'
    eol: str
    delimiter: str
    quote_all: bool
    amount_style: str
    date_style: str
    txn_style: str
    preamble_lines: int  # title lines above the header, blank ones included
    pad_structural: bool  # preamble/blank lines padded with delimiters: 'Title,,,,'
    blank_rate: float  # expected blank lines per file inside the data
    totals: bool
    note: str | None
    upper_names: bool  # house style: supplier names upper-cased
    sorted_dates: bool


def _deck(options, i: int, offset: int):
    return options[(i + offset) % len(options)]


def choose_styles(bodies: list[Body], seed: int, xlsx_share: float) -> list[Style]:
    from . import vocab

    rng = np.random.default_rng([seed, 303])
    off = rng.integers(0, 1000, size=16).tolist()
    by_sector: dict[str, list[Body]] = {}
    for b in bodies:
        by_sector.setdefault(b.sector, []).append(b)
    dialect_of: dict[int, str] = {}
    for sector, names in (("central", ("central-25k", "central-25k-titled")),
                          ("local", ("lgtc-500", "sercop-legacy")), ("nhs", ("nhs-trust",))):
        for j, b in enumerate(by_sector.get(sector, [])):
            dialect_of[b.index] = _deck(names, j, off[0])
    # XLSX for a small share of the lighter bodies: openpyxl writes ~40k rows/s.
    n_xlsx = int(round(xlsx_share * len(bodies)))
    light = sorted(bodies, key=lambda b: (b.weight, b.index))[: max(n_xlsx, len(bodies) // 2)]
    xlsx = {b.index for b in sorted(light, key=lambda b: (rng.random(), b.index))[:n_xlsx]}
    # One semicolon body at most (rare in reality): the first local CSV body after the offset.
    locals_csv = [b.index for b in by_sector.get("local", []) if b.index not in xlsx]
    semicolon = locals_csv[off[1] % len(locals_csv)] if len(bodies) >= 8 and locals_csv else -1

    styles = []
    for i, b in enumerate(bodies):
        d = DIALECTS[dialect_of[b.index]]
        central = b.sector != "local"
        amount = _deck(("gbp", "thousands", "general", "plain", "padded") if central
                       else ("plain", "thousands", "accounting", "general", "plain"), i, off[2])
        date = _deck(("dmy_slash", "dmy_abbr", "serial", "dmy_slash", "iso", "dmy_long") if central
                     else ("dmy_slash", "iso", "dmy_abbr4", "dmy_long", "dmy_slash", "serial"), i, off[3])
        if d.name == "central-25k-titled":
            pre = 2 + (i + off[4]) % 3
        elif d.name == "nhs-trust":
            pre = 3 * ((i + off[4]) % 2)
        else:
            pre = 0
        if b.index in xlsx and pre == 0 and (i + off[4]) % 2:
            pre = 1  # a title row above the header, as many spreadsheets have
        styles.append(Style(
            dialect=d,
            fmt="xlsx" if b.index in xlsx else "csv",
            # '£' amounts come from old Excel exports: cp1252, so a UTF-8 reader breaks on them.
            encoding="cp1252" if amount == "gbp" else _deck(
                ("cp1252", "utf-8", "cp1252", "utf-8-sig", "utf-8"), i, off[5]),
            eol=_deck(("\r\n", "\r\n", "\n", "\r\n", "\n"), i, off[6]),
            delimiter=";" if b.index == semicolon else ",",
            quote_all=_deck((False,) * 6 + (True,), i, off[7]),
            amount_style=amount,
            date_style=date,
            txn_style=_deck(TXN_STYLES, i, off[8]),
            preamble_lines=pre,
            pad_structural=_deck((True, False), i, off[9]),
            blank_rate=_deck((0.0, 0.0, 1.0, 0.0, 2.0), i, off[10]),
            totals=_deck((False, True, False) if central else (True, False), i, off[11]),
            note=_deck((None, None, None) + vocab.FOOTER_NOTES, i, off[12]),
            upper_names=_deck((False, False, True), i, off[13]),
            sorted_dates=_deck((True, False), i, off[14]),
        ))
    return styles


# ---- dates -------------------------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)


def month_days(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def date_strings(year: int, month: int, style: str) -> list[str]:
    """The written form of each day of the month (index 0 is the 1st)."""
    mon, month_name = calendar.month_abbr[month], calendar.month_name[month]
    out = []
    for d in range(1, month_days(year, month) + 1):
        if style == "dmy_slash":
            out.append(f"{d:02d}/{month:02d}/{year}")
        elif style == "dmy_abbr":
            out.append(f"{d:02d}-{mon}-{year % 100:02d}")
        elif style == "dmy_abbr4":
            out.append(f"{d:02d}-{mon}-{year}")
        elif style == "iso":
            out.append(f"{year}-{month:02d}-{d:02d}")
        elif style == "dmy_long":
            out.append(f"{d} {month_name} {year}")
        elif style == "serial":
            out.append(str((dt.date(year, month, d) - _EXCEL_EPOCH).days))
        else:
            raise ValueError(style)
    return out


def invalid_date(style: str, year: int, pick: int) -> str:
    """A date that cannot exist, written in the body's own style (or 'N/A')."""
    if pick % 5 == 0 or style == "serial":
        return "N/A"
    return {
        "dmy_slash": f"31/02/{year}", "dmy_abbr": f"30-Feb-{year % 100:02d}",
        "dmy_abbr4": f"31-Feb-{year}", "iso": f"{year}-13-01" if pick % 2 else f"{year}-02-30",
        "dmy_long": f"30 February {year}", "cell": f"31/02/{year}",
    }[style]


# ---- money -------------------------------------------------------------------------------

_PENCE = tuple(f".{i:02d}" for i in range(100))


def format_amounts(pence: np.ndarray, style: str) -> list[str]:
    """Exact text of each amount from integer pence (no floats touch the digits)."""
    a = np.abs(pence)
    pounds, pp = (a // 100).tolist(), (a % 100).tolist()
    if style in ("gbp", "thousands", "accounting", "padded"):
        head = map(format, pounds, repeat(","))
    elif style in ("plain", "general"):
        head = map(str, pounds)
    else:
        raise ValueError(style)
    out = list(map(str.__add__, head, map(_PENCE.__getitem__, pp)))
    if style == "general":  # Excel 'General': 1234.5, 25000
        for i in np.flatnonzero(a % 10 == 0).tolist():
            out[i] = out[i].rstrip("0").rstrip(".")
    elif style == "gbp":
        out = ["£" + s for s in out]
    neg = np.flatnonzero(pence < 0).tolist()
    if style in ("accounting", "padded"):
        for i in neg:
            out[i] = f"({out[i]})"
    else:
        for i in neg:
            out[i] = "-" + out[i]
    if style == "padded":  # Excel accounting format saved as CSV: ' 25,010.00 '
        out = [f" {s} " for s in out]
    return out




def not_a_number(written: str, pick: int) -> str:
    """An amount cell that is not a number: a letter O for a zero/digit, 'TBC' or '#VALUE!'."""
    if pick % 20 < 12:
        for i, ch in enumerate(written):
            if ch.isdigit() and (ch == "0" or i == len(written) - 1 or pick % 3 == 0):
                return written[:i] + "O" + written[i + 1:]
        return written + "O"
    return "TBC" if pick % 20 < 17 else "#VALUE!"


# ---- references --------------------------------------------------------------------------

def format_txns(seq: np.ndarray, style: str, year: int, month: int, month_seq0: int) -> list[str]:
    if style == "num10":
        return list(map(str, (seq + 3_000_000_000).tolist()))
    if style == "pinv":  # PINV/00381628
        return ["PINV/" + x.zfill(8) for x in map(str, (seq % 100_000_000).tolist())]
    if style == "eft":  # EFT8001527
        return ["EFT" + x.zfill(7) for x in map(str, (seq % 10_000_000).tolist())]
    if style == "yymm":  # 2404-00001, restarting each month
        p = f"{year % 100:02d}{month:02d}-"
        return [p + x.zfill(5) for x in map(str, (seq - month_seq0 + 1).tolist())]
    if style == "num6":
        return list(map(str, (seq % 900_000 + 100_000).tolist()))
    raise ValueError(style)


def reference_variant(ref: str, pick: int) -> str:
    """How a re-keyed invoice reference differs: transposed digits, an 'INV' prefix, or a
    dropped separator. A number's last three digits are not transposed: that reads as the
    neighbouring entry of a ledger run, which no scan can tell from a re-keyed reference; the same
    holds for one number with letters around it ('SIV-107635')."""
    number = re.fullmatch(r"[A-Za-z]*\d+[A-Za-z]*", "".join(c for c in ref if c.isalnum())) is not None
    last = max((i for i, c in enumerate(ref) if c.isdigit()), default=0)
    digits = [i for i in range(len(ref) - 1)
              if ref[i].isdigit() and ref[i + 1].isdigit() and ref[i] != ref[i + 1]
              and not (number and i >= last - 3)]
    how = pick % 10
    if how < 5 and digits:
        i = digits[-1 - (pick // 10) % len(digits)]
        return ref[:i] + ref[i + 1] + ref[i] + ref[i + 2:]
    if how < 7 and ("/" in ref or "-" in ref):
        return ref.replace("/", "").replace("-", "")
    return ("INV", "INV-", "INV ")[pick % 3] + ref
