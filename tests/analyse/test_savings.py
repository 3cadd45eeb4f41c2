"""The savings model against a hand-worked sector, the manifesto headline, and its invariants."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openbook import standard
from openbook.analyse.savings import (
    GREEN_BOOK_RATE, Baseline, BlockCost, CostLine, Phasing, Scenario, bottom_up_baseline, catalogue_costs,
    cost_per_post, frontline_table, load_scenario, result_json, run, scenario_from_dict, sensitivity,
    top_down_baseline,
)
from openbook.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]
D = Decimal

# The hand-worked sector's shared blocks: small numbers so that every step can be done by hand.
HAND_BLOCKS = {
    "payroll": BlockCost(fixed_gbp=D(10000), per_user_gbp=D(2), migration_per_body_gbp=D(5000), function="payroll"),
    "finance-erp": BlockCost(fixed_gbp=D(20000), per_user_gbp=D(10), migration_per_body_gbp=D(30000),
                             function="finance"),
}
HAND_SCENARIO = Scenario(reduction=D("0.5"), phasing=Phasing(2), horizon=3, cost_per_post_gbp=D(25000))


def _system(org, ref, capability, cost, users):
    return {"org_id": org, "system_ref": ref, "name": capability, "product": capability, "vendor": "V",
            "capability": capability, "annual_cost_gbp": D(cost), "users": users,
            "contract_ref": f"C-{org}-{ref}", "contract_end": date(2026, 3, 31)}


def _post(org, ref, function, floor, ceiling):
    return {"org_id": org, "as_of": date(2024, 3, 31), "post_ref": ref, "title": "Officer", "grade": "SEO",
            "function": function, "fte": 1.0, "pay_floor_gbp": D(floor) if floor else None,
            "pay_ceiling_gbp": D(ceiling) if ceiling else None, "is_senior": False}


@pytest.fixture
def three_bodies(writer):
    for org in ("XX-A", "XX-B", "XX-C"):
        writer.organisation(org, "district-council", population=100_000, staff=500)
    writer.add("system", [
        _system("XX-A", "S1", "payroll", "100000", 1000), _system("XX-A", "S2", "finance-erp", "200000", 500),
        _system("XX-B", "S1", "payroll", "60000", 500), _system("XX-B", "S2", "finance-erp", "140000", 500),
        _system("XX-C", "S1", "payroll", "40000", 500),
        _system("XX-C", "S2", "hosting", "90000", 100),  # one body only: not duplicated, not counted
    ])
    writer.add("post", [
        _post("XX-A", "P1", "finance", "30000", "40000"), _post("XX-A", "P2", "finance", "30000", "40000"),
        _post("XX-A", "P3", "education", "30000", "40000"),  # frontline: not counted
        _post("XX-A", "P4", "finance", None, None),  # undisclosed pay: not costed
    ])
    writer.spend("XX-A", "20000", function="finance")  # consultancy: third-party admin spend, counted
    writer.spend("XX-A", "50000", function="finance", capability="finance-erp")  # the ERP's own invoices
    writer.spend("XX-B", "15000", function="payroll", txn_ref="C-XX-B-S1")  # paid against the payroll contract
    writer.spend("XX-C", "1000")  # no function yet
    return writer


def test_the_three_body_two_capability_sector_by_hand(three_bodies, book):
    """Three bodies, two duplicated capabilities, worked by hand.

    Baseline (annual):
      systems   payroll      A £100,000 (1,000 users)  B £60,000 (500)  C £40,000 (500)  = £200,000
                finance-erp  A £200,000 (500 users)    B £140,000 (500)                  = £340,000
                (C's hosting is run by one body only: not duplicated, left out)
      staff     A finance: 2 posts × midpoint £35,000 × 1 FTE × 1.30 on-costs            =  £91,000
                (A's education post is frontline; its undisclosed-pay post is not costed)
      spend     A finance £70,000, less £50,000 of ERP invoices (same body and capability) =  £20,000
                B payroll £15,000 paid against B's payroll contract: all excluded
      total                                                                               = £651,000
    Scenario: 50% reduction, 2 years linear (½, ½), 3-year horizon, 3.5%, £25,000 a post.
      target saving T = 50% × £651,000 = £325,500 a year; gross y1 £162,750, y2 and y3 £325,500
      running: payroll £10,000 fixed + £2 × 2,000 users × 50% × achieved; finance-erp £20,000
               + £10 × 1,000 × 50% × achieved  → y1 £30,000 + £3,500 = £33,500; y2, y3 £37,000
      migration: (3 × £5,000 + 2 × £30,000) × 50% = £37,500, half a year → £18,750 in y1 and y2
      redundancy: 1 year's pay × £45,500 staff saving × ½ → £22,750 in y1 and y2
      dual running: 6/12 × (£560,000 non-staff × 50%) × ½ → £70,000 in y1 and y2
      net  y1 162,750 − 33,500 − 18,750 − 22,750 − 70,000 = £17,750
           y2 325,500 − 37,000 − 18,750 − 22,750 − 70,000 = £177,000
           y3 325,500 − 37,000                            = £288,500
      PV   17,750 ÷ 1.035 = 17,149.76; 177,000 ÷ 1.035² = 165,231.39; 288,500 ÷ 1.035³ = 260,210.47
      NPV £442,591.62, positive from year 1 (break-even year 1)
      posts  y1 17,750 ÷ 25,000 = 0.71; y2 7.08; y3 11.54
    """
    baseline = bottom_up_baseline(book, HAND_SCENARIO)
    by_kind = {}
    for line in baseline.lines:
        by_kind[line.kind] = by_kind.get(line.kind, D(0)) + line.annual_cost_gbp
    assert by_kind == {"staff": D("91000.00"), "system": D("540000.00"), "spend": D("20000.00")}
    assert baseline.total_gbp == D("651000.00") and baseline.excluded_gbp == D("65000.00")
    assert "1 posts with undisclosed pay" in baseline.notes[0]
    assert "£1,000.00 of the book's £86,000.00 current spend has no function" in baseline.notes[2]

    result = run(baseline, HAND_SCENARIO, HAND_BLOCKS)
    table = [(y.gross_saving_gbp, y.running_cost_gbp, y.migration_cost_gbp, y.redundancy_cost_gbp,
              y.dual_running_cost_gbp, y.net_saving_gbp, y.present_value_gbp, y.posts) for y in result.years]
    assert table == [
        (D("162750.00"), D("33500.00"), D("18750.00"), D("22750.00"), D("70000.00"), D("17750.00"),
         D("17149.76"), D("0.71")),
        (D("325500.00"), D("37000.00"), D("18750.00"), D("22750.00"), D("70000.00"), D("177000.00"),
         D("165231.39"), D("7.08")),
        (D("325500.00"), D("37000.00"), D("0.00"), D("0.00"), D("0.00"), D("288500.00"), D("260210.47"),
         D("11.54")),
    ]
    assert result.npv_gbp == D("442591.62") and result.break_even_year == 1
    assert (result.run_rate.net_saving_gbp, result.run_rate.posts) == (D("288500.00"), D("11.54"))

    capabilities = {r.key: (r.baseline_gbp, r.gross_saving_gbp, r.running_cost_gbp) for r in result.by_capability}
    assert capabilities == {"finance-erp": (D("340000.00"), D("170000.00"), D("25000.00")),
                            "payroll": (D("200000.00"), D("100000.00"), D("12000.00")),
                            "(none)": (D("111000.00"), D("55500.00"), D("0.00"))}
    functions = {r.key: r.baseline_gbp for r in result.by_function}
    assert functions == {"finance": D("451000.00"), "payroll": D("200000.00")}
    bodies = {r.key: (r.baseline_gbp, r.gross_saving_gbp) for r in result.by_body}
    assert bodies == {"XX-A": (D("411000.00"), D("205500.00")), "XX-B": (D("200000.00"), D("100000.00")),
                      "XX-C": (D("40000.00"), D("20000.00"))}
    # The groups add up to the whole, including the shared fixed costs spread over the bodies.
    assert sum(r.running_cost_gbp for r in result.by_body) == pytest.approx(result.run_rate.running_cost_gbp,
                                                                            abs=D("0.02"))
    assert sum(r.one_off_gbp for r in result.by_body) == D("223000.00")  # 2 × (18,750 + 22,750 + 70,000)


def test_the_manifesto_scenario_reproduces_its_headline_from_its_inputs():
    scenario = load_scenario(ROOT / "scenarios" / "manifesto-2018.toml")
    assert scenario.method == "top-down" and scenario.baseline_gbp == D("115000000000")
    assert "back-calculated" in scenario.baseline_source.lower()
    result = run(top_down_baseline(scenario), scenario)
    assert abs(result.run_rate.net_saving_gbp - D("46e9")) <= D("0.5e9")
    assert abs(result.run_rate.posts - D("1e6")) <= D("0.05e6")
    assert result.years[4].net_saving_gbp == D("46000000000.00")  # reached in year 5, the end of phasing
    assert [y.share_achieved for y in result.years[:5]] == [D("0.2"), D("0.4"), D("0.6"), D("0.8"), D(1)]


def test_the_default_scenario_file_is_the_default_in_code():
    assert load_scenario(ROOT / "scenarios" / "bottom-up.toml") == Scenario()


def test_green_book_discounting_is_the_default():
    assert Scenario().discount_rate == GREEN_BOOK_RATE == D("0.035")
    result = run(Baseline("top-down", (CostLine("top-down", D(1000)),)), Scenario(cost_per_post_gbp=D(1)))
    assert result.years[0].discount_factor == 1 / D("1.035")
    assert round(result.years[9].discount_factor, 4) == D("0.7089")  # Green Book table, year 10


def test_sensitivity_moves_each_input_both_ways():
    scenario = load_scenario(ROOT / "scenarios" / "manifesto-2018.toml")
    rows = {r.input: r for r in sensitivity(top_down_baseline(scenario), scenario)}
    assert set(rows) >= {"baseline", "reduction", "cost per post", "running cost of blocks", "migration cost",
                         "redundancy (years of pay)", "dual running (months)", "discount rate"}
    assert (rows["baseline"].net_low_gbp, rows["baseline"].net_high_gbp) == (D("36800000000.00"),
                                                                             D("55200000000.00"))
    assert (rows["cost per post"].posts_low, rows["cost per post"].posts_high) == (D("1250000.00"), D("833333.33"))
    assert rows["discount rate"].npv_low_gbp > rows["discount rate"].npv_high_gbp


def test_costs_delay_break_even():
    baseline = Baseline("top-down", (CostLine("top-down", D(1000)),))
    result = run(baseline, Scenario(reduction=D("0.5"), migration_gbp=D(2000), dual_running_months=D(0),
                                     cost_per_post_gbp=D(100)))
    # Saving 100, 200, ... 500 a year against migration of 400 a year for five years.
    assert [y.net_saving_gbp for y in result.years[:5]] == [D(-300), D(-200), D(-100), D(0), D(100)]
    assert result.break_even_year == 7


def test_the_frontline_table_adds_up_and_names_its_sources():
    table = frontline_table()
    assert set(table) == {"nurse", "police-officer", "teacher", "doctor", "care-worker"}
    for role, row in table.items():
        assert row["salary_gbp"] + row["employer_ni_gbp"] + row["employer_pension_gbp"] == row["fully_loaded_gbp"]
        assert row["year"] and row["salary_source"] and row["pension_source"] and row["estimate"] in ("yes", "no")
        assert row["checked"], f"{role}: say what was checked against its source, and when (or that it was not)"
    # Employer NI 2024/25: 13.8% of pay above £9,100.
    nurse = table["nurse"]
    assert nurse["employer_ni_gbp"] == ((nurse["salary_gbp"] - 9100) * D("0.138")).quantize(D("0.01"))
    assert cost_per_post(Scenario(frontline_mix={"teacher": D(1)})) == table["teacher"]["fully_loaded_gbp"]


def test_every_capability_has_a_block_with_costs_that_say_where_they_come_from():
    blocks = standard.blocks()
    assert sorted(blocks) == sorted(row["code"] for row in standard.code_list("capabilities"))
    functions = {row["code"] for row in standard.code_list("functions") if row["kind"] == "admin"}
    for code, block in blocks.items():
        assert block["description"] and block["interface"] and block["function"] in functions, code
        for part in ("running_cost", "migration"):
            assert block[part].get("source") or block[part].get("assumption") is True, (code, part)
    assert blocks["payments"]["uk_components"] == ["GOV.UK Pay"]
    assert catalogue_costs({"payroll": {"per_user_gbp": D(7)}})["payroll"].per_user_gbp == D(7)


def test_scenario_files_are_strict():
    with pytest.raises(UsageError, match="unknown key 'reducton' in section 'target'"):
        scenario_from_dict({"target": {"reducton": 0.4}})
    with pytest.raises(UsageError, match="explicit phasing shares sum to 0.9"):
        scenario_from_dict({"target": {"years": 2, "shares": [0.5, 0.4]}})
    with pytest.raises(UsageError, match="between 0 and 1"):
        scenario_from_dict({"target": {"reduction": 40}})
    with pytest.raises(UsageError, match="needs a baseline"):
        top_down_baseline(Scenario(method="top-down"))


def test_per_function_reduction_and_phasing():
    baseline = Baseline("bottom-up", (CostLine("spend", D(1000), "XX-A", "finance"),
                                      CostLine("spend", D(1000), "XX-A", "hr")))
    scenario = Scenario(reduction_by_function={"finance": D("0.5")}, dual_running_months=D(0),
                        phasing_by_function={"finance": Phasing(5, "front")}, cost_per_post_gbp=D(1))
    result = run(baseline, scenario)
    # finance: 500 by 5/15, 9/15 ... ; hr: 400 by a fifth a year
    assert result.years[0].gross_saving_gbp == D("166.67") + D("80.00")
    assert result.run_rate.gross_saving_gbp == D("900.00")


def test_result_json_keeps_money_exact():
    scenario = load_scenario(ROOT / "scenarios" / "manifesto-2018.toml")
    data = result_json(run(top_down_baseline(scenario), scenario))
    assert data["run_rate"]["net_saving_gbp"] == "46000000000.00" and data["years"][0]["year"] == 1


# ---------------------------------------------------------------- properties

money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
rates = st.decimals(min_value=0, max_value=1, places=3, allow_nan=False, allow_infinity=False)
kinds = st.sampled_from(["staff", "system", "spend", "top-down"])
lines = st.lists(st.builds(lambda kind, cost, cap, users: CostLine(kind, cost, "XX-A", "finance",
                                                                   cap if kind == "system" else None, users),
                           kinds, money, st.sampled_from(["payroll", "finance-erp"]), st.integers(0, 10_000)),
                 min_size=1, max_size=6)
phasings = st.one_of(st.builds(Phasing, st.integers(1, 8), st.sampled_from(["linear", "front", "back"])),
                     st.lists(st.integers(0, 5), min_size=1, max_size=8).filter(any).map(
                         lambda w: Phasing(len(w), "explicit", tuple(D(x) / sum(map(D, w)) for x in w))))


@settings(max_examples=150, deadline=None)
@given(lines, rates, phasings)
def test_savings_never_exceed_the_baseline(items, reduction, phasing):
    baseline = Baseline("bottom-up", tuple(items))
    result = run(baseline, Scenario(reduction=reduction, phasing=phasing, cost_per_post_gbp=D(1000)), HAND_BLOCKS)
    assert all(y.gross_saving_gbp <= baseline.total_gbp + D("0.01") for y in result.years)
    assert result.run_rate.gross_saving_gbp <= baseline.total_gbp


@settings(max_examples=100, deadline=None)
@given(lines, phasings)
def test_zero_reduction_gives_zero_saving(items, phasing):
    result = run(Baseline("bottom-up", tuple(items)), Scenario(reduction=D(0), phasing=phasing, migration_gbp=D(50),
                                                               running_gbp_per_year=D(70), cost_per_post_gbp=D(1)),
                 HAND_BLOCKS)
    assert all(y.gross_saving_gbp == y.net_saving_gbp == y.posts == 0 for y in result.years)
    assert result.npv_gbp == 0 and result.break_even_year is None


@settings(max_examples=150, deadline=None)
@given(phasings)
def test_phasing_sums_to_the_target(phasing):
    increments = phasing.increments()
    assert len(increments) == phasing.years and sum(increments) == 1 and all(i >= 0 for i in increments)
    baseline = Baseline("top-down", (CostLine("top-down", D(123456789)),))
    scenario = Scenario(phasing=phasing, horizon=max(phasing.years, 10), cost_per_post_gbp=D(1))
    result = run(baseline, scenario)
    assert result.years[phasing.years - 1].gross_saving_gbp == D("49382715.60")  # 40% of the baseline
    steps = [b.gross_saving_gbp - a.gross_saving_gbp for a, b in zip((None, *result.years), result.years) if a] or []
    assert result.years[0].gross_saving_gbp + sum(steps[:phasing.years - 1]) == D("49382715.60")


@settings(max_examples=100, deadline=None)
@given(money.filter(lambda m: m > 0), st.integers(1, 20), st.decimals(min_value=1000, max_value=200_000, places=2))
def test_posts_scale_linearly_with_the_net_saving(cost, factor, per_post):
    def posts(amount):
        result = run(Baseline("top-down", (CostLine("top-down", amount),)),
                     replace(Scenario(), cost_per_post_gbp=per_post, dual_running_months=D(0)))
        return result.run_rate.net_saving_gbp, result.run_rate.posts

    net, one = posts(cost)
    scaled_net, scaled = posts(cost * factor)
    assert scaled_net == net * factor or abs(scaled_net - net * factor) <= D("0.01") * factor
    assert abs(scaled - one * factor) <= D("0.01") * (factor + 1)
    assert abs(one - net / per_post) <= D("0.005")


def test_spend_over_several_years_counts_as_one_year_and_a_part_year_is_not_scaled_up(writer, book):
    """XX-A published 24 months of finance spend at £1,000 a month: £24,000 in the book, £12,000 a
    year. XX-B published three months of £1,000: taken as it is, £3,000, not extrapolated to £12,000."""
    writer.organisation("XX-A", "district")
    writer.organisation("XX-B", "district")
    for month in range(24):
        writer.spend("XX-A", "1000", paid_on=date(2022 + month // 12, month % 12 + 1, 15), function="finance")
    for month in range(3):
        writer.spend("XX-B", "1000", paid_on=date(2024, month + 1, 15), function="finance")
    baseline = bottom_up_baseline(book, HAND_SCENARIO)
    spend = {line.org_id: line.annual_cost_gbp for line in baseline.lines if line.kind == "spend"}
    assert spend == {"XX-A": D("12000.00"), "XX-B": D("3000.00")}
    assert "up to 24, are scaled to 12" in baseline.notes[2]


def test_admin_spend_classified_unsurely_is_left_out_and_said(writer, book):
    """£5,000 of finance spend at confidence 0.8 counts; £7,000 of a balance-sheet posting that a
    0.5 rule put in finance does not, and the notes say how much was left out."""
    writer.organisation("XX-A", "district")
    writer.spend("XX-A", "5000", function="finance", classification_confidence=0.8)
    writer.spend("XX-A", "7000", function="finance", classification_confidence=0.5)
    baseline = bottom_up_baseline(book, HAND_SCENARIO)
    assert [line.annual_cost_gbp for line in baseline.lines if line.kind == "spend"] == [D("5000.00")]
    assert "nor is £7,000.00 classified to admin functions with confidence below 0.6" in baseline.notes[2]
