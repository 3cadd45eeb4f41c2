"""360Giving grants: every real file (JSON and CSV) loads and reconciles, counts and sterling totals
match a reading with the json and csv modules, and bad values are coded at their line and column."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import pytest

from openbook.ingest import ingest_file
from openbook.store import Book

TRAFFORD = "traffordDataLab__council_open_data/transparency_code/grants/trafford_council_voluntary_sector_grants"
STACK = "ThreeSixtyGiving__grantnav/sample_data/stack.json"


def _grant_files(manifest) -> list[dict]:
    return [r for r in manifest if r["kind"].startswith("360Giving grants") or r["local_path"] == TRAFFORD + ".csv"]


@pytest.fixture(scope="module")
def grant_book(shared_data, shared_manifest, tmp_path_factory):
    book = Book(tmp_path_factory.mktemp("grants") / "grants.duckdb")
    reports = {r["local_path"]: ingest_file(book, shared_data / r["local_path"]) for r in _grant_files(shared_manifest)}
    yield book, reports
    book.close()


def test_every_360giving_file_loads_and_reconciles(grant_book):
    book, reports = grant_book
    assert len(reports) == 16
    assert {r.status for r in reports.values()} == {"loaded"}
    assert all(r.reconciles and r.dataset == "grant" for r in reports.values())
    totals = [sum(getattr(r, k) for r in reports.values()) for k in ("rows_read", "accepted", "quarantined",
                                                                      "structural")]
    assert totals == [15736, 15732, 2, 2]
    assert book.query("SELECT count(*) FROM \"grant\"") == [(15732,)]


@pytest.mark.parametrize("name", ["ThreeSixtyGiving__grantnav/sample_data/wolfson.json",
                                  "ThreeSixtyGiving__grantnav/sample_data/dulverton.json",
                                  TRAFFORD + ".json"])
def test_a_json_file_has_the_grants_and_sterling_total_the_json_module_reads(grant_book, shared_data, name):
    book, reports = grant_book
    grants = json.loads((shared_data / name).read_text(encoding="utf-8"), parse_float=Decimal)["grants"]
    total = sum(Decimal(str(g["amountAwarded"])) for g in grants if g.get("currency") == "GBP")
    report = reports[name]
    assert (report.rows_read, report.accepted) == (len(grants), len(grants))
    assert Decimal(report.amount_pence) / 100 == total
    assert book.query("SELECT count(*), sum(amount_gbp) FROM \"grant\" WHERE source_sha256 = ?",
                      [report.sha256]) == [(len(grants), total)]


def test_the_trafford_csv_twin_agrees_with_its_json_and_books_to_trafford(grant_book, shared_data):
    book, reports = grant_book
    with open(shared_data / (TRAFFORD + ".csv"), encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    total = sum(Decimal(r["Amount Awarded"]) for r in rows)
    csv_report, json_report = reports[TRAFFORD + ".csv"], reports[TRAFFORD + ".json"]
    assert (csv_report.rows_read, csv_report.accepted, csv_report.structural) == (len(rows) + 1, len(rows), 1)
    assert csv_report.amount_pence == json_report.amount_pence == int(total * 100) == 129143654
    assert csv_report.publisher == json_report.publisher == "GB-LAE-TRF"
    first = book._dicts("SELECT * FROM \"grant\" WHERE source_sha256 = ? AND source_line = 2", [csv_report.sha256])[0]
    assert {k: first[k] for k in ("grant_ref", "org_id", "funder_id", "recipient_name", "amount_gbp", "currency",
                                  "planned_months", "beneficiary_locations", "programme")} == {
        "grant_ref": "360G-traffordmbc-VSG1342", "org_id": "GB-LAE-TRF", "funder_id": "GB-LAE-TRF",
        "recipient_name": "Altrincham Children's Choir", "amount_gbp": Decimal("2266.00"), "currency": "GBP",
        "planned_months": 12.0, "beneficiary_locations": ["Trafford"], "programme": "Voluntary Sector Grants"}


def test_values_shifted_across_fields_are_quarantined_where_they_sit(grant_book):
    book, reports = grant_book
    report = reports[STACK]
    assert (report.rows_read, report.quarantined) == (5945, 2)
    codes = book.query("SELECT code, column_name, raw_value FROM quarantine WHERE source_sha256 = ? "
                       "AND source_line = 2724 ORDER BY code", [report.sha256])
    assert [(c, col) for c, col, _ in codes] == [("amount-not-a-number", "amountAwarded"),
                                                 ("currency-invalid", "currency"), ("date-invalid", "awardDate")]
    # Three grants in US dollars are kept, with no sterling figure.
    assert book.query("SELECT count(*), count(amount_gbp) FROM \"grant\" WHERE source_sha256 = ? AND currency = 'USD'",
                      [report.sha256]) == [(3, 0)]


def test_a_crafted_csv_codes_each_bad_value_at_its_line_and_column(book, tmp_path):
    path = tmp_path / "grants.csv"
    path.write_text(
        "Identifier,Title,Currency,Amount Awarded,Award Date,Recipient Org:Identifier,Recipient Org:Name,"
        "Funding Org:Identifier,Funding Org:Name,Planned Dates:Duration (months)\n"
        "360G-t-1,Good,GBP,500,2023-06-01,GB-CHC-1,Charity One,GB-LAE-TRF,Trafford Council,12 months\n"
        "360G-t-2,Bad amount,GBP,5OO,2023-06-01,GB-CHC-2,Charity Two,GB-LAE-TRF,Trafford Council,\n"
        "360G-t-3,Bad date,GBP,10,31/02/2023,GB-CHC-3,Charity Three,GB-LAE-TRF,Trafford Council,Undefined\n"
        ",No id,EUR,10,2023-06-01,,,GB-CHC-9,Some Trust,\n"
        "\n", encoding="utf-8")
    report = ingest_file(book, path)
    assert (report.dataset, report.rows_read, report.accepted, report.quarantined, report.structural) == (
        "grant", 6, 1, 3, 2)
    assert book.query("SELECT source_line, column_number, code FROM quarantine WHERE severity <> 'structural' "
                      "ORDER BY 1, 2, 3") == [
        (3, 4, "amount-not-a-number"), (4, 5, "date-invalid"), (4, 10, "value-not-read"),
        (5, 1, "value-missing"), (5, 7, "value-missing")]
    assert book.query("SELECT org_id, amount_gbp, planned_months FROM \"grant\"") == [
        ("GB-LAE-TRF", Decimal("500.00"), 12.0)]


def test_a_grant_to_a_person_and_a_funder_named_by_org(book, tmp_path):
    path = tmp_path / "grants.json"
    path.write_text(json.dumps({"grants": [
        {"id": "360G-t-9", "title": "Hardship", "currency": "GBP", "amountAwarded": 250.5, "awardDate": "2023-01-05",
         "recipientIndividual": {"id": "360G-t-IND-1", "name": "Individual recipient"}}]}), encoding="utf-8")
    report = ingest_file(book, path, org="Trafford Council")
    assert (report.accepted, report.amount_pence, report.publisher) == (1, 25050, "GB-LAE-TRF")
    assert book.query("SELECT org_id, funder_name, recipient_name, recipient_is_individual FROM \"grant\"") == [
        ("GB-LAE-TRF", "Trafford Metropolitan Borough Council", "Individual recipient", True)]


def _foreign_grants() -> dict:
    funder = {"id": "XI-PB-1234", "name": "Fondation Exemple"}
    grant = {"awardDate": "2023-03-01", "fundingOrganization": [funder]}
    return {"grants": [
        {**grant, "id": "360G-fe-1", "title": "Euros", "currency": "EUR", "amountAwarded": 1000.5,
         "recipientOrganization": [{"id": "XI-PB-9", "name": "Club Un"}]},
        {**grant, "id": "360G-fe-2", "title": "Lower case", "currency": "usd", "amountAwarded": 40,
         "recipientOrganization": [{"id": "GB-CHC-1", "name": "Charity One"}]},
        {**grant, "id": "360G-fe-3", "title": "No such currency", "currency": "EUROS", "amountAwarded": 7,
         "recipientOrganization": [{"id": "GB-CHC-2", "name": "Charity Two"}]},
        {**grant, "id": "360G-fe-4", "title": "Pounds", "currency": "GBP", "amountAwarded": 12,
         "recipientOrganization": [{"id": "GB-CHC-3", "name": "Charity Three"}]}]}


def test_a_foreign_funder_keeps_its_currencies_and_is_a_body_by_its_org_id(book, tmp_path):
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps(_foreign_grants()), encoding="utf-8")
    report = ingest_file(book, path)
    assert (report.rows_read, report.accepted, report.quarantined, report.publisher) == (4, 3, 1, "XI-PB-1234")
    assert report.amount_pence == 1200  # only the pounds
    assert book.query("SELECT grant_ref, org_id, recipient_id, amount_awarded, currency, amount_gbp FROM \"grant\" "
                      "ORDER BY source_line") == [
        ("360G-fe-1", "XI-PB-1234", "XI-PB-9", Decimal("1000.50"), "EUR", None),
        ("360G-fe-2", "XI-PB-1234", "GB-CHC-1", Decimal("40.00"), "USD", None),
        ("360G-fe-4", "XI-PB-1234", "GB-CHC-3", Decimal("12.00"), "GBP", Decimal("12.00"))]
    assert book.query("SELECT source_line, code, raw_value FROM quarantine") == [(3, "currency-invalid", "EUROS")]
    assert book.query("SELECT name, kind FROM organisation WHERE org_id = 'XI-PB-1234'") == [
        ("Fondation Exemple", "other")]
    dialect = json.loads(book.query("SELECT dialect FROM source")[0][0])
    assert dialect["bodies_added"] == ["XI-PB-1234"]
    assert dialect["currencies"]["EUR"] == {"rows": 1, "amount": "1000.50", "without_gbp": 1}


def test_a_rate_the_user_gives_turns_a_grant_into_pounds(book, tmp_path):
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps(_foreign_grants()), encoding="utf-8")
    report = ingest_file(book, path, fx={"EUR": "0.86"})
    assert report.amount_pence == 86043 + 1200
    assert book.query("SELECT currency, amount_gbp FROM \"grant\" ORDER BY source_line") == [
        ("EUR", Decimal("860.43")), ("USD", None), ("GBP", Decimal("12.00"))]
    assert json.loads(book.query("SELECT options FROM source")[0][0]) == {"fx": {"EUR": "0.86"}}
