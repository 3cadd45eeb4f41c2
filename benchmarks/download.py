"""Server memory while streaming a whole spend list as CSV: peak RSS against rows sent.

    python benchmarks/download.py                      # the demo sector, spend copied to 2M lines
    python benchmarks/download.py --lines 10000000     # 10M lines
    python benchmarks/download.py --dir /tmp/dl        # where the book is kept between runs

The book: openbook.demo.build at --rows payment lines, its spend then copied (new source_line
values, same bodies and suppliers) until it holds --lines, under --dir (default
benchmarks/.cache/download). The server: `openbook serve --read-only`, one process. The client:
httpx2 streaming `GET /api/v1/spend?format=csv` and counting lines, while the server's RSS is
sampled every 0.2 s (/proc). Printed: rows, MB sent, seconds, the server's RSS before and its
peak during the download. Goal: the peak grows by far less than the CSV's size (bounded memory).
Python holds one batch at a time; what remains is DuckDB sorting the list into its order, bounded
by DuckDB's memory_limit (--memory-limit, '' for DuckDB's default of 80% of RAM), beyond which
it spills to disk.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import httpx2 as httpx

from api import free_port, serve  # benchmarks/api.py, beside this script
from child import _TreePeak

HERE = Path(__file__).resolve().parent


def build_book(folder: Path, rows: int, lines: int) -> Path:
    """The demo book with its spend copied up to `lines` rows (kept between runs)."""
    from openbook.demo import build
    from openbook.store import Book

    book_path = build(folder, rows=rows).path
    with Book(book_path) as book:
        have = book.con.execute("SELECT count(*) FROM spend").fetchone()[0]
        copies = 0
        while have < lines:
            copies += 1
            take = min(have, lines - have)
            book.con.execute(f"INSERT INTO spend SELECT * REPLACE (source_line + {copies} * 100000000 AS source_line) "
                             f"FROM spend LIMIT {take}")
            have += take
        book.checkpoint()
    return book_path


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000, help="payment lines the demo sector is generated with")
    parser.add_argument("--lines", type=int, default=2_000_000, help="spend lines in the book downloaded")
    parser.add_argument("--dir", type=Path, default=HERE / ".cache" / "download")
    parser.add_argument("--memory-limit", default="512MB",
                        help="the server's DuckDB memory_limit (OPENBOOK_MEMORY_LIMIT): the sort spills beyond it")
    args = parser.parse_args()
    book = build_book(args.dir / f"{args.rows}-{args.lines}", args.rows, args.lines)
    port = free_port()
    server = serve(book, port, env={"OPENBOOK_MEMORY_LIMIT": args.memory_limit} if args.memory_limit else None)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
            client.get("/api/v1/spend", params={"limit": 1})  # warm: the app's first query
            before = rss_mb(server.pid)
            peak = _TreePeak(server.pid)
            started, lines, sent = time.perf_counter(), 0, 0
            with client.stream("GET", "/api/v1/spend", params={"format": "csv"}) as response:
                response.raise_for_status()
                length = response.headers.get("content-length")
                for chunk in response.iter_bytes():
                    sent += len(chunk)
                    lines += chunk.count(b"\n")
            seconds = time.perf_counter() - started
            peak.stop()
    finally:
        server.terminate()
        server.wait()
    rows = lines - 1  # the header
    print(f"memory_limit {args.memory_limit or 'DuckDB default'}: rows {rows:,} (book {args.lines:,}), "
          f"{sent / 1e6:,.0f} MB in {seconds:,.1f} s, Content-Length {length or 'none'}")
    print(f"server RSS before {before:,.0f} MB, peak during {peak.mb:,.0f} MB "
          f"(+{peak.mb - before:,.0f} MB for a {sent / 1e6:,.0f} MB answer)")


if __name__ == "__main__":
    main()
