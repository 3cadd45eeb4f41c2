"""Coverage: how much of what a body says it spent the book holds, per body and financial year.

Two published totals are set against the book:
- a file's own total row (ingest keeps it in quarantine as a structural `totals-row`, never as a
  payment): the largest amount on the file's total rows, against the sum of the lines the book
  took from that file. Below 100%, lines were quarantined or left out; above, the total row was a
  subtotal or the file double-counts.
- the body's annual accounts, entered by a user (`openbook totals add`): against everything the
  book holds for the body that year. Spending files list payments over a threshold and leave out
  pay, so a share well below 100% is expected; it says how much of the body's spending is open.
"""

from __future__ import annotations

import math
from collections import defaultdict
from decimal import Decimal

from openbook.analyse.measures.bases import financial_year
from openbook.analyse.measures.runner import spend_by_year
from openbook.ingest.amounts import AmountError, parse_amount
from openbook.store import published_totals
from openbook.store.book import Book


def row_total(cells: list[str | None]) -> Decimal | None:
    """The amount a total row states: its largest amount in absolute terms (a grand total outweighs a
    count or a subtotal on the same row); None when no cell reads as money."""
    found = []
    for cell in cells or []:
        text = (cell or "").strip()
        if not text or not any(ch.isdigit() for ch in text):
            continue
        try:
            pence, _ = parse_amount(text)
        except AmountError:
            continue
        found.append(Decimal(pence).scaleb(-2))
    return max(found, key=abs) if found else None


def file_totals(book: Book) -> dict[str, Decimal]:
    """{source_sha256: the file's stated total} for current spend files with a total row."""
    rows = book.query("SELECT q.source_sha256, q.raw_row FROM quarantine q WHERE q.code = 'totals-row' "
                      "AND q.table_name = 'spend' AND q.source_sha256 IN (SELECT DISTINCT source_sha256 "
                      "FROM spend_current) ORDER BY q.source_sha256, q.source_line")
    out: dict[str, Decimal] = {}
    for sha, cells in rows:
        total = row_total(list(cells or []))
        if total is not None and (sha not in out or abs(total) > abs(out[sha])):
            out[sha] = total
    return out


def coverage(book: Book, org_id: str | None = None) -> list[dict]:
    """Per body and financial year: the book's total, and its share of each published total it has."""
    spend = spend_by_year(book)
    if org_id:
        spend = spend.filter(spend.org_id == org_id)
    cells = spend.group_by(["org_id", "fy", "source_sha256"]).aggregate(
        gbp=spend.amount_gbp.sum(), months=spend.paid_on.truncate("M").nunique()).to_pyarrow().to_pylist()
    stated = file_totals(book)
    book_gbp: dict[tuple, list] = defaultdict(list)
    by_file: dict[str, list[dict]] = defaultdict(list)
    for cell in cells:
        book_gbp[(cell["org_id"], financial_year(cell["fy"]))].append(cell["gbp"] or Decimal(0))
        by_file[cell["source_sha256"]].append(cell)
    files: dict[tuple, dict] = defaultdict(lambda: {"files": 0, "stated": Decimal(0), "held": Decimal(0)})
    for sha, parts in sorted(by_file.items()):
        if sha not in stated:
            continue
        main = max(parts, key=lambda c: (abs(c["gbp"] or 0), c["fy"], c["org_id"]))  # where most of the file's £ is
        cell = files[(main["org_id"], financial_year(main["fy"]))]
        cell["files"] += 1
        cell["stated"] += stated[sha]
        cell["held"] += sum((c["gbp"] or Decimal(0) for c in parts), Decimal(0))
    accounts = {(t["org_id"], t["period"]): t for t in published_totals.totals(book, org_id)}
    out = []
    for key in sorted(set(book_gbp) | set(accounts)):
        held = sum(book_gbp.get(key, []), Decimal(0))
        f = files.get(key)
        a = accounts.get(key)
        out.append({"org_id": key[0], "period": key[1], "book_gbp": held,
                    "files_with_total": f["files"] if f else 0,
                    "files_total_gbp": f["stated"] if f else None, "files_book_gbp": f["held"] if f else None,
                    "files_coverage": _share(f["held"], f["stated"]) if f else None,
                    "accounts_gbp": a["amount_gbp"] if a else None, "accounts_source": a["source"] if a else None,
                    "accounts_coverage": _share(held, a["amount_gbp"]) if a else None})
    return out


def _share(part: Decimal, whole: Decimal) -> float | None:
    if not whole:
        return None
    share = float(part) / float(whole)
    return share if math.isfinite(share) else None
