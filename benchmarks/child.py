"""Running one side of a benchmark in its own process, so each side's peak RSS is its own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path


def run(script: str, *args: str, env: dict[str, str] | None = None, check: bool = True) -> dict:
    """Run one side in a child process; it reports its own time and peak RSS as its last JSON line.

    The runner adds `tree_rss_mb`: the peak of the child's RSS plus its workers' at the same
    moment (sampled from /proc), which the child cannot see for itself. With `check=False` a
    failed child returns `{"error": ..., "seconds": None}` instead of ending the benchmark.
    """
    with subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env={**os.environ, **(env or {})}) as child:
        peak = _TreePeak(child.pid)
        stdout, stderr = child.communicate()
        peak.stop()
    if child.returncode:
        if check:
            raise SystemExit(f"benchmark child failed:\n{stderr[-3000:]}")
        return {"error": (stderr.strip().splitlines() or [f"exit {child.returncode}"])[-1][-300:],
                "seconds": None, "tree_rss_mb": peak.mb}
    return {**json.loads(stdout.strip().splitlines()[-1]), "tree_rss_mb": peak.mb}


class _TreePeak:
    """Samples the summed RSS of a process and its descendants every 0.2 s (Linux /proc)."""

    def __init__(self, pid: int):
        self.pid, self.mb = pid, 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        page_mb = os.sysconf("SC_PAGE_SIZE") / (1 << 20)
        while not self._done.wait(0.2):
            children: dict[int, list[int]] = {}
            rss: dict[int, int] = {}
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    fields = stat.read_text().rsplit(")", 1)[1].split()
                except (OSError, IndexError):
                    continue  # gone between listing and reading
                pid = int(stat.parent.name)
                children.setdefault(int(fields[1]), []).append(pid)  # fields[1] is the parent's pid
                rss[pid] = int(fields[21])  # resident pages
            tree, total = [self.pid], 0
            while tree:
                pid = tree.pop()
                total += rss.get(pid, 0)
                tree.extend(children.get(pid, []))
            self.mb = max(self.mb, total * page_mb)


def fresh_sector(root: Path, rows: int) -> Path:
    """The generator's sector (seed 42) written into an emptied root/data; returns that folder."""
    from openbook.synth import generate

    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    started = time.perf_counter()
    generate(root / "data", rows=rows, seed=42)
    print(f"  generated {rows:,} rows in {time.perf_counter() - started:.0f} s", flush=True)
    return root / "data"
