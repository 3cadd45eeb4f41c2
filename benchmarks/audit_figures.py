"""The figures an auditor checks before signing the findings, on the real book of each half.

    python benchmarks/audit_figures.py                      # build both halves, print the figures
    python benchmarks/audit_figures.py --tuning-book T.duckdb --check-book C.duckdb
    python benchmarks/audit_figures.py --half tuning --json

A book is built from every spend file and organogram of the half (as generalise.py splits
../shared/data), classified and analysed; a book path that exists is re-classified and
re-analysed with today's rules instead of rebuilt. Printed per half, with the goals of
docs/methodology.md ("Figures an auditor signs"):

- duplicate findings that are one payment split over coding lines (every copy in one file, on
  one date, under one reference) and nearby-ledger "transpositions" (two pure-number references
  under 1,000 apart): each under 1% of duplicate findings;
- grant, loan and financing lines (by their own words, independent of the classifier's rules)
  as a share of the £ classified to administrative functions at or above the confidence floor:
  under 2%;
- phantom amounts: accepted lines whose amount cell, re-read from the published file, is a
  zero-padded whole number (a reference read as pounds): none; and every line over £50m listed
  for a reader to check.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import re
import sys
import tempfile
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOALS = {"splits": 0.01, "transpositions": 0.01, "transfers_share": 0.02, "phantom_lines": 0}
LEDGER_NEIGHBOURS = 1000
LARGE_LINE = Decimal(50_000_000)
# Words that make a line a transfer or financing, not the running of an office. Kept apart from
# the classifier's own rules on purpose: a figure measured with the rule it checks proves nothing.
TRANSFER = re.compile(r"\b(grants?|grant[- ]in[- ]aid|gia|loans?|drawdowns?|draw downs?|financing|bonds?|"
                      r"interest (paid|payable|charges?|on)|dividends?|subsid(y|ies)|capital (grants?|funding)|"
                      r"contributions? to|subscriptions? to)\b", re.I)
ZERO_PADDED = re.compile(r"^0\d{5,}$")


def _generalise():
    spec = importlib.util.spec_from_file_location("generalise", ROOT / "benchmarks" / "generalise.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(data: Path, half: str, path: Path, say) -> None:
    """Ingest the half's spend files (with their publisher) and organograms (without) into a new book."""
    from openbook.ingest import ingest_file
    from openbook.store import Book

    g = _generalise()
    rows = g.split_manifest(g.read_csv(data / "files.csv"), g.read_csv(g.SPLIT))[half]
    with Book(path) as book:
        for n, row in enumerate(r for r in rows if g.is_spend(r) or g.is_organogram(r)):
            try:
                ingest_file(book, data / row["local_path"], org=(row["publisher"] or None) if g.is_spend(row) else None)
            except Exception as exc:  # noqa: BLE001 - a file that raises is reported, the rest still count
                say(f"  {row['local_path']}: {type(exc).__name__}: {exc}")
            if n % 100 == 99:
                say(f"  {half}: {n + 1} files")


def analyse(path: Path, say) -> None:
    """Classify and run every detector with today's rules."""
    from openbook.analyse.classify import classify_book
    from openbook.analyse.detectors import run
    from openbook.store import Book

    with Book(path) as book:
        classify_book(book)
        say(f"  detectors: {run(book)}")


def _copies(con) -> dict[str, list[tuple]]:
    """Each duplicate finding's copies: (file, line, date, reference, cost centre) per evidence row."""
    rows = con.execute("""
        SELECT f.finding_id, s.source_sha256, s.source_line, s.paid_on, s.txn_ref, s.expense_area, s.amount_gbp
        FROM (SELECT finding_id, unnest(evidence) AS ev FROM finding WHERE kind = 'duplicate-payment') f
        JOIN spend_current s ON s.source_sha256 = split_part(f.ev, ':', 1)
                            AND s.source_line = CAST(split_part(f.ev, ':', 2) AS BIGINT)""").fetchall()
    by_finding: dict[str, list[tuple]] = defaultdict(list)
    for fid, *row in rows:
        by_finding[fid].append(tuple(row))
    return by_finding


def _nearby(refs: list[str]) -> bool:
    numbers = sorted({int(r) for r in refs if r and r.isdigit()})
    return len(numbers) > 1 and any(b - a < LEDGER_NEIGHBOURS for a, b in zip(numbers, numbers[1:]))


def duplicates(con) -> dict:
    copies = _copies(con)
    positive = [fid for fid, rows in copies.items() if all(r[5] > 0 for r in rows)]
    splits, transpositions, same_day = [], [], []
    for fid in positive:
        rows = copies[fid]
        if len({(r[0], r[2], r[3]) for r in rows}) == 1:
            # A reference is a document number only if it holds a digit ('#', 'BACS' do not).
            (splits if re.search(r"[0-9]", rows[0][3] or "") else same_day).append(fid)
        refs = [re.sub(r"[^0-9A-Za-z]", "", r[3] or "") for r in rows]
        if len(set(refs)) > 1 and _nearby(refs):
            transpositions.append(fid)
    review = dict(con.execute("SELECT finding_id, needs_review FROM finding WHERE kind = 'duplicate-payment'").fetchall())
    total = len(copies)
    return {"findings": total, "splits": len(splits), "transpositions": len(transpositions),
            "splits_share": len(splits) / total if total else 0.0,
            "transpositions_share": len(transpositions) / total if total else 0.0,
            "same_day_without_reference": len(same_day),
            "same_day_headlined": sum(1 for fid in same_day if not review.get(fid)), "split_ids": splits[:10], "transposition_ids": transpositions[:10]}


def transfers(con) -> dict:
    """Grant, loan and financing lines among the £ classified to administrative functions."""
    from openbook import standard
    from openbook.analyse.classify.floor import CONFIDENCE_FLOOR

    admin = [r["code"] for r in standard.code_list("functions") if r["kind"] == "admin"]
    rows = con.execute(f"""
        SELECT function, amount_gbp, expense_type, expense_area, description, supplier_name, source_sha256, source_line
        FROM spend_current WHERE function IN ({','.join('?' * len(admin))})
          AND (classification_confidence IS NULL OR classification_confidence >= ?)""",
                       [*admin, CONFIDENCE_FLOOR]).fetchall()
    total = sum(abs(r[1]) for r in rows)
    hits = [r for r in rows if TRANSFER.search(" ".join(filter(None, r[2:5])))]
    hit_gbp = sum(abs(r[1]) for r in hits)
    top = sorted(hits, key=lambda r: -abs(r[1]))[:15]
    return {"admin_gbp": float(total), "transfers_gbp": float(hit_gbp), "transfer_lines": len(hits),
            "transfers_share": float(hit_gbp / total) if total else 0.0,
            "largest": [{"function": r[0], "gbp": float(r[1]), "expense_type": r[2], "area": r[3],
                         "description": r[4], "supplier": r[5], "line": f"{r[6][:12]}:{r[7]}"} for r in top]}


def _raw_rows(source: dict):
    """(line, cells as text) of a published file, as the reader numbers its lines."""
    from openbook.ingest.reader import cell_text, iter_csv, iter_xlsx

    path = Path(source["path"])
    if source["format"] == "csv":
        dialect = json.loads(source["dialect"] or "{}")
        yield from iter_csv(path, source["encoding"] or "utf-8", dialect.get("delimiter", ","))
    else:
        for line, cells in iter_xlsx(path):
            yield line, [cell_text(c) for c in cells]


def phantoms(con) -> dict:
    """Accepted lines whose amount cell in the published file is a zero-padded whole number."""
    sources = [dict(zip(("sha", "path", "format", "encoding", "dialect"), r)) for r in con.execute(
        "SELECT sha256, path, format, encoding, dialect FROM source WHERE dataset = 'spend' AND status = 'current'"
    ).fetchall()]
    found, unread = [], []
    for source in sources:
        dialect = json.loads(source["dialect"] or "{}")
        names = [c for c, field in dialect.get("columns", []) if field == "amount_gbp"]
        order = [c for c, _ in dialect.get("columns", [])]
        if not names or not Path(source["path"]).exists():
            unread.append(source["path"])
            continue
        at = order.index(names[0])
        lines = dict(con.execute("SELECT source_line, amount_gbp FROM spend WHERE source_sha256 = ?",
                                 [source["sha"]]).fetchall())
        try:
            for line, cells in _raw_rows(source):
                if line in lines and at < len(cells) and ZERO_PADDED.match(str(cells[at]).strip()):
                    found.append({"file": source["path"], "line": line, "cell": cells[at], "gbp": float(lines[line])})
        except Exception as exc:  # noqa: BLE001 - a file the check cannot re-read is named, not hidden
            unread.append(f"{source['path']}: {type(exc).__name__}")
    large = con.execute("""
        SELECT s.amount_gbp, s.supplier_name, s.expense_type, s.description, s.txn_ref, o.name, src.file_name,
               s.source_line
        FROM spend_current s JOIN source src ON src.sha256 = s.source_sha256
        LEFT JOIN organisation o ON o.org_id = s.org_id
        WHERE abs(s.amount_gbp) > ? ORDER BY abs(s.amount_gbp) DESC""", [LARGE_LINE]).fetchall()
    return {"phantom_lines": len(found), "phantom_gbp": sum(f["gbp"] for f in found), "phantoms": found[:20],
            "unread_files": unread, "lines_over_50m": len(large), "gbp_over_50m": float(sum(r[0] for r in large)),
            "largest": [{"gbp": float(r[0]), "supplier": r[1], "expense_type": r[2], "description": r[3],
                         "ref": r[4], "body": r[5], "file": r[6], "line": r[7]} for r in large]}


def figures(path: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return {"duplicates": duplicates(con), "transfers": transfers(con), "phantoms": phantoms(con)}
    finally:
        con.close()


def report(half: str, f: dict, *, every_large: bool) -> None:
    d, t, p = f["duplicates"], f["transfers"], f["phantoms"]
    print(f"== {half} half")
    print(f"duplicate findings                       {d['findings']:>8}")
    print(f"  one payment split over coding lines    {d['splits']:>8}  {d['splits_share']:6.2%}  "
          f"(goal < {GOALS['splits']:.0%})")
    print(f"  (one file, one date, no reference: {d['same_day_without_reference']}, of which headlined: {d['same_day_headlined']})")
    print(f"  nearby-ledger 'transpositions'         {d['transpositions']:>8}  {d['transpositions_share']:6.2%}  "
          f"(goal < {GOALS['transpositions']:.0%})")
    print(f"admin £ at or above the floor          £{t['admin_gbp']:>16,.0f}")
    print(f"  grant / loan / financing lines       £{t['transfers_gbp']:>16,.0f}  {t['transfers_share']:6.2%}  "
          f"({t['transfer_lines']} lines; goal < {GOALS['transfers_share']:.0%})")
    for r in t["largest"][:8]:
        print(f"    £{r['gbp']:>14,.2f} {r['function']:<12} {r['expense_type'] or ''!s:.40} | {r['area'] or ''!s:.30} | "
              f"{r['description'] or ''!s:.40}")
    print(f"phantom amounts (zero-padded cells)      {p['phantom_lines']:>8}  (goal {GOALS['phantom_lines']})")
    for r in p["phantoms"][:5]:
        print(f"    {r['file']}:{r['line']} {r['cell']!r} → £{r['gbp']:,.2f}")
    if p["unread_files"]:
        print(f"  files the check could not re-read: {len(p['unread_files'])}")
    print(f"lines over £50m, listed to check         {p['lines_over_50m']:>8}  £{p['gbp_over_50m']:,.0f}")
    for r in p["largest"] if every_large else p["largest"][:10]:
        print(f"    £{r['gbp']:>15,.2f} {r['body'] or ''!s:.30} → {r['supplier'] or ''!s:.30} | "
              f"{r['expense_type'] or ''!s:.30} | {r['description'] or ''!s:.30} | {r['file']}:{r['line']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("OPENBOOK_SHARED_DATA", ROOT.parent / "shared" / "data")))
    parser.add_argument("--half", choices=("tuning", "check", "both"), default="both")
    parser.add_argument("--tuning-book", type=Path, help="a book of the tuning half to reuse (built if missing)")
    parser.add_argument("--check-book", type=Path, help="a book of the check half to reuse (built if missing)")
    parser.add_argument("--no-analyse", action="store_true", help="read the books' findings as they are")
    parser.add_argument("--all-large", action="store_true", help="list every line over £50m")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for half in ("tuning", "check") if args.half == "both" else (args.half,):
            start = time.perf_counter()
            path = getattr(args, f"{half}_book") or Path(tmp) / f"{half}.duckdb"
            if not path.exists():
                say(f"building the {half} half into {path}")
                build(args.data, half, path, say)
                analyse(path, say)
            elif not args.no_analyse:
                say(f"re-analysing {path}")
                analyse(path, say)
            out[half] = figures(path)
            out[half]["seconds"] = round(time.perf_counter() - start, 1)
    if args.json:
        json.dump(out, sys.stdout, indent=1, default=str)
        print()
        return
    for half, f in out.items():
        report(half, f, every_large=args.all_large)


if __name__ == "__main__":
    main()
