"""Function benchmarking: figures, peer quartiles, deciles and £ gaps with known answers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openbook.analyse.findings import save_findings
from openbook.analyse.detectors.functions import FunctionSettings, benchmark, findings


@pytest.fixture
def districts(writer):
    # Six districts of 100,000 people; finance costs £1..£6 per head, the last one £20 per head.
    for i, per_head in enumerate([1, 2, 3, 4, 5, 20], start=1):
        org = f"XX-D{i}"
        writer.organisation(org, "district-council", population=100_000, staff=500, name=f"District {i}")
        writer.spend(org, Decimal(per_head * 100_000), function="finance")
        writer.spend(org, Decimal("1000000"), function="housing")  # frontline: never benchmarked
    writer.organisation("XX-C1", "county-council", population=100_000, staff=500)
    writer.spend("XX-C1", "9000000", function="finance")  # another kind: not a peer
    return writer


def test_each_body_is_placed_among_its_peers_of_the_same_kind(districts, book):
    rows = {r["org_id"]: r for r in benchmark(book) if r["function"] == "finance"}
    assert set(rows) == {f"XX-D{i}" for i in range(1, 7)} | {"XX-C1"}
    dear = rows["XX-D6"]
    assert dear["basis"] == "per_head" and dear["peers"] == 6
    assert dear["value"] == pytest.approx(20.0)
    assert dear["peer_median"] == pytest.approx(3.5) and dear["peer_p25"] == pytest.approx(2.25)
    assert dear["decile"] == 10 and dear["outlier"]
    # £2,000,000 − £3.50 × 100,000 = £1,650,000; to the best quartile: £2,000,000 − £225,000.
    assert dear["gap_to_median_gbp"] == Decimal("1650000.00")
    assert dear["gap_to_best_quartile_gbp"] == Decimal("1775000.00")
    assert rows["XX-D1"]["gap_to_median_gbp"] == 0 and rows["XX-D1"]["decile"] == 1
    assert rows["XX-C1"]["basis"] is None  # one county is no peer group


def test_findings_price_the_gap_and_cite_the_rows(districts, book):
    found = findings(book, FunctionSettings(min_gap_gbp=Decimal("10000")))
    by_org = {f.org_ids[0]: f for f in found}
    assert set(by_org) == {"XX-D6", "XX-D5", "XX-D4"}  # D4: £400,000 − £350,000 = £50,000
    assert by_org["XX-D4"].gbp_at_stake == Decimal("50000.00")
    top = by_org["XX-D6"]
    assert top.gbp_at_stake == Decimal("1650000.00")
    assert "£3.50" in top.formula and "population 100,000" in top.formula
    assert len(top.evidence) == 1 and top.evidence[0][0] == districts.sha("spend.csv")
    assert save_findings(book, "functions", found) == 3
    assert [f["kind"] for f in book.findings(org="XX-D6")] == ["function-cost-above-peers"]


def test_without_population_the_gap_falls_back_to_staff_then_share(writer, book):
    for i in range(1, 6):
        writer.organisation(f"XX-A{i}", "executive-agency", staff=100 * i)
        writer.spend(f"XX-A{i}", Decimal(1000 * 100 * i), function="hr")
    rows = benchmark(book)
    assert {r["basis"] for r in rows} == {"per_employee"}
    assert all(r["gap_to_median_gbp"] == 0 for r in rows)  # all £1,000 per employee


def test_staff_come_from_the_latest_organogram_when_the_registry_has_none(writer, book):
    from datetime import date

    from openbook.analyse.denominators import body_context

    writer.organisation("XX-A", "executive-agency")
    post = {"org_id": "XX-A", "title": "Officer", "is_senior": False}
    writer.add("post", [{**post, "as_of": date(2023, 3, 31), "fte": 10.0},
                        {**post, "as_of": date(2024, 3, 31), "fte": 40.5},
                        {**post, "as_of": date(2024, 3, 31), "title": "Director", "is_senior": True}])
    writer.organisation("XX-B", "executive-agency", staff=99)
    rows = {r["org_id"]: r for r in body_context(book).to_pyarrow().to_pylist()}
    assert (rows["XX-A"]["staff_fte"], rows["XX-A"]["staff_source"]) == (41.5, "organogram")
    assert rows["XX-A"]["staff_as_of"] == date(2024, 3, 31)
    assert (rows["XX-B"]["staff_fte"], rows["XX-B"]["staff_source"]) == (99, "registry")


def test_staff_counted_more_than_a_year_from_the_spend_give_no_per_employee_figure(writer, book):
    """A 2011 organogram does not divide 2014 spend: the body falls back to a share of its spend."""
    from datetime import date

    for i in range(1, 6):
        org = f"XX-E{i}"
        writer.organisation(org, "executive-agency")
        snapshot = date(2011, 9, 30) if i == 1 else date(2014, 3, 31)
        writer.add("post", [{"org_id": org, "title": "Officer", "is_senior": False, "as_of": snapshot,
                             "fte": 100.0 * i}], file=f"{org}-posts.csv")
        writer.spend(org, Decimal(1000 * 100 * i), function="hr", paid_on=date(2014, 6, 1), file=f"{org}.csv")
        writer.spend(org, Decimal(1000 * 100 * i), function="housing", paid_on=date(2014, 6, 1), file=f"{org}-h.csv")
    rows = {r["org_id"]: r for r in benchmark(book)}
    assert rows["XX-E1"]["per_employee"] is None and rows["XX-E1"]["share"] == pytest.approx(0.5)
    assert all(rows[f"XX-E{i}"]["per_employee"] == pytest.approx(1000.0) for i in range(2, 6))


def test_only_lines_classified_at_least_as_surely_as_the_floor_are_costed(writer, book):
    from openbook.analyse.classify.floor import CONFIDENCE_FLOOR

    writer.organisation("XX-F", "executive-agency", staff=10)
    writer.spend("XX-F", "1000", function="finance", classification_confidence=CONFIDENCE_FLOOR)
    writer.spend("XX-F", "500", function="finance", classification_confidence=CONFIDENCE_FLOOR - 0.1)
    writer.spend("XX-F", "250", function="finance")  # the publisher's own code: no doubt of ours
    (row,) = [r for r in benchmark(book) if r["org_id"] == "XX-F"]
    assert row["cost_gbp"] == Decimal("1250.00")
