"""`python -m openbook.synth OUT_DIR --rows N --seed S`: write a synthetic sector.

Argparse keeps synth free of the CLI's dependencies; the Typer CLI wraps `generate` later.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .flat import generate_flat
from .generator import generate


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m openbook.synth", description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path, help="new or empty folder (or a file path with --flat)")
    p.add_argument("--rows", type=int, default=50_000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--bodies", type=int, default=24)
    p.add_argument("--start", default="2024-04", help="first month, YYYY-MM")
    p.add_argument("--months", type=int, default=12)
    p.add_argument("--duplicate-rate", type=float, default=0.005)
    p.add_argument("--bad-row-rate", type=float, default=0.002)
    p.add_argument("--xlsx-share", type=float, default=0.1)
    p.add_argument("--no-defects", action="store_true", help="no bad rows and no nil returns")
    p.add_argument("--flat", action="store_true", help="write one standard-layout CSV instead")
    p.add_argument("--errors", type=int, default=0, help="invalid cells to plant (--flat only)")
    a = p.parse_args(argv)
    t0 = time.perf_counter()
    try:
        if a.flat:
            n = generate_flat(a.out, rows=a.rows, seed=a.seed, errors=a.errors)
            what = f"{n:,} rows in {a.out}"
        else:
            res = generate(a.out, seed=a.seed, rows=a.rows, bodies=a.bodies, start=a.start,
                           months=a.months, duplicate_rate=a.duplicate_rate,
                           bad_row_rate=a.bad_row_rate, xlsx_share=a.xlsx_share,
                           defects=not a.no_defects)
            n = res.rows
            what = f"{res.rows:,} rows in {res.files:,} files under {res.out_dir}"
    except (ValueError, FileExistsError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    dt = time.perf_counter() - t0
    print(f"wrote {what} in {dt:.1f} s ({n / max(dt, 1e-9):,.0f} rows/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
