"""Known answers: on the generated sector, each detector finds what the generator planted."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from openbook.ingest.parallel import ingest_paths
from openbook.store import Book
from openbook.synth import generate


@pytest.fixture(scope="module")
def sector(tmp_path_factory) -> tuple[Path, Path]:
    """A small generated sector with every dataset, ingested once for this module's tests."""
    root = tmp_path_factory.mktemp("sector")
    data = root / "data"
    generate(data, seed=7, rows=6000)
    path = root / "book.duckdb"
    with Book(path) as book:
        files = [data / "organisations.csv"] + sorted(p for p in data.rglob("*") if p.is_file()
                                                      and "truth" not in p.parts and p.name != "organisations.csv")
        list(ingest_paths(book, files, jobs=1))
    return data, path


def _truth(data: Path, name: str) -> list[dict]:
    with open(data / "truth" / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_planted_top_heavy_unit_is_found_and_nothing_else(sector):
    from openbook.analyse.detectors.workforce import unit_findings

    data, path = sector
    with Book(path, read_only=True) as book:
        found = unit_findings(book)
        latest = {org: max(d for (d,) in book.query("SELECT DISTINCT as_of FROM post WHERE org_id = ?", [org]))
                  for (org,) in book.query("SELECT DISTINCT org_id FROM post WHERE org_id IS NOT NULL")}
    planted = {(r["org_id"], r["unit"]) for r in _truth(data, "top_heavy.csv")
               if r["file"].endswith(f"{latest.get(r['org_id'])}-senior.csv")}
    flagged = {(f.org_ids[0], f.key.split(":", 1)[1]) for f in found}
    assert planted, "the generator plants top-heavy units"
    assert flagged == planted


def test_every_planted_shared_product_is_priced_as_the_truth_says(sector):
    from decimal import Decimal

    from openbook.analyse.detectors.systems import duplicated_capability_findings, price_per_user, product_key

    data, path = sector
    with Book(path, read_only=True) as book:
        prices = {p["product"]: p for p in price_per_user(book)}
        duplicated = {f.key: f for f in duplicated_capability_findings(book)}
    planted = _truth(data, "systems.csv")
    assert planted
    for row in planted:
        product = prices[product_key(row["product"], row["vendor"])]
        assert product["bodies"] == int(row["bodies"])
        assert (product["min_gbp"], product["median_gbp"], product["max_gbp"]) == (
            Decimal(row["cheapest_gbp_per_user"]), Decimal(row["median_gbp_per_user"]), Decimal(row["dearest_gbp_per_user"]))
        assert row["capability"] in duplicated
