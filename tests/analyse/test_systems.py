"""The capability map, duplicated systems and price per user, with known answers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from openbook.analyse.detectors.systems import (
    SystemSettings, capability_map, capability_summary, contracts_ending, duplicated_capability_findings,
    price_findings, price_per_user, product_key,
)


def system(org, ref, capability, product, vendor, cost, users, end=None):
    return {"org_id": org, "system_ref": ref, "name": product, "product": product, "vendor": vendor,
            "capability": capability, "annual_cost_gbp": Decimal(cost) if cost is not None else None,
            "users": users, "contract_ref": f"C-{org}-{ref}", "contract_end": end}


@pytest.fixture
def payroll(writer):
    # Four bodies each run their own payroll system: three on iTrent at £10, £12 and £30 per user.
    writer.add("system", [
        system("XX-A", "S1", "payroll", "iTrent", "MHR", "10000", 1000, date(2025, 3, 31)),
        system("XX-B", "S1", "payroll", "MHR iTrent v10", "MHR", "24000", 2000),
        system("XX-C", "S1", "payroll", "iTrent", "MHR", "30000", 1000, date(2030, 1, 1)),
        system("XX-D", "S1", "payroll", "ResourceLink", "Zellis", "50000", 2500),
        system("XX-D", "S2", "finance-erp", "Unit4 ERP", "Unit4", None, None),
    ])
    return writer


def test_the_capability_map_and_summary_count_separate_systems(payroll, book):
    cells = {(c["org_id"], c["capability"]): c for c in capability_map(book)}
    assert cells[("XX-B", "payroll")]["annual_cost_gbp"] == Decimal("24000.00")
    assert cells[("XX-D", "finance-erp")]["costed"] == 0
    summary = {s["capability"]: s for s in capability_summary(book)}
    assert summary["payroll"]["bodies"] == 4 and summary["payroll"]["systems"] == 4
    assert summary["payroll"]["products"] == 2 and summary["payroll"]["vendors"] == 2
    assert summary["payroll"]["annual_cost_gbp"] == Decimal("114000.00")
    assert product_key("MHR iTrent v10", "MHR") == product_key("iTrent", "MHR") == "itrent"


def test_duplicated_capability_is_priced_at_the_best_per_user_price(payroll, book):
    found = duplicated_capability_findings(book, as_of=date(2024, 6, 1))
    assert [f.key for f in found] == ["payroll"]
    # £114,000 − 6,500 users × £10.00 = £49,000
    assert found[0].gbp_at_stake == Decimal("49000.00")
    assert "1 contracts end" in found[0].title
    assert len(found[0].evidence) == 4


def test_a_body_paying_well_above_the_median_per_user_is_flagged(payroll, book):
    itrent = {p["product"]: p for p in price_per_user(book)}["itrent"]
    assert (itrent["min_gbp"], itrent["median_gbp"], itrent["max_gbp"]) == (
        Decimal("10.00"), Decimal("12.00"), Decimal("30.00"))
    found = price_findings(book, SystemSettings(min_gap_gbp=Decimal("1")))
    assert [(f.org_ids, f.gbp_at_stake) for f in found] == [(["XX-C"], Decimal("18000.00"))]


def test_contracts_ending_inside_the_window(payroll, book):
    rows = contracts_ending(book, as_of=date(2024, 6, 1))
    assert [(r["org_id"], r["contract_end"]) for r in rows] == [("XX-A", date(2025, 3, 31))]


def test_every_block_of_the_catalogue_is_listed_with_what_bodies_pay_for_their_own(payroll, book):
    from openbook import standard
    from openbook.analyse.detectors.systems import blocks_today

    rows = {r["capability"]: r for r in blocks_today(book)}
    assert list(rows) == list(standard.blocks())
    assert (rows["payroll"]["bodies"], rows["payroll"]["systems"], rows["payroll"]["products"]) == (4, 4, 2)
    assert rows["payroll"]["annual_cost_gbp"] == Decimal("114000.00")
    assert rows["finance-erp"]["systems"] == 1 and rows["finance-erp"]["annual_cost_gbp"] == 0
    assert all(r["systems"] == 0 for r in blocks_today(None))
