"""REST API latency under load: the chart aggregates and spend pages, served by `openbook serve`.

    python benchmarks/api.py                  # a 10M-row synthetic book
    python benchmarks/api.py --rows 1000000   # quicker
    python benchmarks/api.py --dir /tmp/cache # where built books are kept between runs
    python benchmarks/api.py --replicate 10   # 10M lines as the 1M book's spend copied ten times

The book: the generator's sector at --rows payment lines (spend, systems, organograms), ingested
and classified, built once under --dir (default benchmarks/.cache, git-ignored) at nice 10.
The server: `openbook serve --read-only` (uvicorn, one process). The load: a second process on
loopback, 20 concurrent httpx2 async clients, each request timed from send to last byte.
Each endpoint is measured twice: as a client asking with `Cache-Control: no-cache` (the answer is
computed from the book every time) and as an ordinary client (answers kept per book version).
The peer: the same aggregate as a bare DuckDB query in this process, one at a time, so the ratio
is what HTTP, the app and 20-way contention add. Goal: p95 ≤ 100 ms for ordinary clients.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from child import run  # benchmarks/child.py, beside this script

HERE = Path(__file__).resolve().parent
CLIENTS = 20
GOAL_MS = 100.0

BUILD = """
import json, os, sys, time
from pathlib import Path
os.nice(10)
from openbook.analyse.classify import classify_book
from openbook.demo import sector_files
from openbook.ingest.parallel import ingest_paths
from openbook.store import Book
from openbook.synth import generate
data, book, rows = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
started = time.perf_counter()
if not (data / "organisations.csv").exists():
    generate(data, seed=42, rows=rows, datasets=("spend", "systems", "organogram"))
generated = time.perf_counter()
files = sector_files(data)
with Book(book) as opened:
    reports = list(ingest_paths(opened, files, jobs=0))
    ingested = time.perf_counter()
    classify_book(opened)
    lines = opened.query("SELECT count(*) FROM spend_current")[0][0]
print(json.dumps({"generate_s": generated - started, "ingest_s": ingested - generated,
                  "classify_s": time.perf_counter() - ingested, "lines": lines,
                  "reconciles": all(r.reconciles for r in reports)}))
"""

LOAD = r"""
import asyncio, json, sys, time
import httpx2
base, paths, clients, per_client, bypass = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
headers = {"Cache-Control": "no-cache"} if bypass else {}

async def one(client, path, out):
    start = time.perf_counter()
    response = await client.get(path, headers=headers)
    await response.aread()
    out.append((time.perf_counter() - start) * 1000)
    if response.status_code != 200:
        raise SystemExit(f"{path}: {response.status_code} {response.text[:300]}")

async def main():
    result = {}
    limits = httpx2.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx2.AsyncClient(base_url=base, limits=limits, timeout=600) as client:
        for path in paths:
            first = []
            await one(client, path, first)  # the first answer after start (or a change): computed
            latencies = []
            async def worker():
                for _ in range(per_client):
                    await one(client, path, latencies)
            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(clients)))
            result[path] = {"first_ms": first[0], "latencies": latencies,
                            "rps": len(latencies) / (time.perf_counter() - started)}
    print(json.dumps(result))

asyncio.run(main())
"""


REPLICATE = """
import json, os, shutil, sys, time
import duckdb
os.nice(10)
base, book, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
started = time.perf_counter()
shutil.copy(base, book)
con = duckdb.connect(book)
for k in range(2, copies + 1):
    # Copy k of every current spend file: a new source (its own SHA-256) holding the same lines.
    con.execute("INSERT INTO source SELECT * REPLACE (sha256(sha256 || ?) AS sha256, "
                "path || ' (copy ' || ? || ')' AS path) FROM source WHERE dataset = 'spend' AND status = 'current' "
                "AND length(sha256) = 64", [str(k), str(k)])
    con.execute("INSERT INTO spend SELECT s.* REPLACE (sha256(s.source_sha256 || ?) AS source_sha256) FROM spend s "
                "JOIN source src ON src.sha256 = s.source_sha256 AND src.status = 'current' "
                "AND src.path NOT LIKE '%(copy %'", [str(k)])
con.execute("CHECKPOINT")
lines = con.execute("SELECT count(*) FROM spend_current").fetchone()[0]
con.close()
print(json.dumps({"replicate_s": time.perf_counter() - started, "copies": copies, "lines": lines,
                  "reconciles": True}))
"""


def build(rows: int, folder: Path, replicate: int = 1) -> Path:
    """The book at `rows` lines, built once and kept (a marker file says the build finished).

    With `replicate` K, the generator's book of rows/K lines is built through the pipeline and its
    spend files copied K times over (each copy a source with its own SHA-256): the same shape of
    data at K times the size, for a machine where a full 10M-line ingest takes too long.
    """
    name = f"api-{rows}" + (f"-x{replicate}" if replicate > 1 else "")
    book, done = folder / f"{name}.duckdb", folder / f"{name}.built.json"
    if done.exists() and book.exists():
        print(f"Using the book built before: {book} ({json.loads(done.read_text())})", flush=True)
        return book
    folder.mkdir(parents=True, exist_ok=True)
    book.unlink(missing_ok=True)
    if replicate > 1:
        base = build(rows // replicate, folder)
        print(f"Copying its spend {replicate} times over into {book} …", flush=True)
        report = run(REPLICATE, str(base), str(book), str(replicate))
    else:
        print(f"Building a {rows:,}-line book under {folder} (once; kept for reruns) …", flush=True)
        report = run(BUILD, str(folder / f"sector-{rows}"), str(book), str(rows))
    if not report["reconciles"]:
        raise SystemExit("the benchmark book's counts did not reconcile")
    done.write_text(json.dumps(report))
    print(f"Built: {report}", flush=True)
    return book


def endpoints(book: Path) -> dict[str, str]:
    """Label → path: the aggregates behind the charts, the first spend page and one filtered page."""
    import duckdb

    con = duckdb.connect(str(book), read_only=True)
    org, function = con.execute("SELECT org_id, function FROM spend_current WHERE function IS NOT NULL "
                                "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").fetchone()
    con.close()
    return {
        "spend by function": "/api/v1/aggregates/spend?by=function",
        "spend by body": "/api/v1/aggregates/spend?by=org_id",
        "spend by month": "/api/v1/aggregates/spend?by=month",
        "spend by supplier": "/api/v1/aggregates/spend?by=supplier",
        "function benchmarks": "/api/v1/aggregates/function-benchmarks",
        "capability map": "/api/v1/aggregates/capability-map",
        "spend, first page": "/api/v1/spend",
        "spend, filtered page": f"/api/v1/spend?org={org}&function={function}&amount_min=1000&sort=amount_gbp",
    }


PEERS = {  # the same answer as one bare DuckDB query
    "spend by function": "SELECT function, sum(amount_gbp), count(*) FROM spend_current GROUP BY 1 ORDER BY 2 DESC LIMIT 50",
    "spend by body": "SELECT org_id, sum(amount_gbp), count(*) FROM spend_current GROUP BY 1 ORDER BY 2 DESC LIMIT 50",
    "spend by month": "SELECT date_trunc('month', paid_on), sum(amount_gbp), count(*) FROM spend_current "
                      "GROUP BY 1 ORDER BY 2 DESC LIMIT 50",
    "spend by supplier": "SELECT coalesce(supplier_id, supplier_name), sum(amount_gbp), count(*) FROM spend_current "
                         "GROUP BY 1 ORDER BY 2 DESC LIMIT 50",
    "spend, first page": "SELECT * FROM spend_current ORDER BY paid_on DESC, source_sha256 DESC, source_line DESC "
                         "LIMIT 101",
}


def peer_ms(book: Path, sql: str, repeats: int = 5) -> float:
    """The median time of a bare DuckDB query in this process."""
    import duckdb

    con = duckdb.connect(str(book), read_only=True)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        con.execute(sql).fetchall()
        times.append((time.perf_counter() - start) * 1000)
    con.close()
    return sorted(times)[len(times) // 2]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def serve(book: Path, port: int, env: dict[str, str] | None = None) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "openbook", "serve", "--book", str(book), "--port", str(port),
                               "--read-only"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env={**os.environ, **(env or {})})
    deadline = time.time() + 120
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"openbook serve stopped: {server.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("openbook serve did not start within two minutes")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="payment lines in the book")
    parser.add_argument("--dir", type=Path, default=HERE / ".cache", help="where built books are kept")
    parser.add_argument("--requests", type=int, default=10, help="requests per client per endpoint")
    parser.add_argument("--replicate", type=int, default=1, help="build rows/N lines through the pipeline and copy "
                                                                  "its spend N times (a quicker build)")
    args = parser.parse_args()
    book = build(args.rows, args.dir, args.replicate)
    paths = endpoints(book)
    peers = {label: peer_ms(book, sql) for label, sql in PEERS.items()}
    port = free_port()
    server = serve(book, port)
    try:
        base = f"http://127.0.0.1:{port}"
        computed = run(LOAD, base, json.dumps(list(paths.values())), str(CLIENTS), str(max(2, args.requests // 5)), "1")
        cached = run(LOAD, base, json.dumps(list(paths.values())), str(CLIENTS), str(args.requests), "0")
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\n{args.rows:,} payment lines; {CLIENTS} concurrent clients from another process, over loopback; "
          f"ms per request")
    print(f"{'endpoint':<22} | {'computed each time':^26} | {'ordinary clients (kept per book version)':^46} | "
          f"{'DuckDB':>7} | ratios to DuckDB alone")
    print(f"{'':<22} | {'first':>7} {'p50':>8} {'p95':>8} | {'p50':>7} {'p95':>7} {'p99':>7} {'req/s':>7} "
          f"{'p95 ≤ 100':>10} | {'alone':>7} | first  kept p50")
    misses = 0
    for label, path in paths.items():
        slow, fast = computed[path], cached[path]
        p95 = percentile(fast["latencies"], 0.95)
        misses += p95 > GOAL_MS
        peer = peers.get(label)
        ratio = (f"{slow['first_ms'] / peer:5.2f}x {percentile(fast['latencies'], 0.5) / peer:5.2f}x" if peer
                 else "–")
        print(f"{label:<22} | {slow['first_ms']:>7.0f} {percentile(slow['latencies'], 0.5):>8.0f} "
              f"{percentile(slow['latencies'], 0.95):>8.0f} | {percentile(fast['latencies'], 0.5):>7.1f} {p95:>7.1f} "
              f"{percentile(fast['latencies'], 0.99):>7.1f} {fast['rps']:>7.0f} {'yes' if p95 <= GOAL_MS else 'NO':>10} | "
              f"{(f'{peer:.0f}' if peer else '–'):>7} | {ratio}")
    print(f"\nGoal p95 ≤ {GOAL_MS:.0f} ms for ordinary clients: {'met' if not misses else f'missed on {misses}'}. "
          f"'computed each time' sends Cache-Control: no-cache; 'first' is one such request with no other load, "
          f"so first/DuckDB is what HTTP and the app add to the bare query. {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f} at the end.")


if __name__ == "__main__":
    main()
