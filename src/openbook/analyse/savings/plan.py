"""The consolidation plan: for each duplicated capability, which bodies move onto the shared block, when.

Bodies whose contract for the capability ends within the phasing window move first (earliest
end first: leaving at the end of a contract costs least), then the rest by the £ they would
save. Bodies move, whole, until the cost moved reaches the scenario's target reduction for the
capability; the movers are spread over the phases in the scenario's phasing profile (a mover
moves in the first phase by which the profile has reached past its place in the order). The plan
moves whole bodies, so its figures differ from the savings model's (which takes the target
share of every body's cost) by at most one body's cost per capability.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from datetime import date
from decimal import Decimal
from pathlib import Path

from openbook import sheets, standard
from openbook.analyse.savings.scenarios import BlockCost, CostLine, Scenario, catalogue_costs
from openbook.analyse.detectors.systems import SystemSettings, capability_map, capability_summary, contracts_ending

_ZERO = Decimal(0)
_PENNY = Decimal("0.01")


@dataclass(frozen=True)
class PlanRow:
    """One body's own system for one capability: whether and when it moves, and what that changes."""

    capability: str
    org_id: str
    phase: int | None  # the year of phasing it moves in; None: it stays on its own system
    contract_end: date | None  # the earliest end, when one falls within the phasing window
    users: int
    cost_before_gbp: Decimal
    cost_after_gbp: Decimal  # its per-user charge on the block if it moves; its own cost if it stays
    saving_gbp: Decimal
    migration_gbp: Decimal
    # 'declared', or 'inferred-from-spend' (no user count: a mover's per-user charge is then unknown, shown as 0)
    source: str = "declared"


@dataclass(frozen=True)
class CapabilityPlan:
    capability: str
    label: str
    bodies: int
    moving: int
    remaining: int  # bodies still running their own system: the duplication left
    cost_before_gbp: Decimal
    cost_after_gbp: Decimal  # movers' charges + the block's fixed cost + those who stay
    saving_gbp: Decimal
    remaining_duplication_gbp: Decimal  # what the bodies who stay still pay for their own systems
    migration_gbp: Decimal
    inferred: int = 0  # of the bodies, those whose system is inferred from spend, not declared


def consolidation_plan(book, scenario: Scenario = Scenario(), blocks: dict[str, BlockCost] | None = None, *,
                       as_of: date | None = None) -> tuple[list[CapabilityPlan], list[PlanRow]]:
    """The plan per capability and per body, for every capability run by at least `min_bodies` bodies."""
    as_of = as_of or date.today()
    blocks = blocks if blocks is not None else catalogue_costs(scenario.blocks)
    labels = standard.labels("capabilities")
    window = SystemSettings(ending_within_days=math.ceil(scenario.phasing.years * 365.25))
    ending: dict[tuple[str, str], date] = {}
    for row in contracts_ending(book, as_of=as_of, settings=window):
        key = (row["org_id"], row["capability"])
        ending[key] = min(ending.get(key, row["contract_end"]), row["contract_end"])
    duplicated = {s["capability"] for s in capability_summary(book) if s["bodies"] >= scenario.min_bodies}
    cells: dict[str, list[dict]] = {}
    for cell in capability_map(book):
        if cell["capability"] in duplicated and cell["capability"] in blocks and cell["annual_cost_gbp"] > 0:
            cells.setdefault(cell["capability"], []).append(cell)

    cumulative = scenario.phasing.cumulative(scenario.phasing.years)
    plans, rows = [], []
    for capability, members in sorted(cells.items()):
        block = blocks[capability]
        reduction = scenario.reduction_for(CostLine("system", _ZERO, None, block.function, capability))
        total = sum((c["annual_cost_gbp"] for c in members), _ZERO)

        def after(cell: dict) -> Decimal:
            return (block.per_user_gbp * cell["users"]).quantize(_PENNY)

        def order(cell: dict) -> tuple:
            end = ending.get((cell["org_id"], capability))
            return (end is None, end or date.max, -(cell["annual_cost_gbp"] - after(cell)), cell["org_id"])

        ordered = sorted(members, key=order)
        movers, moved = [], _ZERO
        for cell in ordered:
            if moved >= reduction * total or reduction == 0:
                break
            movers.append(cell)
            moved += cell["annual_cost_gbp"]
        for index, cell in enumerate(ordered):
            end = ending.get((cell["org_id"], capability))
            if index < len(movers):
                phase = next(t + 1 for t, share in enumerate(cumulative) if share * len(movers) > index)
                cost_after = after(cell)
                migration = block.migration_per_body_gbp * scenario.migration_factor(
                    cell.get("conformance") == "conforming")
            else:
                phase, cost_after, migration = None, cell["annual_cost_gbp"], _ZERO
            rows.append(PlanRow(capability, cell["org_id"], phase, end, cell["users"], cell["annual_cost_gbp"],
                                cost_after, cell["annual_cost_gbp"] - cost_after, migration, cell["source"]))
        mine = rows[-len(ordered):]
        fixed = block.fixed_gbp if movers else _ZERO
        cost_after = sum((r.cost_after_gbp for r in mine), _ZERO) + fixed
        staying = [r for r in mine if r.phase is None]
        plans.append(CapabilityPlan(
            capability, labels.get(capability, capability), len(ordered), len(movers), len(staying), total,
            cost_after, total - cost_after, sum((r.cost_before_gbp for r in staying), _ZERO),
            sum((r.migration_gbp for r in mine), _ZERO), sum(1 for c in ordered if c["inferred"])))
    plans.sort(key=lambda p: (-p.saving_gbp, p.capability))
    return plans, rows


def write_csv(rows: list[PlanRow], path: Path) -> Path:
    """The body-level plan as one CSV (money as exact decimals, blank for none)."""
    sheets.write_csv(path, [f.name for f in fields(PlanRow)], (asdict(row).values() for row in rows))
    return Path(path)


def write_xlsx(plans: list[CapabilityPlan], rows: list[PlanRow], path: Path) -> Path:
    """The plan as a workbook: a sheet of capabilities and a sheet with every body's move (money `#,##0.00`)."""
    sheets.write_xlsx(path, [(title, [f.name for f in fields(kind)], (asdict(item).values() for item in items))
                             for title, kind, items in (("capabilities", CapabilityPlan, plans),
                                                        ("bodies", PlanRow, rows))])
    return Path(path)