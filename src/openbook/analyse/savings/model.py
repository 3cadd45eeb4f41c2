"""The phased savings model: what consolidating duplicated administration saves, year by year, in posts.

`run(baseline, scenario, blocks)` is plain Decimal arithmetic on its inputs, with no I/O, so every
figure can be worked by hand (docs/savings.md does it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from openbook.analyse.savings.scenarios import (
    Baseline, BlockCost, CostLine, Scenario, catalogue_costs, cost_per_post, frontline_table, pennies,
)

_PENNY = Decimal("0.01")
_ZERO = Decimal(0)
_ONE = Decimal(1)

# ---------------------------------------------------------------- outputs


@dataclass(frozen=True)
class YearRow:
    year: int
    share_achieved: Decimal  # of the target, cumulative
    gross_saving_gbp: Decimal
    running_cost_gbp: Decimal  # shared blocks' running cost
    migration_cost_gbp: Decimal
    redundancy_cost_gbp: Decimal
    dual_running_cost_gbp: Decimal
    net_saving_gbp: Decimal
    discount_factor: Decimal
    present_value_gbp: Decimal
    cumulative_npv_gbp: Decimal
    posts: Decimal  # frontline posts the year's net saving pays for (none when it is negative)


@dataclass(frozen=True)
class GroupRow:
    """A function's, capability's or body's share at the full run-rate, and its one-off costs."""

    key: str
    baseline_gbp: Decimal
    gross_saving_gbp: Decimal
    running_cost_gbp: Decimal
    net_saving_gbp: Decimal
    one_off_gbp: Decimal
    posts: Decimal


@dataclass(frozen=True)
class Result:
    scenario: Scenario
    baseline: Baseline
    cost_per_post_gbp: Decimal
    years: tuple[YearRow, ...]
    run_rate: GroupRow  # every year once phasing is complete, before one-off costs
    npv_gbp: Decimal
    break_even_year: int | None  # first year the cumulative NPV is at or above zero
    by_function: tuple[GroupRow, ...]
    by_capability: tuple[GroupRow, ...]
    by_body: tuple[GroupRow, ...]
    posts_by_role: Mapping[str, Decimal]  # run-rate net saving ÷ each role's fully loaded cost


@dataclass(frozen=True)
class SensitivityRow:
    input: str
    low: str  # the input's value at −20% (or whatever step), as text
    high: str
    npv_low_gbp: Decimal
    npv_high_gbp: Decimal
    net_low_gbp: Decimal  # run-rate net saving
    net_high_gbp: Decimal
    posts_low: Decimal
    posts_high: Decimal
    break_even_low: int | None
    break_even_high: int | None



# ---------------------------------------------------------------- the model


@dataclass
class _Flows:
    """One line's or group's flows over the horizon, unrounded."""

    gross: list[Decimal]
    running: list[Decimal]
    migration: list[Decimal]
    redundancy: list[Decimal]
    dual: list[Decimal]

    @classmethod
    def zero(cls, horizon: int) -> _Flows:
        return cls(*([_ZERO] * horizon for _ in range(5)))

    def add(self, other: _Flows) -> None:
        for name in ("gross", "running", "migration", "redundancy", "dual"):
            mine, theirs = getattr(self, name), getattr(other, name)
            for i, value in enumerate(theirs):
                mine[i] += value


def run(baseline: Baseline, scenario: Scenario, blocks: Mapping[str, BlockCost] | None = None,
        frontline: Mapping[str, dict] | None = None) -> Result:
    """The year table, NPV, break-even and breakdowns of one scenario on one baseline."""
    scenario.validate()
    blocks = blocks if blocks is not None else catalogue_costs(scenario.blocks)
    frontline = frontline if frontline is not None else frontline_table()
    per_post = cost_per_post(scenario, frontline)
    horizon = scenario.horizon
    months = scenario.dual_running_months / Decimal(12)

    per_line: list[tuple[CostLine, _Flows, Decimal]] = []  # line, flows, run-rate running cost
    block_lines: dict[str, list[int]] = defaultdict(list)
    for index, line in enumerate(baseline.lines):
        target = line.annual_cost_gbp * scenario.reduction_for(line)
        phasing = scenario.phasing_for(line)
        increments = list(phasing.increments()) + [_ZERO] * (horizon - phasing.years)
        cumulative = phasing.cumulative(horizon)
        flows = _Flows.zero(horizon)
        block = blocks.get(line.capability or "") if line.kind == "system" else None
        moved_users = line.users * scenario.reduction_for(line)
        for t in range(horizon):
            flows.gross[t] = target * cumulative[t]
            if line.kind == "staff":
                flows.redundancy[t] = target * increments[t] * scenario.redundancy_years_of_pay
            else:
                flows.dual[t] = target * increments[t] * months
            if block is not None:
                flows.running[t] = block.per_user_gbp * moved_users * cumulative[t]
                flows.migration[t] = (block.migration_per_body_gbp * scenario.migration_factor(line.conforming)
                                      * scenario.reduction_for(line) * increments[t])
        per_line.append((line, flows, block.per_user_gbp * moved_users if block else _ZERO))
        if block is not None:
            block_lines[line.capability].append(index)

    # Costs that belong to a block or to the sector, not to one line, shared out by target saving.
    totals = _Flows.zero(horizon)
    for _, flows, _ in per_line:
        totals.add(flows)
    allocated: dict[int, Decimal] = defaultdict(lambda: _ZERO)  # run-rate running cost by line index
    for capability, indexes in block_lines.items():
        block = blocks[capability]
        targets = {i: per_line[i][0].annual_cost_gbp * scenario.reduction_for(per_line[i][0]) for i in indexes}
        capability_target = sum(targets.values(), _ZERO)
        capability_cost = sum((per_line[i][0].annual_cost_gbp for i in indexes), _ZERO)
        if capability_target <= 0:
            continue
        volume = Decimal(scenario.volumes.get(capability, 0))
        moved_share = capability_target / capability_cost
        for t in range(horizon):
            achieved = sum((per_line[i][1].gross[t] for i in indexes), _ZERO)
            if achieved > 0:
                totals.running[t] += block.fixed_gbp + block.per_transaction_gbp * volume * achieved / capability_cost
        full = block.fixed_gbp + block.per_transaction_gbp * volume * moved_share
        for i in indexes:
            allocated[i] += full * targets[i] / capability_target
    sector_target = sum((line.annual_cost_gbp * scenario.reduction_for(line) for line in baseline.lines), _ZERO)
    if sector_target > 0:
        increments = list(scenario.phasing.increments()) + [_ZERO] * (horizon - scenario.phasing.years)
        for t, share in enumerate(scenario.phasing.cumulative(horizon)):
            totals.running[t] += scenario.running_gbp_per_year * share
            totals.migration[t] += scenario.migration_gbp * increments[t]
        for i, (line, _, _) in enumerate(per_line):
            allocated[i] += scenario.running_gbp_per_year * line.annual_cost_gbp * scenario.reduction_for(
                line) / sector_target

    years, cumulative_npv = [], _ZERO
    share = scenario.phasing.cumulative(horizon)
    for t in range(horizon):
        gross, running = pennies(totals.gross[t]), pennies(totals.running[t])
        migration, redundancy, dual = pennies(totals.migration[t]), pennies(totals.redundancy[t]), pennies(totals.dual[t])
        net = gross - running - migration - redundancy - dual
        factor = _ONE / (_ONE + scenario.discount_rate) ** (t + 1)
        present = pennies(net * factor)
        cumulative_npv += present
        years.append(YearRow(t + 1, share[t], gross, running, migration, redundancy, dual, net,
                             factor, present, cumulative_npv, _posts(net, per_post)))
    active = any(y.gross_saving_gbp or y.net_saving_gbp for y in years)
    break_even = next((y.year for y in years if y.cumulative_npv_gbp >= 0), None) if active else None

    def group(key_of) -> tuple[GroupRow, ...]:
        groups: dict[str, list[Decimal]] = defaultdict(lambda: [_ZERO] * 4)
        for i, (line, flows, running) in enumerate(per_line):
            g = groups[key_of(line)]
            target = line.annual_cost_gbp * scenario.reduction_for(line)
            one_off = sum(flows.migration, _ZERO) + sum(flows.redundancy, _ZERO) + sum(flows.dual, _ZERO)
            g[0] += line.annual_cost_gbp
            g[1] += target
            g[2] += running + allocated[i]
            g[3] += one_off
        rows = [_group_row(key, *values, per_post) for key, values in groups.items()]
        return tuple(sorted(rows, key=lambda r: (-r.gross_saving_gbp, r.key)))

    run_gross = sum((line.annual_cost_gbp * scenario.reduction_for(line) for line in baseline.lines), _ZERO)
    run_running = sum((r for _, _, r in per_line), _ZERO) + sum(allocated.values(), _ZERO)
    run_one_off = sum((y.migration_cost_gbp + y.redundancy_cost_gbp + y.dual_running_cost_gbp for y in years), _ZERO)
    run_rate = _group_row("run-rate", baseline.total_gbp, run_gross, run_running, run_one_off, per_post)
    return Result(
        scenario=scenario, baseline=baseline, cost_per_post_gbp=pennies(per_post), years=tuple(years),
        run_rate=run_rate, npv_gbp=cumulative_npv, break_even_year=break_even,
        by_function=group(lambda line: line.function or "(unclassified)"),
        by_capability=group(lambda line: line.capability or "(none)"),
        by_body=group(lambda line: line.org_id or "(sector)"),
        posts_by_role={role: _posts(run_rate.net_saving_gbp, row["fully_loaded_gbp"])
                       for role, row in sorted(frontline.items())},
    )


def _posts(net: Decimal, per_post: Decimal) -> Decimal:
    return (max(net, _ZERO) / per_post).quantize(_PENNY, rounding=ROUND_HALF_UP)


def _group_row(key: str, baseline: Decimal, gross: Decimal, running: Decimal, one_off: Decimal,
               per_post: Decimal) -> GroupRow:
    gross, running = pennies(gross), pennies(running)
    return GroupRow(key, pennies(baseline), gross, running, gross - running, pennies(one_off),
                    _posts(gross - running, per_post))


# ---------------------------------------------------------------- JSON


def result_json(result: Result, rows: Iterable[SensitivityRow] = ()) -> dict:
    """The result as plain JSON-ready values (money as strings, to keep it exact)."""

    def plain(obj: Any) -> Any:
        if isinstance(obj, Decimal):
            return str(obj)
        if isinstance(obj, Mapping):
            return {k: plain(v) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return [plain(v) for v in obj]
        if hasattr(obj, "__dataclass_fields__"):
            return {f.name: plain(getattr(obj, f.name)) for f in fields(obj)}
        return obj

    return {
        "scenario": plain(result.scenario), "method": result.baseline.method,
        "baseline_gbp": str(pennies(result.baseline.total_gbp)), "baseline_notes": list(result.baseline.notes),
        "excluded_gbp": str(result.baseline.excluded_gbp), "cost_per_post_gbp": str(result.cost_per_post_gbp),
        "years": plain(result.years), "run_rate": plain(result.run_rate), "npv_gbp": str(result.npv_gbp),
        "break_even_year": result.break_even_year, "by_function": plain(result.by_function),
        "by_capability": plain(result.by_capability), "by_body": plain(result.by_body),
        "posts_by_role": plain(result.posts_by_role), "sensitivity": plain(list(rows)),
    }
