"""Sensitivity: each input of a savings run moved down and up on its own, everything else held."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from decimal import Decimal

from openbook.analyse.savings.model import SensitivityRow, run
from openbook.analyse.savings.scenarios import Baseline, BlockCost, Scenario, catalogue_costs, cost_per_post

_ONE = Decimal(1)


def sensitivity(baseline: Baseline, scenario: Scenario, blocks: Mapping[str, BlockCost] | None = None,
                step: Decimal = Decimal("0.2")) -> tuple[SensitivityRow, ...]:
    """Each input moved down and up by `step` (±20%) on its own, everything else held."""
    blocks = blocks if blocks is not None else catalogue_costs(scenario.blocks)
    per_post = cost_per_post(scenario)

    def capped(value: Decimal) -> Decimal:
        return min(value, _ONE)

    def variants(f: Decimal) -> Iterator[tuple[str, str, Baseline, Scenario, Mapping[str, BlockCost]]]:
        yield "baseline", f"×{f}", baseline.scaled(f), scenario, blocks
        yield "reduction", f"{capped(scenario.reduction * f):.1%}", baseline, replace(
            scenario, reduction=capped(scenario.reduction * f),
            reduction_by_function={k: capped(v * f) for k, v in scenario.reduction_by_function.items()},
            reduction_by_capability={k: capped(v * f) for k, v in scenario.reduction_by_capability.items()}), blocks
        yield "cost per post", f"£{per_post * f:,.0f}", baseline, replace(scenario, cost_per_post_gbp=per_post * f), blocks
        yield "running cost of blocks", f"×{f}", baseline, replace(
            scenario, running_gbp_per_year=scenario.running_gbp_per_year * f), {
            k: b.scaled(running=f) for k, b in blocks.items()}
        yield "migration cost", f"×{f}", baseline, replace(scenario, migration_gbp=scenario.migration_gbp * f), {
            k: b.scaled(migration=f) for k, b in blocks.items()}
        yield "redundancy (years of pay)", f"{scenario.redundancy_years_of_pay * f:.2f}", baseline, replace(
            scenario, redundancy_years_of_pay=scenario.redundancy_years_of_pay * f), blocks
        yield "dual running (months)", f"{scenario.dual_running_months * f:.1f}", baseline, replace(
            scenario, dual_running_months=scenario.dual_running_months * f), blocks
        yield "discount rate", f"{scenario.discount_rate * f:.2%}", baseline, replace(
            scenario, discount_rate=scenario.discount_rate * f), blocks

    low, high = list(variants(_ONE - step)), list(variants(_ONE + step))
    rows = []
    for (name, low_text, *low_args), (_, high_text, *high_args) in zip(low, high):
        a, b = run(*low_args), run(*high_args)
        rows.append(SensitivityRow(name, low_text, high_text, a.npv_gbp, b.npv_gbp, a.run_rate.net_saving_gbp,
                                   b.run_rate.net_saving_gbp, a.run_rate.posts, b.run_rate.posts,
                                   a.break_even_year, b.break_even_year))
    return tuple(rows)


