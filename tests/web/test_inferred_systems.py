"""The capability map's pages and API say which cells are inferred from spend, and open their evidence."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from openbook.web import create_app


@pytest.fixture(scope="module")
def inferred_client(tmp_path_factory):
    from openbook.analyse.detectors import run
    from openbook.ingest import ingest_file
    from openbook.store import Book
    from openbook.synth import generate

    folder = tmp_path_factory.mktemp("inferred")
    out = generate(folder / "sector", seed=9, rows=0, bodies=12, months=3, datasets=("systems",)).out_dir
    path = folder / "book.duckdb"
    with Book(path) as book:
        ingest_file(book, out / "organisations.csv")
        for file in sorted((out / "software_spend").glob("*.csv")) + sorted((out / "systems").glob("*.csv")):
            ingest_file(book, file)
        run(book, ["systems"])
    with TestClient(create_app(path)) as client:
        yield client


def test_the_api_marks_inferred_cells_with_their_evidence_and_price_per_resident(inferred_client):
    cells = inferred_client.get("/api/v1/aggregates/capability-map").json()["rows"]
    inferred = [c for c in cells if c["inferred"]]
    declared = [c for c in cells if not c["inferred"]]
    assert inferred and declared
    assert {c["source"] for c in inferred} == {"inferred-from-spend"} and {c["source"] for c in declared} == {"declared"}
    assert {c["capability"] for c in inferred} == {"licensing", "registration", "forms"}
    assert all(c["evidence"] and c["year"] and c["confidence"] > 0 for c in inferred)
    assert all(c["per_resident_gbp"] is not None for c in inferred if c["residents"])
    summary = {s["capability"]: s for s in inferred_client.get("/api/v1/aggregates/capabilities").json()["rows"]}
    assert summary["licensing"]["inferred_systems"] == summary["licensing"]["systems"] > 0


def test_the_map_marks_inferred_cells_and_a_cell_opens_its_payment_lines(inferred_client):
    page = inferred_client.get("/capabilities")
    assert page.status_code == 200
    assert "Cells inferred from spend" in page.text and "inferred from spend" in page.text
    assert "what each body pays per resident" in page.text
    cell = next(c for c in inferred_client.get("/api/v1/aggregates/capability-map").json()["rows"]
                if c["inferred"])
    detail = inferred_client.get("/capabilities/systems", params={"org": cell["org_id"], "capability": cell["capability"]})
    assert detail.status_code == 200 and "Systems inferred from spend" in detail.text
    sha, line = cell["evidence"][0].rsplit(":", 1)
    assert f"/sources/{sha}/lines/{line}" in detail.text
    assert "The payment lines the inferred systems rest on" in detail.text
    assert inferred_client.get(f"/sources/{sha}/lines/{line}").status_code == 200


def test_the_method_page_and_hostile_queries(inferred_client):
    assert inferred_client.get("/methodology/systems-inference").status_code == 200
    for params in ({"org": "\x00"}, {"org": "<script>", "capability": "'; DROP TABLE system; --"}):
        assert 400 <= inferred_client.get("/capabilities/systems", params=params).status_code < 500
    assert inferred_client.get("/api/v1/aggregates/capability-map", params={"org": "nobody"}).status_code < 500


def test_software_spend_no_product_explains_is_listed_for_review(inferred_client):
    rows = inferred_client.get("/api/v1/aggregates/software-unmatched").json()["rows"]
    assert [r["supplier_name"] for r in rows] == ["Brightwater Systems Ltd"]
    assert rows[0]["evidence"] and "Brightwater Systems Ltd" in inferred_client.get("/capabilities").text
    assert inferred_client.get("/api/v1/aggregates/software-unmatched", params={"limit": 0}).status_code == 422
