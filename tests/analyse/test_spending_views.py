"""Totals by any dimension, year-on-year change and a body's profile against its peers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from openbook.analyse.spending import peer_profile, totals, year_on_year


def test_totals_by_function_and_month_add_up_to_the_rows(writer, book):
    writer.organisation("XX-A", "district-council")
    writer.spend("XX-A", "100.10", function="finance", paid_on=date(2024, 4, 3))
    writer.spend("XX-A", "200.20", function="finance", paid_on=date(2024, 5, 9))
    writer.spend("XX-A", "-50.05", function="hr", paid_on=date(2024, 5, 30))
    by_function = totals(book, "function")
    assert [(r["function"], r["total_gbp"], r["lines"]) for r in by_function] == [
        ("finance", Decimal("300.30"), 2), ("hr", Decimal("-50.05"), 1)]
    assert sum(r["share"] for r in by_function) == pytest.approx(1.0)
    by_month = {r["month"]: r["total_gbp"] for r in totals(book, "month")}
    assert by_month == {date(2024, 4, 1): Decimal("100.10"), date(2024, 5, 1): Decimal("150.15")}
    with pytest.raises(ValueError, match="unknown dimension"):
        totals(book, "colour")


def test_supplier_is_the_resolved_supplier_where_there_is_one(writer, book):
    writer.organisation("XX-A", "district-council")
    writer.spend("XX-A", "10", supplier="ACME LTD", supplier_id="GB-COH-00000001")
    writer.spend("XX-A", "5", supplier="Acme Limited", supplier_id="GB-COH-00000001")
    writer.spend("XX-A", "1", supplier="Unresolved Co")
    rows = totals(book, "supplier")
    assert [(r["supplier"], r["total_gbp"]) for r in rows] == [
        ("GB-COH-00000001", Decimal("15.00")), ("Unresolved Co", Decimal("1.00"))]


def test_year_on_year_change_is_against_the_previous_calendar_year(writer, book):
    writer.organisation("XX-A", "district-council")
    for year, amount in [(2022, "100"), (2023, "150"), (2025, "60")]:
        writer.spend("XX-A", amount, function="legal", paid_on=date(year, 6, 1))
    rows = year_on_year(book, "function")
    assert [(r["year"], r["change_gbp"]) for r in rows] == [(2022, None), (2023, Decimal("50.00")), (2025, None)]
    assert rows[1]["change_share"] == pytest.approx(0.5)


def test_peer_profile_compares_shares_with_bodies_of_the_same_kind(writer, book):
    for org in ("XX-A", "XX-B", "XX-C"):
        writer.organisation(org, "district-council")
    writer.organisation("XX-D", "county-council")
    writer.spend("XX-A", "80", function="finance")
    writer.spend("XX-A", "20", function="hr")
    writer.spend("XX-B", "50", function="finance")
    writer.spend("XX-B", "50", function="hr")
    writer.spend("XX-C", "100", function="hr")
    writer.spend("XX-D", "1000", function="finance")  # another kind: not a peer
    profile = {r["function"]: r for r in peer_profile(book, "XX-A")}
    assert profile["finance"]["share"] == pytest.approx(0.8)
    assert profile["finance"]["peer_median_share"] == pytest.approx(0.5)  # 0.8, 0.5, 0.0
    assert profile["hr"]["peer_median_share"] == pytest.approx(0.5)  # 0.2, 0.5, 1.0
    assert profile["finance"]["peers"] == 3
