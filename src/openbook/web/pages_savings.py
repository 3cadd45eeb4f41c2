"""The savings scenario as a page: a GET form over analyse/savings/, so every figure is a shareable link.

The form works without JavaScript (submit reloads the page); with it, static/savings.js fetches the
same URL and swaps the result in place. The page computes nothing itself: `baseline_for`, `run` and
`sensitivity` are the same calls `openbook savings` makes, so the page and the CLI always agree.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Literal

import pyarrow as pa
from fastapi import Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from openbook import standard
from openbook.analyse import savings as model
from openbook.errors import UsageError
from openbook.store.book import Book
from openbook.web import charts
from openbook.web.deps import BookDep
from openbook.web.downloads import download
from openbook.web.page_parts import body_names, page_router
from openbook.web.pages import render

router = page_router()
# Copies of scenarios/*.toml shipped in the package (tests/web/test_content.py keeps them equal).
SCENARIOS = Path(__file__).parent / "content" / "scenarios"
TOP = 10


def named_scenarios() -> dict[str, model.Scenario]:
    """Every shipped scenario by name, the default (bottom-up, from the book) first."""
    found = {s.name: s for s in (model.load_scenario(p) for p in sorted(SCENARIOS.glob("*.toml")))}
    default = model.Scenario()
    return {default.name: found.pop(default.name, default), **found}


_BASELINES: dict[tuple, model.Baseline] = {}


def baseline(book: Book, scenario: model.Scenario) -> model.Baseline:
    """The scenario's baseline; a bottom-up one is kept until the book changes, as the form only
    changes inputs applied after it (reduction, phasing, a post's cost) and reading it is the slow part."""
    if scenario.method != "bottom-up":
        return model.baseline_for(None, scenario)
    source = book.ibis().table("source")
    finding = book.ibis().table("finding")
    version = (source.count().to_pyarrow().as_py(), source.loaded_at.max().to_pyarrow().as_py(),
               finding.computed_at.max().to_pyarrow().as_py())
    key = (str(book.path.resolve()), version, scenario.staff_oncost_rate, scenario.min_bodies,
           repr(sorted(scenario.blocks.items())))
    if key not in _BASELINES:
        if len(_BASELINES) >= 8:
            _BASELINES.clear()
        _BASELINES[key] = model.baseline_for(book, scenario)
    return _BASELINES[key]


def _number(text: str | None, name: str) -> Decimal | None:
    if text is None or not text.strip():
        return None
    try:
        return Decimal(text.strip().replace(",", "").removeprefix("£"))
    except InvalidOperation:
        raise UsageError(f"{name} {text!r} is not a number") from None


def choose(scenarios: dict[str, model.Scenario], name: str, *, reduction: str | None, years: int | None,
           profile: str | None, cost_per_post: str | None) -> model.Scenario:
    """The named scenario with the form's changes: reduction in per cent, phasing, a frontline post's cost."""
    if name not in scenarios:
        raise UsageError(f"there is no scenario {name!r}; choose one of {', '.join(scenarios)}")
    percent = _number(reduction, "the reduction")
    if percent is not None and not 0 <= percent <= 100:
        raise UsageError(f"the reduction must be between 0% and 100%, not {percent}%")
    scenario = scenarios[name].changed(reduction=None if percent is None else percent / 100, years=years,
                                       profile=profile, cost_per_post_gbp=_number(cost_per_post,
                                                                                  "the cost of a frontline post"))
    model.cost_per_post(scenario)  # a post costing nothing is refused here, with its reason
    return scenario


@router.get("/savings", response_class=HTMLResponse)
def savings(
    request: Request,
    book: BookDep,
    scenario: str = "bottom-up",
    reduction: Annotated[str | None, Query(description="Target reduction in per cent, e.g. 40")] = None,
    years: Annotated[int | None, Query(ge=1, le=30)] = None,
    profile: Literal["linear", "front", "back"] | None = None,
    cost_per_post: Annotated[str | None, Query(description="A frontline post's fully loaded cost, £")] = None,
    chosen_from: Annotated[str | None, Query(alias="from")] = None,
    format: Literal["json"] | None = None,
):
    scenarios = named_scenarios()
    if chosen_from is not None and chosen_from != scenario:
        # The user picked another scenario: show it as written, not with the last one's edits.
        reduction = years = profile = cost_per_post = None
    form = {"scenario": scenario, "reduction": reduction, "years": years, "profile": profile,
            "cost_per_post": cost_per_post}
    try:
        chosen = choose(scenarios, scenario, reduction=reduction, years=years, profile=profile,
                        cost_per_post=cost_per_post)
    except UsageError as error:
        response = render(request, "savings.html", title="Savings from shared services", scenarios=scenarios,
                          form=form, error=str(error), result=None)
        response.status_code = 422
        return response
    start = baseline(book, chosen)
    result = model.run(start, chosen)
    sensitivity = model.sensitivity(start, chosen)
    if format == "json":
        return JSONResponse(model.result_json(result, sensitivity))
    form.update(reduction=form["reduction"] or f"{(chosen.reduction * 100).normalize():f}",
                years=form["years"] or chosen.phasing.years,
                profile=form["profile"] or chosen.phasing.profile,
                cost_per_post=form["cost_per_post"] or f"{result.cost_per_post_gbp:.0f}")
    years_rows = [{"year": y.year, "net_saving_gbp": y.net_saving_gbp, "cumulative_npv_gbp": y.cumulative_npv_gbp}
                  for y in result.years]
    return render(request, "savings.html", title="Savings from shared services", scenarios=scenarios, form=form,
                  error=None, result=result, sensitivity=sensitivity, top=TOP,
                  body_names=body_names(book), capability_labels=standard.labels("capabilities"),
                  query=str(request.url.query), chart=charts.savings_years(
                      years_rows, title="Net saving each year (bars) and cumulative NPV (line)"))


@router.get("/savings/baseline")
def baseline_lines(book: BookDep, scenario: str = "bottom-up",
                   format: Literal["csv", "json", "parquet", "xlsx"] = "csv"):
    """The cost lines the scenario's baseline sums: each body's, function's and capability's £ and rows."""
    chosen = choose(named_scenarios(), scenario, reduction=None, years=None, profile=None, cost_per_post=None)
    rows = [{"kind": line.kind, "org_id": line.org_id, "function": line.function, "capability": line.capability,
             "annual_cost_gbp": line.annual_cost_gbp.quantize(Decimal("0.01")), "users": line.users,
             "rows": line.rows} for line in baseline(book, chosen).lines]
    table = pa.Table.from_pylist(rows) if rows else pa.table({"kind": pa.array([], pa.string())})
    return download(table, format, f"savings-baseline-{chosen.name}")
