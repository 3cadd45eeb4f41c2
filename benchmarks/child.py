"""Running one side of a benchmark in its own process, so each side's peak RSS is its own."""

from __future__ import annotations

import json
import subprocess
import sys


def run(script: str, *args: str) -> dict:
    """Run one side in a child process; it reports its own time and peak RSS as its last JSON line."""
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"benchmark child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
