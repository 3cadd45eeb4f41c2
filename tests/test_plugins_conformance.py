"""Every registered importer obeys the protocol and only emits codes from the catalogue."""

from __future__ import annotations

import inspect
import re

import pytest

from openbook.ingest import ingest_file
from openbook.ingest.importers import Importer
from openbook.ingest.problems import PROBLEM_TYPES
from openbook.plugins import importers, plugin_list

IMPORTERS = importers()


def test_built_ins_register_through_the_hook():
    assert {i.name for i in IMPORTERS} >= {"uk-spend", "organisation"}
    assert any("register_importers" in p["hooks"] for p in plugin_list())


@pytest.mark.parametrize("importer", IMPORTERS, ids=lambda i: i.name)
def test_importer_matches_the_protocol(importer):
    assert issubclass(importer, Importer) and not inspect.isabstract(importer)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", importer.name)
    assert importer.title and importer.dataset
    assert set(importer.problems) <= set(PROBLEM_TYPES), set(importer.problems) - set(PROBLEM_TYPES)
    assert 0 <= importer.claims([["Body Name", "Date", "Supplier", "Amount"]]) <= 1.1
    assert list(inspect.signature(importer.ingest).parameters) == ["self", "context"]


def test_codes_an_importer_emits_on_the_fixtures_are_declared(book, fixtures):
    declared = {i.name: set(i.problems) for i in IMPORTERS}
    for path in sorted(fixtures.glob("*.csv")):
        report = ingest_file(book, path)
        source = book.source(report.sha256)
        emitted = {code for (code,) in book.query("SELECT DISTINCT code FROM quarantine WHERE source_sha256 = ?",
                                                   [report.sha256])}
        assert emitted <= declared[source["adapter"]], (path.name, emitted - declared[source["adapter"]])
        assert report.reconciles or report.status == "rejected"


def test_an_organisation_file_registers_bodies_that_spend_can_then_name(book, tmp_path):
    register = tmp_path / "organisations.csv"
    register.write_text("org_id,name,kind,parent_id,population_served,staff_fte,aliases\n"
                        "XX-TEST-ONE,Testshire County Council,county-council,,512000,4200.5,Testshire CC|TCC\n"
                        ",Nameless Body,county-council,,,,\n"
                        "XX-TEST-TWO,Second Body,no-such-kind,,,,\n")
    report = ingest_file(book, register)
    assert (report.dataset, report.rows_read, report.accepted, report.quarantined, report.structural) == \
        ("organisation", 4, 1, 2, 1)
    assert book.query("SELECT name, population_served, staff_fte, aliases FROM organisation "
                      "WHERE org_id = 'XX-TEST-ONE'") == [("Testshire County Council", 512000, 4200.5,
                                                           ["Testshire CC", "TCC"])]
    spend = tmp_path / "spend.csv"
    spend.write_text("Body Name,Date,Supplier,Amount\nTCC,02/04/2024,Acme Ltd,10.00\n")
    loaded = ingest_file(book, spend)
    assert (loaded.status, loaded.publisher) == ("loaded", "XX-TEST-ONE")
