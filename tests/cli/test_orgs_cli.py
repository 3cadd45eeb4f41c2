"""`openbook orgs add|list|find`: bodies the registry lacks, recorded in the book and resolved from then on."""

from __future__ import annotations

import json
import re
from datetime import datetime

from openbook import standard
from openbook.cli import app
from openbook.store import Book


def _orgs(runner, book, *args):
    return runner.invoke(app, ["orgs", *args, "--book", str(book)])


def _json(result) -> object:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_add_records_the_body_with_who_added_it_and_an_id_in_the_local_scheme(runner, tmp_path):
    book = tmp_path / "b.duckdb"
    before = datetime.now()
    added = _json(_orgs(runner, book, "add", "Little Wobbling Parish Council", "--kind", "parish-council",
                        "--population", "640", "--alias", "LWPC", "--alias", "Wobbling Parish", "--by", "alice",
                        "--json"))
    assert added["org_id"] == "ZZ-OPENBOOK-LITTLE-WOBBLING-PARISH-COUNCIL"
    assert added["name"] == "Little Wobbling Parish Council"
    assert added["kind"] == "parish-council"
    assert added["population_served"] == 640
    assert added["aliases"] == ["LWPC", "Wobbling Parish"]
    assert added["parent_id"] is None
    assert added["added"] is True and added["added_by"] == "alice"
    assert datetime.fromisoformat(added["added_at"]) >= before.replace(microsecond=0)
    # The local scheme matches the organisation schema's pattern, and no org-id.guide list starts with ZZ.
    pattern = standard.load_schema("organisation")["fields"][0]["constraints"]["pattern"]
    assert re.match(pattern, added["org_id"])

    again = _json(_orgs(runner, book, "add", "Little Wobbling Parish Council (Old)", "--kind", "parish-council",
                        "--id", "GB-NHS-RZZ99", "--parent", "LWPC", "--json"))
    assert again["org_id"] == "GB-NHS-RZZ99" and again["parent_id"] == added["org_id"]


def test_list_marks_added_bodies_and_filters_them(runner, tmp_path):
    book = tmp_path / "b.duckdb"
    _json(_orgs(runner, book, "add", "Snoring Valley Community Trust", "--kind", "other", "--by", "bob", "--json"))
    added = _json(_orgs(runner, book, "list", "--added", "--json"))
    assert [(r["org_id"], r["name"], r["kind"], r["added"], r["added_by"]) for r in added] == [
        ("ZZ-OPENBOOK-SNORING-VALLEY-COMMUNITY-TRUST", "Snoring Valley Community Trust", "other", True, "bob")]
    everything = _json(_orgs(runner, book, "list", "--json"))
    assert len(everything) == len(standard.organisation_registry()) + 1
    marked = {r["org_id"]: (r["added"], r["added_by"]) for r in everything}
    assert marked["ZZ-OPENBOOK-SNORING-VALLEY-COMMUNITY-TRUST"] == (True, "bob")
    some_registry_body = standard.organisation_registry()[0]["org_id"]
    assert marked[some_registry_body] == (False, None)
    table = _orgs(runner, book, "list", "--added")
    assert "added by bob" in table.stdout and "Snoring Valley Community Trust" in table.stdout


def test_add_refuses_a_name_a_body_already_goes_by_and_an_unknown_kind(runner, tmp_path):
    book = tmp_path / "b.duckdb"
    body = standard.organisation_registry()[0]
    taken = _orgs(runner, book, "add", body["name"], "--kind", "other")
    assert taken.exit_code == 2 and body["org_id"] in taken.output and "Traceback" not in taken.output
    kind = _orgs(runner, book, "add", "Zyxwv Trust", "--kind", "spaceship")
    assert kind.exit_code == 2 and "'spaceship' is not an organisation kind" in kind.output
    bad_id = _orgs(runner, book, "add", "Zyxwv Trust", "--kind", "other", "--id", "not an id")
    assert bad_id.exit_code == 2 and "is not an org-id" in bad_id.output
    assert _json(_orgs(runner, book, "list", "--added", "--json")) == []


def test_find_says_how_a_name_resolves(runner, tmp_path):
    book = tmp_path / "b.duckdb"
    _json(_orgs(runner, book, "add", "Little Wobbling Parish Council", "--kind", "parish-council",
                "--alias", "LWPC", "--json"))
    exact = _json(_orgs(runner, book, "find", "little wobbling parish council", "--json"))
    assert exact["verdict"] == "resolves" and exact["org_id"] == "ZZ-OPENBOOK-LITTLE-WOBBLING-PARISH-COUNCIL"
    assert exact["matches"] == [{"org_id": exact["org_id"], "name": "Little Wobbling Parish Council",
                                 "how": "exact", "score": 100}]
    alias = _json(_orgs(runner, book, "find", "lwpc", "--json"))
    assert (alias["verdict"], alias["org_id"], alias["matches"][0]["how"]) == ("resolves", exact["org_id"], "alias")
    typo = _json(_orgs(runner, book, "find", "Little Wobling Parish Council", "--json"))
    assert typo["verdict"] == "nearest" and typo["org_id"] is None
    assert typo["matches"][0]["org_id"] == exact["org_id"] and typo["matches"][0]["how"] == "fuzzy"
    assert 75 <= typo["matches"][0]["score"] < 100
    nothing = _json(_orgs(runner, book, "find", "Qqqq Zzzz Xxxx", "--json"))
    assert (nothing["verdict"], nothing["matches"]) == ("unknown", [])
    words = _orgs(runner, book, "find", "lwpc")
    assert "resolves to ZZ-OPENBOOK-LITTLE-WOBBLING-PARISH-COUNCIL" in words.stdout


def test_find_says_ambiguous_and_names_every_candidate(runner, tmp_path):
    owners: dict[str, set[str]] = {}
    for org in standard.organisation_registry():
        for label in [org["name"], *org["aliases"]]:
            owners.setdefault(standard.normalise_org_name(label), set()).add(org["org_id"])
    key, ids = next((key, ids) for key, ids in sorted(owners.items()) if len(ids) > 1)
    book = tmp_path / "b.duckdb"
    Book(book).close()
    found = _json(_orgs(runner, book, "find", key, "--json"))
    assert found["verdict"] == "ambiguous" and found["org_id"] is None
    assert {m["org_id"] for m in found["matches"]} == ids
    words = _orgs(runner, book, "find", key)
    assert "ambiguous" in words.stdout and all(org_id in words.stdout for org_id in ids)


def test_an_added_abbreviation_never_makes_a_registry_one_ambiguous(runner, tmp_path):
    book = tmp_path / "b.duckdb"
    Book(book).close()
    dwp = _json(_orgs(runner, book, "find", "DWP", "--json"))
    assert dwp["verdict"] == "resolves"
    _json(_orgs(runner, book, "add", "Dorset Widget Partnership", "--kind", "company", "--json"))
    after = _json(_orgs(runner, book, "find", "DWP", "--json"))
    assert after["org_id"] == dwp["org_id"]


SPEND = ("Body Name,Date,Supplier,Transaction Number,Amount\n"
         "Little Wobbling Parish Council,01/04/2024,Acme Ltd,T1,120.00\n"
         "Little Wobbling Parish Council,02/04/2024,Beta plc,T2,80.50\n")


def test_an_unresolved_body_is_quarantined_naming_it_and_status_says_how_to_fix_it(runner, tmp_path):
    spend, book = tmp_path / "parish.csv", tmp_path / "b.duckdb"
    spend.write_text(SPEND.replace("Little Wobbling Parish Council,02", "Leeds Citty Council,02"), encoding="utf-8")
    loaded = _json(runner.invoke(app, ["ingest", str(spend), "--book", str(book), "--json"]))
    assert (loaded[0]["accepted"], loaded[0]["quarantined"]) == (0, 2)
    problems = _json(runner.invoke(app, ["problems", "--book", str(book), "--json"]))["problems"]
    assert {(p["source_line"], p["code"], p["raw_value"]) for p in problems} == {
        (2, "unknown-organisation", "Little Wobbling Parish Council"), (3, "unknown-organisation", "Leeds Citty Council")}
    typo = next(p for p in problems if p["source_line"] == 3)
    assert "nearest: Leeds City Council (" in typo["message"]  # the nearest body named, for the fix
    status = _json(runner.invoke(app, ["status", "--book", str(book), "--json"]))
    fixes = {row["name"]: (row["rows"], row["fix"]) for row in status["unresolved_bodies"]}
    assert fixes["Little Wobbling Parish Council"] == (1, "openbook orgs add 'Little Wobbling Parish Council' --kind KIND")
    assert status["rows_without_body"] == {}
    words = runner.invoke(app, ["status", "--book", str(book)])
    assert "openbook orgs add" in words.stdout and "--org" in words.stdout


def test_an_added_body_is_used_by_a_spend_files_body_column_and_by_org(runner, tmp_path):
    spend, book = tmp_path / "parish.csv", tmp_path / "b.duckdb"
    spend.write_text(SPEND, encoding="utf-8")
    before = _json(runner.invoke(app, ["ingest", str(spend), "--book", str(book), "--json"]))
    assert (before[0]["accepted"], before[0]["quarantined"]) == (0, 2)
    added = _json(_orgs(runner, book, "add", "Little Wobbling Parish Council", "--kind", "parish-council", "--json"))
    # The same file again: its quarantined rows now name a known body, so it is loaded again.
    after = _json(runner.invoke(app, ["ingest", str(spend), "--book", str(book), "--json"]))
    assert (after[0]["status"], after[0]["accepted"], after[0]["quarantined"]) == ("loaded", 2, 0)
    assert after[0]["publisher"] == added["org_id"] and after[0]["amount_gbp"] == "200.50"
    status = _json(runner.invoke(app, ["status", "--book", str(book), "--json"]))
    assert status["unresolved_bodies"] == [] and status["lines"] == 2
    assert [row["files"] for row in status["sources"]] == [1]
    third = _json(runner.invoke(app, ["ingest", str(spend), "--book", str(book), "--json"]))
    assert third[0]["status"] == "unchanged"
    # --org takes the added body by its name too.
    other = tmp_path / "no-body.csv"
    other.write_text("Date,Supplier,Amount\n03/04/2024,Gamma LLP,10.00\n", encoding="utf-8")
    by_org = _json(runner.invoke(app, ["ingest", str(other), "--book", str(book), "--org",
                                       "Little Wobbling Parish Council", "--json"]))
    assert by_org[0]["accepted"] == 1 and by_org[0]["publisher"] == added["org_id"]
