"""The public value index: inputs by hand, weights shown and editable, levels."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openbook.analyse import value_index
from openbook.analyse.measures.runner import MeasureSettings, run
from openbook.errors import UsageError

D = Decimal


def test_the_composite_leaves_out_missing_inputs_and_shows_the_weights_it_applied():
    weights = {"cost_efficiency": 0.4, "duplication": 0.2, "openness": 0.2, "blocks": 0.2}
    index, applied = value_index.composite({"cost_efficiency": 50, "duplication": None, "openness": 100,
                                            "blocks": 0}, weights)
    # 0.4 + 0.2 + 0.2 of the weight is present: 0.5 × 50 + 0.25 × 100 + 0.25 × 0 = 50.
    assert index == pytest.approx(50) and applied == pytest.approx(
        {"cost_efficiency": 0.5, "openness": 0.25, "blocks": 0.25})
    assert value_index.composite({name: None for name in value_index.INPUTS}, weights) == (None, {})


def test_weights_files_are_checked(tmp_path):
    default = value_index.load_weights()
    assert default["weights"] == {"cost_efficiency": 0.4, "duplication": 0.2, "openness": 0.2, "blocks": 0.2}
    assert default["source"] == "standard/value_index.toml" and len(default["sha256"]) == 64
    bad = tmp_path / "w.toml"
    bad.write_text("[weights]\ncheapness = 1\n", encoding="utf-8")
    with pytest.raises(UsageError, match="unknown input 'cheapness'"):
        value_index.load_weights(bad)
    bad.write_text("[weights]\nblocks = -1\n", encoding="utf-8")
    with pytest.raises(UsageError, match="at least 0"):
        value_index.load_weights(bad)


@pytest.fixture
def sector(writer):
    # Five districts: finance per head and HR per employee differ; D1 runs payroll on a shared
    # service; D2 and D3 buy the same kind of HR system each for themselves.
    for i in range(1, 6):
        org = f"XX-D{i}"
        writer.organisation(org, "district-council", population=100_000, staff=500, name=f"District {i}")
        writer.spend(org, D(i * 100_000), function="finance")
        writer.spend(org, D(1_000_000), function="housing")
    writer.add("system", [
        {"org_id": "XX-D1", "system_ref": "S1", "name": "Payroll", "product": "Payroll bureau", "capability": "payroll",
         "hosting": "shared-service", "annual_cost_gbp": D(10_000)},
        {"org_id": "XX-D2", "system_ref": "S2", "name": "HR", "product": "HR suite", "capability": "hr",
         "hosting": "saas", "annual_cost_gbp": D(20_000)},
        {"org_id": "XX-D3", "system_ref": "S3", "name": "HR", "product": "HR suite", "capability": "hr",
         "hosting": "saas", "annual_cost_gbp": D(20_000)},
        {"org_id": "XX-D4", "system_ref": "S4", "name": "HR", "product": "HR suite", "capability": "hr",
         "hosting": "saas", "annual_cost_gbp": D(20_000)},
    ])
    return writer


def test_the_index_by_body_function_and_sector(sector, book, tmp_path):
    results = run(book, settings=MeasureSettings(min_months=1))
    levels = value_index.compute(book, results, value_index.load_weights())
    bodies = {row["key"]: row for row in levels["body"]}
    assert set(bodies) == {f"XX-D{i}" for i in range(1, 6)}
    # Finance per £ of spend: D1 is cheapest (rank 0, score 100), D5 dearest (rank 1, score 0);
    # admin cost per head ranks them the same way.
    assert bodies["XX-D1"]["scores"]["cost_efficiency"] == pytest.approx(100)
    assert bodies["XX-D5"]["scores"]["cost_efficiency"] == pytest.approx(0)
    # Duplication: all finance spend is in a function five bodies pay for; D1's shared payroll is not.
    # D1: £100,000 finance + £1m housing + £10,000 shared payroll → 1 − 100,000 / 1,110,000.
    assert bodies["XX-D1"]["scores"]["duplication"] == pytest.approx(100 * (1 - 100_000 / 1_110_000))
    # D2: £200,000 finance and its £20,000 HR system (three bodies run their own) of £1,220,000.
    assert bodies["XX-D2"]["scores"]["duplication"] == pytest.approx(100 * (1 - 220_000 / 1_220_000))
    assert bodies["XX-D1"]["scores"]["blocks"] == 100 and bodies["XX-D2"]["scores"]["blocks"] == 0
    assert bodies["XX-D5"]["scores"]["blocks"] is None  # no systems published
    assert bodies["XX-D1"]["index"] > bodies["XX-D5"]["index"]
    assert [row["key"] for row in levels["sector"]] == ["local"] and levels["sector"][0]["bodies"] == 5
    functions = {row["key"]: row for row in levels["function"]}
    assert functions["payroll"]["scores"]["blocks"] == 100 and functions["hr"]["scores"]["duplication"] == 0
    # Weights are editable: all weight on blocks and the index is the blocks score.
    only_blocks = tmp_path / "w.toml"
    only_blocks.write_text("[weights]\nblocks = 1\n", encoding="utf-8")
    reweighted = {row["key"]: row for row in value_index.compute(
        book, results, value_index.load_weights(only_blocks))["body"]}
    assert reweighted["XX-D1"]["index"] == 100 and reweighted["XX-D2"]["index"] == 0
    # D5 published no systems: its blocks input is missing and scored as the worst body's (0), not left out.
    assert reweighted["XX-D5"]["status"]["blocks"] == "missing" and reweighted["XX-D5"]["index"] == 0
    assert reweighted["XX-D1"]["weights"]["blocks"] == 1
    services = {row["key"]: row for row in levels["service"]}
    assert services["XX-D1/payroll"]["scores"]["blocks"] == 100 and services["XX-D2/hr"]["scores"]["duplication"] == 0
    assert services["XX-D1/finance"]["scores"]["cost_efficiency"] == pytest.approx(100)  # cheapest finance per £
    written = value_index.save_index(book, levels, value_index.load_weights())
    assert written == 5 * sum(len(rows) for rows in levels.values())


def test_openness_scores_accepted_rows_classified_money_and_months(sector, book):
    book.con.execute("UPDATE source SET rows_accepted = 3, rows_quarantined = 1 WHERE dataset = 'spend'")
    scores = value_index.publication_openness(book)
    # Rows accepted 3 of 4, all £ classified (1), one month of the twelve to May 2024 published.
    assert scores["XX-D1"] == pytest.approx(100 * (0.75 + 1 + 1 / 12) / 3)


def test_a_missing_input_never_lifts_an_index_and_one_that_does_not_apply_is_left_out(sector, book):
    weights = value_index.load_weights()
    levels = value_index.compute(book, run(book, settings=MeasureSettings(min_months=1)), weights)
    bodies = {row["key"]: row for row in levels["body"]}
    d5 = bodies["XX-D5"]
    assert d5["scores"]["blocks"] is None and d5["status"]["blocks"] == "missing"
    observed = [b["scores"]["blocks"] for b in bodies.values() if b["scores"]["blocks"] is not None]
    assert d5["scored_as"]["blocks"] == min(observed)
    # Whatever D5 would have scored had it published, its index would be no lower than it is now;
    # leaving the input out (the old rule) would have lifted it above that.
    for value in observed:
        index, _ = value_index.composite({**d5["scores"], "blocks": value}, weights["weights"])
        assert index >= d5["index"] - 1e-9
    dropped, _ = value_index.composite(d5["scores"], weights["weights"])
    assert dropped > d5["index"]
    # A function's openness is not defined (bodies publish, functions do not): not applicable, left out.
    function = levels["function"][0]
    assert function["status"]["openness"] == "not applicable" and "openness" not in function["applied_weights"]
    assert sum(function["applied_weights"].values()) == pytest.approx(1)
