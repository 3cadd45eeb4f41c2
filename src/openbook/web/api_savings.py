"""/api/v1/savings: the phased consolidation model run with a request's inputs.

The inputs are a scenario file's (scenarios/*.toml, by name) with any of them overridden in the
query; the answer is what `openbook savings --json` prints: the year table, NPV, break-even,
frontline posts, the breakdowns and the sensitivity of each input. The bottom-up baseline reads
the whole book, so it is kept per book version (web/cache.py); the model itself is arithmetic.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from openbook.analyse import savings as model
from openbook.web.cache import Remember
from openbook.web.deps import BookDep
from openbook.web.errors import ApiError
from openbook.web.listing import Format, json_response, money, pounds, rows_response
from openbook.web.models import from_dataclass, listing, responses
from openbook.web.models import model as make_model

router = APIRouter(prefix="/api/v1", tags=["savings"])
YearRow = from_dataclass(model.YearRow, "SavingsYear")
GroupRow = from_dataclass(model.GroupRow, "SavingsGroup")
SensitivityRow = from_dataclass(model.SensitivityRow, "SavingsSensitivity")
Result = make_model("SavingsResult", {
    "scenario": (dict[str, Any], "Every input of the run, as used"), "method": (str, "bottom-up or top-down"),
    "baseline_gbp": (str, "Annual duplicated administrative cost the run starts from, £"),
    "baseline_notes": (list[str], "Where each part of the baseline comes from, and what was left out"),
    "excluded_gbp": (str, "Spend left out because a system line already costs it, £"),
    "cost_per_post_gbp": (str, "Fully loaded cost of one frontline post, £"),
    "years": (list[YearRow], "The year table"), "run_rate": (GroupRow, "Every year once phasing is complete"),
    "npv_gbp": (str, "Net present value over the horizon, £"),
    "break_even_year": (int, "First year the cumulative NPV is at or above zero (null: not within the horizon)"),
    "by_function": (list[GroupRow], "At the run-rate, by function"),
    "by_capability": (list[GroupRow], "At the run-rate, by capability"),
    "by_body": (list[GroupRow], "At the run-rate, by body"),
    "posts_by_role": (dict[str, str], "Run-rate net saving in posts of each frontline role"),
    "sensitivity": (list[SensitivityRow], "Each input moved ±20% on its own")})
Scenario = make_model("ScenarioFile", {"name": (str, "Pass as scenario="), "method": (str, "bottom-up or top-down"),
                                       "notes": (str, "What the scenario is")})
TABLES = ("years", "by_function", "by_capability", "by_body", "sensitivity")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def _folder(request: Request) -> Path:
    return Path(request.app.state.scenarios)


def _scenario_file(folder: Path, name: str) -> Path:
    path = folder / f"{name}.toml"
    if not _NAME.fullmatch(name) or not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.toml"))) or "none"
        raise ApiError(404, "not-found", f"no scenario {name!r} (known: {known})")
    return path


@router.get("/savings/scenarios", summary="The scenario files the savings model can start from",
            response_model=listing(Scenario), responses=responses(errors=(422,)))
def scenarios(request: Request, format: Format = None):
    rows = []
    for path in sorted(_folder(request).glob("*.toml")):
        scenario = model.load_scenario(path)
        rows.append({"name": path.stem, "method": scenario.method, "notes": scenario.notes})
    return rows_response(rows, format, "scenarios")


@router.get("/savings", summary="Run the savings model: year table, NPV, break-even, frontline posts, sensitivity",
            response_model=Result, responses=responses())
def savings(
    request: Request,
    book: BookDep,
    remember: Remember,
    scenario: Annotated[str | None, Query(description="A scenario file's name (see /savings/scenarios); default: "
                                                      "the bottom-up defaults", examples=["bottom-up"])] = None,
    method: Annotated[Literal["bottom-up", "top-down"] | None, Query(
        description="Baseline from the book (bottom-up) or a given figure (top-down)")] = None,
    reduction: Annotated[float | None, Query(ge=0, le=1, description="Target reduction, 0 to 1 (0.4 is 40%)")] = None,
    years: Annotated[int | None, Query(ge=1, le=30, description="Years to phase it over")] = None,
    profile: Annotated[Literal["linear", "front", "back"] | None, Query(description="Phasing profile")] = None,
    horizon: Annotated[int | None, Query(ge=1, le=30, description="Years appraised")] = None,
    discount_rate: Annotated[float | None, Query(ge=0, le=1, description="Discount rate (Green Book 0.035)")] = None,
    cost_per_post: Annotated[str | None, pounds("Fully loaded cost of a frontline post, £", "45000")] = None,
    baseline_gbp: Annotated[str | None, pounds("Top-down: the annual baseline, £", "46000000000")] = None,
    baseline_source: Annotated[str | None, Query(max_length=500, description="Top-down: where it comes from")] = None,
    sensitivity: Annotated[bool, Query(description="Also move each input ±20% (16 more runs)")] = True,
    table: Annotated[Literal[TABLES], Query(  # type: ignore[valid-type]
        description="With format: which table to download")] = "years",
    format: Format = None,
):
    chosen = model.load_scenario(_scenario_file(_folder(request), scenario)) if scenario else model.Scenario()
    chosen = _override(chosen, method=method, reduction=reduction, years=years, profile=profile, horizon=horizon,
                       discount_rate=discount_rate, cost_per_post=money(cost_per_post, "cost_per_post"),
                       baseline_gbp=money(baseline_gbp, "baseline_gbp"), baseline_source=baseline_source)
    answer = remember(("savings", repr(chosen), sensitivity), lambda: _run(book, remember, chosen, sensitivity))
    if format and format != "page":
        return rows_response(answer[table], format, f"savings-{table}")
    return json_response(answer)


def _run(book, remember, chosen: model.Scenario, sensitivity: bool) -> dict:
    if chosen.method == "top-down":
        baseline = model.top_down_baseline(chosen)
    else:
        baseline = remember(("baseline", repr((chosen.staff_oncost_rate, chosen.min_bodies, chosen.blocks))),
                            lambda: model.bottom_up_baseline(book, chosen))
    result = model.run(baseline, chosen)
    return model.result_json(result, model.sensitivity(baseline, chosen) if sensitivity else ())


def _override(scenario: model.Scenario, *, method, reduction, years, profile, horizon, discount_rate, cost_per_post,
              baseline_gbp, baseline_source) -> model.Scenario:
    """The scenario with the query's inputs in place of its own; then checked as a file's would be."""
    changes: dict[str, Any] = {}
    if method:
        changes["method"] = method
    if reduction is not None:
        changes["reduction"] = Decimal(str(reduction))
    if years is not None or profile:
        phasing = scenario.phasing
        kind = profile or (phasing.profile if phasing.profile != "explicit" or years is None else "linear")
        changes["phasing"] = model.Phasing(years or phasing.years, kind, phasing.shares if kind == "explicit" else ())
        changes["horizon"] = max(scenario.horizon, changes["phasing"].years)
    if horizon is not None:
        changes["horizon"] = horizon
    if discount_rate is not None:
        changes["discount_rate"] = Decimal(str(discount_rate))
    if cost_per_post is not None:
        if cost_per_post <= 0:
            raise ApiError(400, "bad-input", "cost_per_post must be above zero")
        changes["cost_per_post_gbp"] = cost_per_post
    if baseline_gbp is not None:
        if baseline_gbp < 0:
            raise ApiError(400, "bad-input", "baseline_gbp cannot be negative")
        changes["baseline_gbp"] = baseline_gbp
    if baseline_source:
        changes["baseline_source"] = baseline_source
    chosen = replace(scenario, **changes)
    chosen.validate()
    return chosen
