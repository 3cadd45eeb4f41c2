"""The registry of every UK public body: built from the public registers, valid against its own
schema, and resolving councils, departments and their abbreviations without ever guessing."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from frictionless import Resource, Schema

from openbook import standard
from openbook.cli import app
from openbook.standard.registry import derived_abbreviations, name_variants

HERE = Path(standard.__file__).parent
ROOT = Path(__file__).resolve().parents[2]
REGISTERS = ROOT.parent / "shared" / "reference" / "registers"
REGISTRY = standard.organisation_registry()
BY_ID = {org["org_id"]: org for org in REGISTRY}
DETAILS = {org["org_id"]: standard.organisation_details(org["org_id"]) for org in REGISTRY}
COUNCILS = [org for org in REGISTRY if DETAILS[org["org_id"]]["nation"]]


@pytest.fixture(scope="module")
def registers() -> Path:
    if not (REGISTERS / "uk_local_authorities_current.csv").exists():
        pytest.skip("register snapshots not present")
    return REGISTERS


def _rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


# -- what the registry holds -------------------------------------------------------------

def test_the_registry_holds_every_council_department_and_police_force():
    kinds = {org["kind"] for org in REGISTRY}
    assert len(COUNCILS) == 470
    assert sum(org["org_id"].startswith("GB-GOR-") for org in REGISTRY) > 950
    assert sum(org["kind"] == "police-force" for org in REGISTRY) > 40
    assert {"london-borough", "metropolitan-district", "county-council", "district-council"} <= kinds
    current = [org for org in COUNCILS if not DETAILS[org["org_id"]]["end_date"]]
    assert len(current) > 390
    # A current council has a population (the per-head denominator), its GSS code and nation.
    lacking = [org["org_id"] for org in current if org["kind"] != "combined-authority"
               and (not org["population_served"] or not DETAILS[org["org_id"]]["gss_code"])]
    assert lacking == []


def test_councils_take_the_org_id_scheme_of_their_nation():
    schemes = {"England": "GB-LAE-", "Scotland": "GB-LAS-", "Wales": "GB-PLA-", "Northern Ireland": "GB-LANI-"}
    wrong = [org["org_id"] for org in COUNCILS if not org["org_id"].startswith(schemes[DETAILS[org["org_id"]]["nation"]])]
    assert wrong == []


def test_the_bodies_of_the_reviewed_list_keep_their_ids_names_and_aliases():
    with open(HERE / "organisations_curated.csv", newline="", encoding="utf-8") as fh:
        reviewed = list(csv.DictReader(fh))
    assert len(reviewed) >= 88
    for row in reviewed:
        org = BY_ID[row["org_id"]]
        assert (org["name"], org["kind"], org["parent_id"] or "") == (row["name"], row["kind"], row["parent_id"])
        assert set(standard.parse_aliases(row["aliases"])) <= set(org["aliases"])


def test_successors_and_combined_authorities_point_at_bodies_in_the_registry():
    for org_id, detail in DETAILS.items():
        for other in [*detail["successor_ids"].split(), detail["county_id"], detail["combined_authority_id"]]:
            assert not other or other in BY_ID, f"{org_id}: {other}"


def test_the_shipped_csv_validates_against_its_table_schema():
    schema = Schema.from_descriptor(standard.load_schema("organisation"))
    report = Resource(path="organisations.csv", basepath=str(HERE), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    with open(HERE / "organisations.csv", newline="", encoding="utf-8") as fh:
        cells = [row["aliases"] for row in csv.DictReader(fh) if row["aliases"]]
    assert cells and all(isinstance(json.loads(cell), list) for cell in cells)


def test_a_pipe_separated_alias_cell_is_still_read():
    assert standard.parse_aliases("Defra|DEFRA & WAG") == ["Defra", "DEFRA & WAG"]
    assert standard.parse_aliases('["A|B", "C"]') == ["A|B", "C"]


def test_the_sidecar_names_every_register_with_its_licence():
    sidecar = (HERE / "organisations.sources.md").read_text(encoding="utf-8")
    registers = {d["register"] for d in DETAILS.values()} - {"reviewed"}
    for register in registers:
        assert register in sidecar, register
    for word in ("Licence", "MIT", "Crown", "GB-LAE", "GB-LAS", "GB-PLA", "GB-LANI", "GB-POLICE"):
        assert word in sidecar


def test_the_build_script_regenerates_the_shipped_files(registers, tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_registry.py"), "--registers", str(registers),
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for name in ("organisations.csv", "organisations_detail.csv"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (HERE / name).read_text(encoding="utf-8"), name


def test_the_build_script_says_when_the_registers_are_missing(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_registry.py"), "--registers", str(tmp_path),
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "no registers in" in done.stderr and "Traceback" not in done.stderr


# -- councils by every name ----------------------------------------------------------------

def test_every_local_authority_resolves_by_its_everyday_name_and_every_spelling(registers):
    by_code = {DETAILS[org["org_id"]]["register_key"]: org["org_id"] for org in COUNCILS}
    spellings: dict[str, set[str]] = {}
    for row in _rows(registers / "lookup_name_to_registry.csv"):
        spellings.setdefault(row["la-name"], set()).add(by_code[row["local-authority-code"]])
    for row in _rows(registers / "uk_local_authorities_current.csv"):
        spellings.setdefault(row["nice-name"], set()).add(by_code[row["local-authority-code"]])
    assert len(spellings) > 1000
    by_key: dict[str, set[str]] = {}
    for name, ids in spellings.items():
        by_key.setdefault(standard.normalise_org_name(name), set()).update(ids)
    shared = {name for name in spellings if len(by_key[standard.normalise_org_name(name)]) > 1}
    for name, ids in spellings.items():
        if name in shared:
            with pytest.raises(standard.AmbiguousOrganisation):
                standard.find_organisation(name)
            continue
        (org_id,) = ids
        assert standard.find_organisation(name)["org_id"] == org_id, name
    assert len(shared) < 10


@pytest.mark.parametrize("kind, patterns", [
    ("london-borough", ["{} LBC", "London Borough of {}", "LB {}", "{} Council", "the {} council"]),
    ("metropolitan-district", ["{} MBC", "{} Metropolitan Borough Council", "{} Council", "{} MDC"]),
    ("county-council", ["{} County Council", "{} CC", "{} COUNTY COUNCIL"]),
    ("district-council", ["{} District Council", "{} Borough Council", "{} DC", "{} BC", "The Borough of {}"]),
])
def test_councils_resolve_by_their_type_word_variants(kind, patterns):
    checked = 0
    for org in REGISTRY:
        if org["kind"] != kind or DETAILS[org["org_id"]]["end_date"]:
            continue
        place = min(name_variants(org["name"]) or {org["name"]}, key=len)
        for pattern in patterns:
            found = standard.organisation_candidates(pattern.format(place))
            assert org["org_id"] in {i for i, _ in found}, pattern.format(place)
            checked += 1
    assert checked > 50


# -- departments by their abbreviations ----------------------------------------------------

@pytest.mark.parametrize("abbreviation, org_id", [
    ("HMRC", "GB-GOR-D25"), ("DWP", "GB-GOR-D10"), ("MoJ", "GB-GOR-D18"), ("DfE", "GB-GOR-D6"),
    ("BEIS", "GB-GOR-D1198"), ("DEFRA", "GB-GOR-D7"), ("DfT", "GB-GOR-D9"), ("MoD", "GB-GOR-D17"),
    ("HMT", "GB-GOR-D15"), ("DCMS", "GB-GOR-D5"), ("DFID", "GB-GOR-D8"), ("FCO", "GB-GOR-D13"),
    ("DECC", "GB-GOR-D11"), ("BIS", "GB-GOR-D3"), ("DCLG", "GB-GOR-D4"), ("DH", "GB-GOR-D12"),
    ("ONS", "GB-GOR-D303"), ("DIT", "GB-GOR-D1196"), ("DExEU", "GB-GOR-D1197"), ("NIO", "GB-GOR-D19"),
    ("CPS", "GB-GOR-D101"), ("GLD", "GB-GOR-D1108"), ("CMA", "GB-GOR-D550"), ("AGO", "GB-GOR-D1"),
    ("DVLA", "GB-GOR-EA74"), ("HMCTS", None), ("D.W.P.", "GB-GOR-D10"), ("hmrc", "GB-GOR-D25"),
])
def test_each_department_resolves_by_its_common_abbreviation(abbreviation, org_id):
    if org_id is None:  # HM Courts & Tribunals Service: derived by the same rule, whatever its code
        org_id = standard.find_organisation("HM Courts & Tribunals Service")["org_id"]
    assert standard.find_organisation(abbreviation)["org_id"] == org_id


def test_abbreviations_are_derived_by_rule():
    assert {"moj", "mj"} <= derived_abbreviations("Ministry of Justice")
    assert "hmrc" in derived_abbreviations("HM Revenue & Customs")
    assert "beis" in derived_abbreviations("Department for Business, Energy & Industrial Strategy")
    assert "hs2" in derived_abbreviations("High Speed Two (HS2) Limited")
    assert "dh" not in derived_abbreviations("Department of Health (Northern Ireland)")
    assert derived_abbreviations("Ofsted") == set()


def test_a_name_several_bodies_share_is_refused_with_the_candidates_named():
    owners: dict[str, set[str]] = {}
    for org in REGISTRY:
        for label in [org["name"], *org["aliases"]]:
            owners.setdefault(standard.normalise_org_name(label), set()).add(org["org_id"])
    shared = sorted((key, ids) for key, ids in owners.items() if len(ids) > 1)
    assert shared, "the registers share no name between bodies"
    for key, ids in shared:
        with pytest.raises(standard.AmbiguousOrganisation) as refused:
            standard.find_organisation(key.upper())
        assert {org_id for org_id, _ in refused.value.candidates} == ids
        assert all(org_id in str(refused.value) for org_id in ids)


def test_a_derived_abbreviation_two_current_bodies_share_is_refused():
    index = standard.OrgIndex([("X-A-1", "Office of Widget Control", []), ("X-A-2", "Office of Washer Control", [])],
                              closed=frozenset())
    assert index.get("OWC") is None and index.candidates("OWC") == ["X-A-1", "X-A-2"]
    with pytest.raises(standard.AmbiguousOrganisation, match="X-A-1.*X-A-2"):
        index.resolve("OWC")
    settled = standard.OrgIndex([("X-A-1", "Office of Widget Control", []), ("X-A-2", "Office of Washer Control", [])],
                                closed=frozenset({"X-A-2"}))
    assert settled.get("OWC") == "X-A-1"  # a closed body gives a derived abbreviation to a current one
    assert settled.get("Office of Washer Control") == "X-A-2"


def test_resolution_is_fast():
    names = [org["name"] for org in REGISTRY] + [f"{org['name']} LBC" for org in REGISTRY[:500]]
    index = standard.registry_index()
    started = time.perf_counter()
    for name in names:
        index.get(name)
    per_second = len(names) / (time.perf_counter() - started)
    assert per_second > 5_000, f"{per_second:,.0f} names a second"


# -- through the CLI -----------------------------------------------------------------------

def _a_council_not_in_the_reviewed_list() -> dict:
    with open(HERE / "organisations_curated.csv", newline="", encoding="utf-8") as fh:
        reviewed = {row["org_id"] for row in csv.DictReader(fh)}
    return next(org for org in REGISTRY if org["kind"] == "london-borough" and org["org_id"] not in reviewed)


def test_ingest_with_org_naming_any_council_loads(runner, tmp_path):
    council = _a_council_not_in_the_reviewed_list()
    everyday = council["aliases"][0]
    spend = tmp_path / "spend.csv"
    spend.write_text("Date,Supplier,Amount\n02/04/2024,Acme Ltd,10.00\n03/04/2024,Beta plc,25.50\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(spend), "--book", str(tmp_path / "b.duckdb"), "--org", everyday,
                                 "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload[0]["accepted"] == 2 and payload[0]["publisher"] == council["org_id"]


def test_ingest_with_an_ambiguous_org_names_the_candidates(runner, tmp_path):
    spend = tmp_path / "spend.csv"
    spend.write_text("Date,Supplier,Amount\n02/04/2024,Acme Ltd,10.00\n", encoding="utf-8")
    shared = standard.organisation_candidates("CO")
    assert len(shared) > 1
    result = runner.invoke(app, ["ingest", str(spend), "--book", str(tmp_path / "b.duckdb"), "--org", "CO"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert all(org_id in result.output for org_id, _ in shared)


def test_a_body_column_holding_a_department_abbreviation_loads_under_that_department(runner, tmp_path):
    spend = tmp_path / "hmrc.csv"
    spend.write_text("Department family,Entity,Date,Expense type,Expense area,Supplier,Transaction number,Amount\n"
                     "HMRC,HMRC,02/04/2024,IT,Digital,Acme Ltd,T1,30000.00\n"
                     "HMRC,HMRC,03/04/2024,Estates,Estates,Beta plc,T2,45000.00\n", encoding="utf-8")
    book = tmp_path / "b.duckdb"
    result = runner.invoke(app, ["ingest", str(spend), "--book", str(book), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload[0]["accepted"] == 2 and payload[0]["quarantined"] == 0
    from openbook.store import Book

    with Book(book, read_only=True) as opened:
        assert opened.query("SELECT DISTINCT org_id FROM spend") == [("GB-GOR-D25",)]


def test_a_book_made_with_the_old_registry_gains_the_new_bodies(tmp_path):
    from openbook.store import Book

    council = _a_council_not_in_the_reviewed_list()
    with Book(tmp_path / "old.duckdb") as book:
        book.con.execute("DELETE FROM organisation WHERE org_id NOT LIKE 'GB-GOR-D%'")
        assert book.resolve_org(council["aliases"][0]) is None
    with Book(tmp_path / "old.duckdb") as book:
        assert book.resolve_org(council["aliases"][0]) == council["org_id"]
        assert book.query("SELECT population_served FROM organisation WHERE org_id = ?",
                          [council["org_id"]]) == [(council["population_served"],)]


@pytest.mark.parametrize("text, org_id", [
    ("Her Majesty's Revenue and Customs", "GB-GOR-D25"),  # 'Her Majesty's' written out is HM
    ("Land Registry", "GB-GOR-D69"),  # a leading HM left off
    ("Department for Culture, Media and Sport", "GB-GOR-D5"),  # a former name, reviewed
    ("MHCLG", "GB-GOR-D4"),
    ("City of Bradford MDC", "GB-LAE-BRD"),
    ("Borough Council of King's Lynn & West Norfolk", None),
])
def test_other_names_in_published_files_resolve(text, org_id):
    found = standard.find_organisation(text)
    if org_id is None:  # resolved by the type-word rule to the one body of that place
        assert found is not None and "Lynn" in found["name"]
    else:
        assert found["org_id"] == org_id


def _spellings(name: str) -> list[str]:
    """Ways a published file writes a body's name that say nothing new: '&'/'and', a leading or
    trailing 'The', 'Ltd'/'Limited', 'UK'/'United Kingdom', 'NHS FT'/'NHS Foundation Trust'."""
    spelt = [name, name.upper(), f"The {name.removeprefix('The ')}", f"{name.removeprefix('The ')}, The"]
    for one, other in ((" & ", " and "), (" Limited", " Ltd"), ("UK ", "United Kingdom ")):
        if one in name:
            spelt.append(name.replace(one, other))
        elif other in name:
            spelt.append(name.replace(other, one))
    if name.endswith(" NHS Foundation Trust"):
        spelt.append(name.replace(" NHS Foundation Trust", " NHS FT"))
    return spelt


def test_a_sample_of_every_registers_bodies_resolves_by_name_and_its_spellings(registers):
    """Every 7th body of each register (the ONS public-body list included) is found by its name
    and the spellings that say nothing new; a name another body shares is refused, never guessed."""
    by_register: dict[str, list[dict]] = {}
    for org in REGISTRY:
        by_register.setdefault(DETAILS[org["org_id"]]["register"], []).append(org)
    assert {"public-body-account", "government-organisation", "police-force"} <= set(by_register)
    index = standard.registry_index()
    checked = 0
    for register, orgs in by_register.items():
        for org in orgs[::7]:
            for spelling in _spellings(org["name"]):
                found = index.candidates(spelling)
                assert org["org_id"] in found, (register, spelling, found)
                checked += 1
    assert checked > 1000


def test_the_ons_list_adds_the_bodies_no_other_register_holds(registers):
    listed = [org for org in REGISTRY if DETAILS[org["org_id"]]["register"] == "public-body-account"]
    rows = _rows(registers / "public-body-account.tsv", "\t")
    unlinked = [r for r in rows if not r["organisation"] and "(en bloc)" not in r["name"].casefold()]
    # Each unlinked row is a body of its own or a name of one already held: never more bodies than rows.
    assert 1000 < len(listed) <= len(unlinked)
    assert not any("(en bloc)" in org["name"].casefold() for org in listed)  # a class is no body
    health = {org["kind"] for org in listed if "Health and Social Care Trust" in org["name"]}
    assert health == {"nhs-trust"}
    # A council the ONS list names too stays one body, with the list's spelling as an alias.
    council_rows = [r["name"] for r in unlinked if r["public-body-account-classifications"] == "S.1313"]
    councils = [standard.find_organisation(n) for n in council_rows if n.endswith("Council")]
    assert sum(1 for c in councils if c and DETAILS[c["org_id"]]["nation"]) >= 5
    assert not any(c["kind"] == "other" for c in councils if c and c["name"] in council_rows
                   and standard.organisation_candidates(c["name"] + " Borough Council"))


def test_legal_form_jurisdiction_and_bracketed_abbreviation_are_spellings_of_one_name():
    index = standard.OrgIndex([("A-1", "Youth Panel Board for England and Wales", None),
                               ("A-2", "Seaside Loans Company", None),
                               ("A-3", "Skills Improvement Service (SIS)", None),
                               ("A-4", "Fendle Hospitals NHS Foundation Trust", None),
                               ("A-5", "Department of Widgets (Northern Ireland)", None),
                               ("A-6", "Office of the Widget Adviser for Scotland", None)], closed=frozenset())
    assert index.get("Youth Panel Board") == "A-1"
    assert index.get("Seaside Loans Company Limited") == index.get("SEASIDE LOANS COMPANY LTD") == "A-2"
    assert index.get("Skills Improvement Service") == "A-3"
    assert index.get("Fendle Hospitals NHS FT") == index.get("The Fendle Hospitals NHS Foundation Trust") == "A-4"
    assert index.get("Youth Panel") is None  # what is left must still name the body whole
    assert index.get("Department of Widgets") is None  # a bracketed qualifier tells bodies apart
    assert index.get("Office of the Widget Adviser of Scotland") == "A-6"
