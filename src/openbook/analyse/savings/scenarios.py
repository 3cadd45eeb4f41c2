"""The inputs of a savings run: the scenario (every assumption, editable in a TOML file), the
baseline of duplicated cost it is run on, and the shared blocks' reference costs.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from openbook import standard
from openbook.analyse.classify.floor import CONFIDENCE_FLOOR
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


def pennies(value: Decimal) -> Decimal:
    """Money rounded to the penny, half up, as every figure of the model is shown."""
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
    conforming: bool = False  # a system with a loaded certificate that it speaks the block's interface


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
    # a system certified to speak the block's standard interface (openbook conform) costs this share to move
    conforming_migration_factor: Decimal = Decimal("0.5")
    running_gbp_per_year: Decimal = _ZERO  # further running cost at the full run-rate (top-down)
    blocks: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)  # overrides of blocks.toml
    volumes: Mapping[str, int] = field(default_factory=dict)  # transactions a year per capability
    # bottom-up
    staff_oncost_rate: Decimal = Decimal("0.30")  # employer NI and pension on top of pay midpoints
    min_bodies: int = 2  # a capability run by fewer bodies than this is not duplicated
    min_confidence: float = CONFIDENCE_FLOOR  # spend classified to an admin function less surely than this is left out
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

    def changed(self, *, reduction: Decimal | None = None, years: int | None = None, profile: str | None = None,
                method: str | None = None, cost_per_post_gbp: Decimal | None = None) -> Scenario:
        """This scenario with a user's changes (the CLI's options, the savings form), checked.

        A new number of years keeps the profile unless it was explicit shares, which cannot stretch:
        those become linear. The horizon grows to cover the phasing.
        """
        scenario = self
        if reduction is not None:
            scenario = replace(scenario, reduction=reduction)
        if years is not None or profile:
            phasing = Phasing(years or scenario.phasing.years, profile or (
                scenario.phasing.profile if scenario.phasing.profile != "explicit" else "linear"))
            scenario = replace(scenario, phasing=phasing, horizon=max(scenario.horizon, phasing.years))
        if method is not None:
            scenario = replace(scenario, method=method)
        if cost_per_post_gbp is not None:
            scenario = replace(scenario, cost_per_post_gbp=cost_per_post_gbp)
        scenario.validate()
        return scenario

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
        if not _ZERO <= self.conforming_migration_factor <= _ONE:
            raise UsageError("conforming_migration_factor must be between 0 and 1 (0.5 halves the migration cost)")

    def migration_factor(self, conforming: bool) -> Decimal:
        """What share of a block's migration cost a system pays: less when it already speaks the interface."""
        return self.conforming_migration_factor if conforming else _ONE


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


# ---------------------------------------------------------------- scenario files

_SECTIONS = {
    "scenario": {"name", "method", "notes"},
    "baseline": {"annual_cost_gbp", "source", "back_calculated", "staff_share"},
    "target": {"reduction", "years", "profile", "shares", "horizon", "reduction_by_function",
               "reduction_by_capability", "profile_by_function"},
    "costs": {"redundancy_years_of_pay", "dual_running_months", "migration_gbp", "running_gbp_per_year",
              "blocks", "volumes", "conforming_migration_factor"},
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
        conforming_migration_factor=_decimal(costs.get("conforming_migration_factor",
                                                       default.conforming_migration_factor)),
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


