"""generate(): write a fictional sector's monthly spend files, with the truth beside them.

Memory stays bounded at any size: rows are made per file in chunks with numpy, joined to
text, written and forgotten, and truth rows are appended as each chunk is written. Every
body-month draws from its own seeded stream (`default_rng([seed, 505, body, month])`), so
bodies are independent: large runs spread them over processes, each writing its own truth
part, and the parts are joined in body order. The bytes never depend on the worker count.
"""

from __future__ import annotations

import concurrent.futures as cf
import csv
import datetime as dt
import multiprocessing as mp
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from . import vocab
from .bodies import Body, make_bodies, write_organisations
from .book import DATASETS, Sector, check_datasets
from .datasets import write_datasets
from .dialects import Style, choose_styles, month_days
from .publisher import BodyPublisher, BodyRun, SectorTable
from .suppliers import SupplierPool, make_pool, pool_size, write_truth

# openpyxl writes ~6k rows/s here, so XLSX is a small capped share: once a run has written
# this many XLSX rows, XLSX bodies publish CSV for later months (publishers do switch).
XLSX_ROW_BUDGET = 3_000
PARALLEL_FROM_ROWS = 200_000  # below this, starting processes costs more than it saves
FILES_COLUMNS = ["file", "org_id", "period", "format", "encoding", "delimiter", "header_line",
                 "data_rows", "bad_rows", "structural_rows", "rows_read", "amount_good_pence",
                 "dialect", "date_style", "amount_style", "line_ending"]
TRUTH_HEADERS = {
    "files": FILES_COLUMNS,
    "duplicates": ["org_id", "kind", "file", "line", "original_file", "original_line",
                   "supplier_key", "amount"],
    "bad_rows": ["file", "line", "column_name", "code"],
}


@dataclass(frozen=True)
class SynthResult:
    out_dir: Path
    files: int
    rows: int  # data rows written (payment records, bad ones included)
    organisations_csv: Path
    truth_dir: Path
    datasets: tuple[str, ...] = ("spend",)
    other_files: int = 0  # files of the datasets other than spend


def generate(
    out_dir: Path, *, seed: int = 42, rows: int = 50_000, bodies: int = 24, start: str = "2024-04",
    months: int = 12, duplicate_rate: float = 0.005, bad_row_rate: float = 0.002,
    xlsx_share: float = 0.1, defects: bool = True, progress: Callable[[int], None] | None = None,
    workers: int | None = None, datasets: Sequence[str] = DATASETS,
) -> SynthResult:
    """Write organisations.csv, spend/<org_id>/<YYYY-MM>.<csv|xlsx> and truth/*.csv, and
    each other chosen dataset (organogram, contracts, systems, processes, cost_registers,
    grants) in its own folder with its truth.

    `progress(n)` is called with the number of data rows written since its last call.
    `workers` processes share the bodies (default: one per CPU for runs of 200k rows or
    more, else 1); the output is the same for any number. The spend files do not depend
    on `datasets`: the other datasets draw from streams of their own.
    """
    datasets = check_datasets(datasets)
    if rows < 0 or months < 1 or not 0 <= duplicate_rate < 0.2 or not 0 <= bad_row_rate < 0.2:
        raise ValueError("need rows >= 0, months >= 1, and rates in [0, 0.2)")
    if not 0 <= xlsx_share <= 1:
        raise ValueError("xlsx_share must be between 0 and 1")
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} is not empty; synth writes into a new or empty folder")
    key = (str(out_dir), seed, rows, bodies, start, months, duplicate_rate, bad_row_rate,
           xlsx_share, defects)
    plan = Plan.make(key)
    truth = out_dir / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    write_organisations(plan.bodies, out_dir / "organisations.csv")
    written = (0, 0)
    if "spend" in datasets:
        written = _write_spend(plan, key, truth, progress or (lambda n: None), workers, rows)
    (y0, m0), (y1, m1) = plan.periods[0], plan.periods[-1]
    sector = Sector(out_dir, seed, plan.bodies, plan.pool, plan.styles, dt.date(y0, m0, 1),
                    dt.date(y1, m1, month_days(y1, m1)), plan.periods, defects)
    others = write_datasets(sector, datasets)
    return SynthResult(out_dir, *written, out_dir / "organisations.csv", truth, datasets, others)


def _write_spend(plan: Plan, key: tuple, truth: Path, progress, workers: int | None, rows: int) -> tuple[int, int]:
    """The spend files and their truth (files, duplicates, bad_rows, suppliers)."""
    parts = truth / ".parts"
    parts.mkdir(parents=True, exist_ok=True)
    if workers is None:
        workers = min(os.cpu_count() or 1, len(plan.bodies)) if rows >= PARALLEL_FROM_ROWS else 1
    # Costliest bodies first so the last to finish is a small one.
    order = sorted(range(len(plan.bodies)), key=lambda i: -plan.cost(i))
    if workers <= 1:
        write_truth(plan.pool, truth / "suppliers.csv")
        done = [_publish(plan, i, progress) for i in order]
    else:
        done = _publish_parallel(plan, key, order, workers, progress,
                                 lambda: write_truth(plan.pool, truth / "suppliers.csv"))
    for name, header in TRUTH_HEADERS.items():
        with open(truth / f"{name}.csv", "wb") as out:
            out.write((",".join(header) + "\n").encode())
            for i in range(len(plan.bodies)):
                part = parts / f"{i:05d}.{name}.csv"
                with open(part, "rb") as f:
                    shutil.copyfileobj(f, out)
                part.unlink()
    parts.rmdir()
    return sum(f for f, _ in done), sum(r for _, r in done)


@dataclass
class Plan:
    """Everything decided before any file is written; rebuilt identically from `key`."""

    key: tuple
    out_dir: Path
    seed: int
    periods: list[tuple[int, int]]
    bodies: list[Body]
    styles: list[Style]
    pool: SupplierPool
    alloc: np.ndarray  # rows per (body, month)
    nil: np.ndarray  # nil return per (body, month)
    fmts: list[list[str]]  # 'csv' | 'xlsx' per (body, month)
    dup_rate: float
    bad_rate: float

    @classmethod
    def make(cls, key: tuple) -> "Plan":
        out_dir, seed, rows, n_bodies, start, months, dup, bad, xlsx_share, defects = key
        periods = _periods(start, months)
        bodies = make_bodies(n_bodies, seed)
        styles = choose_styles(bodies, seed, xlsx_share)
        alloc, nil = _allocate(bodies, len(periods), rows, seed, defects)
        return cls(key, Path(out_dir), seed, periods, bodies, styles,
                   make_pool(pool_size(rows), seed), alloc, nil, _formats(styles, alloc),
                   dup, bad if defects else 0.0)

    def cost(self, i: int) -> float:
        return sum(n * (40 if f == "xlsx" else 1) for n, f in zip(self.alloc[i].tolist(), self.fmts[i]))


def _periods(start: str, months: int) -> list[tuple[int, int]]:
    try:
        y, m = (int(x) for x in start.split("-"))
    except ValueError:
        raise ValueError(f"start must be YYYY-MM, got {start!r}") from None
    if not 1 <= m <= 12:
        raise ValueError(f"start must be YYYY-MM, got {start!r}")
    out = []
    for _ in range(months):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _allocate(bodies: list[Body], months: int, rows: int, seed: int, defects: bool):
    """Rows per body-month by body weight (±10% a month); nil returns get none.

    About 1% of body-months (at least one) are nil returns when `defects`, taken from
    central and NHS bodies: a council with nothing over £500 in a month is unheard of.
    """
    rng = np.random.default_rng([seed, 606])
    w = np.array([b.weight for b in bodies])[:, None] * rng.uniform(0.9, 1.1, (len(bodies), months))
    nil = np.zeros(w.shape, dtype=bool)
    if defects and w.size >= 12:
        small = [b.index for b in bodies if b.sector != "local"] or [b.index for b in bodies]
        cells = [(i, m) for i in small for m in range(months)]
        k = min(max(1, round(0.01 * w.size)), len(cells) - 1)
        for c in rng.choice(len(cells), size=k, replace=False).tolist():
            nil[cells[c]] = True
    w[nil] = 0.0
    alloc = rng.multinomial(rows, (w / w.sum()).ravel()).reshape(w.shape)
    return alloc, nil


def _formats(styles: list[Style], alloc: np.ndarray) -> list[list[str]]:
    budget = XLSX_ROW_BUDGET
    out = []
    for i, s in enumerate(styles):
        row = []
        for n in alloc[i].tolist():
            if s.fmt == "xlsx" and n <= budget:
                budget -= n
                row.append("xlsx")
            else:
                row.append("csv")
        out.append(row)
    return out


def _publish(plan: Plan, i: int, progress: Callable[[int], None]) -> tuple[int, int]:
    """Write body `i`'s files and its truth parts; return (files, rows)."""
    parts = plan.out_dir / "truth" / ".parts"
    handles = {n: open(parts / f"{i:05d}.{n}.csv", "w", newline="", encoding="utf-8") for n in TRUTH_HEADERS}
    try:
        w = {n: csv.writer(f, lineterminator="\n") for n, f in handles.items()}
        run = BodyRun(plan.out_dir, plan.seed, plan.periods, plan.pool,
                      {s: SectorTable(s) for s in vocab.EXPENSE_TYPES}, plan.dup_rate,
                      plan.bad_rate, w["files"], w["duplicates"], w["bad_rows"], progress)
        pub = BodyPublisher(run, plan.bodies[i], plan.styles[i])
        for m in range(len(plan.periods)):
            pub.write_month(m, int(plan.alloc[i, m]), bool(plan.nil[i, m]), plan.fmts[i][m])
    finally:
        for f in handles.values():
            f.close()
    return run.files, run.rows


# ---- processes -------------------------------------------------------------------------

_PLAN: Plan | None = None
_COUNTER = None


def _init_worker(key: tuple, counter) -> None:
    global _PLAN, _COUNTER
    _COUNTER = counter
    if _PLAN is None or _PLAN.key != key:  # spawned, not forked: rebuild the same plan
        _PLAN = Plan.make(key)


def _tick(n: int) -> None:
    with _COUNTER.get_lock():
        _COUNTER.value += n


def _work(i: int) -> tuple[int, int]:
    return _publish(_PLAN, i, _tick)


def _publish_parallel(plan, key, order, workers, progress, meanwhile) -> list[tuple[int, int]]:
    global _PLAN
    # fork shares the built plan for free; from 3.12 CPython warns about forking a process
    # with threads (numpy's), so spawn there and let each worker rebuild the plan.
    method = "fork" if sys.version_info < (3, 12) and "fork" in mp.get_all_start_methods() else "spawn"
    ctx = mp.get_context(method)
    counter = ctx.Value("q", 0)
    _PLAN = plan
    try:
        with cf.ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                                    initargs=(key, counter)) as ex:
            futures = [ex.submit(_work, i) for i in order]
            meanwhile()
            seen = 0
            pending = set(futures)
            while pending:
                _, pending = cf.wait(pending, timeout=0.2)
                now = counter.value
                if now > seen:
                    progress(now - seen)
                    seen = now
            return [f.result() for f in futures]
    finally:
        _PLAN = None
