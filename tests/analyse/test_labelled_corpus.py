"""The labelled real-data corpus: findings and classified lines judged by hand, as an auditor would.

tests/data/labels-findings.csv holds 303 findings from the tuning half of ../shared/data (fixed-seed
random samples of each kind plus the largest by £), each with a verdict (genuine, plausible, false)
and a one-line reason; tests/data/labels-lines.csv holds spend lines classified to an
administrative function before or after the rules of docs/classification.md (a fixed-seed sample
plus the largest by £), each with the function an auditor would give it. Both are keyed by the
file's SHA-256 and the line, so they survive a rebuild. docs/methodology.md ("Measured precision")
gives the figures these tests compute.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from openbook import standard
from openbook.analyse.classify import classify_book
from openbook.analyse.classify.floor import CONFIDENCE_FLOOR

DATA = Path(__file__).resolve().parents[1] / "data"
KINDS = {"duplicate-payment", "function-cost-above-peers", "measure-above-target-centile", "top-heavy-unit",
         "repeated-senior-role", "duplicated-system"}
VERDICTS = {"genuine", "plausible", "false"}


def _read(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


FINDINGS = _read("labels-findings.csv")
LINES = _read("labels-lines.csv")
# A fresh sample of the check half, labelled once the rules were settled on the tuning half: the
# figures to report, never to tune on.
CHECK_LINES = _read("labels-lines-check.csv")
# Every duplicate and inferred-system finding of the check half (the kinds its home page headlines),
# labelled once the rules were settled.
CHECK_FINDINGS = _read("labels-findings-check.csv")
ADMIN = {row["code"] for row in standard.code_list("functions") if row["kind"] == "admin"}
KIND_OF = {row["code"]: row["kind"] for row in standard.code_list("functions")}


def precision(rows: list[dict[str, str]]) -> float | None:
    """genuine ÷ (genuine + false); plausible findings are counted apart, not in either."""
    verdicts = Counter(r["verdict"] for r in rows)
    judged = verdicts["genuine"] + verdicts["false"]
    return verdicts["genuine"] / judged if judged else None


def test_every_label_is_keyed_by_file_and_line_and_has_a_verdict_and_a_reason():
    for rows, verdicts in ((FINDINGS, VERDICTS), (CHECK_FINDINGS, VERDICTS), (LINES, {"right", "wrong", "unclear"}),
                           (CHECK_LINES, {"right", "wrong", "unclear"})):
        assert rows
        assert all(len(r["source_sha256"]) == 64 and int(r["source_line"]) > 0 for r in rows)
        assert {r["verdict"] for r in rows} <= verdicts
        assert all(r["reason"].strip() for r in rows)
    assert {r["kind"] for r in FINDINGS} == KINDS
    assert len({(r["kind"], r["source_sha256"], r["source_line"]) for r in FINDINGS}) == len(FINDINGS) >= 300
    assert len({(r["source_sha256"], r["source_line"]) for r in LINES}) == len(LINES) >= 300
    assert {r["pick"] for r in FINDINGS} == {"random", "top"} and {r["pick"] for r in LINES} == {"random", "top"}
    # What a line should have been is a function code, or a kind where the exact code is beside the point.
    assert {r["correct"] for r in LINES} <= set(KIND_OF) | {"frontline", "unclear"}


def test_precision_per_detector_where_it_is_measured_today():
    """Per kind, genuine ÷ (genuine + false), for findings headlined and for those that need review."""
    by_kind: dict[tuple[str, bool], list] = defaultdict(list)
    for row in FINDINGS:
        by_kind[(row["kind"], row["needs_review"] == "true")].append(row)
    figures = {key: (precision(rows), len(rows)) for key, rows in sorted(by_kind.items())}
    for (kind, review), (value, count) in figures.items():
        print(f"{kind}{' (needs review)' if review else ''}: {count} labelled, precision "
              f"{'n/a' if value is None else f'{value:.2f}'}")
    # Nothing a rule cannot settle from published data reaches 0.9: those findings need review.
    needing_review = [r for r in FINDINGS if r["needs_review"] == "true"]
    assert needing_review and precision(needing_review) < 0.9
    # The goals met today (docs/methodology.md): the detectors below are far from 0.9 and say so.
    duplicates = figures[("duplicate-payment", False)]
    assert duplicates[1] >= 25 and duplicates[0] >= 0.6
    assert all(value is None or value < 0.9 for (kind, _), (value, _) in figures.items()
               if kind in {"function-cost-above-peers", "measure-above-target-centile"})


def test_the_check_halfs_headlined_findings_are_genuine_or_plausible():
    """Measured, not tuned: on the check half, no finding that headlines (needs no review) was
    labelled false; the false ones (a council's monthly bills) all need review."""
    headlined = [r for r in CHECK_FINDINGS if r["needs_review"] == "false"]
    assert len(headlined) >= 10 and {r["verdict"] for r in headlined} <= {"genuine", "plausible"}
    needing_review = [r for r in CHECK_FINDINGS if r["needs_review"] == "true"]
    assert needing_review and precision(needing_review) == 0.0


def _accuracy(lines: list[dict], function_of) -> tuple[float, float, int]:
    """Share of lines classified to an admin function at or above the floor whose function is right,
    by count and by £ (gross)."""
    right = count = 0
    gbp = right_gbp = Decimal(0)
    for line in lines:
        function, confidence = function_of(line)
        if function not in ADMIN or (confidence is not None and confidence < CONFIDENCE_FLOOR):
            continue
        if line["correct"] == "unclear":
            continue
        ok = KIND_OF.get(function) == "frontline" if line["correct"] == "frontline" else function == line["correct"]
        amount = abs(Decimal(line["amount_gbp"]))
        count += 1
        gbp += amount
        if ok:
            right += 1
            right_gbp += amount
    return right / count, float(right_gbp / gbp), count


def test_the_labelled_functions_as_classified_when_labelled():
    """The corpus's own figures: the function each line had when it was labelled (after the rules of
    docs/classification.md) against the function it should have."""
    by_count, by_gbp, count = _accuracy(LINES, lambda r: (r["function"] or None, float(r["confidence"] or 0)))
    print(f"admin classification, as labelled: {count} lines, {by_count:.1%} by count, {by_gbp:.1%} by £")
    assert count > 150 and by_count >= 0.85 and by_gbp >= 0.9


@pytest.fixture(scope="module")
def relabelled_book(shared_data, shared_manifest, tmp_path_factory):
    """A book of only the files the labelled lines come from, classified by today's rules."""
    from openbook.ingest import ingest_file
    from openbook.store import Book

    by_sha = {row["sha256"]: row for row in shared_manifest}
    wanted = sorted({r["source_sha256"] for r in LINES + CHECK_LINES})
    missing = [sha for sha in wanted if sha not in by_sha]
    assert not missing, f"labelled files not in files.csv: {missing[:3]}"
    book = Book(tmp_path_factory.mktemp("labels") / "labels.duckdb")
    for sha in wanted:
        row = by_sha[sha]
        ingest_file(book, shared_data / row["local_path"], org=row["publisher"] or None)
    classify_book(book)
    yield book
    book.close()


def test_admin_classification_on_the_rebuilt_labelled_lines(relabelled_book):
    """Today's rules on the labelled lines: at least 85% right by count and 90% by £ (measured:
    docs/methodology.md), where the rules before this corpus managed 60% and 31%."""
    found = {(sha, line): (function, confidence) for sha, line, function, confidence in relabelled_book.query(
        "SELECT source_sha256, source_line, function, classification_confidence FROM spend")}
    assert all((r["source_sha256"], int(r["source_line"])) in found for r in LINES), "a labelled line is gone"
    by_count, by_gbp, count = _accuracy(LINES, lambda r: found[(r["source_sha256"], int(r["source_line"]))])
    print(f"admin classification, rebuilt: {count} lines, {by_count:.1%} by count, {by_gbp:.1%} by £")
    assert count > 150 and by_count >= 0.85 and by_gbp >= 0.9


def test_admin_classification_on_a_fresh_sample_of_the_check_half(relabelled_book):
    """Measured, not tuned: 79.3% right by count and 84.2% by £ (docs/methodology.md); the goal of
    90% is not met there, so this asserts only that the rules have not slipped below the measure."""
    found = {(sha, line): (function, confidence) for sha, line, function, confidence in relabelled_book.query(
        "SELECT source_sha256, source_line, function, classification_confidence FROM spend")}
    by_count, by_gbp, count = _accuracy(CHECK_LINES, lambda r: found[(r["source_sha256"], int(r["source_line"]))])
    print(f"admin classification, check half: {count} lines, {by_count:.1%} by count, {by_gbp:.1%} by £")
    assert count > 100 and by_count >= 0.75 and by_gbp >= 0.75
