"""Ingest speed and memory on the generator's messy sector, against pandas doing the same cleaning.

    python benchmarks/ingest.py                 # 1M and 10M rows
    python benchmarks/ingest.py --rows 1000000  # one size

openbook: `ingest_file` over every file into a fresh book (sniffing, header mapping, exact
amounts, dates, structural rows, quarantine, provenance, one committed transaction per file).
The peer: pandas `read_csv` / `read_excel` per file plus the equivalent cleaning (encoding and
header-row detection, column mapping, amounts with £, commas and brackets, day-first dates and
Excel serials, blank and totals rows dropped), without writing anything. Each side runs in its
own process so that peak RSS is its own.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from child import run  # benchmarks/child.py, beside this script

OPENBOOK = """
import json, resource, sys, time
from pathlib import Path
from openbook.ingest.parallel import ingest_paths
from openbook.ingest.paths import expand_paths
from openbook.store import Book
data = Path(sys.argv[1])
files = expand_paths([str(data / "organisations.csv"), str(data / "spend")])
start = time.perf_counter()
with Book(Path(sys.argv[2])) as book:
    reports = list(ingest_paths(book, files, jobs=int(sys.argv[3])))
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "rows": sum(r.rows_read for r in reports if r.dataset == "spend"),
                  "accepted": sum(r.accepted for r in reports if r.dataset == "spend"),
                  "reconciles": all(r.reconciles for r in reports),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""

PANDAS = r"""
import csv, io, json, re, sys, time
from pathlib import Path
import numpy as np
import pandas as pd
from openbook.ingest.headers import header_score, map_header
from openbook.ingest.scan import scan_file
from openbook.ingest.sniff import read_sample, single_byte_encoding, sniff_delimiter

data = Path(sys.argv[1])

def header_row(rows):
    for index, cells in enumerate(rows):
        if header_score([str(c) for c in cells]):
            return index
    return None

def clean(frame):
    mapping = map_header([str(c) for c in frame.columns])
    names = {frame.columns[i]: field for field, i in mapping.fields.items()}
    frame = frame[list(names)].rename(columns=names)
    text = frame.apply(lambda s: s.astype(str).str.strip())
    frame = frame[(text != "").any(axis=1)]
    amount = frame["amount_gbp"].astype(str).str.strip()
    negative = amount.str.startswith("(") | amount.str.startswith("-") | amount.str.endswith("-")
    value = pd.to_numeric(amount.str.replace(r"[£,()\s-]", "", regex=True), errors="coerce")
    frame = frame.assign(amount_gbp=value.where(~negative, -value))
    raw = frame["paid_on"].astype(str).str.strip()
    serial = pd.to_numeric(raw, errors="coerce")
    dates = pd.to_datetime(raw.where(serial.isna()), dayfirst=True, format="mixed", errors="coerce")
    dates = dates.fillna(pd.to_datetime(serial, unit="D", origin="1899-12-30", errors="coerce"))
    frame = frame.assign(paid_on=dates)
    total = frame["supplier_name"].astype(str).str.strip().eq("") & frame["paid_on"].isna()
    return frame[~total]

start = time.perf_counter()
rows = accepted = 0
for path in sorted(p for p in (data / "spend").rglob("*") if p.is_file()):
    if path.suffix == ".xlsx":
        raw = pd.read_excel(path, header=None, dtype=str, engine="calamine").fillna("")
        at = header_row(raw.head(40).values.tolist())
        if at is None:
            continue
        frame = raw.iloc[at + 1:].set_axis(raw.iloc[at].tolist(), axis=1)
    else:
        # The same sniffing as openbook: a fair share of the work.
        encoding = scan_file(path).encoding or single_byte_encoding(path)
        sample = read_sample(path, encoding, 40)
        sep = sniff_delimiter(sample)
        at = header_row(list(csv.reader(io.StringIO(sample), delimiter=sep)))
        if at is None:
            continue
        frame = pd.read_csv(path, skiprows=at, dtype=str, keep_default_na=False, sep=sep, encoding=encoding)
    frame = clean(frame)
    rows += len(frame)
    accepted += int((frame["amount_gbp"].notna() & frame["paid_on"].notna()).sum())
import resource
print(json.dumps({"seconds": time.perf_counter() - start, "rows": rows, "accepted": accepted,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def bench(rows: int, workdir: Path) -> dict:
    from openbook.synth import generate

    data = workdir / f"sector-{rows}"
    started = time.perf_counter()
    generate(data, rows=rows, seed=42)
    generated = time.perf_counter() - started
    book = workdir / f"book-{rows}.duckdb"
    ours = run(OPENBOOK, str(data), str(book), "1")
    book.unlink()
    parallel = run(OPENBOOK, str(data), str(book), "0")
    peer = run(PANDAS, str(data))
    return {"rows": rows, "generate_s": generated, "openbook": ours, "parallel": parallel, "pandas": peer}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="rows to generate (repeatable)")
    args = parser.parse_args()
    sizes = args.rows or [1_000_000, 10_000_000]
    print(f"{'rows':>11} | {'openbook 1 process':>27} | {'openbook, workers':>34} | {'pandas':>22} | ratios")
    print(f"{'':>11} | {'s':>6} {'rows/s':>10} {'peak MB':>9} | {'s':>6} {'rows/s':>10} {'MB main+wkr':>16} | "
          f"{'s':>6} {'rows/s':>8} {'MB':>6} |")
    with tempfile.TemporaryDirectory(prefix="openbook-bench-") as tmp:
        for rows in sorted(sizes):
            result = bench(rows, Path(tmp))
            ours, par, peer = result["openbook"], result["parallel"], result["pandas"]
            rate = {name: r["rows"] / r["seconds"] for name, r in (("ours", ours), ("par", par), ("peer", peer))}
            print(f"{rows:>11,} | {ours['seconds']:>6.1f} {rate['ours']:>10,.0f} {ours['rss_mb']:>9,.0f} | "
                  f"{par['seconds']:>6.1f} {rate['par']:>10,.0f} {par['rss_mb']:>7,.0f}+{par['worker_rss_mb']:>7,.0f} | "
                  f"{peer['seconds']:>6.1f} {rate['peer']:>8,.0f} {peer['rss_mb']:>6,.0f} | "
                  f"{rate['ours'] / rate['peer']:.2f}x, {rate['par'] / rate['peer']:.2f}x with workers", flush=True)
            if not (ours["reconciles"] and par["reconciles"]):
                raise SystemExit("openbook's counts did not reconcile")


if __name__ == "__main__":
    main()
