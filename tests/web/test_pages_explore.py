"""The exploring pages against the demo book (its figures queried directly, its planted truth) and
against a tiny book made for one defect: a supplier named as a script, a price paid five times over.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from openbook.ingest import ingest_file
from openbook.store import Book
from openbook.web import create_app


@pytest.fixture(scope="module")
def client(demo_book):
    with TestClient(create_app(demo_book, read_only=True)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def sql(client):
    """Rows of a query on the demo book, as dicts."""
    def run(query: str, params: list | None = None) -> list[dict]:
        cursor = client.app.state.book.cursor()
        try:
            result = cursor.con.execute(query, params or [])
            names = [d[0] for d in result.description]
            return [dict(zip(names, row)) for row in result.fetchall()]
        finally:
            cursor.con.close()
    return run


def twin(client, url: str) -> list[dict]:
    response = client.get(url + ("&" if "?" in url else "?") + "format=json")
    assert response.status_code == 200, response.text
    return response.json()


def _truth(demo_book, name: str) -> list[dict]:
    with open(Path(demo_book).parent / "data" / "truth" / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def gbp(value) -> str:
    return f"£{value:,.2f}"


# -- bodies ---------------------------------------------------------------------------------------

def test_bodies_list_has_each_bodys_spend_lines_and_quarantine_share(client, sql):
    expected = {r["org_id"]: r for r in sql(
        "SELECT org_id, sum(amount_gbp) AS total, count(*) AS lines FROM spend_current GROUP BY ALL")}
    quarantine = {r["publisher"]: r["share"] for r in sql(
        "SELECT publisher, sum(rows_quarantined) / sum(rows_accepted + rows_quarantined) AS share FROM source "
        "WHERE status <> 'superseded' AND publisher IS NOT NULL GROUP BY ALL")}
    rows = twin(client, "/bodies")
    assert len(expected) >= 20 and {r["org_id"] for r in rows} == set(expected) | set(quarantine)
    for row in rows:
        assert Decimal(row["total_gbp"]) == expected[row["org_id"]]["total"]
        assert row["lines"] == expected[row["org_id"]]["lines"]
        assert row["quarantine_share"] == pytest.approx(quarantine[row["org_id"]])
    assert any(r["quarantine_share"] > 0 for r in rows)
    page = client.get("/bodies")
    largest = max(expected.values(), key=lambda r: r["total"])
    assert page.status_code == 200 and gbp(largest["total"]) in page.text


def test_bodies_list_filters_by_name(client):
    rows = twin(client, "/bodies?q=council")
    assert rows and all("council" in r["name"].lower() or "council" in r["org_id"].lower() for r in rows)
    assert len(rows) < len(twin(client, "/bodies"))


def test_body_page_shows_its_spend_and_a_period_filter_narrows_it(client, sql):
    org = "XX-SYNTH-CSA"
    total = sql("SELECT sum(amount_gbp) AS t FROM spend_current WHERE org_id = ?", [org])[0]["t"]
    page = client.get(f"/bodies/{org}")
    assert page.status_code == 200 and f'id="headline-total" href="/api/v1/spend?org={org}">{gbp(total)}' in page.text
    assert "Coastal Survey Agency" in page.text
    in_period = sql("SELECT date_trunc('month', paid_on) AS month, sum(amount_gbp) AS t, count(*) AS n "
                    "FROM spend_current WHERE org_id = ? AND paid_on BETWEEN DATE '2024-06-01' AND DATE '2024-09-30' "
                    "GROUP BY ALL ORDER BY 1", [org])
    narrowed = client.get(f"/bodies/{org}?from=2024-06&to=2024-09")
    expected = sum(r["t"] for r in in_period)
    assert expected < total and f">{gbp(expected)}</a>" in narrowed.text
    months = twin(client, f"/bodies/{org}?from=2024-06&to=2024-09&table=months")
    assert [(m["month"][:7], Decimal(m["total_gbp"]), m["lines"]) for m in months] == [
        (r["month"].isoformat()[:7], r["t"], r["n"]) for r in in_period]
    functions = twin(client, f"/bodies/{org}?table=functions")
    assert sum(Decimal(f["total_gbp"]) for f in functions) == total


def test_body_page_names_the_months_the_generator_left_without_a_file(client, demo_book):
    """The generator's nil returns are rejected, so those months have no current spend file."""
    truth = _truth(demo_book, "files.csv")
    nil = {}
    for row in truth:
        if row["file"].startswith("spend/") and row["dialect"] == "nil-return":
            nil.setdefault(row["org_id"], set()).add(row["period"])
    assert nil, "the demo plants nil returns"
    for org, months in nil.items():
        coverage = twin(client, f"/bodies/{org}?table=coverage")
        assert {c["month"][:7] for c in coverage if c["files"] == 0} == months
        page = client.get(f"/bodies/{org}")
        for month in months:
            assert date.fromisoformat(month + "-01").strftime("%B %Y") in page.text


def test_body_page_quarantine_by_code_matches_the_problem_table(client, sql):
    org = sql("SELECT s.publisher FROM quarantine q JOIN source s ON s.sha256 = q.source_sha256 "
              "WHERE q.severity = 'error' AND s.publisher IS NOT NULL ORDER BY 1 LIMIT 1")[0]["publisher"]
    expected = sql("SELECT q.code, count(DISTINCT (q.source_sha256, q.source_line)) AS n FROM quarantine q "
                   "JOIN source s ON s.sha256 = q.source_sha256 WHERE s.publisher = ? AND s.status <> 'superseded' "
                   "AND q.severity <> 'structural' GROUP BY ALL", [org])
    problems = twin(client, f"/bodies/{org}?table=problems")
    assert expected and {p["code"]: p["rows"] for p in problems} == {r["code"]: r["n"] for r in expected}


def test_body_findings_link_to_their_evidence_rows(client, sql):
    finding = sql("SELECT org_ids[1] AS org, evidence[1] AS ref FROM finding ORDER BY gbp_at_stake DESC LIMIT 1")[0]
    sha, line = finding["ref"].rsplit(":", 1)
    page = client.get(f"/bodies/{finding['org']}")
    assert f'href="/sources/{sha}/lines/{line}"' in page.text
    assert client.get(f"/sources/{sha}/lines/{line}").status_code == 200


def test_an_unknown_body_is_the_html_error_page(client):
    page = client.get("/bodies/NO-SUCH-BODY")
    assert page.status_code == 404 and "<h1>Error 404</h1>" in page.text and "NO-SUCH-BODY" in page.text


def test_a_month_that_is_not_a_month_says_how_to_write_it(client):
    page = client.get("/bodies/XX-SYNTH-CSA?from=April")
    assert page.status_code == 400 and "YYYY-MM" in page.text


# -- functions ------------------------------------------------------------------------------------

def test_functions_list_totals_match_the_book(client, sql):
    expected = {r["function"]: (r["t"], r["b"]) for r in sql(
        "SELECT function, sum(amount_gbp) AS t, count(DISTINCT org_id) AS b FROM spend_current GROUP BY ALL")}
    rows = twin(client, "/functions")
    assert len(rows) > 5 and {r["function"]: (Decimal(r["total_gbp"]), r["bodies"]) for r in rows} == expected


def test_function_page_ranks_every_body_on_the_basis_it_says(client, sql):
    expected = {r["org_id"]: r["figure"] for r in sql(
        "SELECT s.org_id, sum(s.amount_gbp)::DOUBLE / any_value(o.staff_fte) AS figure FROM spend_current s "
        "JOIN organisation o USING (org_id) WHERE s.function = 'digital' AND o.staff_fte > 0 GROUP BY ALL")}
    rows = twin(client, "/functions/digital?basis=per_employee")
    assert len(rows) == len(expected) >= 10
    assert all(r["basis"] == "per_employee" for r in rows)
    assert {r["org_id"]: pytest.approx(r["figure"]) for r in rows} == expected
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert [r["figure"] for r in rows] == sorted(r["figure"] for r in rows)
    assert rows[0]["decile"] == 1 and rows[-1]["decile"] == 10
    page = client.get("/functions/digital?basis=per_employee")
    assert "Basis shown: £ per employee (FTE)." in page.text


def test_an_unknown_function_is_a_404(client):
    page = client.get("/functions/astrology")
    assert page.status_code == 404 and "astrology" in page.text


# -- suppliers ------------------------------------------------------------------------------------

def test_suppliers_list_is_largest_first_with_bodies_paying(client, sql):
    expected = sql("SELECT supplier_id, sum(amount_gbp) AS t, count(DISTINCT org_id) AS b FROM spend_current "
                   "WHERE supplier_id IS NOT NULL GROUP BY ALL ORDER BY t DESC, supplier_id LIMIT 3")
    rows = twin(client, "/suppliers")
    assert [(r["supplier_id"], Decimal(r["total_gbp"]), r["bodies"]) for r in rows[:3]] == [
        (r["supplier_id"], r["t"], r["b"]) for r in expected]
    page = client.get("/suppliers")
    assert f'href="/suppliers/{expected[0]["supplier_id"]}"' in page.text and gbp(expected[0]["t"]) in page.text
    assert "Showing 1–100 of" in page.text and 'rel="next"' in page.text
    second = client.get("/suppliers?page=2")
    assert "Showing 101–200 of" in second.text


def test_suppliers_filter_by_any_spelling(client, sql):
    rows = twin(client, "/suppliers?q=zenith")
    expected = sql("SELECT supplier_id FROM supplier WHERE len(list_filter(aliases, lambda a: "
                   "contains(lower(a), 'zenith'))) > 0 OR contains(lower(canonical_name), 'zenith')")
    assert expected and {r["supplier_id"] for r in rows} == {r["supplier_id"] for r in expected}


def test_supplier_page_lists_every_body_and_every_spelling_merged(client, sql, demo_book):
    truth = _truth(demo_book, "suppliers.csv")
    variant = truth[0]["variant_name"]
    supplier_id = sql("SELECT supplier_id FROM spend_current WHERE supplier_name = ? LIMIT 1", [variant])[0][
        "supplier_id"]
    by_body = sql("SELECT org_id, sum(amount_gbp) AS t, count(*) AS n FROM spend_current WHERE supplier_id = ? "
                  "GROUP BY ALL", [supplier_id])
    bodies = twin(client, f"/suppliers/{supplier_id}?table=bodies")
    assert {(b["org_id"], Decimal(b["total_gbp"]), b["lines"]) for b in bodies} == {
        (r["org_id"], r["t"], r["n"]) for r in by_body}
    names = {n["supplier_name"] for n in twin(client, f"/suppliers/{supplier_id}?table=names")}
    aliases = sql("SELECT aliases FROM supplier WHERE supplier_id = ?", [supplier_id])[0]["aliases"]
    assert variant in names and set(aliases) <= names and len(names) > 1
    page = client.get(f"/suppliers/{supplier_id}")
    assert f"/api/v1/spend?org={by_body[0]['org_id']}&amp;supplier={supplier_id}" in page.text


def test_an_unknown_supplier_is_the_html_error_page(client):
    page = client.get("/suppliers/OB-SUP-nothing")
    assert page.status_code == 404 and "<h1>Error 404</h1>" in page.text


# -- search ---------------------------------------------------------------------------------------

def test_search_puts_exact_then_prefix_matches_first_whatever_the_case(client):
    bodies = twin(client, "/search?q=coastal%20SURVEY%20agency&table=bodies")
    assert bodies[0]["name"] == "Coastal Survey Agency" and bodies[0]["rank"] == 0
    bodies = twin(client, "/search?q=coastal&table=bodies")
    names = [b["name"] for b in bodies]
    assert names.index("Coastal Survey Agency") < names.index("Department for Coastal Affairs")
    assert [b["rank"] for b in bodies] == sorted(b["rank"] for b in bodies)
    suppliers = twin(client, "/search?q=ZENITH&table=suppliers")
    assert suppliers and all("zenith" in (s["canonical_name"] + " ".join(s["aliases"])).lower() for s in suppliers)


def test_a_short_search_says_so(client):
    page = client.get("/search?q=z")
    assert page.status_code == 200 and "too short to search" in page.text


# -- sources --------------------------------------------------------------------------------------

def test_sources_list_every_file_and_reconciles(client, sql):
    rows = twin(client, "/sources")
    assert len(rows) == sql("SELECT count(*) AS n FROM source")[0]["n"] > 100
    for row in rows:
        if row["status"] != "rejected":
            assert row["rows_read"] == row["rows_accepted"] + row["rows_quarantined"] + row["rows_structural"]
    rejected = twin(client, "/sources?status=rejected")
    assert rejected and all(r["status"] == "rejected" for r in rejected)


def test_source_page_lists_its_problems_and_links_each_to_its_raw_row(client, sql):
    problem = sql("SELECT source_sha256, source_line, code, raw_value FROM quarantine WHERE severity = 'error' "
                  "AND source_line IS NOT NULL AND raw_value IS NOT NULL AND raw_value <> '' ORDER BY 1, 2 LIMIT 1")[0]
    sha, line = problem["source_sha256"], problem["source_line"]
    expected = sql("SELECT count(*) AS n FROM quarantine WHERE source_sha256 = ?", [sha])[0]["n"]
    assert len(twin(client, f"/sources/{sha}?table=problems")) == expected
    page = client.get(f"/sources/{sha}")
    assert f'href="/sources/{sha}/lines/{line}"' in page.text and problem["code"] in page.text
    raw = client.get(f"/sources/{sha}/lines/{line}")
    assert raw.status_code == 200 and problem["raw_value"] in raw.text and "The row as published" in raw.text
    assert client.get(f"/sources/{sha[:12]}").status_code == 200  # a prefix names the file too


def test_an_unknown_source_is_a_404(client):
    assert client.get("/sources/0000000000000000").status_code == 404
    assert client.get("/sources/abc").status_code == 404


# -- a tiny book: escaping, price variation, empty states ------------------------------------------

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def tiny(tmp_path):
    """Four district councils paying the same supplier for the same thing; one pays five times the rest
    per head. Another supplier is named as a script."""
    path = tmp_path / "tiny.duckdb"
    councils = [("XX-T-A", "Alder District Council", 100_000), ("XX-T-B", "Birch District Council", 100_000),
                ("XX-T-C", "Cedar District Council", 100_000), ("XX-T-D", "Damson District Council", 100_000)]
    paid = {"XX-T-A": "10000.00", "XX-T-B": "10000.00", "XX-T-C": "10000.00", "XX-T-D": "50000.00"}
    with Book(path) as book:
        book.upsert_organisations([{"org_id": o, "name": n, "kind": "district-council", "population_served": p}
                                   for o, n, p in councils])
        lines = ["Body Name,Date,Supplier,Amount,Expense Type"]
        lines += [f"{name},02/05/2024,Waste Co Ltd,{paid[org]},Waste Disposal" for org, name, _ in councils]
        lines += [f'Alder District Council,03/05/2024,"{SCRIPT}",123.45,Consultancy']
        lines += ["Alder District Council,04/05/2024,Paper Ltd,not money,Stationery"]
        csv_path = tmp_path / "2024-05.csv"
        csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        report = ingest_file(book, csv_path)
        assert report.status == "loaded" and report.quarantined == 1
        from openbook.analyse.suppliers import resolve
        resolve(book)
    with TestClient(create_app(path, read_only=True)) as test_client:
        yield test_client


def test_a_supplier_named_as_a_script_is_shown_as_text(tiny):
    supplier_id = twin(tiny, "/search?q=script&table=suppliers")[0]["supplier_id"]
    sha = twin(tiny, "/sources")[0]["sha256"]
    for url in ("/suppliers", f"/suppliers/{supplier_id}", "/search?q=script", "/bodies/XX-T-A",
                f"/sources/{sha}/lines/6", f"/search?q={SCRIPT}"):
        page = tiny.get(url)
        assert page.status_code == 200, url
        assert SCRIPT not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, url


def test_supplier_price_variation_against_the_median(tiny):
    supplier_id = twin(tiny, "/search?q=waste%20co%20ltd&table=suppliers")[0]["supplier_id"]
    prices = twin(tiny, f"/suppliers/{supplier_id}?table=prices")
    by_body = {p["org_id"]: p for p in prices}
    assert set(by_body) == {"XX-T-A", "XX-T-B", "XX-T-C", "XX-T-D"}
    # £10,000 / 100,000 people = £0.10 a head for three of them, £0.50 for Damson; the median is £0.10.
    assert Decimal(by_body["XX-T-D"]["per_unit_gbp"]) == Decimal("0.5")
    assert Decimal(by_body["XX-T-A"]["median_per_unit_gbp"]) == Decimal("0.1")
    assert by_body["XX-T-D"]["times_median"] == pytest.approx(5.0)
    assert "5.0×" in tiny.get(f"/suppliers/{supplier_id}").text


def test_function_page_flags_an_outlier_among_enough_peers(tmp_path):
    """Six district councils of equal population spend on finance; one spends twenty times the rest."""
    path = tmp_path / "peers.duckdb"
    bodies = [(f"XX-P-{i}", f"Peer {i} District Council") for i in range(6)]
    with Book(path) as book:
        book.upsert_organisations([{"org_id": o, "name": n, "kind": "district-council", "population_served": 10_000}
                                   for o, n in bodies])
        lines = ["Body Name,Date,Supplier,Amount,Expense Type"]
        for i, (_, name) in enumerate(bodies):
            lines.append(f"{name},02/05/2024,Ledger Ltd,{100_000 if i == 5 else 5_000 + 100 * i}.00,Audit Fees")
        csv_path = tmp_path / "2024-05.csv"
        csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        ingest_file(book, csv_path)
        book.con.execute("UPDATE spend SET function = 'finance'")
    with TestClient(create_app(path, read_only=True)) as peers:
        rows = twin(peers, "/functions/finance")
        assert [r["org_id"] for r in rows if r["outlier"]] == ["XX-P-5"]
        assert rows[-1]["org_id"] == "XX-P-5" and rows[-1]["decile"] == 10 and rows[0]["decile"] == 1
        assert rows[0]["figure"] == pytest.approx(0.5) and rows[0]["basis"] == "per_head"
        page = peers.get("/functions/finance")
        assert "Basis shown: £ per head of population served." in page.text and "<strong>outlier</strong>" in page.text


def test_an_empty_book_says_which_command_fills_each_page(tmp_path):
    with Book(tmp_path / "empty.duckdb"):
        pass
    with TestClient(create_app(tmp_path / "empty.duckdb", read_only=True)) as empty:
        assert "openbook ingest" in empty.get("/bodies").text
        assert "openbook suppliers resolve" in empty.get("/suppliers").text
        assert "openbook ingest" in empty.get("/functions").text
        assert "openbook ingest" in empty.get("/sources").text
        body = json.loads(empty.get("/bodies?format=json").text)
        assert body == []


def test_every_table_downloads_in_every_format(client):
    for fmt, start in (("xlsx", b"PK"), ("parquet", b"PAR1")):
        response = client.get(f"/bodies?format={fmt}")
        assert response.status_code == 200 and response.content.startswith(start), fmt
    header = next(csv.reader(io.StringIO(client.get("/bodies?format=csv").text)))
    assert header[:3] == ["org_id", "name", "kind"]
    rows = list(csv.DictReader(io.StringIO(client.get("/bodies/XX-SYNTH-CSA?table=suppliers&format=csv").text)))
    assert len(rows) == 20 and rows[0]["name"]
    assert client.get("/bodies/XX-SYNTH-CSA?table=nothing&format=csv").status_code == 404
