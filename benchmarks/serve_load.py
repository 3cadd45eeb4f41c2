"""Serving while writing: API clients under load while an ingest, an analyse and authenticated publishes run.

    python benchmarks/serve_load.py                            # 200k rows, 60 s, 20 clients, 10 publishes
    python benchmarks/serve_load.py --rows 1000000 --seconds 600 --publishes 50

The book: the generator's sector at --rows payment lines (spend only). Half the bodies' files are
loaded before the server starts; the other half are the ingest run during the load; one body's
files are held back and published through POST /api/v1/publish with that body's token (more
bodies' when --publishes exceeds one body's months), one after another.
The server: `openbook serve` (writable: it takes the publications), one process. The load: a
second process, --clients concurrent httpx2 async clients asking a mix of API and page routes
(ordinary clients: answers kept per book version, so each new version is computed afresh) for
--seconds and until the writers have all finished. Meanwhile `openbook ingest` and then
`openbook analyse` run as other processes, and the publications are posted one after another.
Figures: requests served, failed (any status but 200, or no answer), p95 and p99 latency, and
rows lost: rows the writers reported accepted that the book does not hold (and rows a file's
source row counts that are not there), and the server's last answer against the book.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from api import free_port, percentile  # benchmarks/api.py, beside this script
from child import run  # benchmarks/child.py

HERE = Path(__file__).resolve().parent

BUILD = """
import json, sys, time
from pathlib import Path
from openbook.ingest.parallel import ingest_paths
from openbook.store import Book
from openbook.store.tokens import create_token
from openbook.synth import generate
data, book, rows, publishes = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
started = time.perf_counter()
generate(data, seed=42, rows=rows, datasets=("spend",))
bodies = sorted(p for p in (data / "spend").iterdir() if p.is_dir())
held = 1
while held < len(bodies) - 2 and sum(len(list(b.iterdir())) for b in bodies[:held]) < publishes:
    held += 1
publishers, rest = bodies[:held], bodies[held:]
before = [data / "organisations.csv"] + [f for b in rest[: len(rest) // 2] for f in sorted(b.iterdir())]
during = [f for b in rest[len(rest) // 2:] for f in sorted(b.iterdir())]
with Book(book) as opened:
    reports = list(ingest_paths(opened, before, jobs=0))
    tokens = {b.name: create_token(opened, b.name, "serve_load benchmark") for b in publishers}
accepted = sum(r.accepted for r in reports if r.dataset == "spend")
print(json.dumps({"seconds": time.perf_counter() - started, "accepted_before": accepted,
                  "during": [str(f) for f in during],
                  "publish": [[str(f), b.name, tokens[b.name]] for b in publishers for f in sorted(b.iterdir())]}))
"""

LOAD = r"""
import asyncio, json, sys, time
import os
import httpx2
base, paths, clients, seconds = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
done = sys.argv[5]
latencies, failures = [], []

async def worker(client, k, deadline):
    i = k
    while time.perf_counter() < deadline or not os.path.exists(done):  # at least --seconds, and until the writers end
        path = paths[i % len(paths)]
        i += 1
        start = time.perf_counter()
        try:
            response = await client.get(path)
            await response.aread()
            if response.status_code != 200:
                failures.append(f"{path}: {response.status_code} {response.text[:200]}")
        except Exception as error:
            failures.append(f"{path}: {type(error).__name__}: {error}")
        latencies.append((time.perf_counter() - start) * 1000)

async def main():
    limits = httpx2.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx2.AsyncClient(base_url=base, limits=limits, timeout=120) as client:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(worker(client, k, deadline) for k in range(clients)))
    print(json.dumps({"latencies": latencies, "failures": failures}))

asyncio.run(main())
"""

PATHS = ["/api/v1/aggregates/spend?by=org_id", "/api/v1/aggregates/spend?by=function",
         "/api/v1/aggregates/spend?by=month", "/api/v1/spend", "/api/v1/spend?sort=amount_gbp&amount_min=1000",
         "/api/v1/findings", "/api/v1/sources", "/bodies", "/"]

CHECK = """
import json, sys
from openbook.store import Book
with Book(sys.argv[1], read_only=True) as book:
    short = book.query(\"\"\"SELECT coalesce(sum(s.rows_accepted - coalesce(n.lines, 0)), 0) FROM source s
        LEFT JOIN (SELECT source_sha256, count(*) AS lines FROM spend GROUP BY 1) n ON n.source_sha256 = s.sha256
        WHERE s.dataset = 'spend'\"\"\")[0][0]
    print(json.dumps({"spend_rows": book.query("SELECT count(*) FROM spend")[0][0],
                      "current_lines": book.query("SELECT count(*) FROM spend_current")[0][0],
                      "short_of_source_counts": int(short), "version": book.snapshot.version if book.snapshot else 0}))
"""


def start_server(book: Path, port: int) -> subprocess.Popen:
    import socket

    server = subprocess.Popen([sys.executable, "-m", "openbook", "serve", "--book", str(book), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 300
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"openbook serve stopped: {server.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("openbook serve did not start within five minutes")


def writer(command: list[str], out: dict, key: str, delay: float) -> threading.Thread:
    """A CLI command run as another process after `delay` seconds; its --json answer and time go in out[key]."""
    def go() -> None:
        time.sleep(delay)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "openbook", *command, "--json"], capture_output=True, text=True)
        out[key] = {"seconds": time.perf_counter() - started, "exit": done.returncode,
                    "answer": json.loads(done.stdout) if done.stdout.strip().startswith(("[", "{")) else None,
                    "error": done.stderr[-500:] if done.returncode > 1 else None}
    thread = threading.Thread(target=go)
    thread.start()
    return thread


def publisher(base: str, files: list[list[str]], out: dict, delay: float) -> threading.Thread:
    """Each file posted by its body with that body's token, one after another, after `delay` seconds."""
    def go() -> None:
        import httpx2

        time.sleep(delay)
        results = out.setdefault("publishes", [])
        with httpx2.Client(base_url=base, timeout=900) as client:
            for name, org, token in files:
                started = time.perf_counter()
                with open(name, "rb") as fh:
                    response = client.post("/api/v1/publish", data={"org": org},
                                           files={"file": (Path(name).name, fh.read(), "text/csv")},
                                           headers={"Authorization": f"Bearer {token}"})
                answer = response.json()
                results.append({"status": response.status_code, "seconds": time.perf_counter() - started,
                                "accepted": answer.get("accepted", 0) if response.status_code == 200 else 0,
                                "error": None if response.status_code in (200, 422) else response.text[:300]})
    thread = threading.Thread(target=go)
    thread.start()
    return thread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="payment lines in the sector")
    parser.add_argument("--seconds", type=float, default=60,
                        help="how long the clients ask at least (they go on until the writers finish)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent API clients")
    parser.add_argument("--publishes", type=int, default=10, help="files posted to /api/v1/publish")
    parser.add_argument("--dir", type=Path, default=HERE / ".cache" / "serve_load", help="a new folder per run")
    args = parser.parse_args()
    folder = args.dir / f"{args.rows}-{int(time.time())}"
    folder.mkdir(parents=True)
    book = folder / "book.duckdb"
    print(f"Generating {args.rows:,} rows and loading half the bodies into {book} …", flush=True)
    built = run(BUILD, str(folder / "data"), str(book), str(args.rows), str(args.publishes))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(book, port)
    out: dict = {}
    try:
        print(f"Serving; {args.clients} clients for {args.seconds:g} s while the writers run …", flush=True)
        threads = [writer(["ingest", *built["during"], "--book", str(book)], out, "ingest", 2),
                   writer(["analyse", "--book", str(book)], out, "analyse", 4),
                   publisher(base, built["publish"][: args.publishes], out, 3)]
        finished = folder / "writers-finished"
        loading = threading.Thread(target=lambda: out.update(load=run(LOAD, base, json.dumps(PATHS), str(args.clients),
                                                                       str(args.seconds), str(finished))))
        started = time.perf_counter()
        loading.start()
        for thread in threads:
            thread.join()
        finished.touch()
        loading.join()
        load, elapsed = out["load"], time.perf_counter() - started
        import httpx2

        final = httpx2.get(base + "/api/v1/aggregates/spend?by=org_id&limit=1000", timeout=120).json()
    finally:
        server.terminate()
        server.wait(timeout=60)
    check = run(CHECK, str(book))
    ingested = sum(r["accepted"] for r in out["ingest"]["answer"] or []
                   if r["status"] == "loaded" and r["dataset"] == "spend")
    published = sum(p["accepted"] for p in out.get("publishes", []))
    expected = built["accepted_before"] + ingested + published
    served_lines = sum(row["lines"] for row in final["rows"])
    latencies = load["latencies"]
    figures = {
        "rows": args.rows, "clients": args.clients, "seconds": round(elapsed, 1),
        "requests_served": len(latencies) - len(load["failures"]), "requests_failed": len(load["failures"]),
        "p50_ms": round(percentile(latencies, 0.5), 1), "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "ingest": {"seconds": round(out["ingest"]["seconds"], 1), "exit": out["ingest"]["exit"], "accepted": ingested,
                   "error": out["ingest"]["error"]},
        "analyse": {"seconds": round(out["analyse"]["seconds"], 1), "exit": out["analyse"]["exit"],
                    "error": out["analyse"]["error"]},
        "publishes": {"posted": len(out.get("publishes", [])),
                      "ok": sum(p["status"] == 200 for p in out.get("publishes", [])),
                      "rejected_422": sum(p["status"] == 422 for p in out.get("publishes", [])),  # the file's fault
                      "failed": [p["error"] for p in out.get("publishes", []) if p["error"]],
                      "p95_s": round(percentile([p["seconds"] for p in out.get("publishes", [])] or [0], 0.95), 1),
                      "accepted": published},
        "rows_expected": expected, "rows_in_book": check["spend_rows"],
        "rows_lost": expected - check["spend_rows"] + check["short_of_source_counts"],
        "served_lines_at_end": served_lines, "book_current_lines": check["current_lines"],
        "versions_published": check["version"],
        "first_failures": load["failures"][:5],
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
