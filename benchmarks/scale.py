"""One machine at national scale: generate, ingest and run every analysis at 1M, 10M and 100M rows.

    python benchmarks/scale.py --rows 1M,10M              # DuckDB limited to 4GB (--memory-limit)
    nice -n 10 python benchmarks/scale.py --rows 100M
    python benchmarks/scale.py --rows 10M --steps payments,prices   # again on the book already built

Each step runs in its own process with DuckDB's memory limit set through OPENBOOK_MEMORY_LIMIT
(what `openbook --memory-limit` sets) and spilling into DIR/spill; the step's time, the peak
RSS of its process tree (workers included) and rows per second are recorded. The peer of each
size is the size ten times smaller, measured the same way: the growth columns are the time
ratio per 10× rows (10 is linear). The generated sector is cached in DIR (deterministic, seed
42), so a rerun skips generating; the results accumulate in DIR/scale.json by size.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console
from rich.table import Table

from child import run  # benchmarks/child.py, beside this script

HERE = Path(__file__).resolve().parent
DETECTORS = ("payments", "functions", "workforce", "systems", "margins", "prices")
STEPS = ("generate", "ingest", "classify", "suppliers", *DETECTORS, "spending", "savings")
BUDGET_MB = 8 * 1024
# The child imports this module and runs one step; it prints its result as its last line.
CHILD = "import sys; sys.path.insert(0, sys.argv[1]); import scale; scale.child(*sys.argv[2:])"


def child(step: str, data: str, book_path: str) -> None:
    """One step in this (child) process; prints seconds, own and workers' peak RSS, and what it did."""
    import resource

    started = time.perf_counter()
    detail = _STEP[step](Path(data), Path(book_path))
    seconds = time.perf_counter() - started
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds as well as wall: on a shared machine the wall time says as much about the neighbours.
    print(json.dumps({"seconds": seconds, "cpu_seconds": sum(r.ru_utime + r.ru_stime for r in (own, workers)),
                      "detail": detail, "rss_mb": own.ru_maxrss / 1024, "worker_rss_mb": workers.ru_maxrss / 1024},
                     default=str))


def _generate(data: Path, book_path: Path) -> dict:
    from openbook.synth import generate

    result = generate(data, rows=int(book_path.name), seed=42)
    return {"files": result.files, "rows": result.rows, "other_files": result.other_files}


def _ingest(data: Path, book_path: Path) -> dict:
    from openbook.demo import sector_files
    from openbook.ingest.parallel import ingest_paths
    from openbook.store import Book

    files = sector_files(data)
    reports, started = [], time.perf_counter()
    # A line per file committed, so a run stopped before the end still says how far it got.
    with Book(book_path) as book, open(book_path.with_name("ingest-progress.log"), "w") as progress:
        for report in ingest_paths(book, files):
            reports.append(report)
            rows = sum(r.rows_read for r in reports if r.dataset == "spend")
            progress.write(f"{time.perf_counter() - started:.0f} s: {len(reports)}/{len(files)} files, "
                           f"{rows:,} spend rows\n")
            progress.flush()
    spend = [r for r in reports if r.dataset == "spend"]
    return {"files": len(reports), "rows": sum(r.rows_read for r in spend),
            "accepted": sum(r.accepted for r in spend), "reconciles": all(r.reconciles for r in reports)}


def _classify(data: Path, book_path: Path) -> dict:
    from openbook.analyse.classify import classify_book
    from openbook.store import Book

    with Book(book_path) as book:
        spend = classify_book(book).table("spend")
    return {"rows_classified": spend.rows_classified, "rows": spend.rows}


def _suppliers(data: Path, book_path: Path) -> dict:
    from openbook.analyse.suppliers import resolve
    from openbook.store import Book

    with Book(book_path) as book:
        result = resolve(book)
    return {"suppliers": len(result.suppliers), "spellings": len(result.assignment)}


def _unresolve(data: Path, book_path: Path) -> dict:
    """Not a measured step: a book resolved before has its spend.supplier_id cleared, so that a
    rerun of `suppliers` writes every row's id as the first run after ingest does."""
    from openbook.store import Book

    with Book(book_path) as book:
        for first, last in book._row_blocks("spend"):
            with book.loading():
                book.con.execute("UPDATE spend SET supplier_id = NULL WHERE supplier_id IS NOT NULL "
                                 "AND rowid BETWEEN ? AND ?", [first, last])
        book.con.execute("DELETE FROM supplier")
    return {}


def _detector(name: str):
    def step(data: Path, book_path: Path) -> dict:
        from openbook.analyse.detectors import run as run_detectors
        from openbook.store import Book

        with Book(book_path) as book:
            return {"findings": run_detectors(book, [name])[name]}
    return step


def _spending(data: Path, book_path: Path) -> dict:
    from openbook.analyse.spending import DIMENSIONS, book_totals, top_by
    from openbook.store import Book

    with Book(book_path, read_only=True) as book:
        headline = book_totals(book)
        tops = {d: top_by(book, d) for d in DIMENSIONS}
    return {"lines": headline["lines"], "total_gbp": str(headline["total_gbp"]), "dimensions": len(tops)}


def _savings(data: Path, book_path: Path) -> dict:
    from openbook.analyse.savings import Scenario, baseline_for, run as run_scenario, sensitivity
    from openbook.store import Book

    scenario = Scenario()
    with Book(book_path, read_only=True) as book:
        baseline = baseline_for(book, scenario)
    result = run_scenario(baseline, scenario)
    return {"sensitivity_rows": len(sensitivity(baseline, scenario)), "npv_gbp": str(result.npv_gbp)}


_STEP = {"unresolve": _unresolve, "generate": _generate, "ingest": _ingest, "classify": _classify, "suppliers": _suppliers,
         **{name: _detector(name) for name in DETECTORS}, "spending": _spending, "savings": _savings}


# ---- the parent: sizes, steps, table ------------------------------------------------------------

def measure(rows: int, cache: Path, steps: list[str], memory_limit: str, log) -> dict:
    """Every chosen step at one size, each in its own process; a failed step is recorded, not fatal."""
    data, book_path = cache / f"sector-{rows}", cache / f"book-{rows}" / "openbook.duckdb"
    spill = cache / "spill"
    env = {"OPENBOOK_MEMORY_LIMIT": memory_limit, "OPENBOOK_TEMP_DIRECTORY": str(spill),
           "PYTHONPATH": str(HERE.parent / "src")}
    results: dict[str, dict] = {}
    for step in steps:
        if step == "generate":
            if data.exists():
                results[step] = {"cached": True, "seconds": None}
                log(rows, step, results[step])
                continue
            partial = data.with_name(data.name + ".partial")
            shutil.rmtree(partial, ignore_errors=True)
            # The row count travels as the book argument's name: the generator needs no book.
            result = run(CHILD, str(HERE), step, str(partial), str(rows), env=env, check=False)
            if "error" not in result:
                partial.rename(data)
        else:
            if step == "ingest":
                shutil.rmtree(book_path.parent, ignore_errors=True)
                book_path.parent.mkdir(parents=True)
            elif not book_path.exists():
                results[step] = {"error": "no book: run the ingest step first", "seconds": None}
                log(rows, step, results[step])
                continue
            if step == "suppliers" and "ingest" not in steps:
                run(CHILD, str(HERE), "unresolve", str(data), str(book_path), env=env)
            result = run(CHILD, str(HERE), step, str(data), str(book_path), env=env, check=False)
            shutil.rmtree(spill, ignore_errors=True)
        results[step] = {**result, "memory_limit": memory_limit}
        log(rows, step, result)
    size = {"rows": rows, "memory_limit": memory_limit, "measured_at": datetime.now(timezone.utc).isoformat(),
            "commit": _commit(), "steps": results}
    if book_path.exists():
        size["book_mb"] = round(sum(p.stat().st_size for p in book_path.parent.iterdir()) / (1 << 20))
    return size


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE)
    return done.stdout.strip()


def peak_mb(result: dict) -> float | None:
    """The step's peak: its process tree sampled together, or its own and its largest worker's."""
    if result.get("seconds") is None and "tree_rss_mb" not in result:
        return None
    own = result.get("rss_mb", 0) + result.get("worker_rss_mb", 0)
    return max(result.get("tree_rss_mb", 0), own if result.get("worker_rss_mb", 0) > 1 else result.get("rss_mb", 0))


def grid(sizes: dict[int, dict]) -> tuple[list[str], list[list[str]]]:
    """Header and rows: per size wall s, CPU s, peak MB, rows/s; then the growth per 10× rows."""
    rows = sorted(sizes)
    header = ["step"]
    for n in rows:
        header += [f"{_short(n)} s", f"{_short(n)} CPU s", f"{_short(n)} peak MB", f"{_short(n)} rows/s"]
    pairs = list(zip(rows, rows[1:]))
    header += [f"×{_short(a)}→{_short(b)} (CPU)" for a, b in pairs]
    body = []
    for step in STEPS:
        if not any(step in sizes[n]["steps"] for n in rows):
            continue
        cells = [step]
        for n in rows:
            result = sizes[n]["steps"].get(step, {})
            seconds, peak = result.get("seconds"), peak_mb(result)
            if result.get("error"):
                cells += ["failed", "", f"{peak:,.0f}" if peak else "", ""]
            elif seconds is None:
                cells += ["cached" if result.get("cached") else "", "", "", ""]
            else:
                over = " (over 8 GB)" if peak and peak > BUDGET_MB else ""
                cells += [f"{seconds:,.1f}", f"{result.get('cpu_seconds', 0):,.1f}", f"{peak:,.0f}{over}",
                          f"{_rows(sizes[n]) / seconds:,.0f}"]
        for a, b in pairs:
            ra, rb = (sizes[n]["steps"].get(step, {}) for n in (a, b))
            growth = [_per_tenfold(ra.get(k), rb.get(k), a, b) for k in ("seconds", "cpu_seconds")]
            cells.append(f"{growth[0]} ({growth[1]})" if growth[0] else "")
        body.append(cells)
    return header, body


def _per_tenfold(before: float | None, after: float | None, a: int, b: int) -> str:
    """The time ratio scaled to 10× rows (10 is linear), from sizes a < b."""
    if not before or not after:
        return ""
    import math

    return f"{(after / before) ** (1 / math.log10(b / a)):.1f}"


def rich_table(header: list[str], body: list[list[str]]) -> Table:
    table = Table(title="openbook on one machine: wall and CPU seconds, peak RSS with workers, rows/s; "
                        "growth = time ratio per 10× rows (10 is linear)")
    for i, name in enumerate(header):
        table.add_column(name, justify="left" if i == 0 else "right")
    for cells in body:
        table.add_row(*[c.replace("(over", "[red](over").replace("GB)", "GB)[/]") for c in cells])
    return table


def markdown(header: list[str], body: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" + "---:|" * (len(header) - 1)]
    return "\n".join(lines + ["| " + " | ".join(cells) + " |" for cells in body])


def _rows(size: dict) -> int:
    return size["steps"].get("ingest", {}).get("detail", {}).get("rows") or size["rows"]


def _short(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def _count(text: str) -> int:
    text = text.strip().upper().replace("_", "")
    scale = {"K": 1_000, "M": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("KM")) * scale)


def _recorded(path: Path) -> dict[int, dict]:
    return {int(k): v for k, v in json.loads(path.read_text()).items()} if path.exists() else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1M,10M", help="sizes, comma-separated: 1M,10M,100M")
    parser.add_argument("--dir", type=Path, default=HERE / ".cache", help="where sectors, books and results live")
    # DuckDB fills what it is allowed before it spills, and the limit does not cover Python's own
    # objects or the Arrow results handed to it: 4GB leaves the rest of the 8 GB budget for those.
    parser.add_argument("--memory-limit", default="4GB", help="DuckDB's memory limit in every step")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated, of: {', '.join(STEPS)}")
    parser.add_argument("--markdown", action="store_true", help="print the recorded table as Markdown and stop")
    args = parser.parse_args()
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        parser.error(f"unknown step {unknown[0]!r}; choose from {', '.join(STEPS)}")
    console = Console()
    args.dir.mkdir(parents=True, exist_ok=True)
    results_path = args.dir / "scale.json"
    sizes = _recorded(results_path)
    if args.markdown:
        print(markdown(*grid(sizes)))
        return

    def log(rows: int, step: str, result: dict) -> None:
        peak = peak_mb(result)
        said = (f"failed: {result['error']}" if result.get("error") else "cached" if result.get("cached")
                else f"{result['seconds']:,.1f} s ({result.get('cpu_seconds', 0):,.1f} s CPU)")
        console.print(f"{_short(rows):>5} {step:<10} {said}" + (f", peak {peak:,.0f} MB" if peak else ""))

    for rows in sorted(_count(r) for r in args.rows.split(",")):
        measured = measure(rows, args.dir, steps, args.memory_limit, log)
        sizes = _recorded(results_path)  # again: another run may have recorded a size meanwhile
        if rows in sizes and set(steps) != set(STEPS):  # a partial rerun updates the steps it ran
            measured["steps"] = {**sizes[rows]["steps"], **measured["steps"]}
        sizes[rows] = measured
        results_path.write_text(json.dumps({str(k): v for k, v in sorted(sizes.items())}, indent=1, default=str))
    console.print(rich_table(*grid(sizes)))
    console.print(f"results: {results_path}")
    over = [(n, s) for n, size in sizes.items() for s, r in size["steps"].items() if (peak_mb(r) or 0) > BUDGET_MB]
    failed = [(n, s) for n, size in sizes.items() for s, r in size["steps"].items() if r.get("error")]
    if over or failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
