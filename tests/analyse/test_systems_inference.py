"""Systems inferred from spend: the catalogue, the line rules, the stored register and what reads it."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from openbook import standard
from openbook.analyse.detectors.systems import (
    capability_map, capability_summary, inferred_duplicate_findings, price_per_resident,
)
from openbook.analyse.systems_inference import inferred_systems, refresh
from openbook.analyse.systems_inference.catalogue import normalise, products
from openbook.analyse.systems_inference.match import Matcher, component

SOFTWARE = "Software licences"


def test_the_catalogue_covers_the_market_with_valid_rows():
    catalogue = products()
    assert len(catalogue) >= 60
    assert len({p.product_id for p in catalogue}) == len(catalogue)
    blocks = standard.blocks()
    assert all(p.capability in blocks and p.supplier_names and p.source for p in catalogue)
    covered = {p.capability for p in catalogue}
    for capability in ("revenues-benefits", "case-management", "licensing", "finance-erp", "payroll", "hr",
                       "payments", "web-publishing", "forms", "collaboration", "crm-contact-centre",
                       "documents-records", "registration", "geospatial", "hosting"):
        assert capability in covered, capability
    # Former names resolve to today's supplier: acquisitions rename vendors.
    nec = next(p for p in catalogue if p.product_id == "nec-revenues-benefits")
    assert normalise("Northgate Public Services") in nec.supplier_names


@pytest.mark.parametrize("supplier,expense,description,product,rule", [
    ("Capita Business Services Ltd", "IT software", "Academy revenues system licence", "capita-revenues-benefits", "named"),
    ("NORTHGATE PUBLIC SERVICES (UK) LTD", "Computer software", "iWorld annual support", "nec-revenues-benefits", "named"),
    ("Capita Business Services Ltd", "Software support", "Council tax module", "capita-revenues-benefits", "service"),
    ("SOFTCAT LTD", "Computer Costs", "ServiceNow licence renewal", "servicenow", "alone"),
    ("TOTALMOBILE LTD", "", "", "totalmobile", "any"),
    ("IDOX SOFTWARE LTD", "Computer maintenance", "", "idox-uniform", "software"),
    ("IDOX SOFTWARE LTD", "Software support", "Xpress electoral management", "idox-xpress", "named"),
    ("SAP (UK) Ltd", "IT maintenance", "Business Objects support", "sap-businessobjects", "named"),
])
def test_a_line_naming_a_product_or_paid_to_its_supplier_matches_it(supplier, expense, description, product, rule):
    found = Matcher().match(supplier, expense, description)
    assert found is not None and (found.product.product_id, found.rule) == (product, rule)


@pytest.mark.parametrize("supplier,expense,description", [
    # A firm sharing a software house's name, and a software house's other business.
    ("Northgate Vehicle Hire Ltd", "Vehicle hire", "Van hire for refuse collection"),
    ("Capita Property & Infrastructure Ltd", "Business Rates", "Payment of rent and rates"),
    # A service word on a line that is not software: the body pays its own rates.
    ("Capita Business Services Ltd", "Business Rates", "Rates for the depot"),
    ("Orchard Care Homes Ltd", "Residential care", "Software for residents"),
    # A supplier of many products, with no product named: listed for review, never guessed.
    ("Civica UK Ltd", SOFTWARE, "Annual licence"),
    ("Oracle Corporation UK Ltd", SOFTWARE, "Annual licence and support"),
    ("Genesys Telecommunications Ltd", "Road works", "M62 junction improvement"),
])
def test_a_line_the_rules_cannot_tie_to_a_product_matches_nothing(supplier, expense, description):
    assert Matcher().match(supplier, expense, description) is None


def test_a_lines_part_of_the_cost_is_read_from_its_words():
    assert [component(normalise(t)) for t in ("Hosting services April", "Annual support and maintenance",
                                                "Licence renewal 2024", "Upgrade consultancy", "Training day")] == [
        "hosting", "support", "licence", "support", "other"]


@pytest.fixture
def councils(writer):
    """Three councils pay planning software; one also pays an unknown software house and a vehicle hirer."""
    for org, population in (("XX-A", 100_000), ("XX-B", 200_000), ("XX-C", 50_000)):
        writer.organisation(org, "district-council", population=population)
    paid = {"XX-A": ("12000", "600"), "XX-B": ("20000", "1000"), "XX-C": ("15000", "750")}
    for org, (licence, support) in paid.items():
        writer.spend(org, licence, supplier="IDOX SOFTWARE LTD", expense_type=SOFTWARE,
                     description="Uniform annual licence", paid_on=date(2024, 4, 10))
        for month in (5, 8, 11):
            writer.spend(org, support, supplier="IDOX SOFTWARE LTD", expense_type="IT support and maintenance",
                         description="Uniform support", paid_on=date(2024, month, 20))
    writer.spend("XX-A", "900", supplier="Brightwater Systems Ltd", expense_type=SOFTWARE,
                 description="Annual software licence renewal")
    writer.spend("XX-A", "4000", supplier="Northgate Vehicle Hire Ltd", expense_type="Vehicle hire",
                 description="Van hire")
    return paid


def test_inference_totals_each_bodys_product_a_year_with_its_parts_and_lines(councils, book):
    counts = refresh(book)
    rows = {r["org_id"]: r for r in book._dicts("SELECT * FROM system_inferred")}
    assert counts == {"systems": 3, "unmatched": 1} and set(rows) == set(councils)
    for org, (licence, support) in councils.items():
        row = rows[org]
        assert (row["capability"], row["product_id"], row["year"]) == ("licensing", "idox-uniform", 2024)
        assert row["licence_gbp"] == Decimal(licence) and row["support_gbp"] == 3 * Decimal(support)
        assert row["annual_gbp"] == Decimal(licence) + 3 * Decimal(support)
        assert row["lines"] == 4 and row["months"] == 4 and len(row["evidence"]) == 4
        assert row["source"] == "inferred-from-spend" and not row["declared"]
    unmatched = book._dicts("SELECT * FROM software_unmatched")
    assert [(u["org_id"], u["supplier_name"], u["amount_gbp"]) for u in unmatched] == [
        ("XX-A", "Brightwater Systems Ltd", Decimal("900.00"))]
    # Every evidence line is a stored spend line of that body.
    for org, row in rows.items():
        for ref in row["evidence"]:
            sha, line = ref.rsplit(":", 1)
            assert book.query("SELECT org_id FROM spend WHERE source_sha256 = ? AND source_line = ?",
                              [sha, int(line)]) == [(org,)]


def test_a_declared_system_wins_over_inference_for_its_capability(councils, writer, book):
    writer.add("system", [{"org_id": "XX-B", "system_ref": "S1", "name": "Planning", "product": "Uniform",
                           "vendor": "Idox", "capability": "licensing", "annual_cost_gbp": Decimal("30000"),
                           "users": 40}])
    refresh(book)
    assert {r["org_id"] for r in inferred_systems(book)} == {"XX-A", "XX-C"}
    cells = {c["org_id"]: c for c in capability_map(book) if c["capability"] == "licensing"}
    assert (cells["XX-B"]["source"], cells["XX-B"]["annual_cost_gbp"]) == ("declared", Decimal("30000"))
    assert cells["XX-A"]["inferred"] and cells["XX-A"]["evidence"] and not cells["XX-B"]["inferred"]
    summary = {s["capability"]: s for s in capability_summary(book)}["licensing"]
    assert (summary["bodies"], summary["inferred_systems"], summary["inferred_bodies"]) == (3, 2, 2)


def test_inferred_duplicates_are_priced_per_resident_above_the_median(councils, book):
    refresh(book)
    per_resident = {org: (Decimal(lic) + 3 * Decimal(sup)) / population for org, (lic, sup), population in
                    zip(councils, councils.values(), (100_000, 200_000, 50_000))}
    group = {g["capability"]: g for g in price_per_resident(book)}["licensing"]
    assert group["bodies"] == 3
    median = sorted(per_resident.values())[1]
    assert group["median_gbp"] == median.quantize(Decimal("0.0001"))
    found = inferred_duplicate_findings(book)
    assert [f.key for f in found] == ["licensing:inferred"]
    populations = {"XX-A": 100_000, "XX-B": 200_000, "XX-C": 50_000}
    expected = sum((per_resident[o].quantize(Decimal("0.0001")) - group["median_gbp"]) * populations[o]
                   for o in per_resident if per_resident[o].quantize(Decimal("0.0001")) > group["median_gbp"])
    assert found[0].gbp_at_stake == expected.quantize(Decimal("0.01")) > 0
    assert len(found[0].evidence) == 12 and "inferred from their spend" in found[0].title


def test_the_synthetic_sector_plants_exactly_the_systems_inference_finds(book, tmp_path):
    from openbook.ingest import ingest_file
    from openbook.synth import generate

    out = generate(tmp_path / "sector", seed=5, rows=0, bodies=12, months=3, datasets=("systems",)).out_dir
    ingest_file(book, out / "organisations.csv")
    for path in sorted((out / "software_spend").glob("*.csv")):
        assert ingest_file(book, path).status == "loaded"
    refresh(book)
    with open(out / "truth" / "software_systems.csv", newline="", encoding="utf-8") as fh:
        truth = list(csv.DictReader(fh))
    planted = {(t["org_id"], t["capability"], t["product_id"], int(t["year"]), Decimal(t["annual_gbp"]))
               for t in truth if t["expected"] == "inferred"}
    found = {(r["org_id"], r["capability"], r["product_id"], r["year"], r["annual_gbp"])
             for r in book._dicts("SELECT * FROM system_inferred")}
    assert planted and found == planted
    unmatched = {(r["org_id"], r["amount_gbp"]) for r in book._dicts("SELECT * FROM software_unmatched")}
    assert unmatched == {(t["org_id"], Decimal(t["annual_gbp"])) for t in truth if t["expected"] == "unmatched"}


# ---- precision and recall on real publications ------------------------------------------------------------

LABELS = Path(__file__).resolve().parents[1] / "data"


def _read(name: str) -> list[dict]:
    with open(LABELS / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _real_register(shared_data, rows, tmp_path) -> tuple[dict, set]:
    """The inferred register of the given files.csv rows' spend files: triples → evidence refs."""
    import importlib.util

    from openbook.ingest import ingest_file
    from openbook.store import Book

    spec = importlib.util.spec_from_file_location("generalise", LABELS.parents[1] / "benchmarks" / "generalise.py")
    generalise = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generalise)
    with Book(tmp_path / "real.duckdb") as book:
        for row in rows:
            if generalise.is_spend(row):
                ingest_file(book, shared_data / row["local_path"], org=row["publisher"] or None)
        refresh(book)
        triples: dict[tuple, set] = {}
        for org, cap, product, evidence in book.query(
                "SELECT org_id, capability, product_id, evidence FROM system_inferred"):
            triples.setdefault((org, cap, product), set()).update(evidence)
    return triples, {ref for refs in triples.values() for ref in refs}


def _precision(labels: list[dict], triples: dict) -> tuple[float, int, int]:
    """right / (right + wrong) over the labelled triples the rebuild still infers (by key and evidence line)."""
    found = [lab for lab in labels if f"{lab['evidence_sha256']}:{lab['evidence_line']}" in
             triples.get((lab["org_id"], lab["capability"], lab["product_id"]), set())]
    right = sum(lab["label"] == "right" for lab in found)
    wrong = sum(lab["label"] == "wrong" for lab in found)
    return right / (right + wrong), len(found), right + wrong


@pytest.mark.slow
def test_precision_on_the_tuning_half_and_recall_of_labelled_software_lines(shared_data, publisher_split, tmp_path):
    labels = _read("systems-labels.csv")
    assert len(labels) >= 150
    triples, lines = _real_register(shared_data, publisher_split["tuning"], tmp_path)
    precision, found, judged = _precision(labels, triples)
    recall_lines = [r for r in _read("systems-recall-lines.csv") if r["catalogue_product"] == "yes"]
    recall = sum(f"{r['evidence_sha256']}:{r['evidence_line']}" in lines for r in recall_lines) / len(recall_lines)
    print(f"tuning half: precision {precision:.3f} over {judged} judged of {found} labelled triples still inferred; "
          f"recall {recall:.2f} of {len(recall_lines)} labelled lines paying for a catalogue product")
    assert found >= 0.95 * len(labels) and precision >= 0.9
    assert recall > 0


@pytest.mark.slow
def test_precision_on_a_fresh_sample_of_the_check_half(shared_data, publisher_split, tmp_path):
    labels = _read("systems-labels-check.csv")
    triples, _ = _real_register(shared_data, publisher_split["check"], tmp_path)
    precision, found, judged = _precision(labels, triples)
    print(f"check half: precision {precision:.3f} over {judged} judged of {found} labelled triples")
    assert found == len(labels) >= 40 and precision >= 0.9
