"""The field values classification has judged, so a pass judges only values it has not seen.

The functions take the open `Book` (store/book.py, which calls them through its methods).

Judging a value (normalising it and trying it against every rule of its field) is the only part
of classification done in Python, and a book of 1M real lines holds about 160,000 distinct
values: judging them all again on every ingest cost seconds, whatever the size of the new file.
`classification_judged` keeps each value's winning function and capability rule (as positions
in the rule set) under a fingerprint of the rules; a pass with the same fingerprint judges only
the values it has not kept, and any other fingerprint (a rule, a user mapping or the matching
code changed) forgets them all. A value is kept once per table and field (the insert skips
values already there), so the joins through it never multiply rows.

`classification_pass` keeps, per table, the fingerprint of the last pass that finished; a pass
removes it before it changes any row and writes it when done, so a pass stopped midway leaves
none and the next pass goes over every row.
"""

from __future__ import annotations

import pyarrow as pa

DDL = [
    """CREATE TABLE IF NOT EXISTS classification_judged (
        table_name VARCHAR NOT NULL, field VARCHAR NOT NULL, value VARCHAR NOT NULL, rules_sha256 VARCHAR NOT NULL,
        function_rule INTEGER, capability_rule INTEGER)""",
    """CREATE TABLE IF NOT EXISTS classification_pass (
        table_name VARCHAR PRIMARY KEY, rules_sha256 VARCHAR NOT NULL, finished_at TIMESTAMP NOT NULL)""",
]


def forget_other_rules(book, rules_sha256: str) -> None:
    """Drop every judgement made under other rules than these."""
    book.con.execute("DELETE FROM classification_judged WHERE rules_sha256 <> ?", [rules_sha256])


def unjudged_values(book, table: str, field: str, where: str) -> pa.Table:
    """The distinct values of one field, over the rows `where` selects, that were never judged."""
    return book.con.execute(
        f'SELECT DISTINCT t."{field}" AS value FROM "{table}" t WHERE t."{field}" IS NOT NULL AND {where} '
        f'AND NOT EXISTS (SELECT 1 FROM classification_judged j WHERE j.table_name = ? AND j.field = ? '
        f'AND j.value = t."{field}")', [table, field]).fetch_arrow_table()


def keep_judged(book, table: str, field: str, rules_sha256: str, judged: pa.Table) -> None:
    """Keep (value, function_rule, capability_rule) rows; values kept before are skipped."""
    book.con.register("_judged", judged)
    try:
        book.con.execute(
            "INSERT INTO classification_judged SELECT DISTINCT ON (n.value) ?, ?, n.value, ?, n.function_rule, "
            "n.capability_rule FROM _judged n WHERE NOT EXISTS (SELECT 1 FROM classification_judged j "
            "WHERE j.table_name = ? AND j.field = ? AND j.value = n.value)", [table, field, rules_sha256, table, field])
    finally:
        book.con.unregister("_judged")


def judged_pairs(book, table: str, field: str) -> tuple[pa.Table, list[tuple[int | None, int | None]]]:
    """The values that some rule matches, each with a small "pair" number, and the (function rule,
    capability rule) of each pair in order (pair n is element n - 1)."""
    rows = book.con.execute(
        "SELECT value, function_rule, capability_rule, dense_rank() OVER (ORDER BY function_rule NULLS FIRST, "
        "capability_rule NULLS FIRST)::INTEGER AS pair FROM classification_judged WHERE table_name = ? AND "
        "field = ? AND (function_rule IS NOT NULL OR capability_rule IS NOT NULL)", [table, field]).fetch_arrow_table()
    book.con.register("_judged_pairs", rows)
    try:
        pairs = book.con.execute(
            "SELECT DISTINCT pair, function_rule, capability_rule FROM _judged_pairs ORDER BY pair").fetchall()
    finally:
        book.con.unregister("_judged_pairs")
    return rows.select(["value", "pair"]), [(f, c) for _, f, c in pairs]


def finished_pass(book, table: str) -> str | None:
    row = book.con.execute("SELECT rules_sha256 FROM classification_pass WHERE table_name = ?", [table]).fetchone()
    return row[0] if row else None


def set_finished_pass(book, table: str, rules_sha256: str | None) -> None:
    """Record that a pass under these rules finished over a table (None: that one is under way)."""
    book.con.execute("DELETE FROM classification_pass WHERE table_name = ?", [table])
    if rules_sha256:
        book.con.execute("INSERT INTO classification_pass VALUES (?, ?, now())", [table, rules_sha256])
