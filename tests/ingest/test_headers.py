"""Header cells written in new ways still map: numbered, annotated, camelCase, run together, misspelt."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openbook.cli import app
from openbook.ingest import validate_file
from openbook.ingest.headers import header_key, map_header

SPLIT = Path(__file__).parents[1] / "data" / "publisher-split.csv"


@pytest.mark.parametrize(("published", "field"), [
    ("1 Department Family", "family_name"),
    ("2. Entity", "entity_name"),
    ("03) Date", "paid_on"),
    ("01 - Payment Date", "paid_on"),
    ("(a) Supplier", "supplier_name"),
    ("1.4 Expense Area", "expense_area"),
    ("Amount (£)", "amount_gbp"),
    ("Amount [GBP]", "amount_gbp"),
    ("Value - GBP", "amount_gbp"),
    ("Amount in pounds", "amount_gbp"),
    ("Amount sterling £", "amount_gbp"),
    ("Amt", "amount_gbp"),
    ("Date [dd/mm/yyyy]", "paid_on"),
    ("Date Paid (dd/mm/yy)", "paid_on"),
    ("Supplier (text)", "supplier_name"),
    ("Supplier Name: text", "supplier_name"),
    ("TransactionNumber", "txn_ref"),
    ("InvoiceNumber", "txn_ref"),
    ("SupplierName", "supplier_name"),
    ("SUPPLIERNAME", "supplier_name"),
    ("transactionnumber", "txn_ref"),
    ("Trans. No.", "txn_ref"),
    ("Transaction Ref", "txn_ref"),
    ("Expense  Type", "expense_type"),
    ("expense_type", "expense_type"),
    ("Dept Family", "family_name"),
    ("Desc", "description"),
    ("Suplier Name", "supplier_name"),
    ("Ammount", "amount_gbp"),
    ("Number of Transaction", "txn_ref"),
])
def test_a_new_spelling_of_a_known_field_maps(published, field):
    cells = [published, "Something else entirely"]
    mapping = map_header(cells)
    assert mapping.fields.get(field) == 0, (published, header_key(published), mapping.fields)
    assert 0.86 <= mapping.matches[field].score <= 1.0


def test_exact_beats_same_words_beats_close_spelling():
    mapping = map_header(["Suplier", "Name Supplier", "Supplier Name", "Date", "Amount"])
    assert mapping.fields["supplier_name"] == 2
    assert mapping.matches["supplier_name"].how == "exact"
    assert mapping.matches["supplier_name"].score == 1.0


def test_a_column_fills_one_field_and_an_unknown_one_is_named():
    mapping = map_header(["Date", "Supplier", "Amount", "Colour of the van"])
    assert sorted(mapping.fields.values()) == [0, 1, 2]
    assert mapping.unmapped == ["Colour of the van"]
    assert [row["field"] for row in mapping.scored()] == ["paid_on", "supplier_name", "amount_gbp", None]


def test_values_are_never_read_as_misspelt_headers():
    assert map_header(["03/04/2020", "1,250.00", "Acme Ltd"]).fields == {}


def _tuning_spend_headers(shared_manifest) -> list[list[str]]:
    with open(SPLIT, encoding="utf-8", newline="") as fh:
        split = {(r["publisher"], r["origin_repo"]): r["half"] for r in csv.DictReader(fh)}
    headers = set()
    for row in shared_manifest:
        half = split.get((row["publisher"], "") if row["publisher"] else ("", row["origin_repo"]))
        if half == "tuning" and row["header"] and ("spend" in row["kind"] or "procurement card" in row["kind"]):
            headers.add(tuple(c.strip() for c in row["header"].split(" | ")))
    return [list(h) for h in sorted(headers)]


NUMBERING = ["", "{n} ", "{n}. ", "{n}) ", "{n:02d} - ", "({a}) "]
ANNOTATION = ["", " (text)", " [number]", " - GBP", " (£)", ": string", " [dd/mm/yyyy]"]
CASES = [str, str.upper, str.lower, str.title]
SPACING = [lambda s: s, lambda s: s.replace(" ", "  "), lambda s: s.replace(" ", "_"), lambda s: f"  {s} "]


def _rewrite(cells: list[str], choices: list[tuple[int, int, int, int]]) -> list[str]:
    out = []
    for n, (cell, (numbering, annotation, case, spacing)) in enumerate(zip(cells, choices), start=1):
        if not cell:
            out.append(cell)
            continue
        text = CASES[case](SPACING[spacing](cell)) + ANNOTATION[annotation]
        out.append(NUMBERING[numbering].format(n=n, a="abcdefghijklmnopqrstuvwxyz"[(n - 1) % 26]) + text)
    return out


def test_rewritten_real_headers_map_as_the_originals(shared_manifest):
    headers = _tuning_spend_headers(shared_manifest)
    assert len(headers) > 50
    choice = st.tuples(st.integers(0, len(NUMBERING) - 1), st.integers(0, len(ANNOTATION) - 1),
                       st.integers(0, len(CASES) - 1), st.integers(0, len(SPACING) - 1))

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(index=st.integers(0, len(headers) - 1), data=st.data())
    def check(index, data):
        cells = headers[index]
        choices = data.draw(st.lists(choice, min_size=len(cells), max_size=len(cells)))
        rewritten = _rewrite(cells, choices)
        assert map_header(rewritten).fields == map_header(cells).fields, (cells, rewritten)

    check()


def test_a_missing_required_field_names_the_nearest_column(tmp_path):
    path = tmp_path / "near.csv"
    path.write_text("Date,Supplier,Valeu,Description,Expense Type,Notes\n03/04/2020,Acme Ltd,12.50,Rent,Rent,x\n",
                    encoding="utf-8")
    report = validate_file(path, org="GB-GOR-D6")
    assert report.status == "rejected"
    assert report.rejection.code == "missing-required-column"
    message = report.rejection.message
    assert "no column for amount_gbp" in message and "nearest 'Valeu' (0.80)" in message
    assert "'Notes'" in message


def test_a_file_without_a_header_names_the_row_that_came_closest(tmp_path):
    path = tmp_path / "closest.csv"
    path.write_text("Payments to suppliers\nBody,When,Who,Valeu\nDfE,03/04/2020,Acme Ltd,12.50\n", encoding="utf-8")
    report = validate_file(path, org="GB-GOR-D6")
    assert report.rejection.code == "no-header-found"
    assert "the closest is line 2" in report.rejection.message and "nearest 'Valeu' (0.80)" in report.rejection.message


def test_validate_shows_which_column_filled_which_field(runner, tmp_path):
    path = tmp_path / "numbered.csv"
    path.write_text("1 Date,2 SupplierName,3 Amount (£),4 Colour\n03/04/2020,Acme Ltd,12.50,red\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "--org", "GB-GOR-D6", "--json"])
    assert result.exit_code == 0, result.output
    columns = json.loads(result.output)[0]["columns"]
    assert [(c["column"], c["field"]) for c in columns] == [
        ("1 Date", "paid_on"), ("2 SupplierName", "supplier_name"), ("3 Amount (£)", "amount_gbp"), ("4 Colour", None)]
    assert all(c["score"] == 1.0 for c in columns[:3])
    table = runner.invoke(app, ["validate", str(path), "--org", "GB-GOR-D6"])
    assert "supplier_name" in table.output and "not used" in table.output


UNSEEN = "Paid,Firm,Sum of money,Body\n03/04/2020,Acme Ltd,12.50,Department for Education\n" \
         "04/04/2020,Bravo Ltd,7.25,Department for Education\n"


def test_ingest_columns_settles_what_the_synonyms_miss(runner, tmp_path):
    from openbook.store import Book

    path = tmp_path / "unseen.csv"
    path.write_text(UNSEEN, encoding="utf-8")
    book = tmp_path / "b.duckdb"
    refused = runner.invoke(app, ["ingest", str(path), "--book", str(book), "--json"])
    assert refused.exit_code == 1
    result = runner.invoke(app, ["ingest", str(path), "--book", str(book), "--json", "--columns",
                                 "amount_gbp=Sum of money", "--columns", 'paid_on="Paid"',
                                 "--columns", "supplier_name=Firm"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)[0]
    assert (report["accepted"], report["amount_gbp"]) == (2, "19.75")
    with Book(book, read_only=True) as opened:
        source = opened.source(report["sha256"])
    options, dialect = json.loads(source["options"]), json.loads(source["dialect"])
    assert options["columns"] == {"amount_gbp": "Sum of money", "paid_on": "Paid", "supplier_name": "Firm"}
    given = {m["field"]: (m["column"], m["how"]) for m in dialect["matches"] if m["field"]}
    assert given["amount_gbp"] == ("Sum of money", "given")
    assert given["entity_name"][0] == "Body"


def test_a_columns_file_in_toml_or_csv_does_the_same(runner, tmp_path):
    path = tmp_path / "unseen.csv"
    path.write_text(UNSEEN, encoding="utf-8")
    toml = tmp_path / "mapping.toml"
    toml.write_text('amount_gbp = "Sum of money"\npaid_on = "Paid"\nsupplier_name = "Firm"\n', encoding="utf-8")
    mapping = tmp_path / "mapping.csv"
    mapping.write_text("field,column\namount_gbp,Sum of money\npaid_on,Paid\nsupplier_name,Firm\n", encoding="utf-8")
    for index, file in enumerate((toml, mapping)):
        result = runner.invoke(app, ["ingest", str(path), "--book", str(tmp_path / f"{index}.duckdb"), "--json",
                                     "--columns-file", str(file)])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)[0]["accepted"] == 2


@pytest.mark.parametrize(("option", "words"), [
    ("amount=Sum of money", "'amount' is not a field"),
    ("amount_gbp=Total Cost", "holds these columns"),
    ("=Paid", "give FIELD="),
    ("amount_gbp", "give FIELD="),
])
def test_a_wrong_columns_option_is_a_usage_error(runner, tmp_path, option, words):
    path = tmp_path / "unseen.csv"
    path.write_text(UNSEEN, encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(path), "--book", str(tmp_path / "b.duckdb"), "--columns", option])
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert "Traceback" not in result.output


def test_contracts_register_headers_written_in_new_ways_still_map():
    from openbook.ingest.contracts_register import map_columns

    plain = ["Reference Number", "Title of Agreement", "Supplier Name", "Contract Value (£)", "Start Date", "End Date"]
    rewritten = ["1. ReferenceNumber", "2. TITLE OF AGREEMENT (text)", "3. Supplier_Name", "4. Contract Value - GBP",
                 "5. Start Date [dd/mm/yyyy]", "6. End  Date"]
    assert map_columns(plain) and map_columns(rewritten) == map_columns(plain)


def test_organogram_headers_numbered_and_annotated_still_map():
    from openbook.ingest.organogram import layouts

    checked = 0
    for layout in layouts().values():
        plain = sorted(layout.signature)
        if len(plain) < 2:
            continue
        rewritten = [f"{n}. {name.title()} (text)" for n, name in enumerate(plain, start=1)]
        assert layout.matches(plain) and layout.matches(rewritten), layout.name
        assert layout.map(rewritten) == layout.map(plain), layout.name
        checked += 1
    assert checked >= 2


def test_validate_takes_columns_as_ingest_does(runner, tmp_path):
    path = tmp_path / "unseen.csv"
    path.write_text(UNSEEN, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "--json", "--columns", "amount_gbp=Sum of money",
                                 "--columns", "paid_on=Paid", "--columns", "supplier_name=Firm"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)[0]
    assert report["accepted"] == 2
    assert {c["field"]: c["how"] for c in report["columns"]}["amount_gbp"] == "given"
