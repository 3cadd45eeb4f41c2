"""The exploring pages in a browser over the demo book: the book's own figures, charts drawn with their
marks, filters that change the table, and downloads with the rows the table shows."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from openbook.store import Book


@pytest.fixture(scope="module")
def sql(demo_book):
    def run(query: str, params: list | None = None) -> list[dict]:
        with Book(demo_book, read_only=True) as book:
            result = book.con.execute(query, params or [])
            names = [d[0] for d in result.description]
            return [dict(zip(names, row)) for row in result.fetchall()]
    return run


def gbp(value) -> str:
    return f"£{value:,.2f}"


def downloaded_rows(page, link) -> list[dict]:
    with page.expect_download() as info:
        link.click()
    with open(info.value.path(), encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_bodies_list_shows_spend_draws_its_chart_and_filters_by_kind(page, sql, drawn_charts, screenshot):
    spend = sql("SELECT o.name, sum(s.amount_gbp) AS t FROM spend_current s JOIN organisation o USING (org_id) "
                "GROUP BY ALL ORDER BY t DESC")
    page.goto("/bodies")
    first = page.locator("#bodies tbody tr").first
    assert spend[0]["name"] in first.locator("td").nth(0).inner_text()
    assert first.locator("td").nth(2).inner_text() == gbp(spend[0]["t"])
    assert drawn_charts() == [min(len(spend), 25)]  # one bar per body, the 25 largest
    screenshot("explore-bodies")

    page.select_option("#kind", "district-council")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/bodies?*kind=district-council*")
    kinds = page.locator("#bodies tbody tr td:nth-child(2)").all_inner_texts()
    councils = sql("SELECT count(DISTINCT org_id) AS n FROM spend_current JOIN organisation USING (org_id) "
                   "WHERE kind = 'district-council'")[0]["n"]
    assert len(kinds) == councils > 0 and set(kinds) == {"District council"}


def test_body_page_draws_four_charts_and_its_period_filter_changes_the_figures(page, sql, drawn_charts, screenshot):
    org = "XX-SYNTH-CSA"
    total = sql("SELECT sum(amount_gbp) AS t FROM spend_current WHERE org_id = ?", [org])[0]["t"]
    page.goto(f"/bodies/{org}")
    assert page.locator("#headline-total").inner_text() == gbp(total)
    marks = drawn_charts()
    functions = page.locator("#functions tbody tr").count()
    assert len(marks) == 4 and all(m > 0 for m in marks) and marks[0] == functions
    assert "November 2024" in page.locator("#missing-months").inner_text()
    screenshot("explore-body")

    page.fill("#from", "2024-06")
    page.fill("#to", "2024-09")
    page.get_by_role("button", name="Show period").click()
    page.wait_for_url("**from=2024-06*")
    months = sql("SELECT date_trunc('month', paid_on) AS m, sum(amount_gbp) AS t FROM spend_current "
                 "WHERE org_id = ? AND paid_on BETWEEN DATE '2024-06-01' AND DATE '2024-09-30' GROUP BY ALL ORDER BY 1",
                 [org])
    assert page.locator("#headline-total").inner_text() == gbp(sum(m["t"] for m in months))
    assert page.locator("#months tbody tr").count() == len(months) == 4
    rows = downloaded_rows(page, page.locator("#months caption a[data-format=csv]"))
    assert [(r["month"][:7], Decimal(r["total_gbp"])) for r in rows] == [
        (m["m"].isoformat()[:7], m["t"]) for m in months]


def test_function_page_ranks_bodies_in_deciles_and_switches_basis(page, sql, drawn_charts, screenshot):
    page.goto("/functions")
    assert drawn_charts()[0] > 5
    screenshot("explore-functions")
    page.get_by_role("link", name="Digital, data and technology").first.click()
    page.wait_for_url("**/functions/digital")
    bodies = page.locator("#ranked tbody tr").count()
    assert bodies == sql("SELECT count(DISTINCT org_id) AS n FROM spend_current JOIN organisation USING (org_id) "
                         "WHERE function = 'digital' AND staff_fte > 0")[0]["n"]
    marks = drawn_charts()
    assert marks[0] == bodies + 9  # a dot per body and a rule per decile boundary
    assert "Basis shown: £ per employee (FTE)." in page.locator("#basis-shown").inner_text()
    screenshot("explore-function")

    page.select_option("#basis", "share")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**basis=share*")
    assert "Basis shown: share of the body's spend." in page.locator("#basis-shown").inner_text()
    assert page.locator("#ranked tbody tr").count() >= bodies


def test_suppliers_filter_and_a_supplier_page_downloads_its_bodies(page, sql, drawn_charts, screenshot):
    page.goto("/suppliers")
    drawn_charts()
    screenshot("explore-suppliers")
    page.fill("#q", "zenith")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**q=zenith*")
    names = page.locator("#suppliers tbody tr td:first-child a").all_inner_texts()
    assert names and all("zenith" in n.lower() for n in names)

    page.locator("#suppliers tbody tr td:first-child a").first.click()
    page.wait_for_url("**/suppliers/*")
    supplier_id = page.url.rsplit("/", 1)[1]
    expected = sql("SELECT org_id, sum(amount_gbp) AS t FROM spend_current WHERE supplier_id = ? GROUP BY ALL",
                   [supplier_id])
    assert drawn_charts() == [len(expected)]
    assert page.locator("#bodies tbody tr").count() == len(expected) > 1
    screenshot("explore-supplier")
    rows = downloaded_rows(page, page.locator("#bodies caption a[data-format=csv]"))
    assert {(r["org_id"], Decimal(r["total_gbp"])) for r in rows} == {(e["org_id"], e["t"]) for e in expected}


def test_search_finds_bodies_and_suppliers(page, screenshot):
    page.goto("/search")
    page.fill("#q", "coastal")
    page.locator("main").get_by_role("button", name="Search").click()
    page.wait_for_url("**q=coastal*")
    first = page.locator("#bodies tbody tr").first
    assert "Coastal Survey Agency" in first.inner_text() and "starts with" in first.inner_text()
    screenshot("explore-search")
    page.goto("/search?q=c")
    assert "too short to search" in page.locator("main").inner_text()


def test_sources_a_files_problems_and_a_raw_row(page, sql, screenshot):
    problem = sql("SELECT source_sha256, source_line, raw_value FROM quarantine WHERE severity = 'error' "
                  "AND source_line IS NOT NULL AND raw_value <> '' ORDER BY 1, 2 LIMIT 1")[0]
    page.goto("/sources")
    files = sql("SELECT count(*) AS n FROM source")[0]["n"]
    assert f"{files:,} files" in page.locator("#sources tfoot").inner_text()
    screenshot("explore-sources")
    page.goto(f"/sources/{problem['source_sha256']}")
    assert page.locator("#problems tbody tr").count() >= 1
    screenshot("explore-source")
    page.locator(f"#problems a[href$='/lines/{problem['source_line']}']").first.click()
    page.wait_for_url(f"**/lines/{problem['source_line']}")
    assert problem["raw_value"] in page.locator("#raw").inner_text()
    screenshot("explore-source-line")
