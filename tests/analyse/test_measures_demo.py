"""Measures and the value index on the demo sector, as `make run` builds it (smoke values and invariants)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openbook.analyse import value_index
from openbook.analyse.measures import centile_savings
from openbook.analyse.measures.runner import run
from openbook.store import Book


@pytest.fixture(scope="module")
def demo(demo_book):
    with Book(demo_book, read_only=True) as book:
        yield book, run(book, comparator="sector"), run(book, comparator="neighbours")


def test_every_body_is_measured_and_ranked_among_its_sector_and_neighbours(demo):
    book, by_sector, by_neighbours = demo
    bodies = book.query("SELECT count(DISTINCT org_id) FROM spend_current")[0][0]
    it = [r for r in by_neighbours.rows if r["measure_id"] == "it-cost-per-employee"]
    assert len(it) == bodies >= 20  # every demo body has digital spend and staff
    assert all(r["peers"] == 11 for r in it)  # itself and its 10 nearest neighbours
    ranked = [r for r in by_sector.rows if r["percentile"] is not None]
    assert len({r["org_id"] for r in ranked}) >= 20


def test_savings_are_never_negative_and_add_up(demo):
    _, by_sector, _ = demo
    priced = [r for r in by_sector.rows if r["saving_gbp"] is not None]
    assert priced and all(r["saving_gbp"] >= 0 for r in priced)
    assert all(r["saving_gbp"] == 0 for r in priced if r["value"] <= r["target_value"])
    counted = centile_savings.counted_latest(by_sector.rows)
    total = sum((r["saving_gbp"] for r in counted), Decimal(0))
    assert total > 0 and all(r["saving_gbp"] >= Decimal("10000") for r in counted)
    for level in ("org_id", "function", "sector"):
        assert sum(t["saving_gbp"] for t in centile_savings.totals(by_sector.rows, level)) == total
    # A saving never exceeds the cost it is drawn from.
    assert all(r["saving_gbp"] <= Decimal(repr(r["numerator"])) for r in counted)


def test_the_index_scores_every_demo_body_between_0_and_100(demo):
    book, by_sector, _ = demo
    levels = value_index.compute(book, by_sector, value_index.load_weights())
    bodies = levels["body"]
    assert len(bodies) == book.query("SELECT count(DISTINCT org_id) FROM spend_current")[0][0]
    assert all(0 <= row["index"] <= 100 for row in bodies)
    assert {row["key"] for row in levels["sector"]} == {"central", "local", "nhs"}
