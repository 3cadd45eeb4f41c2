"""The rest of each body's open book: organograms, contracts, systems, processes, cost
registers and grants, written beside the spend files with the truth planted in them.

Every dataset draws from its own streams (`Sector.rng(topic, ...)`, seeded from the run's
seed and a topic name), and nothing here touches the spend generator's streams, so adding
or dropping a dataset never changes another dataset's bytes, and never the spend files'.
Plans are always made for every dataset (they are small and link to each other: a system
names its contract, a cost register uses the body's own pay scales); `datasets` only
decides which files are written.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np

from . import vocab
from .bodies import Body
from .dialects import Style
from .suppliers import FORMS, SupplierPool

DATASETS = ("spend", "organogram", "contracts", "systems", "processes", "cost_registers", "grants")
BAD_RECORD_COLUMNS = ["dataset", "file", "line", "column_name", "code", "value"]
BOOK_FILE_COLUMNS = ["file", "dataset", "org_id", "records", "bad_records", "amount_gbp"]
URI_BASE = "https://synth.openbook.invalid"
PENNY = Decimal("0.01")
_FORM_P = (0.55, 0.2, 0.15, 0.1)  # publisher.FORM_P: the same draw gives the same names


def money(x) -> Decimal:
    return Decimal(x).quantize(PENNY, ROUND_HALF_UP)


def gbp(x) -> str:
    """Pounds as written in the files: plain, two decimals, no separators."""
    return f"{money(x):.2f}"


def check_datasets(datasets) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(datasets))
    unknown = [d for d in chosen if d not in DATASETS]
    if unknown:
        raise ValueError(f"unknown dataset {unknown[0]!r}; choose from {', '.join(DATASETS)}")
    return chosen


@dataclass
class Sheet:
    """One CSV being built: rows as lists of text, problems planted at (row, column)."""

    path: str  # relative to the output folder
    dataset: str
    org_id: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    bad: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # row -> (column, code, value)
    protected: set[int] = field(default_factory=set)  # rows the truth relies on: never spoiled
    amount_column: str | None = None

    def add(self, row: list, protect: bool = False) -> int:
        if len(row) != len(self.header):
            raise AssertionError(f"{self.path}: {len(row)} cells for {len(self.header)} columns")
        self.rows.append(["" if c is None else str(c) for c in row])
        if protect:
            self.protected.add(len(self.rows) - 1)
        return len(self.rows) - 1

    def spoil(self, i: int, column: str, code: str, value: str) -> None:
        self.rows[i][self.header.index(column)] = value
        self.bad[i] = (column, code, value)

    def line(self, i: int) -> int:
        return i + 2  # header on line 1

    def good(self) -> list[dict]:
        return [dict(zip(self.header, r)) for i, r in enumerate(self.rows) if i not in self.bad]

    def write(self, out_dir: Path, lineterminator: str = "\n") -> None:
        path = out_dir / self.path
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator=lineterminator)
            w.writerow(self.header)
            w.writerows(self.rows)


class BodySuppliers:
    """A body's view of the supplier pool, rebuilt exactly as its spend publisher draws it
    (`default_rng([seed, 404, body])`): the names it writes and the firms it pays most."""

    def __init__(self, pool: SupplierPool, seed: int, b: Body, style: Style | None):
        n = len(pool)
        rng = np.random.default_rng([seed, 404, b.index])
        form_idx = rng.choice(FORMS, size=n, p=_FORM_P)
        self.local = rng.permutation(n)
        self.pool, self.form_idx = pool, form_idx
        self.upper = bool(style and style.upper_names)

    def name(self, s: int) -> str:
        name = self.pool.forms[self.form_idx[s], s]
        return name.upper() if self.upper else name

    def favourites(self, category: str, k: int, need_number: bool = False, skip: set | None = None) -> list[int]:
        """Up to `k` of the suppliers this body pays most in `category`, most used first."""
        cat = vocab.CATEGORIES.index(category)
        out: list[int] = []
        seen = set(skip or ())
        for r in range(len(self.pool)):
            for s in (int(self.pool.national[r]), int(self.local[r])):
                if s in seen or self.pool.category[s] != cat:
                    continue
                if need_number and not self.pool.company_number[s]:
                    continue
                seen.add(s)
                out.append(s)
                if len(out) == k:
                    return out
        return out


@dataclass
class Sector:
    """What every dataset needs from the run."""

    out_dir: Path
    seed: int
    bodies: list[Body]
    pool: SupplierPool
    styles: list[Style]
    start: dt.date  # first day of the spend period
    end: dt.date  # last day of the spend period
    months: list[tuple[int, int]]
    defects: bool
    _views: dict = field(default_factory=dict)

    def rng(self, topic: str, *keys) -> random.Random:
        # A str seed is hashed with SHA-512, so the stream is the same in every process.
        return random.Random(":".join(map(str, ("openbook-synth", self.seed, topic, *keys))))

    def suppliers(self, b: Body) -> BodySuppliers:
        if b.index not in self._views:
            self._views[b.index] = BodySuppliers(self.pool, self.seed, b, self.styles[b.index])
        return self._views[b.index]

    def supplier_id(self, s: int) -> str:
        number = self.pool.company_number[s]
        return f"GB-COH-{number}" if number else self.pool.key(s)

    @property
    def fy(self) -> str:
        y = self.start.year if self.start.month >= 4 else self.start.year - 1
        return f"{y}-{(y + 1) % 100:02d}"

    @property
    def window_end(self) -> dt.date:
        """The consolidation window: contracts ending in (end, window_end] can be joined up."""
        return add_months(self.end + dt.timedelta(days=1), 12) - dt.timedelta(days=1)


def add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(d.day, last))


def person(rng: random.Random) -> str:
    return f"{rng.choice(vocab.FIRST_NAMES)} {rng.choice(vocab.SURNAMES)}"


def spoil_some(rng: random.Random, sheets: list[Sheet], kinds: list[tuple[str, str, callable]], count: int) -> None:
    """Plant `count` bad cells across `sheets`: (column, problem code, value maker) in turn.

    Each goes to a different unprotected row; `make(old_value, rng)` gives the bad text.
    """
    cells = [(s, i) for s in sheets for i in range(len(s.rows)) if i not in s.protected]
    if not cells:
        return
    for n, j in enumerate(rng.sample(range(len(cells)), min(count, len(cells)))):
        sheet, i = cells[j]
        column, code, make = kinds[n % len(kinds)]
        sheet.spoil(i, column, code, make(sheet.rows[i][sheet.header.index(column)], rng))


def bad_record_rows(sheets: list[Sheet]) -> list[list]:
    return [[s.dataset, s.path, s.line(i), col, code, value]
            for s in sheets for i, (col, code, value) in sorted(s.bad.items())]


def book_file_row(sheet: Sheet) -> list:
    total = ""
    if sheet.amount_column:
        total = gbp(sum((Decimal(r[sheet.amount_column]) for r in sheet.good()), Decimal(0)))
    return [sheet.path, sheet.dataset, sheet.org_id, len(sheet.rows), len(sheet.bad), total]


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
