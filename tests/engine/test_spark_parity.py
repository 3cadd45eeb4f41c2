"""The same analyses give the same answers on DuckDB and on Spark: money to the penny.

The book is the demo sector (the generator with planted duplicates); each analysis runs once
with `book.ibis()` on the book's DuckDB and once on Spark local over the book's Parquet lake.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from openbook.analyse import savings, spending
from openbook.analyse.detectors import functions, payments

pytestmark = pytest.mark.slow


def on_both(engines, analysis):
    book, backend = engines
    book.engine = None
    on_duckdb = analysis(book)
    book.engine = backend
    try:
        on_spark = analysis(book)
    finally:
        book.engine = None
    return on_duckdb, on_spark


@pytest.mark.parametrize("by", ["org_id", "function", "month", ["org_id", "year"]])
def test_spend_totals_are_the_same_to_the_penny(engines, by):
    duckdb_rows, spark_rows = on_both(engines, lambda b: spending.totals(b, by))
    assert len(duckdb_rows) > 3
    assert spark_rows == duckdb_rows
    book, _ = engines
    whole = book.query("SELECT sum(amount_gbp) FROM spend_current")[0][0]
    assert sum((r["total_gbp"] for r in spark_rows), Decimal(0)) == whole
    assert all(isinstance(r["total_gbp"], Decimal) for r in spark_rows)


def test_duplicate_payments_are_the_same_groups_and_pounds(engines):
    duckdb_scan, spark_scan = on_both(engines, payments.find_duplicate_payments)

    def described(scan):
        return [(f.finding_id, f.gbp_at_stake, f.formula, f.key, sorted(f.evidence)) for f in scan.findings]

    assert len(duckdb_scan.findings) >= 5  # the generator plants duplicates in the demo sector
    assert described(spark_scan) == described(duckdb_scan)
    assert (spark_scan.candidates, spark_scan.set_aside) == (duckdb_scan.candidates, duckdb_scan.set_aside)


def test_function_benchmarking_is_the_same(engines):
    # The small demo sector has at most four bodies of a kind spending on a function: compare
    # with two peers, so that quartiles, deciles and £ gaps are worked out for most rows.
    settings = functions.FunctionSettings(min_peers=2)
    duckdb_rows, spark_rows = on_both(engines, lambda b: functions.benchmark(b, settings))
    assert sum(1 for r in duckdb_rows if (r.get("gap_to_median_gbp") or 0) > 0) >= 5
    assert spark_rows == duckdb_rows
    assert all(isinstance(r["cost_gbp"], Decimal) for r in spark_rows)


def test_bottom_up_savings_are_the_same_to_the_penny(engines):
    duckdb_base, spark_base = on_both(engines, savings.bottom_up_baseline)
    assert duckdb_base.total_gbp > 0 and {line.kind for line in duckdb_base.lines} >= {"staff", "spend"}
    assert spark_base == duckdb_base
    scenario = savings.Scenario()
    assert savings.run(spark_base, scenario) == savings.run(duckdb_base, scenario)
