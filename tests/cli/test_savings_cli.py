"""`openbook savings`, `openbook plan` and `openbook blocks` through the CLI, as a user types them."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from openbook.cli import app
from openbook.store import Book
from tests.analyse.conftest import BookWriter

ROOT = Path(__file__).resolve().parents[2]
MANIFESTO = str(ROOT / "scenarios" / "manifesto-2018.toml")


@pytest.fixture
def sector(tmp_path) -> Path:
    """Three bodies running their own payroll, one of them with admin spend classified to finance."""
    path = tmp_path / "book.duckdb"
    with Book(path) as book:
        writer = BookWriter(book)
        for org in ("XX-A", "XX-B", "XX-C"):
            writer.organisation(org, "district-council", population=100_000, staff=500)
        writer.add("system", [
            {"org_id": org, "system_ref": "S1", "name": "Pay", "product": "Pay", "vendor": "V",
             "capability": "payroll", "annual_cost_gbp": Decimal(cost), "users": users,
             "contract_ref": f"C-{org}", "contract_end": end}
            for org, cost, users, end in (("XX-A", "100000", 1000, date(2026, 1, 31)), ("XX-B", "60000", 500, None),
                                          ("XX-C", "40000", 500, None))])
        writer.spend("XX-A", "20000", function="finance")
    return path


def test_savings_reproduces_the_manifesto_as_json(runner):
    result = runner.invoke(app, ["savings", "--scenario", MANIFESTO, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["method"] == "top-down" and data["run_rate"]["net_saving_gbp"] == "46000000000.00"
    assert data["run_rate"]["posts"] == "1000000.00" and len(data["years"]) == 10
    assert {row["input"] for row in data["sensitivity"]} >= {"baseline", "reduction", "discount rate"}


def test_savings_prints_the_year_table_and_the_headline(runner):
    result = runner.invoke(app, ["savings", "--scenario", MANIFESTO])
    assert result.exit_code == 0, result.output
    assert "£46,000,000,000 a year" in result.output and "1,000,000 frontline posts" in result.output
    assert "back-calculated" in result.output.lower()


def test_options_override_the_scenario(runner):
    result = runner.invoke(app, ["savings", "--scenario", MANIFESTO, "--reduction", "0.2", "--years", "2", "--json"])
    data = json.loads(result.output)
    assert data["run_rate"]["net_saving_gbp"] == "23000000000.00"
    assert data["years"][0]["gross_saving_gbp"] == "11500000000.00"


def test_bottom_up_reads_the_book(runner, sector):
    result = runner.invoke(app, ["savings", "--book", str(sector), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    # £200,000 of payroll systems and £20,000 of finance spend.
    assert data["method"] == "bottom-up" and data["baseline_gbp"] == "220000.00"
    assert data["run_rate"]["gross_saving_gbp"] == "88000.00"
    assert [row["key"] for row in data["by_capability"]] == ["payroll", "(none)"]


def test_top_down_without_a_baseline_is_a_clean_usage_error(runner):
    result = runner.invoke(app, ["savings", "--top-down"])
    assert result.exit_code == 2
    assert "a top-down run needs a baseline" in result.output and "Traceback" not in result.output


def test_bad_scenario_and_reduction_name_the_problem(runner, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[target]\nreduction = 0.4\nyaers = 5\n", encoding="utf-8")
    result = runner.invoke(app, ["savings", "--scenario", str(bad), "--top-down"])
    assert result.exit_code == 2 and "bad.toml: unknown key 'yaers' in section 'target'" in result.output
    result = runner.invoke(app, ["savings", "--scenario", MANIFESTO, "--reduction", "forty"])
    assert result.exit_code == 2 and "--reduction 'forty' is not a number" in result.output


def test_plan_lists_moves_and_exports(runner, sector, tmp_path):
    result = runner.invoke(app, ["plan", "--book", str(sector), "--as-of", "2025-01-01", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    # Target 40% of £200,000: A's contract ends within the window, so it moves first, in phase 1, and suffices.
    assert [(r["org_id"], r["phase"]) for r in data["bodies"]] == [("XX-A", 1), ("XX-B", None), ("XX-C", None)]
    assert data["capabilities"][0]["remaining"] == 2
    out = tmp_path / "plan.xlsx"
    result = runner.invoke(app, ["plan", "--book", str(sector), "--xlsx", str(out), "--csv", str(tmp_path / "p.csv")])
    assert result.exit_code == 0 and out.exists() and (tmp_path / "p.csv").read_text().count("\n") == 4
    result = runner.invoke(app, ["plan", "--book", str(sector)])
    assert "Consolidation plan by capability" in result.output


def test_blocks_lists_the_catalogue_with_what_bodies_pay(runner, sector):
    result = runner.invoke(app, ["blocks", "--book", str(sector), "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["capability"]: row for row in json.loads(result.output)}
    from openbook import standard

    assert set(rows) == {c["code"] for c in standard.code_list("capabilities")}
    assert (rows["payroll"]["bodies_running_own"], rows["payroll"]["annual_cost_gbp"]) == (3, "200000.00")
    assert rows["notifications"]["api_contract"].startswith("https://docs.notifications.service.gov.uk")
    assert rows["payments"]["standard_interface"] == "payments.openapi.json v1.0.3" and rows["payments"]["conforming"] == 0
    assert rows["payroll"]["standard_interface"] is None
    result = runner.invoke(app, ["blocks", "--book", str(sector)])
    assert "GOV.UK Pay" in result.output
