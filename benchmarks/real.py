"""The whole pipeline over the real corpus: every file of ../shared/data, as the tests load it.

    python benchmarks/real.py                       # ../shared/data beside the project
    python benchmarks/real.py --data DIR --steps classify,publish --book B.duckdb   # again on a built book
    python benchmarks/real.py --json

Steps, each in its own process (benchmarks/child.py) so that its wall and CPU seconds and peak
RSS are its own: `ingest` (every file of files.csv, one by one: spend and procurement-card files
with their publisher as the body, as tests/conftest.py's `real_book` loads them, every other
file with none, as benchmarks/generalise.py loads organograms), `classify`, `suppliers`
(resolve), `analyse` (every detector), `measures` (every measure, stored with its findings) and
`publish`: one more one-line spend file ingested into the finished book and classified, as
`openbook ingest` does, which is what every new publication costs. Goal: every step but
`publish` under 3 minutes together; `publish` in about a second.
"""

from __future__ import annotations

import argparse
import csv
import inspect
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from child import run  # benchmarks/child.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("ingest", "classify", "suppliers", "analyse", "measures", "publish")
PIPELINE_GOAL_S = 180
CHILD = "import sys; sys.path.insert(0, sys.argv[1]); import real; real.child(*sys.argv[2:])"
ONE_LINE = ("Body Name,Date,Expense Type,Expense Area,Supplier Name,Transaction Number,Amount\n"
            "Leeds City Council,01/04/2025,Stationery,Central Services,Benchmark Paper Supplies Ltd,BENCH-1,"
            "612.50\n")


def child(step: str, data: str, book_path: str) -> None:
    """One step in this (child) process; prints its seconds, CPU seconds, peak RSS and what it did."""
    import resource

    started = time.perf_counter()
    detail = _STEP[step](Path(data), Path(book_path))
    seconds = time.perf_counter() - started
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"seconds": seconds, "cpu_seconds": sum(r.ru_utime + r.ru_stime for r in (own, workers)),
                      "detail": detail, "rss_mb": own.ru_maxrss / 1024}, default=str))


def _manifest(data: Path) -> list[dict[str, str]]:
    with open(data / "files.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _ingest(data: Path, book_path: Path) -> dict:
    from openbook.ingest import ingest_file
    from openbook.store import Book

    statuses: dict[str, int] = {}
    raised = rows = accepted = 0
    with Book(book_path) as book:
        for row in _manifest(data):
            spend = "spend" in row["kind"] or "procurement card" in row["kind"]
            try:
                report = ingest_file(book, data / row["local_path"], org=(row["publisher"] or None) if spend else None)
            except Exception:  # noqa: BLE001 - counted: a reader must never raise
                raised += 1
                continue
            statuses[report.status] = statuses.get(report.status, 0) + 1
            rows += report.rows_read
            accepted += report.accepted
        (spend_rows,) = book.con.execute("SELECT count(*) FROM spend").fetchone()
    return {"files": sum(statuses.values()) + raised, "statuses": statuses, "raised": raised,
            "rows_read": rows, "accepted": accepted, "spend_rows": spend_rows}


def _classify(data: Path, book_path: Path) -> dict:
    from openbook.analyse.classify import classify_book
    from openbook.store import Book

    with Book(book_path) as book:
        spend = classify_book(book).table("spend")
    return {"rows": spend.rows, "rows_classified": spend.rows_classified}


def _suppliers(data: Path, book_path: Path) -> dict:
    from openbook.analyse.suppliers import resolve
    from openbook.store import Book

    with Book(book_path) as book:
        result = resolve(book)
    return {"suppliers": len(result.suppliers), "spellings": len(result.assignment)}


def _analyse(data: Path, book_path: Path) -> dict:
    from openbook.analyse.detectors import run as run_detectors
    from openbook.store import Book

    with Book(book_path) as book:
        return run_detectors(book)


def _measures(data: Path, book_path: Path) -> dict:
    from openbook.analyse.findings import save_findings
    from openbook.analyse.measures.findings import measure_findings
    from openbook.analyse.measures.runner import run as run_measures, save_results
    from openbook.store import Book

    with Book(book_path) as book:
        results = run_measures(book)
        stored = save_results(book, results)
        findings = save_findings(book, "measures", measure_findings(book, results))
    return {"results": len(results.rows), "stored": stored, "findings": findings}


def _publish(data: Path, book_path: Path) -> dict:
    """One new one-line file into the whole book, then classification, as `openbook ingest` does."""
    from openbook.analyse.classify import classify_book
    from openbook.ingest import ingest_file
    from openbook.store import Book

    with tempfile.TemporaryDirectory() as tmp, Book(book_path) as book:
        path = Path(tmp) / f"one-line-{time.time_ns()}.csv"  # a new file (new SHA) every run
        path.write_text(ONE_LINE.replace("BENCH-1", f"BENCH-{time.time_ns()}"), encoding="utf-8")
        started = time.perf_counter()
        report = ingest_file(book, path)
        ingested = time.perf_counter() - started
        # Earlier versions (measured for comparison) classified the whole book after every ingest.
        new_rows = {"new_rows": True} if "new_rows" in inspect.signature(classify_book).parameters else {}
        spend = classify_book(book, **new_rows).table("spend")
    return {"accepted": report.accepted, "ingest_seconds": round(ingested, 2), "rows": spend.rows}


_STEP = {"ingest": _ingest, "classify": _classify, "suppliers": _suppliers, "analyse": _analyse,
         "measures": _measures, "publish": _publish}


def measure(data: Path, book_path: Path, steps: list[str], log=print) -> dict[str, dict]:
    """Each step in its own process over the same book; returns the figures by step."""
    if "ingest" in steps:
        for stale in (book_path, book_path.with_name(book_path.name + ".wal")):
            stale.unlink(missing_ok=True)
    env = {"PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    results = {}
    for step in steps:
        results[step] = run(CHILD, str(Path(__file__).resolve().parent), step, str(data), str(book_path), env=env)
        log(_line(step, results[step]))
    return results


def _line(step: str, result: dict) -> str:
    return (f"{step:<10} {result['seconds']:8.1f} s wall {result['cpu_seconds']:8.1f} s CPU "
            f"{max(result['rss_mb'], result['tree_rss_mb']):8.0f} MB peak  {json.dumps(result['detail'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("OPENBOOK_SHARED_DATA", ROOT.parent / "shared" / "data")))
    parser.add_argument("--book", type=Path, help="keep the book here (default: a temporary folder)")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated, of: {', '.join(STEPS)}")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON at the end")
    args = parser.parse_args()
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    if unknown := [s for s in steps if s not in STEPS]:
        parser.error(f"unknown step {unknown[0]!r}; choose from {', '.join(STEPS)}")
    if not (args.data / "files.csv").exists():
        raise SystemExit(f"no files.csv in {args.data}")
    with tempfile.TemporaryDirectory() as tmp:
        results = measure(args.data, args.book or Path(tmp) / "real.duckdb", steps)
    pipeline = sum(r["seconds"] for s, r in results.items() if s != "publish")
    print(f"pipeline   {pipeline:8.1f} s wall (goal < {PIPELINE_GOAL_S} s; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    if args.json:
        json.dump(results, sys.stdout, indent=1, default=str)
        print()


if __name__ == "__main__":
    main()
