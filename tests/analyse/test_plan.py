"""The consolidation plan: who moves onto each shared block, in which phase, and what is left."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from openbook.analyse.savings.plan import consolidation_plan, write_csv, write_xlsx
from openbook.analyse.savings import BlockCost, Phasing, Scenario

D = Decimal
BLOCKS = {"payroll": BlockCost(fixed_gbp=D(10000), per_user_gbp=D(2), migration_per_body_gbp=D(5000),
                               function="payroll")}


def _system(org, cost, users, end=None, capability="payroll"):
    return {"org_id": org, "system_ref": "S1", "name": "Pay", "product": "Pay", "vendor": "V",
            "capability": capability, "annual_cost_gbp": D(cost), "users": users,
            "contract_ref": f"C-{org}", "contract_end": end}


@pytest.fixture
def payroll(writer):
    # Five bodies run their own payroll. B's and D's contracts end within the two-year window
    # (D's first); E's ends after it; A and C give no end date.
    writer.add("system", [
        _system("XX-A", "100000", 1000), _system("XX-B", "60000", 500, date(2026, 3, 31)),
        _system("XX-C", "40000", 500), _system("XX-D", "30000", 100, date(2025, 9, 30)),
        _system("XX-E", "70000", 800, date(2030, 1, 1)),
        _system("XX-F", "90000", 100, capability="hosting"),  # one body: not duplicated
    ])
    return writer


def test_bodies_move_by_contract_end_then_by_saving_until_the_target(payroll, book):
    scenario = Scenario(reduction=D("0.5"), phasing=Phasing(2))
    plans, rows = consolidation_plan(book, scenario, BLOCKS, as_of=date(2025, 1, 1))
    # Total £300,000; target 50% = £150,000. Order: D (ends 2025-09), B (ends 2026-03), then by £ saved:
    # A (100,000 − 2,000), E (70,000 − 1,600), C (40,000 − 1,000). D + B + A = £190,000 ≥ £150,000.
    # Three movers over two years (½, 1): the first two move in phase 1 (1.5 of 3), the third in phase 2.
    moves = [(r.org_id, r.phase, r.contract_end, r.cost_after_gbp) for r in rows]
    assert moves == [("XX-D", 1, date(2025, 9, 30), D("200.00")), ("XX-B", 1, date(2026, 3, 31), D("1000.00")),
                     ("XX-A", 2, None, D("2000.00")), ("XX-E", None, None, D("70000.00")),
                     ("XX-C", None, None, D("40000.00"))]
    (plan,) = plans
    assert (plan.bodies, plan.moving, plan.remaining) == (5, 3, 2)
    # After: 200 + 1,000 + 2,000 charges + £10,000 fixed + £110,000 still on own systems = £123,200.
    assert (plan.cost_before_gbp, plan.cost_after_gbp, plan.saving_gbp) == (D(300000), D("123200.00"),
                                                                            D("176800.00"))
    assert plan.remaining_duplication_gbp == D(110000) and plan.migration_gbp == D(15000)


def test_no_reduction_moves_nobody(payroll, book):
    plans, rows = consolidation_plan(book, Scenario(reduction=D(0)), BLOCKS, as_of=date(2025, 1, 1))
    assert all(r.phase is None for r in rows) and plans[0].saving_gbp == 0 and plans[0].remaining == 5


def test_the_plan_exports_as_csv_and_excel(payroll, book, tmp_path):
    plans, rows = consolidation_plan(book, Scenario(reduction=D("0.5"), phasing=Phasing(2)), BLOCKS,
                                     as_of=date(2025, 1, 1))
    with write_csv(rows, tmp_path / "plan.csv").open(encoding="utf-8") as handle:
        written = list(csv.DictReader(handle))
    assert written[0]["org_id"] == "XX-D" and written[0]["cost_before_gbp"] == "30000.00"
    assert written[-1]["phase"] == ""
    sheets = load_workbook(write_xlsx(plans, rows, tmp_path / "plan.xlsx"))
    assert sheets.sheetnames == ["capabilities", "bodies"]
    assert sheets["capabilities"]["I2"].value == 110000 and sheets["bodies"].max_row == 6
