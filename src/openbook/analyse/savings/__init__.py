"""The phased savings model: what consolidating duplicated administration saves, year by year, in posts.

A scenario says how much of a baseline of duplicated administrative cost is removed (the target
reduction), how fast (the phasing), what moving costs (migration, redundancy, dual running, the
shared blocks' running cost), how the future is discounted (HM Treasury Green Book, 3.5%) and what
a frontline post costs. `run(baseline, scenario, blocks)` is plain Decimal arithmetic on those
inputs, with no I/O, so every figure can be worked by hand (docs/savings.md does it).

Three edges read the world: `bottom_up_baseline(book, scenario)` reads the book through the
function, system and workforce analyses; `top_down_baseline(scenario)` takes a figure a user
gives with its source; `load_scenario(path)` reads a scenario file. This package's public face:
scenarios.py (the inputs), model.py (the run and its JSON), sensitivity.py, baselines.py and
plan.py (which bodies move onto which shared block, when).
"""

from openbook.analyse.savings.baselines import (
    baseline_for, bottom_up_baseline, measures_baseline, months_published, top_down_baseline,
)
from openbook.analyse.savings.model import GroupRow, Result, YearRow, result_json, run
from openbook.analyse.savings.scenarios import (
    GREEN_BOOK_RATE, KINDS, METHODS, PROFILES, Baseline, BlockCost, CostLine, Phasing, Scenario, catalogue_costs,
    cost_per_post, frontline_table, load_scenario, scenario_from_dict,
)
from openbook.analyse.savings.sensitivity import SensitivityRow, sensitivity

__all__ = [
    "GREEN_BOOK_RATE", "KINDS", "METHODS", "PROFILES", "Baseline", "BlockCost", "CostLine", "GroupRow", "Phasing",
    "Result", "Scenario", "SensitivityRow", "YearRow", "baseline_for", "bottom_up_baseline", "catalogue_costs",
    "cost_per_post", "frontline_table", "load_scenario", "measures_baseline", "months_published", "result_json",
    "run", "scenario_from_dict", "sensitivity", "top_down_baseline",
]
