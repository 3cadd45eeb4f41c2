"""Running one side of a benchmark in its own process, so each side's peak RSS is its own."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path


def run(script: str, *args: str) -> dict:
    """Run one side in a child process; it reports its own time and peak RSS as its last JSON line."""
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"benchmark child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def fresh_sector(root: Path, rows: int) -> Path:
    """The generator's sector (seed 42) written into an emptied root/data; returns that folder."""
    from openbook.synth import generate

    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    started = time.perf_counter()
    generate(root / "data", rows=rows, seed=42)
    print(f"  generated {rows:,} rows in {time.perf_counter() - started:.0f} s", flush=True)
    return root / "data"
