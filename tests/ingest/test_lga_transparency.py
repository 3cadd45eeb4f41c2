"""Transparency Code datasets in the LGA schemas: every row kept as published, traced to its line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from openbook.ingest import ingest_file
from openbook.ingest.lga_transparency import dataset_of

TRAFFORD = "traffordDataLab__council_open_data/transparency_code"


def _lga_files(shared_manifest) -> list[str]:
    return [r["local_path"] for r in shared_manifest
            if r["kind"] == "other transparency CSV" and r["header"].startswith("OrganisationLabel | OrganisationURI")]


def test_every_lga_transparency_file_loads_with_every_row(shared_data, shared_manifest, book):
    paths = _lga_files(shared_manifest)
    assert len(paths) >= 9
    for local in paths:
        path = shared_data / local
        report = ingest_file(book, path)
        assert report.status == "loaded" and report.reconciles, local
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = [r for r in csv.reader(fh)][1:]
        assert report.accepted == sum(1 for r in rows if any(c.strip() for c in r)), local
    fraud = book.query("SELECT effective_date, record FROM transparency WHERE dataset = 'counter-fraud' "
                       "ORDER BY effective_date LIMIT 1")[0]
    assert str(fraud[0]) == "2015-03-31"
    assert json.loads(fraud[1])["FraudSpentAmount"] == "327310" and json.loads(fraud[1])["ValueFraud"] == "NA"
    datasets = {d for (d,) in book.query("SELECT DISTINCT dataset FROM transparency")}
    assert {"counter-fraud", "land-and-building-assets", "pay-multiple", "senior-salary-bands",
            "trade-union-facility-time", "parking-account"} <= datasets
    assert book.query("SELECT count(DISTINCT org_id) FROM transparency") == [(1,)]


def test_an_unknown_body_and_a_bad_date_are_quarantined_at_their_line(tmp_path: Path, book):
    path = tmp_path / "fraud.csv"
    path.write_text(
        "OrganisationLabel,OrganisationURI,EffectiveDate,TotalOccasionsFraudPowers\n"
        "Trafford Council,,2016-03-31,12\n"
        "Nowhere Council,,2016-03-31,3\n"
        "Trafford Council,,31/03/2017,4\n"
        ",,,\n", encoding="utf-8")
    report = ingest_file(book, path)
    assert (report.rows_read, report.accepted, report.quarantined, report.structural) == (5, 1, 2, 2)
    assert [(p.code, p.line, p.column_number) for p in report.problems] == [
        ("unknown-organisation", 3, 1), ("date-invalid", 4, 3)]


@pytest.mark.parametrize(("column", "dataset"), [("UPRN", "land-and-building-assets"), ("Whatever", "lga-transparency")])
def test_the_dataset_is_recognised_from_its_columns(column, dataset):
    assert dataset_of(["OrganisationLabel", "OrganisationURI", column]) == dataset
