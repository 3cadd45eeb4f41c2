"""The standard's files agree with Frictionless, with each other, with the contracts in
docs/design-notes.md, and with the bodies that publish the real spend files."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
from frictionless import Schema

from openbook import standard

HERE = Path(standard.__file__).parent
TABLES = standard.table_names()
SCHEMAS = {table: standard.load_schema(table) for table in TABLES}
TYPES = {"string", "integer", "number", "date", "datetime", "boolean", "array", "object"}
DECIMAL = "DECIMAL(18,2)"
# Tables whose rows are read from published files and so must say which file and line.
PUBLISHED = {"spend", "post", "system", "contract", "process", "budget", "grant", "cost_line", "transparency"}
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# org-id.guide lists (see organisations.sources.md); GB-POLICE is openbook's own, no list covers police forces.
ORG_ID = re.compile(r"^GB-(GOR|LAE|LAS|PLA)-[A-Za-z0-9]+$|^GB-LANI-[A-Z]+(-[A-Z])?$|^GB-POLICE-[a-z-]+$"
                    r"|^GB-PBA-[0-9]+$")
REGISTER_CODE = re.compile(r"^(D|EA|PB|OT|PC|IM|DA|CO|CS|EO)[0-9]+$")  # GOV.UK register shapes
PROVISIONAL_CODE = re.compile(r"^X[A-Z]+$")

# The contracts in docs/design-notes.md, field by field: other rooms rely on these exactly.
CONTRACTS = {
    "organisation": [
        ("org_id", "string"), ("name", "string"), ("kind", "string"), ("parent_id", "string"),
        ("population_served", "integer"), ("staff_fte", "number"), ("aliases", "array"),
    ],
    "spend": [
        ("org_id", "string"), ("paid_on", "date"), ("date_precision", "string"),
        ("amount_gbp", "number"), ("supplier_name", "string"), ("supplier_id", "string"),
        ("supplier_ref", "string"),  # added for ingest (publisher's vendor number); not yet in the notes
        ("supplier_postcode", "string"), ("supplier_vat_number", "string"),
        ("supplier_company_number", "string"), ("txn_ref", "string"), ("expense_type", "string"),
        ("expense_area", "string"), ("description", "string"), ("function", "string"),
        ("capability", "string"), ("entity_name", "string"),
        ("classified_by", "string"), ("classification_confidence", "number"),  # set by classification
        ("source_sha256", "string"), ("source_line", "integer"),
    ],
    "source": [
        ("sha256", "string"), ("path", "string"), ("file_name", "string"), ("size_bytes", "integer"),
        ("dataset", "string"), ("adapter", "string"), ("format", "string"), ("encoding", "string"),
        ("dialect", "object"), ("publisher", "string"), ("period_start", "date"),
        ("period_end", "date"), ("rows_read", "integer"), ("rows_accepted", "integer"),
        ("rows_quarantined", "integer"), ("rows_structural", "integer"),
        ("amount_accepted_gbp", "number"), ("status", "string"), ("supersedes", "string"),
        ("superseded_by", "string"), ("rejection_code", "string"), ("rejection_message", "string"),
        ("options", "object"), ("loaded_at", "datetime"),
    ],
    "quarantine": [
        ("source_sha256", "string"), ("source_line", "integer"), ("table_name", "string"),
        ("severity", "string"), ("code", "string"), ("column_name", "string"),
        ("column_number", "integer"), ("raw_value", "string"), ("message", "string"),
        ("raw_row", "array"),
    ],
}
ENUMS = {
    ("spend", "date_precision"): ["day", "month"],
    ("source", "format"): ["csv", "xlsx", "xls", "ods", "json", "empty"],
    ("source", "status"): ["current", "superseded", "rejected"],
    ("quarantine", "severity"): ["error", "warning", "structural"],
}


BLANK_KEYS = {("quarantine", "source_line")}
"""Key fields that may be blank: a rejected file's problem concerns no line. Frictionless refuses
a key only when all of its cells are blank, and the file's SHA-256 never is."""


def fields(table: str) -> list[dict]:
    return SCHEMAS[table]["fields"]


def field(table: str, name: str) -> dict:
    return next(f for f in fields(table) if f["name"] == name)


# -- tables and schemas -------------------------------------------------------------------

def test_every_schema_file_is_a_table_and_every_table_has_a_file():
    assert sorted(TABLES) == sorted(p.stem for p in (HERE / "schemas").glob("*.json"))


def test_tables_come_in_dependency_order():
    position = {table: i for i, table in enumerate(TABLES)}
    assert TABLES[0] == "organisation"
    cites_a_file = [t for t in TABLES if any(f["name"] == "source_sha256" for f in fields(t))]
    assert cites_a_file and all(position["source"] < position[t] for t in cites_a_file)
    for earlier, later in [("supplier", "spend"), ("supplier", "contract"), ("system", "process"),
                           ("contract", "cost_line")]:
        assert position[earlier] < position[later], f"{earlier} must come before {later}"


@pytest.mark.parametrize("table", TABLES)
def test_schema_is_a_valid_table_schema(table):
    descriptor = SCHEMAS[table]
    report = Schema.validate_descriptor(descriptor)
    assert report.valid, report.flatten(["type", "note"])
    schema = Schema.from_descriptor(descriptor)
    assert schema.field_names == [f["name"] for f in descriptor["fields"]]
    # The custom properties survive a round trip through Frictionless.
    assert schema.to_descriptor()["fields"] == descriptor["fields"]


@pytest.mark.parametrize("table", TABLES)
def test_schema_has_the_conventional_top_level_properties(table):
    schema = SCHEMAS[table]
    assert schema["name"] == table
    assert schema["title"].strip() and len(schema["description"]) > 80
    assert schema["missingValues"] == [""]
    names = [f["name"] for f in schema["fields"]]
    assert len(names) == len(set(names)), "duplicate field names"
    assert schema["primaryKey"] and set(schema["primaryKey"]) <= set(names)
    for name in schema["primaryKey"]:
        if (table, name) in BLANK_KEYS:
            continue
        assert field(table, name).get("constraints", {}).get("required"), f"key field {name} may be blank"


@pytest.mark.parametrize("table", TABLES)
def test_every_field_has_a_type_and_a_description_a_publisher_can_read(table):
    for f in fields(table):
        assert f["type"] in TYPES, f["name"]
        assert len(f.get("description", "").strip()) >= 20, f"{table}.{f['name']} needs a description"
        assert KEBAB.match(f["name"].replace("_", "-")), f"{table}.{f['name']} is not snake_case"


@pytest.mark.parametrize("table", TABLES)
def test_money_is_exact(table):
    for f in fields(table):
        if f["name"].endswith("_gbp") or "sqlType" in f:
            assert (f["type"], f.get("sqlType")) == ("number", DECIMAL), f"{table}.{f['name']}"


def test_some_fields_are_money():
    money = [(t, f["name"]) for t in TABLES for f in fields(t) if f.get("sqlType") == DECIMAL]
    assert ("spend", "amount_gbp") in money and ("finding", "gbp_at_stake") in money
    assert ("source", "amount_accepted_gbp") in money and ("post", "pay_floor_gbp") in money


@pytest.mark.parametrize("table", sorted(PUBLISHED))
def test_published_rows_end_with_their_file_and_line(table):
    *_, sha, line = fields(table)
    assert (sha["name"], sha["type"], line["name"], line["type"]) == (
        "source_sha256", "string", "source_line", "integer")
    assert sha["constraints"]["required"] and line["constraints"]["required"]


@pytest.mark.parametrize("table", sorted(CONTRACTS))
def test_contract_tables_match_the_design_notes_exactly(table):
    assert [(f["name"], f["type"]) for f in fields(table)] == CONTRACTS[table]


def test_contract_details_from_the_design_notes():
    assert SCHEMAS["spend"]["primaryKey"] == ["source_sha256", "source_line"]
    assert SCHEMAS["organisation"]["primaryKey"] == ["org_id"]
    assert SCHEMAS["source"]["primaryKey"] == ["sha256"]
    assert field("spend", "amount_gbp")["sqlType"] == DECIMAL
    assert field("source", "amount_accepted_gbp")["sqlType"] == DECIMAL
    assert field("organisation", "kind")["codeList"] == "organisation_kinds"
    assert field("spend", "function")["codeList"] == "functions"
    assert field("spend", "capability")["codeList"] == "capabilities"
    for (table, name), values in ENUMS.items():
        assert field(table, name)["constraints"]["enum"] == values


def test_every_code_list_reference_names_an_existing_list():
    references = {(t, f["name"]): f["codeList"] for t in TABLES for f in fields(t) if "codeList" in f}
    assert len(references) >= 10
    missing = {ref: name for ref, name in references.items() if name not in standard.code_list_names()}
    assert not missing


def test_load_schema_returns_a_fresh_copy():
    standard.load_schema("spend")["fields"].clear()
    assert standard.load_schema("spend")["fields"]


def test_unknown_table_is_a_key_error_that_lists_the_tables():
    with pytest.raises(KeyError, match="known tables: organisation, source") as caught:
        standard.load_schema("payments")
    assert "'payments'" in str(caught.value)


# -- code lists --------------------------------------------------------------------------

def test_code_list_names():
    assert standard.code_list_names() == ["capabilities", "cofog", "cost_categories", "functions", "organisation_kinds"]


@pytest.mark.parametrize("name", standard.code_list_names())
def test_code_list_has_unique_stable_codes_with_labels(name):
    rows = standard.code_list(name)
    codes = [row["code"] for row in rows]
    assert rows and list(rows[0])[:2] == ["code", "label"]
    assert [c for c, n in Counter(codes).items() if n > 1] == []
    assert all(row["label"].strip() and row["description"].strip() for row in rows)
    if name != "cofog":  # COFOG keeps its own numeric codes
        assert [c for c in codes if not KEBAB.match(c)] == []


def test_cofog_has_its_ten_divisions():
    assert [row["code"] for row in standard.code_list("cofog")] == [f"{n:02d}" for n in range(1, 11)]


def test_functions_are_admin_frontline_or_transfer_and_point_at_real_cofog_divisions():
    rows = standard.code_list("functions")
    assert list(rows[0]) == ["code", "label", "kind", "govs", "apqc", "sercop", "cofog", "description"]
    assert {row["kind"] for row in rows} == {"admin", "frontline", "transfer"}
    # Money that passes through (grants, loans, financing, balance sheet) has its own kind, never admin.
    assert [row["code"] for row in rows if row["kind"] == "transfer"] == ["transfers"]
    divisions = {row["code"] for row in standard.code_list("cofog")}
    bad = [row["code"] for row in rows if row["cofog"] and row["cofog"][:2] not in divisions]
    assert bad == []
    codes = {row["code"] for row in rows}
    assert {"finance", "hr", "commercial", "digital", "property", "legal", "communications",
            "analysis", "security", "grants", "counter-fraud", "customer-service"} <= codes
    assert {"education", "health", "adult-social-care", "childrens-social-care", "police"} <= codes


def test_capabilities_include_the_lego_blocks():
    codes = {row["code"] for row in standard.code_list("capabilities")}
    assert {"payments", "notifications", "identity", "case-management", "booking", "forms",
            "documents-records", "payroll", "hr", "finance-erp", "procurement",
            "crm-contact-centre", "web-publishing", "hosting", "data-analytics"} <= codes


def test_unknown_code_list_is_a_key_error_that_lists_the_lists():
    with pytest.raises(KeyError, match="known lists: capabilities, cofog"):
        standard.code_list("services")


# -- organisation registry ---------------------------------------------------------------

REGISTRY = standard.organisation_registry()
BY_ID = {org["org_id"]: org for org in REGISTRY}


def test_registry_file_has_exactly_the_contract_columns():
    with open(HERE / "organisations.csv", newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == ["org_id", "name", "kind", "parent_id", "population_served", "staff_fte", "aliases"]
    # The loader's dicts fit the organisation table, so the store can insert them as they are.
    assert all(list(org) == [n for n, _ in CONTRACTS["organisation"]] for org in REGISTRY)


def test_org_ids_are_unique_and_in_org_id_form():
    ids = [org["org_id"] for org in REGISTRY]
    assert len(ids) > 50 and len(ids) == len(set(ids))
    assert [i for i in ids if not ORG_ID.match(i)] == []


def test_provisional_ids_are_distinguishable_and_listed_in_the_readme():
    codes = [i.removeprefix("GB-GOR-") for i in BY_ID if i.startswith("GB-GOR-")]
    assert [c for c in codes if not (REGISTER_CODE.match(c) or PROVISIONAL_CODE.match(c))] == []
    provisional = {f"GB-GOR-{c}" for c in codes if PROVISIONAL_CODE.match(c)}
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| (GB-GOR-X[A-Z]+) \|", readme, flags=re.M))
    assert provisional and provisional == listed


def test_parents_resolve_without_cycles():
    for org in REGISTRY:
        seen, parent = {org["org_id"]}, org["parent_id"]
        while parent:
            assert parent in BY_ID, f"{org['org_id']}: parent {parent} is not in the registry"
            assert parent not in seen, f"{org['org_id']}: parent chain loops"
            seen.add(parent)
            parent = BY_ID[parent]["parent_id"]


def test_kinds_come_from_the_organisation_kinds_list():
    kinds = {row["code"] for row in standard.code_list("organisation_kinds")}
    assert {org["org_id"]: org["kind"] for org in REGISTRY if org["kind"] not in kinds} == {}


def test_numbers_are_parsed_and_blanks_are_none():
    assert BY_ID["GB-LAE-LDS"]["population_served"] == 798786  # the register's 2020 estimate
    assert BY_ID["GB-GOR-D2"]["population_served"] is None
    assert all(org["staff_fte"] is None or isinstance(org["staff_fte"], float) for org in REGISTRY)
    assert BY_ID["GB-GOR-D2"]["parent_id"] is None and BY_ID["GB-GOR-EA74"]["parent_id"] == "GB-GOR-D9"


def _owners() -> dict[str, set[str]]:
    owners: dict[str, set[str]] = {}
    for org in REGISTRY:
        for label in [org["name"], *org["aliases"]]:
            owners.setdefault(standard.normalise_org_name(label), set()).add(org["org_id"])
    return owners


SHARED = {key: ids for key, ids in _owners().items() if len(ids) > 1}


def test_each_name_and_alias_names_one_body_only_unless_the_registers_share_it():
    # The registers give a few names to two bodies (a county council and the unitary that replaced
    # it); those are refused, never guessed, and stay few.
    assert len(SHARED) < 10
    for key, ids in SHARED.items():
        with pytest.raises(standard.AmbiguousOrganisation) as refused:
            standard.find_organisation(key)
        assert {org_id for org_id, _ in refused.value.candidates} == ids
    labels = sum(1 + len(org["aliases"]) for org in REGISTRY)
    assert len(_owners()) + sum(len(ids) - 1 for ids in SHARED.values()) == labels, \
        "an alias repeats a name of its own body once normalised"


def test_find_organisation_round_trips_ids_names_and_aliases():
    for org in REGISTRY:
        for label in [org["org_id"], org["name"], *org["aliases"], org["name"].upper()]:
            if standard.normalise_org_name(label) in SHARED:
                continue
            found = standard.find_organisation(label)
            assert found is not None and found["org_id"] == org["org_id"], label


@pytest.mark.parametrize("text, org_id", [
    ("DEFRA & WAG", "GB-GOR-D7"),
    ("Departmen of Health", "GB-GOR-D12"),
    ("The Borough of Calderdale", "GB-LAE-CLD"),
    ("http://statistics.data.gov.uk/doc/local-authority-district/00CY", "GB-LAE-CLD"),
    ("West North West  Homes Leeds", "GB-LAE-LDS"),
    ("  Driver & Vehicle Licensing Agency ", "GB-GOR-EA74"),
    ("GLA", "GB-GOR-PB200"),  # Gangmasters, in Defra's files; see README
])
def test_find_organisation_resolves_odd_labels_from_real_files(text, org_id):
    assert standard.find_organisation(text)["org_id"] == org_id


@pytest.mark.parametrize("text", ["", "   ", "NIL RETURN", "Core Dept", "Corporate", "Department Family",
                                  "gb-gor-d9", "Department of Magic"])
def test_find_organisation_returns_none_for_what_is_not_a_known_body(text):
    assert standard.find_organisation(text) is None


def test_results_are_copies_callers_cannot_corrupt():
    standard.find_organisation("GB-GOR-D7")["aliases"].clear()
    standard.organisation_registry()[0]["aliases"].append("x")
    assert standard.find_organisation("GB-GOR-D7")["aliases"]
    assert "x" not in standard.organisation_registry()[0]["aliases"]


@pytest.mark.parametrize("raw, expected", [
    ("The Borough of Calderdale", "borough of calderdale"),
    ("Driver & Vehicle Licensing Agency", "driver and vehicle licensing agency"),
    ("East - North East Homes Leeds", "east north east homes leeds"),
    ("Children's  Services", "childrens services"),
    ("Department for Transport (SSC)", "department for transport ssc"),
    ("Theatres Trust", "theatres trust"),  # only a whole leading word 'the' goes
    ("FCO", "fco"),
])
def test_normalise_org_name(raw, expected):
    assert standard.normalise_org_name(raw) == expected


# -- the real spend files ----------------------------------------------------------------

def spend_file_rows(shared_data: Path) -> list[dict[str, str]]:
    with open(shared_data / "files.csv", newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if "spend" in r["kind"] or "procurement card" in r["kind"]]
    assert len(rows) > 600, "files.csv lists fewer spend files than expected"
    return rows


def test_every_spend_publisher_in_the_shared_data_resolves(shared_data):
    publishers = Counter(r["publisher"] for r in spend_file_rows(shared_data))
    assert {p: n for p, n in publishers.items() if standard.find_organisation(p) is None} == {}


def test_every_body_named_in_the_spend_files_resolves_except_nil_returns(shared_data):
    named = Counter(r["publisher_in_file"] for r in spend_file_rows(shared_data))
    not_bodies = {"", "NIL RETURN", "NIL return"}
    assert set(named) - not_bodies, "files.csv names no bodies"
    assert {n: c for n, c in named.items() if n not in not_bodies and standard.find_organisation(n) is None} == {}
