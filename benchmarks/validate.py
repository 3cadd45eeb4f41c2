"""Validating a bulk file in the standard's layout: SQL generated from the Table Schema vs frictionless.

    python benchmarks/validate.py                    # 1M rows, 600 planted errors
    python benchmarks/validate.py --rows 200000 --errors 100

Both check the same file against the same Table Schema (the standard's `spend` schema, limited
to the file's columns). The benchmark prints both times, the ratio, and whether both found
exactly the same (line, column) cells as the generator planted.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

from frictionless import Resource, Schema

from openbook import standard
from openbook.ingest import validate_file
from openbook.synth import generate_flat


def table_schema(header: list[str]) -> dict:
    """The standard's spend schema for the columns a publication carries, minus openbook's hints."""
    fields = {f["name"]: f for f in standard.load_schema("spend")["fields"]}
    return {"fields": [{k: v for k, v in fields[name].items() if k not in {"sqlType", "codeList"}}
                       for name in header], "missingValues": [""]}


def planted(path: Path) -> set[tuple[int, str]]:
    with open(f"{path}.errors.csv", encoding="utf-8", newline="") as fh:
        return {(int(row["line"]), row["column"]) for row in csv.DictReader(fh)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--errors", type=int, default=600)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="openbook-validate-") as tmp:
        path = Path(tmp) / "spend.csv"
        generate_flat(path, rows=args.rows, seed=42, errors=args.errors)
        truth = planted(path)
        header = path.open(encoding="utf-8").readline().strip().split(",")

        started = time.perf_counter()
        ours = validate_file(path)
        ours_s = time.perf_counter() - started
        ours_cells = {(p.line, p.column_name) for p in ours.problems} if not ours.partial else None

        started = time.perf_counter()
        resource = Resource(path.name, basepath=str(path.parent), schema=Schema.from_descriptor(table_schema(header)))
        report = resource.validate(limit_errors=10 * args.errors + 1000)
        peer_s = time.perf_counter() - started
        peer_cells = {(row, field) for row, field in report.flatten(["rowNumber", "fieldName"])}

    print(f"{args.rows:,} rows, {len(truth):,} planted invalid cells")
    print(f"  openbook (DuckDB SQL from the Table Schema): {ours_s:6.2f} s, {ours.problems_total:,} errors "
          f"{dict(sorted(ours.problem_counts.items()))}")
    print(f"  frictionless {report.stats.get('errors')} errors:              {peer_s:6.2f} s")
    print(f"  speed ratio: {peer_s / ours_s:.1f}x")
    same = ours_cells == peer_cells == truth if ours_cells is not None else "report partial"
    print(f"  same cells found by both and equal to the planted ones: {same}")


if __name__ == "__main__":
    main()
