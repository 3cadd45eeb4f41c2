"""Every real spend publication under ../shared/data goes into one book and adds up.

For each file: it loads (or, if it holds no data, is rejected with a coded reason that says
so); its rows reconcile line by line; and the accepted total equals a sum of the file's amount
column computed here with Python's csv module and Decimal, leaving out only the lines the book
quarantined or marked structural.
"""

from __future__ import annotations

import csv
import json
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path



SPEND_KINDS = ("spend", "procurement card")
NO_DATA_CODES = {"nil-return", "metadata-not-data", "excel-binary-as-csv", "no-data-rows", "file-empty"}


def _spend_rows(manifest):
    return [r for r in manifest if any(k in r["kind"] for k in SPEND_KINDS)]


# The book of every real spend file is the session fixture `real_book` in tests/conftest.py.


def test_every_spend_file_loads_or_is_rejected_only_for_holding_no_data(real_book, shared_manifest):
    _, reports = real_book
    assert len(reports) == len(_spend_rows(shared_manifest)) > 600
    rejected = {name: r.rejection.code for name, r in reports.items() if r.status == "rejected"}
    assert set(rejected.values()) <= NO_DATA_CODES, rejected
    assert len(rejected) <= 15
    # An Excel 97 workbook named .csv is read by its bytes: it says NIL return.
    assert rejected["rjc123__govspend/data/rawfiles/nfc/nfc-over-25k-1111.csv"] == "nil-return"
    assert rejected["rjc123__govspend/data/rawfiles/nfc/nfc-over-25k-1006.csv"] == "metadata-not-data"
    assert rejected["rjc123__govspend/data/rawfiles/ccwater/ccwater-over-25k-1008.csv"] == "nil-return"


def test_every_loaded_file_reconciles_line_by_line(real_book):
    book, _ = real_book
    broken = book.query("""
        WITH accepted AS (SELECT source_sha256, count(*) AS n, count(DISTINCT source_line) AS d
                          FROM spend GROUP BY ALL),
             other AS (SELECT source_sha256, count(DISTINCT source_line) AS n FROM quarantine
                       WHERE severity IN ('error', 'structural') GROUP BY ALL),
             overlap AS (SELECT q.source_sha256, count(*) AS n FROM spend s JOIN quarantine q
                         ON q.source_sha256 = s.source_sha256 AND q.source_line = s.source_line
                         AND q.severity IN ('error', 'structural') GROUP BY ALL)
        SELECT src.path, src.rows_read, src.rows_accepted, a.n, a.d, o.n, ov.n
        FROM source src LEFT JOIN accepted a ON a.source_sha256 = src.sha256
        LEFT JOIN other o ON o.source_sha256 = src.sha256 LEFT JOIN overlap ov ON ov.source_sha256 = src.sha256
        WHERE src.status <> 'rejected' AND (
              src.rows_read <> src.rows_accepted + src.rows_quarantined + src.rows_structural
           OR coalesce(a.n, 0) <> src.rows_accepted OR coalesce(a.d, 0) <> coalesce(a.n, 0)
           OR coalesce(o.n, 0) <> src.rows_quarantined + src.rows_structural
           OR coalesce(ov.n, 0) > 0)""")
    assert broken == []
    assert book.query("SELECT count(*) FROM spend")[0][0] > 900_000


def _oracle_amount(text: str) -> Decimal:
    """Deliberately simple: strip the pound sign, commas and spaces; brackets, a trailing minus
    or CR make it negative."""
    value = text.strip().replace("£", "").replace(",", "").replace(" ", "")
    negative = False
    if value.startswith("(") and value.endswith(")"):
        negative, value = True, value[1:-1]
    if value.upper().endswith("CR"):
        negative, value = True, value[:-2]
    if value.endswith("-"):
        negative, value = True, value[:-1]
    if value.startswith("-"):
        negative, value = not negative, value[1:]
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    return -amount if negative else amount


def test_accepted_totals_equal_an_independent_sum_of_each_file(real_book):
    book, _ = real_book
    sources = book.query("SELECT sha256, path, encoding, dialect, rows_accepted, amount_accepted_gbp FROM source "
                         "WHERE status <> 'rejected' AND format = 'csv' AND dataset = 'spend'")
    assert len(sources) > 600
    mismatches = []
    for sha, path, encoding, dialect, accepted, stored_total in sources:
        dialect = json.loads(dialect)
        amount_at = [field for _, field in dialect["columns"]].index("amount_gbp")
        excluded = {line for (line,) in book.query(
            "SELECT DISTINCT source_line FROM quarantine WHERE source_sha256 = ? AND severity IN "
            "('error', 'structural')", [sha])}
        total, count = Decimal(0), 0
        with open(path, encoding=encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=dialect["delimiter"])
            start = 1
            for cells in reader:
                if start not in excluded:
                    total += _oracle_amount(cells[amount_at])
                    count += 1
                start = reader.line_num + 1
        in_book = book.query("SELECT coalesce(sum(amount_gbp), 0) FROM spend WHERE source_sha256 = ?", [sha])[0][0]
        if not (total == stored_total == in_book and count == accepted):
            mismatches.append((Path(path).name, str(total), str(stored_total), str(in_book), count, accepted))
    assert mismatches == []


def test_known_publications(real_book):
    book, reports = real_book
    decc = reports["rjc123__govspend/data/rawfiles/decc/1277-departmental-spend-over-500-apr-2010.csv"]
    assert decc.status == "loaded" and decc.problem_counts.get("column-inferred") == 1
    # The DfID file named August holds December's payments again: the later copy supersedes it.
    august = reports["rjc123__govspend/data/rawfiles/dfid/August-2010.csv"]
    assert book.query("SELECT status FROM source WHERE sha256 = ?", [august.sha256]) == [("superseded",)]
    # Two halves of May 2010 from the Cabinet Office are both current: they share no lines.
    halves = [r.sha256 for n, r in reports.items() if "/co/Spend-Transactions-with-descriptions-CO-" in n
              and "May" in n]
    assert len(halves) == 2
    assert book.query(f"SELECT DISTINCT status FROM source WHERE sha256 IN ('{halves[0]}', '{halves[1]}')") == [
        ("current",)]
    # A month-first payment date in a day-first DfT file is read and flagged, not dropped.
    flagged = book.query("SELECT count(*) FROM quarantine WHERE code = 'date-month-first'")[0][0]
    assert flagged > 50
