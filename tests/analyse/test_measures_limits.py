"""Control limits, rank intervals and 'missing' against 'not applicable', against hand-worked answers."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from openbook.analyse.measures import load_measure, limits
from openbook.analyse.measures.findings import measure_findings
from openbook.analyse.measures.runner import run
from tests.analyse.test_measures import ONE_MONTH, PER_HEAD  # finance per head, savings counted; one month is enough

D = Decimal


def test_the_relative_standard_error_is_that_of_a_compound_poisson_sum():
    assert limits.relative_se(100.0, 100.0 ** 2) == 1.0  # one line: as uncertain as it is large
    assert limits.relative_se(100.0, 100 * 1.0 ** 2) == pytest.approx(0.1)  # 100 lines of £1: 1/√100
    assert limits.relative_se(0.0, 1.0) is None and limits.relative_se(5.0, None) is None


def test_limits_sit_around_the_peer_value_at_the_bodys_precision():
    placed = limits.place(150.0, 100.0, 0.1)  # se at the peer value: 10
    assert placed["upper_95"] == pytest.approx(100 + 1.959964 * 10)
    assert placed["upper_998"] == pytest.approx(100 + 3.090232 * 10)
    assert placed["limits"] == "above 99.8%"
    assert limits.place(125.0, 100.0, 0.1)["limits"] == "above 95%"
    assert limits.place(110.0, 100.0, 0.1)["limits"] == "within"
    assert limits.place(150.0, 100.0, 0.5)["limits"] == "within"  # the same value, few lines: not an outlier
    assert limits.place(60.0, 100.0, 0.1)["limits"] == "below 99.8%"
    assert limits.is_outlier("above 99.8%", "lower") and not limits.is_outlier("above 95%", "lower")
    assert limits.is_outlier("below 99.8%", "higher") and not limits.is_outlier("above 99.8%", "higher")


def test_overdispersion_widens_the_limits_by_the_spread_between_bodies_beyond_chance():
    # Five bodies at 50..150 against a peer value of 100, each on a million lines (relative se 0.001):
    # z = −500, −250, 0, 250, 500, winsorised to ±400 (the 10th and 90th centiles); Q = 445,000;
    # weights 10⁶ each, so τ² = (445,000 − 4) ÷ (5·10⁶ − 10⁶).
    spread = [(50.0, 0.001), (75.0, 0.001), (100.0, 0.001), (125.0, 0.001), (150.0, 0.001)]
    tau2 = limits.overdispersion(spread, 100.0)
    assert tau2 == pytest.approx((445_000 - 4) / 4_000_000)
    assert limits.place(150.0, 100.0, 0.001)["limits"] == "above 99.8%"  # chance alone: an outlier
    assert limits.place(150.0, 100.0, 0.001, tau2)["limits"] == "within"  # bodies differ that much anyway
    # Where bodies differ no more than chance says, nothing is added.
    assert limits.overdispersion([(100.0, 0.1), (101.0, 0.1), (99.0, 0.1), (100.0, 0.1)], 100.0) == 0.0
    assert limits.overdispersion([(150.0, 0.001), (50.0, 0.001)], 100.0) == 0.0  # too few bodies to tell
    assert limits.place(10.0, 100.0, 1.0)["lower_998"] == 0.0  # a limit below zero is zero


def test_rank_intervals_count_the_peers_surely_better_and_surely_worse():
    # Lower is better; 95% intervals: A 8.0–12.0, B −7.6–31.6, C 28.0–32.0, D 38.0–42.0. B overlaps A and
    # C, and is surely better than D only.
    entries = [("A", 10.0, 1.0), ("B", 12.0, 10.0), ("C", 30.0, 1.0), ("D", 40.0, 1.0)]
    ranked = limits.rank_intervals(entries, "lower")
    assert ranked["A"] == (1, 1, 2)
    assert ranked["B"] == (2, 1, 3)
    assert ranked["C"] == (3, 2, 3)
    assert ranked["D"] == (4, 4, 4)
    assert limits.rank_intervals(entries, "higher")["D"] == (1, 1, 1)
    assert limits.rank_intervals(entries, "higher")["B"] == (3, 2, 4)
    assert limits.rank_text(12, 8, 19, 40) == "ranked 12th of 40 (8th–19th)"
    assert limits.rank_text(1, 1, 1, 5) == "ranked 1st of 5" and limits.rank_text(None, None, None, 5) == ""
    assert [limits.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "111th"]


@pytest.fixture
def councils(writer, tmp_path):
    """Six districts of 100,000 people, each with finance spend of £3 a head: D1-D5 in 50 equal lines,
    D6 at £6 a head in one line (or in 50, when `many`). A county council with no finance line, and a
    department (no population) with finance spend."""
    def build(many: bool):
        for i in range(1, 7):
            org = f"XX-D{i}"
            writer.organisation(org, "district-council", population=100_000, staff=500, name=f"District {i}")
            lines = 1 if i == 6 and not many else 50
            per_head = 6 if i == 6 else 3
            for _ in range(lines):
                writer.spend(org, D(per_head * 100_000) / lines, function="finance")
        writer.organisation("XX-C1", "county-council", population=500_000, staff=900, name="County 1")
        writer.spend("XX-C1", D(1_000_000), function="housing")
        writer.organisation("XX-G1", "ministerial-department", staff=1000, name="Department 1")
        writer.spend("XX-G1", D(2_000_000), function="finance")
        path = tmp_path / "finance-per-head.toml"
        path.write_text(PER_HEAD, encoding="utf-8")
        return load_measure(path)
    return build


def test_a_body_on_few_lines_is_inside_its_limits_and_raises_no_finding(councils, book):
    measure = councils(many=False)
    results = run(book, measures=[measure], settings=ONE_MONTH, comparator="sector")
    rows = {r["org_id"]: r for r in results.rows}
    dear = rows["XX-D6"]
    assert dear["value"] == pytest.approx(72.0) and dear["peer_median"] == pytest.approx(36.0)
    assert dear["rel_se"] == pytest.approx(1.0) and dear["limits"] == "within"
    assert dear["saving_counted"]  # a gap to the target centile is still priced …
    assert measure_findings(book, results) == []  # … but a body inside its limits is not an outlier
    assert dear["rank"] == 6 and dear["rank_best"] == 1 and dear["rank_worst"] == 6  # one line: anywhere


def test_the_same_gap_on_many_lines_is_outside_the_limits_and_is_found(councils, book):
    measure = councils(many=True)
    results = run(book, measures=[measure], settings=ONE_MONTH, comparator="sector")
    dear = {r["org_id"]: r for r in results.rows}["XX-D6"]
    assert dear["rel_se"] == pytest.approx(1 / math.sqrt(50))
    # Peers differ beyond chance (D6 itself, winsorised): τ² widens the limit to 36 × (1 + 3.09 × 0.22) ≈ £61.
    assert dear["overdispersion"] > 0 and 55 < dear["upper_998"] < dear["value"]
    assert dear["limits"] == "above 99.8%"
    assert (dear["rank"], dear["rank_best"], dear["rank_worst"]) == (6, 6, 6)
    found = measure_findings(book, results)
    assert [f.org_ids for f in found] == [["XX-D6"]]
    assert "ranked 6th of 6" in found[0].description


def test_missing_is_told_apart_from_not_applicable(councils, book):
    measure = councils(many=True)
    results = run(book, measures=[measure], settings=ONE_MONTH, comparator="sector")
    gaps = {g["org_id"]: g for g in results.gaps}
    # The county publishes spend but none of it in finance, where other councils have some: missing.
    assert gaps["XX-C1"]["status"] == "missing"
    assert "none of its published spend" in gaps["XX-C1"]["reason"]
    # The department serves no residents and no central body has a cost per resident: not applicable.
    assert gaps["XX-G1"]["status"] == "not applicable" and "no central body" in gaps["XX-G1"]["reason"]
    assert not {g["org_id"] for g in results.gaps} & {r["org_id"] for r in results.rows}
