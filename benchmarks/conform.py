"""Conformance runs against the reference systems of tests/conform: the detection table (each
planted violation caught or missed) and the time per block (goal: 60 s or less each).

    PYTHONPATH=src python benchmarks/conform.py

One real uvicorn server carries the conforming system of each block at /BLOCK/ok and each planted
violation at /BLOCK/VIOLATION; every run is a full `openbook.conform.run` over HTTP.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "conform"))

from ref_common import TOKEN  # noqa: E402
from ref_server import SYSTEMS, conforming, serving  # noqa: E402

from openbook.conform import run  # noqa: E402


def main() -> None:
    console = Console()
    detection = Table(title="Planted violations")
    for column in ("Block", "Violation", "What is wrong", "Caught", "First failed check"):
        detection.add_column(column)
    timing = Table(title="Time per block")
    for column in ("Block", "Conforming systems passed", "Violations caught", "Requests", "Seconds (all runs)"):
        timing.add_column(column)
    caught_all = planted_all = 0
    with serving() as url:
        for block, module in SYSTEMS.items():
            began = time.perf_counter()
            good = [run(block, f"{url}/{block}/{name}", TOKEN) for name in ("ok", *conforming(module))]
            passed = sum(r.result == "conforming" for r in good)
            requests, caught = sum(r.requests for r in good), 0
            for name, what in module.VIOLATIONS.items():
                report = run(block, f"{url}/{block}/{name}", TOKEN)
                requests += report.requests
                failed = next((c for c in report.checks if c.result == "fail"), None)
                hit = report.result == "not conforming"
                caught += hit
                detection.add_row(block, name, what, "yes" if hit else "[bold red]NO[/]",
                                  f"{failed.step}: {failed.aspect}" if failed else "–")
            seconds = time.perf_counter() - began
            caught_all += caught
            planted_all += len(module.VIOLATIONS)
            timing.add_row(block, f"{passed}/{len(good)}", f"{caught}/{len(module.VIOLATIONS)}", f"{requests:,}",
                           f"{seconds:.2f}")
    console.print(detection)
    console.print(timing)
    console.print(f"Caught {caught_all} of {planted_all} planted violations ({caught_all / planted_all:.0%}).")


if __name__ == "__main__":
    main()
