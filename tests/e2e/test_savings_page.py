"""/savings in a browser: the form's figures are analyse/savings/'s, and change as the inputs do."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from openbook.analyse import savings as model
from openbook.store import Book
from openbook.formatting import pounds


def _expected(demo_book, reduction: str) -> model.Result:
    scenario = replace(model.Scenario(), reduction=Decimal(reduction))
    with Book(demo_book, read_only=True) as book:
        return model.run(model.baseline_for(book, scenario), scenario)


def test_changing_the_reduction_recomputes_the_scenario_in_place(page, demo_book, drawn_charts, screenshot):
    default, lower = _expected(demo_book, "0.4"), _expected(demo_book, "0.2")
    assert default.baseline.lines and default.run_rate.net_saving_gbp != lower.run_rate.net_saving_gbp

    page.goto("/savings")
    assert page.locator("#net-saving").inner_text() == pounds(default.run_rate.net_saving_gbp)
    assert page.locator("#npv").inner_text() == pounds(default.npv_gbp)
    assert page.locator("#posts").inner_text() == f"{default.run_rate.posts:,.0f}"
    assert drawn_charts() == [default.scenario.horizon * 2 + 1]  # a bar and a point each year, and the line
    assert page.locator("#years-table tbody tr").count() == default.scenario.horizon
    screenshot("savings")

    page.fill("#reduction", "20")
    page.locator("#reduction").dispatch_event("change")
    page.wait_for_function("t => document.getElementById('net-saving').textContent === t",
                           arg=pounds(lower.run_rate.net_saving_gbp))
    assert "reduction=20" in page.url  # the address is the result's: shareable
    assert page.locator("#npv").inner_text() == pounds(lower.npv_gbp)
    assert page.locator("#break-even").inner_text() == (
        f"year {lower.break_even_year}" if lower.break_even_year else "not reached")
    drawn_charts()


def test_the_manifesto_scenario_reproduces_its_headline_and_says_it_is_not_sourced(page, screenshot):
    page.goto("/savings")
    page.select_option("#scenario", "manifesto-2018")
    page.wait_for_function("() => document.querySelector('.note') !== null")
    assert "back-calculated" in page.locator(".note").inner_text().lower()
    assert "not sourced" in page.locator(".note").inner_text()
    # £46bn a year and about a million posts: the published headline the inputs were worked back from.
    assert page.locator("#net-saving").inner_text() == "£46,000,000,000"
    assert page.locator("#posts").inner_text() == "1,000,000"
    screenshot("savings-manifesto")
