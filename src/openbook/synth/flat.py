"""generate_flat(): one big CSV in the standard's own spend layout, for validation benchmarks.

No dialect noise here: ISO dates, plain decimal amounts, UTF-8, LF. With `errors > 0` that
many cells are made invalid (bad date, empty supplier, non-numeric amount, bad org_id) and
their (line, column) list is written to `<path>.errors.csv`, so a validator's report can be
checked cell by cell.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

from . import vocab
from .bodies import make_bodies
from .dialects import format_amounts
from .suppliers import make_pool, pool_size

HEADER = ["org_id", "paid_on", "amount_gbp", "supplier_name", "txn_ref", "expense_type",
          "expense_area", "description"]
CHUNK = 100_000
# (column, problem, replacement values); problems reuse ingest's codes where one fits.
ERRORS = (
    ("paid_on", "date-invalid", ("2024-02-30", "31/02/2024", "2024-13-01", "not a date")),
    ("supplier_name", "supplier-missing", ("",)),
    ("amount_gbp", "amount-not-a-number", ("1,2O0.00", "TBC", "12.3.4", "£")),
    ("org_id", "org-id-invalid", ("xx synth drr", "XX_SYNTH_DRR", "XX-", "-SYNTH-DRR")),
)


def generate_flat(path: Path, *, rows: int, seed: int = 42, errors: int = 0) -> int:
    """Write `rows` data rows to `path`; return the number written."""
    if rows < 0 or not 0 <= errors <= rows:
        raise ValueError("need rows >= 0 and 0 <= errors <= rows")
    path = Path(path)
    rng = np.random.default_rng([seed, 707])
    bodies = make_bodies(24, seed)
    org = np.array([b.org_id for b in bodies], dtype=object)
    weight = np.array([b.weight for b in bodies])
    pool = make_pool(pool_size(rows), seed)
    names = np.array([_esc(s) for s in pool.canonical], dtype=object)
    etypes = [label for cat in vocab.CATEGORIES for label, _, _ in vocab.EXPENSE_TYPES["local"][cat]]
    etype = np.array([_esc(s) for s in etypes], dtype=object)
    area = np.array([_esc(s) for s in vocab.CENTRAL_AREAS + vocab.LOCAL_AREAS["all"]], dtype=object)
    desc = np.array([_esc(t.format(m="April", y=2024, q="Q1", fy="2024/25", d="07", mn="04"))
                     for cat in vocab.CATEGORIES for t in vocab.DESCRIPTIONS[cat]], dtype=object)
    day0 = dt.date(2024, 4, 1)
    dates = np.array([(day0 + dt.timedelta(days=i)).isoformat() for i in range(366)], dtype=object)
    # Error cells: distinct rows, one cell each; lines are 1-based with the header on line 1.
    err_rows = np.sort(rng.choice(rows, size=errors, replace=False)) if errors else np.zeros(0, np.int64)
    err_kind = rng.integers(0, len(ERRORS), size=errors)
    err_pick = rng.integers(0, 4, size=errors)
    col = {c: i for i, c in enumerate(HEADER)}
    cdf = np.cumsum(weight) / weight.sum()
    local = rng.permutation(len(pool))
    with open(path, "w", encoding="utf-8", newline="") as f, _errors_file(path, errors) as ef:
        f.write(",".join(HEADER) + "\n")
        for start in range(0, rows, CHUNK):
            k = min(CHUNK, rows - start)
            sup = pool.draw(rng, k, local)
            pence = (50_000 * (1.0 + rng.pareto(1.15, k))).astype(np.int64)
            np.minimum(pence, 500_000_000, out=pence)
            pence += rng.integers(0, 100, k)
            pence[rng.random(k) < 0.01] *= -1
            cols = [
                org[np.minimum(np.searchsorted(cdf, rng.random(k)), len(org) - 1)].tolist(),
                dates[rng.integers(0, 366, k)].tolist(),
                format_amounts(pence, "plain"),
                names[sup].tolist(),
                [f"T{start + i + 1:09d}" for i in range(k)],
                etype[rng.integers(0, len(etype), k)].tolist(),
                area[rng.integers(0, len(area), k)].tolist(),
                desc[rng.integers(0, len(desc), k)].tolist(),
            ]
            lo, hi = np.searchsorted(err_rows, [start, start + k])
            for r, e, p in zip(err_rows[lo:hi].tolist(), err_kind[lo:hi].tolist(), err_pick[lo:hi].tolist()):
                column, problem, values = ERRORS[e]
                value = values[p % len(values)]
                cols[col[column]][r - start] = _esc(value)
                ef.writerow([r + 2, column, problem, value])
            f.write("\n".join(map(",".join, zip(*cols))) + "\n")
    return rows


def _esc(s: str) -> str:
    return '"' + s.replace('"', '""') + '"' if ("," in s or '"' in s) else s


class _errors_file:
    """`<path>.errors.csv` when errors are planted; a no-op writer otherwise."""

    def __init__(self, path: Path, errors: int):
        self.path, self.errors = Path(str(path) + ".errors.csv"), errors

    def __enter__(self):
        if not self.errors:
            return _Null()
        self.f = open(self.path, "w", encoding="utf-8", newline="")
        w = csv.writer(self.f, lineterminator="\n")
        w.writerow(["line", "column", "problem", "value"])
        return w

    def __exit__(self, *exc):
        if self.errors:
            self.f.close()


class _Null:
    def writerow(self, row) -> None:
        pass
