"""`openbook totals add|list`: a body's published total entered once, and the book's coverage of it."""

from __future__ import annotations

import json

from openbook.cli import app
from openbook.ingest import ingest_file
from openbook.store import Book


def test_add_then_list_shows_the_share_of_the_accounts_the_book_holds(runner, tmp_path, fixtures):
    book = tmp_path / "b.duckdb"
    with Book(book) as opened:
        ingest_file(opened, fixtures / "totals-footer.csv")
        org_id = opened.query("SELECT DISTINCT org_id FROM spend")[0][0]
    added = runner.invoke(app, ["totals", "add", "Trafford Council", "2024-25", "£120", "--source",
                                "https://example.org/accounts.pdf", "--by", "alice", "--book", str(book), "--json"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["org_id"] == org_id and json.loads(added.stdout)["amount_gbp"] == "120.00"
    listed = runner.invoke(app, ["totals", "list", "--org", org_id, "--book", str(book), "--json"])
    assert listed.exit_code == 0, listed.output
    [row] = json.loads(listed.stdout)
    assert row["book_gbp"] == "30.00" and row["accounts_coverage"] == 0.25
    assert row["files_total_gbp"] == "30.00" and row["files_coverage"] == 1.0
    shown = runner.invoke(app, ["totals", "list", "--book", str(book)])
    assert shown.exit_code == 0 and "25.0%" in shown.output and "100.0%" in shown.output


def test_mistakes_are_told_in_words_without_a_traceback(runner, tmp_path):
    book = tmp_path / "b.duckdb"
    cases = [(["Trafford Council", "2024-26", "10"], "financial year"),
             (["Trafford Council", "2024-25", "ten"], "not a number"),
             (["No Such Body At All", "2024-25", "10"], "No Such Body At All")]
    for args, words in cases:
        result = runner.invoke(app, ["totals", "add", *args, "--source", "https://example.org/a.pdf",
                                     "--book", str(book)])
        assert result.exit_code != 0 and words in result.output and "Traceback" not in result.output
