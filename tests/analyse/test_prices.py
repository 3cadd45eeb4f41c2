"""The same supplier and expense type across bodies: cost per unit of need against peers."""

from __future__ import annotations

from decimal import Decimal

from openbook.analyse.detectors.prices import PriceSettings, comparisons, findings


def test_a_body_paying_a_supplier_far_more_per_head_is_flagged(writer, book):
    for i, amount in enumerate(["10000", "12000", "11000", "50000"], start=1):
        writer.organisation(f"XX-D{i}", "district-council", population=10_000)
        writer.spend(f"XX-D{i}", amount, supplier="Waste Co Ltd", expense_type="Refuse collection")
    writer.organisation("XX-C1", "county-council", population=10_000)
    writer.spend("XX-C1", "90000", supplier="Waste Co Ltd", expense_type="Refuse collection")  # not a peer
    group = comparisons(book, PriceSettings(min_bodies=4))
    assert len(group) == 1 and group[0]["median_per_unit_gbp"] == Decimal("1.15")
    found = findings(book, PriceSettings(min_bodies=4, ratio=3.0, min_gap_gbp=Decimal("1000")))
    assert [f.org_ids for f in found] == [["XX-D4"]]
    # £50,000 − £1.15 per head × 10,000 = £38,500
    assert found[0].gbp_at_stake == Decimal("38500.00")
    assert "4.3×" in found[0].title and len(found[0].evidence) == 1


def test_too_few_peers_is_no_comparison(writer, book):
    for i in range(1, 4):
        writer.organisation(f"XX-D{i}", "district-council", population=10_000)
        writer.spend(f"XX-D{i}", "1000", supplier="Waste Co Ltd", expense_type="Refuse collection")
    assert comparisons(book) == [] and findings(book) == []


def test_only_groups_that_can_hold_a_finding_leave_the_engine(writer, book):
    # Waste Co: one body at exactly 3× the median per head (the boundary is flagged); Paper Co: none.
    for i, (waste, paper) in enumerate([("10000", "500"), ("10000", "600"), ("10000", "700"), ("30000", "800")],
                                       start=1):
        writer.organisation(f"XX-D{i}", "district-council", population=10_000)
        writer.spend(f"XX-D{i}", waste, supplier="Waste Co Ltd", expense_type="Refuse collection")
        writer.spend(f"XX-D{i}", paper, supplier="Paper Co Ltd", expense_type="Stationery")
    settings = PriceSettings(min_bodies=4, ratio=3.0, min_gap_gbp=Decimal("1000"))
    assert len(comparisons(book, settings)) == 2
    assert [g["supplier"] for g in comparisons(book, settings, flagged_only=True)] == ["Waste Co Ltd"]
    assert [(f.org_ids, f.gbp_at_stake) for f in findings(book, settings)] == [(["XX-D4"], Decimal("20000.00"))]
