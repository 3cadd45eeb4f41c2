"""Files it has never seen: the check half of the publisher split, measured, never tuned on.

The figures are those `python benchmarks/generalise.py` prints (the same code computes them).
Each failing assertion names the files or bodies that fall short.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "generalise.py"


def _generalise():
    spec = importlib.util.spec_from_file_location("generalise", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generalise = _generalise()


def test_the_split_puts_every_file_in_one_half_and_no_publisher_in_both(publisher_split, shared_manifest):
    tuning, check = publisher_split["tuning"], publisher_split["check"]
    assert len(tuning) + len(check) == len(shared_manifest)
    assert {r["local_path"] for r in tuning}.isdisjoint(r["local_path"] for r in check)

    def publishers(rows):
        return {r["publisher"] or r["origin_repo"] for r in rows}

    assert publishers(tuning).isdisjoint(publishers(check))
    # Both halves hold real spend files and organograms to tune on and to measure.
    for half in (tuning, check):
        kinds = Counter("spend" if generalise.is_spend(r) else "post" if generalise.is_organogram(r) else "other"
                        for r in half)
        assert kinds["spend"] > 100 and kinds["post"] > 100, kinds


@pytest.fixture(scope="module")
def check_figures(shared_data, publisher_split, tmp_path_factory):
    figures = generalise.measure(shared_data, publisher_split["check"], tmp_path_factory.mktemp("check") / "c.duckdb")
    print({k: v for k, v in figures.items() if not isinstance(v, dict)})
    return figures


def test_check_half_spend_files_that_hold_data_load_and_reconcile(check_figures):
    assert check_figures["spend_files"] > 200
    # Only a coded "holds no data" rejection keeps a file out of the count.
    assert set(check_figures["no_data_files"].values()) <= generalise.NO_DATA_CODES
    assert check_figures["spend_files_share"] >= generalise.GOALS["files"], check_figures["failed_files"]


def test_check_half_rows_of_those_files_are_accepted(check_figures):
    assert check_figures["rows"] > 300_000
    assert check_figures["rows_share"] >= generalise.GOALS["rows"], (
        check_figures["rows_accepted"], check_figures["rows"], check_figures["failed_files"])


def test_check_half_organogram_posts_are_never_stored_without_a_body(check_figures):
    assert check_figures["organogram_files"] > 150 and check_figures["posts"] > 10_000
    assert check_figures["posts_without_body"] == 0, check_figures["bodies_without_id"]


def test_check_half_organogram_posts_are_quarantined_only_for_a_body_no_register_holds(check_figures):
    codes = check_figures["post_quarantine_codes"]
    assert sum(codes.values()) == check_figures["posts_quarantined"]  # every quarantined post has its reason
    assert set(codes) <= {"unknown-organisation"}, check_figures["post_quarantine_reasons"]
