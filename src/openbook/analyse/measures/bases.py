"""What a figure is divided by and in which year's prices: per head, per FTE, cash or real terms.

Every result names its basis in words (`Basis.describe`), so no page shows a number without
saying what it is per and whether inflation has been taken out. Real terms use the GDP
deflator shipped in standard/ (or a file the user gives), by financial year.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from openbook import standard
from openbook.errors import UsageError

SIZES = ("per-fte", "per-head")
CHOICES = ("per-head", "per-fte", "real")


@dataclass(frozen=True)
class Deflator:
    index: dict[str, Decimal]  # financial year label ('2016-17') → index
    source: str  # where the figures come from, in words

    def factor(self, period: str, base: str) -> Decimal:
        """What a cash figure of `period` is multiplied by to be in `base`'s prices."""
        missing = [p for p in (period, base) if p not in self.index]
        if missing:
            raise UsageError(f"no GDP deflator for {missing[0]} in {self.source}; give a fuller series "
                             f"with --deflator FILE (columns financial_year,index)")
        return self.index[base] / self.index[period]


@dataclass(frozen=True)
class Basis:
    size: str | None = None  # 'per-fte' | 'per-head' | None: each measure's own default
    real: bool = False
    base_period: str | None = None  # prices of this year; None: the latest year in the results
    deflator: Deflator | None = None

    def size_for(self, default: str) -> str:
        return self.size or default

    def describe(self, size: str | None, money: bool = True) -> str:
        """The basis in words, for a measure divided by `size` ('per-fte', 'per-head') or, if None, its own
        denominator; prices are named only where the figure is money."""
        per = {"per-fte": "per employee (FTE)", "per-head": "per head of population served"}
        parts = [per[size] if size else "the measure's own denominator"]
        if money:
            parts.append(f"real terms, {self.base_period} prices" if self.real else "cash (not adjusted for inflation)")
        return "; ".join(parts)


def parse_basis(text: str | None, *, deflator_file: Path | None = None, base_period: str | None = None) -> Basis:
    """'per-head', 'per-fte', 'real' or a comma-separated pair such as 'per-head,real'."""
    chosen = [part.strip() for part in (text or "").split(",") if part.strip()]
    unknown = [c for c in chosen if c not in CHOICES]
    if unknown:
        raise UsageError(f"--basis {unknown[0]!r} is not one of {', '.join(CHOICES)} (combine with a comma: per-head,real)")
    sizes = [c for c in chosen if c in SIZES]
    if len(sizes) > 1:
        raise UsageError("--basis can be per head or per FTE, not both")
    real = "real" in chosen
    return Basis(size=sizes[0] if sizes else None, real=real, base_period=base_period,
                 deflator=load_deflator(deflator_file) if real else None)


def load_deflator(path: Path | None = None) -> Deflator:
    """The shipped GDP deflator series, or a user's CSV with the same two columns."""
    if path is None:
        rows, meta = standard.gdp_deflator()
        source = (f"HM Treasury '{meta['title']}', series {meta['series_id']}, released {meta['released']}, "
                  f"{meta['reference_year']} = 100 (standard/gdp_deflator.csv)")
    else:
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                if not reader.fieldnames or not {"financial_year", "index"} <= set(reader.fieldnames):
                    raise UsageError(f"{path}: needs the columns financial_year,index")
                rows = {row["financial_year"].strip(): row["index"] for row in reader}
        except FileNotFoundError:
            raise UsageError(f"{path}: no such deflator file") from None
        source = str(path)
    index = {}
    for line, (year, value) in enumerate(rows.items(), start=2):
        try:
            index[year] = Decimal(value.strip())
        except (InvalidOperation, AttributeError):
            raise UsageError(f"{source}: line {line}: index {value!r} for {year} is not a number") from None
        if index[year] <= 0:
            raise UsageError(f"{source}: line {line}: index for {year} must be above zero")
    return Deflator(index, source)


def financial_year(start_year: int) -> str:
    """2023 → '2023-24' (April to March, as public bodies account)."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"
