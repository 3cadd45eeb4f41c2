"""The phased savings model: what consolidating duplicated administration saves, year by year, in posts.

A scenario says how much of a baseline of duplicated administrative cost is removed (the target
reduction), how fast (the phasing), what moving costs (migration, redundancy, dual running, the
shared blocks' running cost), how the future is discounted (HM Treasury Green Book, 3.5%) and what
a frontline post costs. `run(baseline, scenario, blocks)` is plain Decimal arithmetic on those
inputs, with no I/O, so every figure can be worked by hand (docs/savings.md does it).

Three edges read the world: `bottom_up_baseline(book, scenario)` reads the book through the
function, system and workforce analyses; `top_down_baseline(scenario)` takes a figure a user
gives with its source; `load_scenario(path)` reads a scenario file.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from openbook import standard
from openbook.errors import UsageError

_PENNY = Decimal("0.01")
_ZERO = Decimal(0)
_ONE = Decimal(1)
PROFILES = ("linear", "front", "back", "explicit")
KINDS = ("staff", "system", "spend", "top-down")
# 'measures': the gap of each body to its peers' target centile on the declared cost measures
# (analyse/measures/centile_savings.py), by body and function.
METHODS = ("bottom-up", "top-down", "measures")
GREEN_BOOK_RATE = Decimal("0.035")  # HM Treasury Green Book social time preference rate, years 0-30
_MAX_HORIZON = 30  # beyond 30 years the Green Book rate steps down; the model does not go there


def _money(value: Decimal) -> Decimal:
    return value.quantize(_PENNY, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True)
class CostLine:
    """One piece of the baseline: a body's annual cost in one function (and capability) of one kind.

    kind: 'staff' (in-house pay from organograms), 'system' (a body's own system for a
    capability, from the system table), 'spend' (third-party spend classified to an admin
    function) or 'top-down' (a figure given by the user).
    """

    kind: str
    annual_cost_gbp: Decimal
    org_id: str | None = None
    function: str | None = None
    capability: str | None = None
    users: int = 0
    rows: int = 0  # published rows behind the figure (posts, systems or payment lines)


@dataclass(frozen=True)
class Baseline:
    method: str  # 'bottom-up' | 'top-down' | 'measures'
    lines: tuple[CostLine, ...]
    notes: tuple[str, ...] = ()  # where each part comes from and what was left out, in sentences
    excluded_gbp: Decimal = _ZERO  # spend left out because a system line already costs it

    @property
    def total_gbp(self) -> Decimal:
        return sum((line.annual_cost_gbp for line in self.lines), _ZERO)

    def scaled(self, factor: Decimal) -> Baseline:
        return replace(self, lines=tuple(replace(line, annual_cost_gbp=line.annual_cost_gbp * factor)
                                         for line in self.lines))


@dataclass(frozen=True)
class BlockCost:
    """A shared block's reference costs (standard/blocks.toml, or a scenario's override)."""

    fixed_gbp: Decimal = _ZERO  # a year, once any body is on the block
    per_user_gbp: Decimal = _ZERO  # a year, for each user moved onto it
    per_transaction_gbp: Decimal = _ZERO  # for each transaction a scenario declares
    migration_per_body_gbp: Decimal = _ZERO  # one-off, for each body that moves
    function: str | None = None  # the admin function a body's own system for it serves

    def scaled(self, running: Decimal = _ONE, migration: Decimal = _ONE) -> BlockCost:
        return replace(self, fixed_gbp=self.fixed_gbp * running, per_user_gbp=self.per_user_gbp * running,
                       per_transaction_gbp=self.per_transaction_gbp * running,
                       migration_per_body_gbp=self.migration_per_body_gbp * migration)


def catalogue_costs(overrides: Mapping[str, Mapping[str, Decimal]] | None = None) -> dict[str, BlockCost]:
    """Every block's reference costs from the catalogue, with a scenario's overrides applied."""
    result = {}
    for code, block in standard.blocks().items():
        running, migration = block.get("running_cost", {}), block.get("migration", {})
        cost = BlockCost(fixed_gbp=_decimal(running.get("fixed_gbp", 0)),
                         per_user_gbp=_decimal(running.get("per_user_gbp", 0)),
                         per_transaction_gbp=_decimal(running.get("per_transaction_gbp", 0)),
                         migration_per_body_gbp=_decimal(migration.get("per_body_gbp", 0)),
                         function=block.get("function"))
        result[code] = replace(cost, **dict((overrides or {}).get(code, {})))
    return result


@dataclass(frozen=True)
class Phasing:
    """How the target is reached: the share of it first achieved in each of `years` years."""

    years: int = 5
    profile: str = "linear"  # linear | front (most early) | back (most late) | explicit
    shares: tuple[Decimal, ...] = ()  # for 'explicit': one share a year, summing to 1

    def increments(self) -> tuple[Decimal, ...]:
        """Shares of the target newly achieved each year; they sum to exactly 1."""
        if self.years < 1:
            raise UsageError(f"phasing needs at least one year, not {self.years}")
        if self.profile == "explicit":
            if len(self.shares) != self.years or any(s < 0 for s in self.shares):
                raise UsageError(f"explicit phasing needs {self.years} shares of at least 0, one a year; "
                                 f"got {len(self.shares)}")
            weights = list(self.shares)
        elif self.profile == "linear":
            weights = [_ONE] * self.years
        elif self.profile == "front":
            weights = [Decimal(self.years - i) for i in range(self.years)]
        elif self.profile == "back":
            weights = [Decimal(i + 1) for i in range(self.years)]
        else:
            raise UsageError(f"phasing profile {self.profile!r} is not one of {', '.join(PROFILES)}")
        total = sum(weights, _ZERO)
        if self.profile == "explicit" and abs(total - _ONE) > Decimal("0.0001"):
            raise UsageError(f"explicit phasing shares sum to {total}, not 1")
        shares = [w / total for w in weights]
        # The last share is what is left, so the shares sum to exactly 1 whatever the rounding.
        return (*shares[:-1], _ONE - sum(shares[:-1], _ZERO))

    def cumulative(self, horizon: int) -> tuple[Decimal, ...]:
        """Share of the target achieved by the end of each year 1..horizon (1 once phasing ends)."""
        done, result = _ZERO, []
        increments = self.increments()
        for year in range(horizon):
            done = _ONE if year >= len(increments) - 1 else done + increments[year]
            result.append(done)
        return tuple(result)


@dataclass(frozen=True)
class Scenario:
    """Every assumption of a run, each editable in a scenario file (scenarios/*.toml)."""

    name: str = "bottom-up"
    method: str = "bottom-up"  # or 'top-down', or 'measures' (savings to the peers' target centile)
    notes: str = ""
    # the target
    reduction: Decimal = Decimal("0.4")
    reduction_by_function: Mapping[str, Decimal] = field(default_factory=dict)
    reduction_by_capability: Mapping[str, Decimal] = field(default_factory=dict)
    phasing: Phasing = Phasing()
    phasing_by_function: Mapping[str, Phasing] = field(default_factory=dict)
    horizon: int = 10  # years appraised, from the first year of phasing
    discount_rate: Decimal = GREEN_BOOK_RATE
    # one-off and running costs
    redundancy_years_of_pay: Decimal = Decimal("1.0")  # one-off, per £ of in-house pay removed
    dual_running_months: Decimal = Decimal("6")  # old and new run side by side this long after a move
    migration_gbp: Decimal = _ZERO  # further one-off cost, spread like the phasing (top-down)
    running_gbp_per_year: Decimal = _ZERO  # further running cost at the full run-rate (top-down)
    blocks: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)  # overrides of blocks.toml
    volumes: Mapping[str, int] = field(default_factory=dict)  # transactions a year per capability
    # bottom-up
    staff_oncost_rate: Decimal = Decimal("0.30")  # employer NI and pension on top of pay midpoints
    min_bodies: int = 2  # a capability run by fewer bodies than this is not duplicated
    min_confidence: float = 0.6  # spend classified to an admin function less surely than this is left out
    # top-down
    baseline_gbp: Decimal | None = None
    baseline_source: str = ""
    staff_share: Decimal = _ZERO  # share of a top-down baseline that is in-house pay (for redundancy)
    # frontline posts
    cost_per_post_gbp: Decimal | None = None  # a given figure; else the mix below
    frontline_mix: Mapping[str, Decimal] = field(default_factory=lambda: {
        "nurse": _ONE, "police-officer": _ONE, "teacher": _ONE, "doctor": _ONE, "care-worker": _ONE})

    def reduction_for(self, line: CostLine) -> Decimal:
        if line.function in self.reduction_by_function:
            return self.reduction_by_function[line.function]
        if line.capability in self.reduction_by_capability:
            return self.reduction_by_capability[line.capability]
        return self.reduction

    def phasing_for(self, line: CostLine) -> Phasing:
        return self.phasing_by_function.get(line.function or "", self.phasing)

    def validate(self) -> None:
        rates = [self.reduction, *self.reduction_by_function.values(), *self.reduction_by_capability.values()]
        if any(not _ZERO <= r <= _ONE for r in rates):
            raise UsageError("a reduction must be between 0 and 1 (0.4 is 40%)")
        for phasing in (self.phasing, *self.phasing_by_function.values()):
            phasing.increments()  # raises on a profile or shares that cannot work
        longest = max([self.phasing.years, *(p.years for p in self.phasing_by_function.values())])
        if not longest <= self.horizon <= _MAX_HORIZON:
            raise UsageError(f"the horizon ({self.horizon} years) must cover the phasing ({longest} years) "
                             f"and be at most {_MAX_HORIZON} years (the Green Book rate falls after year 30)")
        if self.method not in METHODS:
            raise UsageError(f"method {self.method!r} is not one of {', '.join(METHODS)}")
        if not _ZERO <= self.staff_share <= _ONE:
            raise UsageError("staff_share must be between 0 and 1")


def frontline_table() -> dict[str, dict]:
    """The frontline cost table with money as Decimal."""
    return {row["role"]: {**row, **{k: Decimal(row[k]) for k in row if k.endswith("_gbp")}}
            for row in standard.frontline_costs()}


def cost_per_post(scenario: Scenario, table: Mapping[str, dict] | None = None) -> Decimal:
    """The scenario's cost of one frontline post: given, or the mix's weighted fully loaded cost."""
    if scenario.cost_per_post_gbp is not None:
        if scenario.cost_per_post_gbp <= 0:
            raise UsageError("cost_per_post_gbp must be above zero")
        return scenario.cost_per_post_gbp
    table = table if table is not None else frontline_table()
    unknown = sorted(set(scenario.frontline_mix) - set(table))
    if unknown:
        raise UsageError(f"frontline role {unknown[0]!r} is not in the frontline cost table "
                         f"(known: {', '.join(sorted(table))})")
    weight = sum(scenario.frontline_mix.values(), _ZERO)
    if weight <= 0:
        raise UsageError("the frontline mix needs at least one role with a weight above zero")
    return sum((w * table[role]["fully_loaded_gbp"] for role, w in scenario.frontline_mix.items()), _ZERO) / weight


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
                flows.migration[t] = block.migration_per_body_gbp * scenario.reduction_for(line) * increments[t]
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
        gross, running = _money(totals.gross[t]), _money(totals.running[t])
        migration, redundancy, dual = _money(totals.migration[t]), _money(totals.redundancy[t]), _money(totals.dual[t])
        net = gross - running - migration - redundancy - dual
        factor = _ONE / (_ONE + scenario.discount_rate) ** (t + 1)
        present = _money(net * factor)
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
        scenario=scenario, baseline=baseline, cost_per_post_gbp=_money(per_post), years=tuple(years),
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
    gross, running = _money(gross), _money(running)
    return GroupRow(key, _money(baseline), gross, running, gross - running, _money(one_off),
                    _posts(gross - running, per_post))


# ---------------------------------------------------------------- sensitivity


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


# ---------------------------------------------------------------- baselines


def top_down_baseline(scenario: Scenario) -> Baseline:
    """A baseline given as one figure with its source; `staff_share` of it is in-house pay."""
    if scenario.baseline_gbp is None:
        raise UsageError("a top-down run needs a baseline: give annual_cost_gbp in the scenario file's baseline section")
    staff = scenario.baseline_gbp * scenario.staff_share
    lines = [CostLine("staff", staff)] if staff else []
    if scenario.baseline_gbp - staff:
        lines.append(CostLine("top-down", scenario.baseline_gbp - staff))
    return Baseline("top-down", tuple(lines), (f"Top-down baseline £{scenario.baseline_gbp:,.0f}: "
                                               f"{scenario.baseline_source or 'no source given'}",))


def bottom_up_baseline(book, scenario: Scenario = Scenario()) -> Baseline:
    """The duplicated administrative cost the book evidences, by body, function and capability.

    Three parts that do not overlap: in-house staff pay in admin functions (organograms), each
    body's own systems for capabilities run by several bodies (the system table), and
    third-party spend classified to admin functions, less the spend a system line already costs
    (same body and capability, or a payment whose reference is the system's contract).
    """
    from openbook.analyse.functions import FunctionSettings, admin_functions, function_costs
    from openbook.analyse.systems import capability_map, capability_summary
    from openbook.analyse.workforce import load_posts

    admin = set(admin_functions())
    catalogue = catalogue_costs(scenario.blocks)
    lines: list[CostLine] = []
    notes: list[str] = []

    staff: dict[tuple[str, str], list] = defaultdict(lambda: [_ZERO, 0])
    unpaid, fte = 0, 0.0
    for post in load_posts(book):
        if post.function not in admin:
            continue
        if post.pay_mid is None:
            unpaid += 1
            continue
        cell = staff[(post.org_id, post.function)]
        cell[0] += post.pay_mid * Decimal(str(post.fte)) * (_ONE + scenario.staff_oncost_rate)
        cell[1] += 1
        fte += post.fte
    for (org_id, function), (cost, rows) in sorted(staff.items()):
        lines.append(CostLine("staff", _money(cost), org_id, function, rows=rows))
    notes.append(f"Staff: {sum(r for _, r in staff.values()):,} organogram rows ({fte:,.0f} FTE) in admin functions in "
                 f"{len({o for o, _ in staff}):,} bodies' latest organograms, pay midpoint × FTE × (1 + {scenario.staff_oncost_rate:.0%} on-costs); "
                 f"{unpaid:,} posts with undisclosed pay are not costed.")

    duplicated = {s["capability"] for s in capability_summary(book) if s["bodies"] >= scenario.min_bodies}
    uncosted = 0
    for cell in capability_map(book):
        if cell["capability"] not in duplicated or cell["capability"] not in catalogue:
            continue
        if cell["annual_cost_gbp"] <= 0:
            uncosted += 1
            continue
        lines.append(CostLine("system", cell["annual_cost_gbp"], cell["org_id"],
                              catalogue[cell["capability"]].function, cell["capability"], cell["users"],
                              cell["systems"]))
    notes.append(f"Systems: {sum(1 for l in lines if l.kind == 'system'):,} body × capability cells in "
                 f"{len(duplicated):,} capabilities run by at least {scenario.min_bodies} bodies; "
                 f"{uncosted:,} cells without an annual cost are not costed.")

    tied = _spend_tied_to_systems(book, admin)
    months = months_published(book)
    excluded = _ZERO
    for row in (function_costs(book, FunctionSettings(min_confidence=scenario.min_confidence))
                .order_by(["org_id", "function"]).to_pyarrow().to_pylist()):
        overlap = tied.get((row["org_id"], row["function"]), _ZERO)
        per_year = _per_year(months.get(row["org_id"], 12))
        excluded += _money(min(overlap, row["cost_gbp"]) * per_year)
        cost = _money(max(row["cost_gbp"] - overlap, _ZERO) * per_year)
        if cost > 0:
            lines.append(CostLine("spend", cost, row["org_id"], row["function"], rows=row["lines"]))
    total, unclassified = _spend_totals(book)
    unsure = _unsure_admin_spend(book, admin, scenario.min_confidence)
    spans = sorted(set(months.values()))
    notes.append(f"Spend: £{sum((l.annual_cost_gbp for l in lines if l.kind == 'spend'), _ZERO):,.2f} a year classified "
                 f"to admin functions, after leaving out £{excluded:,.2f} a year a system line already costs; each "
                 f"body's spend is a year's: {_span_text(spans)}; "
                 f"£{unclassified:,.2f} of the book's £{total:,.2f} current spend has no function yet and is not counted, "
                 f"nor is £{unsure:,.2f} classified to admin functions with confidence below {scenario.min_confidence:g} "
                 f"(balance-sheet postings, a body's purpose standing in for what was bought).")
    return Baseline("bottom-up", tuple(lines), tuple(notes), excluded)


def months_published(book) -> dict[str, int]:
    """How many distinct months of spend each body has in the book: the baseline is a cost a
    year, and a body that published three years must not count three times. A body with a year
    or less is taken as it is, never scaled up: a part year is not extrapolated."""
    spend = book.ibis().table("spend_current")
    counts = spend.group_by("org_id").aggregate(months=spend.paid_on.truncate("M").nunique())
    return {row["org_id"]: int(row["months"]) for row in counts.to_pyarrow().to_pylist()}


def _per_year(months: int) -> Decimal:
    return Decimal(12) / Decimal(months) if months > 12 else _ONE


def _span_text(spans: list[int]) -> str:
    longer = [m for m in spans if m > 12]
    if not longer:
        return "no body published more than 12 months, so none is scaled"
    return f"bodies with more than 12 months, up to {longer[-1]}, are scaled to 12; shorter ones are not scaled up"


def _spend_tied_to_systems(book, admin: set[str]) -> dict[tuple[str, str], Decimal]:
    """Admin spend a system line already costs, per body and function."""
    con = book.ibis()
    spend, system = con.table("spend_current"), con.table("system")
    spend = spend.filter(spend.function.isin(sorted(admin)))
    caps = system.select(c_org=system.org_id, c_cap=system.capability).distinct()
    refs = system.filter(system.contract_ref.notnull()).select(r_org=system.org_id, r_ref=system.contract_ref).distinct()
    joined = spend.left_join(caps, [spend.org_id == caps.c_org, spend.capability == caps.c_cap])
    joined = joined.left_join(refs, [joined.org_id == refs.r_org, joined.txn_ref == refs.r_ref])
    tied = joined.filter(joined.c_org.notnull() | joined.r_org.notnull())
    # A line matched by both keys appears once per match on each side; keep each line once.
    tied = tied.select("org_id", "function", "amount_gbp", "source_sha256", "source_line").distinct()
    rows = tied.group_by(["org_id", "function"]).aggregate(amount=tied.amount_gbp.sum()).to_pyarrow().to_pylist()
    return {(r["org_id"], r["function"]): r["amount"] for r in rows}


def _unsure_admin_spend(book, admin: set[str], min_confidence: float) -> Decimal:
    spend = book.ibis().table("spend_current")
    unsure = spend.filter(spend.function.isin(sorted(admin)) & (spend.classification_confidence < min_confidence))
    return unsure.amount_gbp.sum().to_pyarrow().as_py() or _ZERO


def _spend_totals(book) -> tuple[Decimal, Decimal]:
    spend = book.ibis().table("spend_current")
    row = spend.aggregate(total=spend.amount_gbp.sum(),
                          unclassified=spend.amount_gbp.sum(where=spend.function.isnull())).to_pyarrow().to_pylist()[0]
    return row["total"] or _ZERO, row["unclassified"] or _ZERO


def baseline_for(book, scenario: Scenario) -> Baseline:
    if scenario.method == "measures":
        from openbook.analyse.measures.centile_savings import measures_baseline

        return measures_baseline(book, scenario)
    return top_down_baseline(scenario) if scenario.method == "top-down" else bottom_up_baseline(book, scenario)


# ---------------------------------------------------------------- scenario files

_SECTIONS = {
    "scenario": {"name", "method", "notes"},
    "baseline": {"annual_cost_gbp", "source", "back_calculated", "staff_share"},
    "target": {"reduction", "years", "profile", "shares", "horizon", "reduction_by_function",
               "reduction_by_capability", "profile_by_function"},
    "costs": {"redundancy_years_of_pay", "dual_running_months", "migration_gbp", "running_gbp_per_year",
              "blocks", "volumes"},
    "bottom_up": {"staff_oncost_rate", "min_bodies", "min_confidence"},
    "discount": {"rate"},
    "frontline": {"cost_per_post_gbp", "mix", "source"},
}
_BLOCK_FIELDS = {f.name for f in fields(BlockCost)} - {"function"}


def load_scenario(path: Path | str) -> Scenario:
    """A scenario from a TOML file; unknown sections and keys are errors naming the file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such scenario file") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{path}: not valid TOML: {error}") from None
    try:
        return scenario_from_dict(data)
    except (UsageError, ValueError, ArithmeticError, TypeError) as error:
        raise UsageError(f"{path}: {error}") from None


def scenario_from_dict(data: Mapping[str, Any]) -> Scenario:
    for section, values in data.items():
        if section not in _SECTIONS:
            raise UsageError(f"unknown section {section!r} (known: {', '.join(_SECTIONS)})")
        unknown = sorted(set(values) - _SECTIONS[section])
        if unknown:
            known = ", ".join(sorted(_SECTIONS[section]))
            raise UsageError(f"unknown key {unknown[0]!r} in section {section!r} (known: {known})")
    meta, base, target = data.get("scenario", {}), data.get("baseline", {}), data.get("target", {})
    costs, bottom, discount, front = (data.get(k, {}) for k in ("costs", "bottom_up", "discount", "frontline"))
    default = Scenario()
    years = int(target.get("years", default.phasing.years))
    phasing = Phasing(years, target.get("profile", "explicit" if "shares" in target else "linear"),
                      tuple(_decimal(s) for s in target.get("shares", ())))
    blocks = {}
    for code, values in costs.get("blocks", {}).items():
        unknown = sorted(set(values) - _BLOCK_FIELDS)
        if unknown:
            known = ", ".join(sorted(_BLOCK_FIELDS))
            raise UsageError(f"unknown key {unknown[0]!r} in section 'costs.blocks.{code}' (known: {known})")
        blocks[code] = {k: _decimal(v) for k, v in values.items()}
    scenario = Scenario(
        name=meta.get("name", default.name), method=meta.get("method", "top-down" if base else default.method),
        notes=meta.get("notes", ""),
        reduction=_decimal(target.get("reduction", default.reduction)),
        reduction_by_function={k: _decimal(v) for k, v in target.get("reduction_by_function", {}).items()},
        reduction_by_capability={k: _decimal(v) for k, v in target.get("reduction_by_capability", {}).items()},
        phasing=phasing,
        phasing_by_function={k: Phasing(years, v) for k, v in target.get("profile_by_function", {}).items()},
        horizon=int(target.get("horizon", max(default.horizon, years))),
        discount_rate=_decimal(discount.get("rate", default.discount_rate)),
        redundancy_years_of_pay=_decimal(costs.get("redundancy_years_of_pay", default.redundancy_years_of_pay)),
        dual_running_months=_decimal(costs.get("dual_running_months", default.dual_running_months)),
        migration_gbp=_decimal(costs.get("migration_gbp", 0)),
        running_gbp_per_year=_decimal(costs.get("running_gbp_per_year", 0)),
        blocks=blocks, volumes={k: int(v) for k, v in costs.get("volumes", {}).items()},
        staff_oncost_rate=_decimal(bottom.get("staff_oncost_rate", default.staff_oncost_rate)),
        min_bodies=int(bottom.get("min_bodies", default.min_bodies)),
        min_confidence=float(bottom.get("min_confidence", default.min_confidence)),
        baseline_gbp=_decimal(base["annual_cost_gbp"]) if "annual_cost_gbp" in base else None,
        baseline_source=base.get("source", ""), staff_share=_decimal(base.get("staff_share", 0)),
        cost_per_post_gbp=_decimal(front["cost_per_post_gbp"]) if "cost_per_post_gbp" in front else None,
        frontline_mix={k: _decimal(v) for k, v in front["mix"].items()} if "mix" in front else default.frontline_mix,
    )
    scenario.validate()
    return scenario


def _decimal(value: Any) -> Decimal:
    """A number from TOML or a CSV as an exact Decimal ('46000', 46000 and 0.4 all read as written)."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, str):
        value = value.replace(",", "").replace("_", "").removeprefix("£")
    return Decimal(str(value))


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
        "baseline_gbp": str(_money(result.baseline.total_gbp)), "baseline_notes": list(result.baseline.notes),
        "excluded_gbp": str(result.baseline.excluded_gbp), "cost_per_post_gbp": str(result.cost_per_post_gbp),
        "years": plain(result.years), "run_rate": plain(result.run_rate), "npv_gbp": str(result.npv_gbp),
        "break_even_year": result.break_even_year, "by_function": plain(result.by_function),
        "by_capability": plain(result.by_capability), "by_body": plain(result.by_body),
        "posts_by_role": plain(result.posts_by_role), "sensitivity": plain(list(rows)),
    }
