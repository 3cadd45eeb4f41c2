"""`openbook measures`, `openbook peers` and `openbook index` in process: exit codes, JSON and plain errors."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from openbook.cli import app


@pytest.fixture
def quarter(writer, book):
    # Six districts, three months (April to June 2024) each of £1m housing and £10,000 × i finance.
    for i in range(1, 7):
        org = f"XX-D{i}"
        writer.organisation(org, "district-council", population=100_000, staff=500, name=f"District {i}")
        for month in (4, 5, 6):
            writer.spend(org, Decimal(10_000 * i), function="finance", paid_on=date(2024, month, 1))
            writer.spend(org, Decimal(1_000_000), function="housing", paid_on=date(2024, month, 1))
    book.close()  # the CLI opens the file itself
    return book.path


def _invoke(runner, *args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def test_measures_json_ranks_bodies_and_totals_the_savings(runner, quarter):
    result = _invoke(runner, "measures", "--book", quarter, "--measure", "finance-cost-per-spend", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    rows = {r["org_id"]: r for r in payload["rows"]}
    assert len(rows) == 6 and all(r["peers"] == 6 and r["period"] == "2024-25" for r in rows.values())
    assert rows["XX-D6"]["decile"] == 10 and rows["XX-D1"]["percentile"] == 0
    # D1 is at the 10th centile's lower side, so saves nothing; the savings add up by body.
    assert Decimal(rows["XX-D1"]["saving_gbp"]) == 0
    assert payload["measures"][0]["basis"] == "the measure's own denominator; a ratio of £ to £"
    by_body = sum(Decimal(t["saving_gbp"]) for t in payload["savings"]["by_body"])
    assert Decimal(payload["savings"]["total_gbp"]) == by_body > 0


def test_measures_table_names_the_basis_and_comparators(runner, quarter):
    result = _invoke(runner, "measures", "--book", quarter, "--org", "District 6")
    assert result.exit_code == 0, result.output
    assert "Comparators: bodies of the same kind" in result.output
    assert "District 6 against its comparators" in result.output
    assert "per head of population" in result.output and "a ratio of £ to" in result.output  # each row's basis
    # Finance per £: D6 spends 60,000 of 1,060,000 a month; the 10th centile of six is halfway between
    # D1 (10,000 / 1,010,000) and D2 (20,000 / 1,020,000); the gap is priced on 12 × £1,060,000 a year.
    target = (10_000 / 1_010_000 + 20_000 / 1_020_000) / 2
    saving = (60_000 / 1_060_000 - target) * 12 * 1_060_000
    assert f"£{saving:,.2f}" in result.output


def test_usage_errors_are_one_sentence_and_exit_2(runner, quarter):
    result = _invoke(runner, "measures", "--book", quarter, "--peers", "nosuch")
    assert result.exit_code == 2 and "--peers 'nosuch' is not 'kind', 'sector', 'neighbours'" in result.output
    result = _invoke(runner, "measures", "--book", quarter, "--measure", "nosuch")
    assert result.exit_code == 2 and "no measure 'nosuch'; known:" in result.output
    result = _invoke(runner, "measures", "--book", quarter, "--basis", "real")
    assert result.exit_code == 2 and "no GDP deflator for 2024-25" in result.output


def test_peer_groups_are_saved_listed_used_and_deleted(runner, quarter):
    result = _invoke(runner, "peers", "group", "create", "west", "XX-D1", "XX-D2", "XX-D3", "XX-D4", "District 5",
                     "--book", quarter)
    assert result.exit_code == 0 and "Saved group west with 5 bodies" in result.output
    listed = json.loads(_invoke(runner, "peers", "group", "list", "--book", quarter, "--json").output)
    assert listed == {"west": ["XX-D1", "XX-D2", "XX-D3", "XX-D4", "XX-D5"]}
    used = json.loads(_invoke(runner, "measures", "--book", quarter, "--peers", "west", "--measure",
                              "finance-cost-per-spend", "--json").output)
    assert {r["org_id"] for r in used["rows"]} == {"XX-D1", "XX-D2", "XX-D3", "XX-D4", "XX-D5"}
    assert _invoke(runner, "peers", "group", "delete", "west", "--book", quarter).exit_code == 0
    again = _invoke(runner, "peers", "group", "delete", "west", "--book", quarter)
    assert again.exit_code == 2 and "no comparator group 'west'" in again.output


def test_peers_show_lists_nearest_neighbours(runner, quarter):
    payload = json.loads(_invoke(runner, "peers", "show", "XX-D1", "--k", "3", "--book", quarter, "--json").output)
    assert payload["org_id"] == "XX-D1" and len(payload["neighbours"]) == 3
    # Same population and staff everywhere: only spend separates them, so D2 is nearest to D1.
    assert payload["neighbours"][0]["org_id"] == "XX-D2"


def test_index_shows_the_weights_beside_every_score(runner, quarter, tmp_path):
    weights = tmp_path / "weights.toml"
    weights.write_text("[weights]\ncost_efficiency = 1\nopenness = 1\n", encoding="utf-8")
    result = _invoke(runner, "index", "--book", quarter, "--weights", weights, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["weights"] == {"cost_efficiency": 1.0, "duplication": 0.0, "openness": 1.0, "blocks": 0.0}
    top, bottom = payload["rows"][0], payload["rows"][-1]
    assert (top["key"], bottom["key"]) == ("XX-D1", "XX-D6")  # cheapest finance first
    assert top["applied_weights"] == {"cost_efficiency": 0.5, "openness": 0.5}
    bad = _invoke(runner, "index", "--book", quarter, "--level", "galaxy")
    assert bad.exit_code == 2 and "--level 'galaxy' is not one of service, body, function, sector" in bad.output


def test_a_body_with_no_value_is_shown_missing_not_left_out(runner, writer, book):
    # Six districts with finance and staff; a seventh publishes spend but no finance line: missing.
    for i in range(1, 8):
        org = f"XX-D{i}"
        writer.organisation(org, "district-council", population=100_000, staff=500, name=f"District {i}")
        for month in (4, 5, 6):
            if i < 7:
                writer.spend(org, Decimal(10_000 * i), function="finance", paid_on=date(2024, month, 1))
            writer.spend(org, Decimal(1_000_000), function="housing", paid_on=date(2024, month, 1))
    book.close()
    shown = _invoke(runner, "measures", "--book", book.path, "--org", "District 7",
                    "--measure", "finance-cost-per-spend")
    assert shown.exit_code == 0, shown.output
    assert "missing" in shown.output and "none of its published spend" in shown.output
    payload = json.loads(_invoke(runner, "measures", "--book", book.path, "--measure", "finance-cost-per-spend",
                                 "--json").output)
    assert [(g["org_id"], g["status"]) for g in payload["gaps"]] == [("XX-D7", "missing")]
    ranked = {r["org_id"]: r for r in payload["rows"]}
    assert all(r["status"] == "ranked" and r["rank_best"] <= r["rank"] <= r["rank_worst"] for r in ranked.values())
    assert ranked["XX-D1"]["rank"] == 1 and ranked["XX-D6"]["rank"] == 6
    index = json.loads(_invoke(runner, "index", "--book", book.path, "--json").output)
    d7 = next(r for r in index["rows"] if r["key"] == "XX-D7")
    # D7's missing measures count as the worst rank: it is not above the dearest district.
    others = [r["scores"]["cost_efficiency"] for r in index["rows"] if r["key"] != "XX-D7"]
    assert d7["status"]["cost_efficiency"] in ("scored", "missing") and d7["scored_as"]["cost_efficiency"] <= min(others)
    table = _invoke(runner, "index", "--book", book.path)
    assert "missing" in table.output and "n/a" in table.output
