"""Every page of a built book, asked once (computed from the book) and again (the answer kept).

    python benchmarks/pages.py --book benchmarks/.cache/book-100000000/openbook.duckdb
    python benchmarks/pages.py --book demo/openbook.duckdb --memory-limit 2GB

The server is `openbook serve --read-only` with DuckDB's memory limit (OPENBOOK_MEMORY_LIMIT);
each page is asked for twice in a row by one client on loopback, timed from send to last byte.
The peer of a page is its own first answer: the second is what a reader gets until the book
changes (pages are kept per book version). The server's peak RSS is sampled from /proc.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from urllib.parse import quote

from api import free_port, serve  # benchmarks/api.py and child.py, beside this script
from child import _TreePeak


def pages(book: Path) -> dict[str, str]:
    """Label → path for every kind of page, with ids of the book's largest body, function and supplier."""
    import duckdb

    con = duckdb.connect(str(book), read_only=True)
    org, function = con.execute("SELECT org_id, function FROM spend_current WHERE function IS NOT NULL "
                                "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").fetchone()
    supplier = con.execute("SELECT supplier_id FROM spend_current WHERE supplier_id IS NOT NULL "
                           "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    finding = con.execute("SELECT finding_id FROM finding ORDER BY gbp_at_stake DESC LIMIT 1").fetchone()
    sha = con.execute("SELECT sha256 FROM source WHERE dataset = 'spend' ORDER BY rows_read DESC LIMIT 1").fetchone()[0]
    word = con.execute("SELECT split_part(canonical_name, ' ', 1) FROM supplier ORDER BY lines DESC LIMIT 1").fetchone()[0]
    con.close()
    found = {
        "home": "/", "bodies": "/bodies", "body": f"/bodies/{quote(org)}", "scorecard": f"/bodies/{quote(org)}/scorecard",
        "functions": "/functions", "function": f"/functions/{quote(function)}",
        "suppliers": "/suppliers", "supplier": f"/suppliers/{quote(supplier)}",
        "duplicates": "/duplicates", "capabilities": "/capabilities", "savings": "/savings",
        "measures": "/measures", "index": "/index", "alerts": "/alerts",
        "sources": "/sources", "source": f"/sources/{sha}", "search": f"/search?q={quote(word)}",
        "methodology": "/methodology",
    }
    if finding:
        found["finding"] = f"/findings/{quote(finding[0])}"
    return found


def main() -> None:
    import httpx2
    from rich.console import Console
    from rich.table import Table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", type=Path, required=True, help="a built book (ingested, classified, analysed)")
    parser.add_argument("--memory-limit", default="4GB", help="DuckDB's memory limit in the server")
    args = parser.parse_args()
    if not args.book.exists():
        parser.error(f"no book at {args.book}")
    paths = pages(args.book)
    port = free_port()
    server = serve(args.book, port, env={"OPENBOOK_MEMORY_LIMIT": args.memory_limit})
    peak = _TreePeak(server.pid)
    table = Table(title=f"Pages of {args.book} (DuckDB limit {args.memory_limit}): first answer and kept answer")
    for column in ("page", "status", "first s", "kept ms", "first ÷ kept", "KB"):
        table.add_column(column, justify="left" if column == "page" else "right")
    try:
        with httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=1800) as client:
            for label, path in paths.items():
                timings = []
                for _ in range(2):
                    started = time.perf_counter()
                    response = client.get(path)
                    timings.append(time.perf_counter() - started)
                first, kept = timings
                table.add_row(label, str(response.status_code), f"{first:,.2f}", f"{kept * 1000:,.1f}",
                              f"{first / kept:,.0f}×", f"{len(response.content) / 1024:,.0f}")
                print(f"{label:<12} {response.status_code} first {first:8.2f} s  kept {kept * 1000:8.1f} ms", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        peak.stop()
    Console().print(table)
    print(f"server peak RSS {peak.mb:,.0f} MB")


if __name__ == "__main__":
    main()
