"""Review of findings: verdicts are kept with who and when (history, never rewritten), the latest is
the finding's status and survives re-computation, the export holds every verdict, and precision is
confirmed / (confirmed + false) per detector with explained counted apart."""

from __future__ import annotations

import csv
from datetime import datetime
from decimal import Decimal

import pytest

from openbook.analyse.findings import Finding, save_findings
from openbook.analyse.review import export_reviews, history, precision, review
from openbook.errors import UsageError


def _finding(detector: str, n: int) -> Finding:
    return Finding(f"{detector}-kind", detector, ["XX-A"], f"{detector} finding {n}", Decimal(100 * n), "f", 0.9,
                   [("a" * 64, n + 1)])


@pytest.fixture
def reviewed(book):
    # Payments: 4 findings. Verdicts: #1 confirmed, #2 false then confirmed on second look (latest
    # stands), #3 explained, #4 not reviewed. Systems: 2 findings, #1 false, #2 not reviewed.
    payments = [_finding("payments", n) for n in range(1, 5)]
    systems = [_finding("systems", n) for n in range(1, 3)]
    save_findings(book, "payments", payments)
    save_findings(book, "systems", systems)
    ids = {f"p{n}": f.finding_id for n, f in enumerate(payments, 1)} | {f"s{n}": f.finding_id
                                                                       for n, f in enumerate(systems, 1)}
    review(book, ids["p1"], "confirmed", "ann", at=datetime(2026, 11, 1, 9))
    review(book, ids["p2"], "false", "bob", note="looked like a refund", at=datetime(2026, 11, 1, 10))
    review(book, ids["p2"], "confirmed", "ann", note="no refund was made", at=datetime(2026, 11, 2, 9))
    review(book, ids["p3"], "explained", "ann", note="stage payments", at=datetime(2026, 11, 2, 10))
    review(book, ids["s1"], "false", "cat", at=datetime(2026, 11, 3, 9))
    return book, ids, payments


def test_history_keeps_every_verdict_and_the_latest_stands(reviewed):
    book, ids, _ = reviewed
    rows = history(book, ids["p2"])
    assert [(r["outcome"], r["reviewed_by"], r["note"], r["latest"]) for r in rows] == [
        ("false", "bob", "looked like a refund", False), ("confirmed", "ann", "no refund was made", True)]
    assert rows[0]["title"] == "payments finding 2" and rows[0]["gbp_at_stake"] == Decimal("200.00")
    status = dict(book.query("SELECT finding_id, status FROM finding"))
    assert status[ids["p2"]] == "confirmed" and status[ids["p3"]] == "explained" and status[ids["p4"]] == "open"


def test_verdicts_survive_the_detector_running_again(reviewed):
    book, ids, payments = reviewed
    save_findings(book, "payments", payments)
    status = dict(book.query("SELECT finding_id, status FROM finding"))
    assert status[ids["p1"]] == "confirmed" and status[ids["p3"]] == "explained"


def test_precision_per_detector(reviewed):
    book, _, payments = reviewed
    rows = {r["detector"]: r for r in precision(book)}
    p = rows["payments"]
    assert (p["findings"], p["reviewed"], p["confirmed"], p["false"], p["explained"]) == (4, 3, 2, 0, 1)
    assert p["precision"] == 1.0  # 2 confirmed / (2 confirmed + 0 false); p2's earlier 'false' no longer stands
    s = rows["systems"]
    assert (s["findings"], s["reviewed"], s["confirmed"], s["false"], s["explained"]) == (2, 1, 0, 1, 0)
    assert s["precision"] == 0.0
    # A verdict still counts after a later run no longer makes the finding.
    save_findings(book, "payments", payments[2:])
    again = {r["detector"]: r for r in precision(book)}["payments"]
    assert (again["findings"], again["confirmed"], again["precision"]) == (2, 2, 1.0)


def test_precision_is_none_until_something_is_judged(book):
    save_findings(book, "prices", [_finding("prices", 1)])
    (row,) = precision(book)
    assert (row["detector"], row["findings"], row["reviewed"], row["precision"]) == ("prices", 1, 0, None)


def test_export_writes_every_verdict(reviewed, tmp_path):
    book, ids, _ = reviewed
    target = tmp_path / "reviews.csv"
    assert export_reviews(book, target) == 5
    with open(target, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["outcome"] for r in rows] == ["confirmed", "false", "confirmed", "explained", "false"]
    assert rows[1] == {**rows[1], "finding_id": ids["p2"], "reviewed_by": "bob", "note": "looked like a refund",
                       "reviewed_at": "2026-11-01T10:00:00", "org_ids": "XX-A", "latest": "False"}


def test_bad_verdicts_are_refused_in_words(book):
    save_findings(book, "payments", [_finding("payments", 1)])
    finding_id = _finding("payments", 1).finding_id
    with pytest.raises(UsageError, match="'dismissed' is not a verdict; choose from confirmed, explained, false"):
        review(book, finding_id, "dismissed", "ann")
    with pytest.raises(UsageError, match="--by"):
        review(book, finding_id, "confirmed", " ")
    with pytest.raises(UsageError, match="no finding 'nope'"):
        review(book, "nope", "confirmed", "ann")
    assert book.query("SELECT count(*) FROM finding_review") == [(0,)]


def test_export_neutralises_a_note_a_spreadsheet_would_run(book, tmp_path):
    save_findings(book, "payments", [_finding("payments", 1)])
    finding_id = _finding("payments", 1).finding_id
    review(book, finding_id, "false", "@mallory", note='=HYPERLINK("http://x","y")', at=datetime(2026, 11, 1, 9))
    target = tmp_path / "reviews.csv"
    assert export_reviews(book, target) == 1
    with open(target, encoding="utf-8", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert (row["note"], row["reviewed_by"]) == ('\'=HYPERLINK("http://x","y")', "'@mallory")
