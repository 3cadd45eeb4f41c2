"""Every benchmark at a small size, each ratio compared with the one recorded in baseline.json.

    python benchmarks/bench.py                  # what `make bench` runs
    python benchmarks/bench.py --only ingest,duplicates
    python benchmarks/bench.py --write          # record this run as the new baseline

Each benchmark already measures openbook against its peer in the same run (pandas, frictionless,
a bare DuckDB self-join, rapidfuzz, Spark, DuckDB alone), so a ratio says more than a time on a
shared machine. This runs each at a size that takes a minute or two, reads the ratios it prints,
and says which moved by more than 25% from the baseline, better or worse. It is a report, never
a failing test: timings on a shared machine are noisy, so a move is a reason to measure again at
full size, not a verdict. It exits 1 only when a benchmark itself fails.

Not run here: scale.py (its ratios are growth per tenfold rows, from 1M up), pages.py (it
needs a built book and its peer is its own kept answer), generalise.py (shares of files and
rows, not speed; tests/ingest/test_check_half.py holds them) and real.py (the whole real
corpus, several minutes; docs/scale.md records it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "baseline.json"
MOVED = 0.25
_NUMBER = r"([0-9.]+)x"

# name: (arguments at a small size, [(ratio name, regex whose groups are the ratios, names of the groups)]);
# {tmp} is a folder kept for the run. Each ratio is "higher is better" or "lower is better".
BENCHMARKS: dict[str, tuple[list[str], list[tuple[str, str, list[tuple[str, str]]]]]] = {
    "validate": (["--rows", "100000", "--errors", "100"],
                 [("speed", rf"speed ratio: {_NUMBER}", [("frictionless / openbook time", "higher")])]),
    "ingest": (["--rows", "100000"],
               [("ratios", rf"\| {_NUMBER}, {_NUMBER} with workers",
                 [("openbook / pandas rows per s", "higher"), ("openbook workers / pandas rows per s", "higher")])]),
    "duplicates": (["--rows", "100000", "--repeat", "2", "--cache", "{tmp}/duplicates"],
                   [("ratio", rf"ratio openbook / bare: {_NUMBER} time, {_NUMBER} peak memory",
                     [("openbook / bare self-join time", "lower"), ("openbook / bare self-join memory", "lower")])]),
    "suppliers": (["--names", "10000"],
                  [("ratio", rf"ratio \(peer / openbook\): wall {_NUMBER}, CPU {_NUMBER}",
                    [("rapidfuzz / openbook wall", "higher"), ("rapidfuzz / openbook CPU", "higher")])]),
    "engines": (["--rows", "50000", "--cache", "{tmp}/engines"],
                [("all", rf"all five analyses\s+[0-9.]+\s+[0-9.]+\s+{_NUMBER}", [("Spark / DuckDB time", "higher")])]),
    "api": (["--rows", "50000", "--requests", "5", "--dir", "{tmp}/api"],
            [("endpoint", r"^(.+?)\s+\|.*\|\s+[0-9]+ \|\s+([0-9.]+)x\s+([0-9.]+)x$",
              [("first answer / DuckDB alone", "lower"), ("kept p50 / DuckDB alone", "lower")])]),
}


def run_one(name: str, tmp: Path) -> tuple[dict[str, float], str]:
    """Run one benchmark at its small size; its ratios by name, and its output."""
    arguments, patterns = BENCHMARKS[name]
    command = [sys.executable, str(HERE / f"{name}.py"), *(a.format(tmp=tmp) for a in arguments)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=HERE.parent)
    if done.returncode:
        raise RuntimeError(f"{name} failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
    ratios: dict[str, float] = {}
    for label, pattern, names in patterns:
        for match in re.finditer(pattern, done.stdout, re.MULTILINE):
            groups = match.groups()
            prefix = f"{groups[0]}: " if len(groups) > len(names) else ""  # a per-row ratio (api)
            for (ratio, _), value in zip(names, groups[len(groups) - len(names):]):
                ratios[f"{name}: {prefix}{ratio}"] = float(value)
    if not ratios:
        raise RuntimeError(f"{name} printed no ratio:\n{done.stdout[-2000:]}")
    return ratios, done.stdout


def better(name: str) -> str:
    """'higher' or 'lower': which way a ratio improves."""
    bench = name.split(":", 1)[0]
    return next(way for _, _, names in BENCHMARKS[bench][1] for ratio, way in names if name.endswith(ratio))


def compare(now: dict[str, float], before: dict[str, float]) -> list[str]:
    """A line for each ratio that moved by more than MOVED from the baseline, or is new or gone."""
    lines = []
    for name in sorted(set(now) | set(before)):
        if name not in before:
            lines.append(f"  new       {name}: {now[name]:.2f}x (no baseline)")
        elif name not in now:
            lines.append(f"  missing   {name}: was {before[name]:.2f}x")
        elif before[name] and abs(now[name] / before[name] - 1) > MOVED:
            up = now[name] > before[name]
            word = "better" if up == (better(name) == "higher") else "WORSE"
            lines.append(f"  {word:<9} {name}: {before[name]:.2f}x -> {now[name]:.2f}x "
                         f"({now[name] / before[name] - 1:+.0%})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help=f"comma-separated, of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--write", action="store_true", help=f"record the ratios as the baseline ({BASELINE.name})")
    args = parser.parse_args()
    chosen = [b.strip() for b in args.only.split(",")] if args.only else list(BENCHMARKS)
    if unknown := [b for b in chosen if b not in BENCHMARKS]:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHMARKS)}")
    recorded = json.loads(BASELINE.read_text()) if BASELINE.exists() else {"ratios": {}}
    ratios: dict[str, float] = {}
    failed = []
    with tempfile.TemporaryDirectory(prefix="openbook-bench-") as tmp:
        for name in chosen:
            started = time.perf_counter()
            try:
                found, _ = run_one(name, Path(tmp))
            except RuntimeError as error:
                failed.append(str(error))
                print(f"{name}: FAILED ({error})", flush=True)
                continue
            ratios.update(found)
            print(f"{name} ({time.perf_counter() - started:.0f} s):", flush=True)
            for ratio, value in found.items():
                was = recorded["ratios"].get(ratio)
                print(f"  {ratio}: {value:.2f}x" + (f" (baseline {was:.2f}x)" if was else ""), flush=True)
    before = {k: v for k, v in recorded["ratios"].items() if k.split(":", 1)[0] in chosen}
    moved = compare(ratios, before)
    load = os.getloadavg()[0]
    print(f"\nMoved by more than {MOVED:.0%} from {BASELINE.name} ({recorded.get('recorded', 'none recorded')}, "
          f"load {recorded.get('load', '?')}); this run's load average {load:.1f} on {os.cpu_count()} cores:")
    print("\n".join(moved) if moved else "  nothing")
    if args.write:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=HERE).stdout.strip()
        BASELINE.write_text(json.dumps({
            "recorded": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "commit": commit,
            "load": round(load, 1), "ratios": {**recorded["ratios"], **ratios}}, indent=1) + "\n")
        print(f"recorded in {BASELINE}")
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
