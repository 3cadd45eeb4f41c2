"""The same analyses on DuckDB and on Spark local: time per analysis and the ratio, at 1M rows.

    python benchmarks/engines.py                  # 1M payment lines
    python benchmarks/engines.py --rows 200000    # another size (repeatable)

The sector is generated (seed 42, every dataset), ingested and classified once per size, then
kept under $TMPDIR/openbook-bench-engines/<rows>/ so later runs time only the analyses.
Each engine runs in its own process (so peak RSS is its own) and times, in order: spend totals
by body, spend totals by month, the duplicate-payment scan, function benchmarking and the
bottom-up savings baseline. Spark's start is timed apart: writing the book's lake, then
starting the JVM and registering the tables. Each analysis's money is compared between the engines to the penny.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from child import fresh_sector, run  # benchmarks/child.py, beside this script

SIDE = """
import json, resource, sys, time
from decimal import Decimal
from pathlib import Path
from openbook.analyse import savings, spending
from openbook.analyse.detectors import functions, payments
from openbook.store import Book
from openbook.store.engine import default_lake, use_engine
from openbook.store.export import write_lake

engine, book_path = sys.argv[1], Path(sys.argv[2])
steps, money = {}, {}

def timed(name, analysis, pounds):
    start = time.perf_counter()
    result = analysis()
    steps[name] = time.perf_counter() - start
    money[name] = str(pounds(result))

with Book(book_path, read_only=True) as book:
    lake = None
    if engine == "spark":
        start = time.perf_counter()
        lake = write_lake(book, default_lake(book)).folder
        steps["lake export"] = time.perf_counter() - start
    start = time.perf_counter()
    with use_engine(book, engine, lake=lake):
        steps["start-up"] = time.perf_counter() - start
        timed("totals by body", lambda: spending.totals(book, "org_id"), lambda r: sum(x["total_gbp"] for x in r))
        timed("totals by month", lambda: spending.totals(book, "month"), lambda r: sum(x["total_gbp"] for x in r))
        timed("duplicate payments", lambda: payments.find_duplicate_payments(book),
              lambda s: (len(s.findings), sum(f.gbp_at_stake for f in s.findings)))
        timed("function benchmarking", lambda: functions.benchmark(book),
              lambda r: (len(r), sum(x.get("gap_to_median_gbp") or Decimal(0) for x in r)))
        timed("savings baseline", lambda: savings.bottom_up_baseline(book), lambda b: b.total_gbp)

        def peak_of_descendants(pid):  # the JVM Spark runs in is a child of this process
            total = 0
            for task in Path(f"/proc/{pid}/task").iterdir():
                for child in (task / "children").read_text().split():
                    status = Path(f"/proc/{child}/status").read_text()
                    hwm = [l for l in status.splitlines() if l.startswith("VmHWM")]
                    total += int(hwm[0].split()[1]) // 1024 if hwm else 0
                    total += peak_of_descendants(child)
            return total

        children = peak_of_descendants("self")
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"steps": steps, "money": money, "rss_mb": rss, "jvm_rss_mb": children}))
"""


def build(rows: int, root: Path) -> Path:
    """The generated sector ingested and classified into a book, made once per size and then reused."""
    from openbook.analyse.classify import classify_book
    from openbook.demo import sector_files
    from openbook.ingest.parallel import ingest_paths
    from openbook.store import Book

    data, book, done = root / "data", root / "book.duckdb", root / "built"
    if done.exists():
        return book
    fresh_sector(root, rows)
    started = time.perf_counter()
    files = sector_files(data)
    with Book(book) as opened:
        reports = list(ingest_paths(opened, files))
        classify_book(opened)
    if not all(r.reconciles for r in reports):
        raise SystemExit("the generated files did not reconcile on ingest")
    print(f"  ingested and classified in {time.perf_counter() - started:.0f} s", flush=True)
    done.touch()
    return book


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="rows to generate (repeatable)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "openbook-bench-engines",
                        help="where generated sectors and their books are kept between runs")
    args = parser.parse_args()
    for rows in sorted(args.rows or [1_000_000]):
        print(f"{rows:,} rows", flush=True)
        book = build(rows, args.cache / str(rows))
        duck = run(SIDE, "duckdb", str(book))
        spark = run(SIDE, "spark", str(book))
        print(f"  {'analysis':<24}{'DuckDB s':>10}{'Spark s':>10}{'Spark/DuckDB':>14}  same money")
        for step, other in spark["steps"].items():
            if step not in spark["money"]:  # Spark's start: the lake export, the JVM and the tables
                print(f"  {step:<24}{'':>10}{other:>10.2f}")
                continue
            seconds = duck["steps"][step]
            same = ("yes" if duck["money"][step] == spark["money"][step] else
                    f"NO: {duck['money'][step]} vs {spark['money'][step]}")
            print(f"  {step:<24}{seconds:>10.2f}{other:>10.2f}{other / seconds:>13.1f}x  {same}")
        analyses = list(duck["money"])
        d_total, s_total = (sum(side["steps"][s] for s in analyses) for side in (duck, spark))
        print(f"  {'all five analyses':<24}{d_total:>10.2f}{s_total:>10.2f}{s_total / d_total:>13.1f}x")
        print(f"  peak RSS: DuckDB process {duck['rss_mb']:,.0f} MB; Spark: Python {spark['rss_mb']:,.0f} MB, "
              f"JVM {spark['jvm_rss_mb']:,.0f} MB", flush=True)


if __name__ == "__main__":
    main()
