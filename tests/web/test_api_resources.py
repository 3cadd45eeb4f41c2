"""Each resource of the API over the demo sector, its figures checked against the book queried directly."""

from __future__ import annotations

import csv
import io
from collections import Counter
from decimal import Decimal

import pytest


def _sql(client, sql: str, params: list | None = None) -> list[tuple]:
    return client.app.state.book.query(sql, params)


def _all_pages(client, url: str, **params) -> list[dict]:
    """Every row of a list, walked page by page with its cursors."""
    rows, cursor = [], None
    while True:
        page = client.get(url, params={**params, "cursor": cursor}).json()
        rows += page["rows"]
        cursor = page["next_cursor"]
        if cursor is None:
            return rows


@pytest.fixture(scope="module")
def busiest(demo_client) -> str:
    """The body with the most current payment lines."""
    return _sql(demo_client, "SELECT org_id FROM spend_current GROUP BY ALL ORDER BY count(*) DESC, org_id LIMIT 1")[0][0]


def test_organisations_carry_each_bodys_spend_and_findings(demo_client):
    rows = {r["org_id"]: r for r in demo_client.get("/api/v1/organisations").json()["rows"]}
    assert len(rows) == _sql(demo_client, "SELECT count(*) FROM organisation")[0][0]
    spend = dict(_sql(demo_client, "SELECT org_id, sum(amount_gbp) FROM spend_current GROUP BY ALL"))
    assert spend and all(Decimal(rows[o]["spend_gbp"]) == total for o, total in spend.items())
    found = dict(_sql(demo_client, "SELECT o, count(*) FROM (SELECT unnest(org_ids) AS o FROM finding) GROUP BY ALL"))
    assert found and all(rows[o]["findings"] == n for o, n in found.items())


def test_one_body_by_name_or_id(demo_client, busiest):
    name = _sql(demo_client, "SELECT name FROM organisation WHERE org_id = ?", [busiest])[0][0]
    by_id = demo_client.get(f"/api/v1/organisations/{busiest}").json()
    assert demo_client.get(f"/api/v1/organisations/{name}").json() == by_id
    lines, first = _sql(demo_client, "SELECT count(*), min(paid_on) FROM spend_current WHERE org_id = ?", [busiest])[0]
    assert (by_id["spend_lines"], by_id["first_paid_on"]) == (lines, first.isoformat())
    missing = demo_client.get("/api/v1/organisations/No Such Council")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not-found"


def test_spend_filters_together_match_the_book(demo_client, busiest):
    low, high, start, end = Decimal("1000"), Decimal("250000"), "2024-06-01", "2025-03-31"
    function = _sql(demo_client, "SELECT function FROM spend_current WHERE org_id = ? AND function IS NOT NULL "
                                 "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1", [busiest])[0][0]
    rows = _all_pages(demo_client, "/api/v1/spend", org=busiest, function=function, amount_min=str(low),
                      amount_max=str(high), date_from=start, date_to=end, limit=50, sort="amount_gbp")
    expected = _sql(demo_client, "SELECT source_sha256, source_line FROM spend_current WHERE org_id = ? AND function = ? "
                                 "AND amount_gbp BETWEEN ? AND ? AND paid_on BETWEEN ? AND ?",
                    [busiest, function, low, high, start, end])
    assert len(expected) > 50  # more than one page
    assert sorted((r["source_sha256"], r["source_line"]) for r in rows) == sorted(expected)
    amounts = [Decimal(r["amount_gbp"]) for r in rows]
    assert amounts == sorted(amounts, reverse=True)


def test_spend_finds_a_supplier_by_part_of_a_name_in_any_case_or_by_id(demo_client):
    supplier_id, name = _sql(demo_client, "SELECT supplier_id, supplier_name FROM spend_current WHERE supplier_id IS NOT NULL "
                                          "AND supplier_name <> upper(supplier_name) LIMIT 1")[0]
    part = name.split()[0].upper()
    by_name = _all_pages(demo_client, "/api/v1/spend", supplier=part, limit=1000)
    assert len(by_name) == _sql(demo_client, "SELECT count(*) FROM spend_current WHERE "
                                             "contains(lower(supplier_name), lower(?))", [part])[0][0] > 0
    by_id = _all_pages(demo_client, "/api/v1/spend", supplier=supplier_id, limit=1000)
    assert len(by_id) == _sql(demo_client, "SELECT count(*) FROM spend_current WHERE supplier_id = ?", [supplier_id])[0][0]
    assert {r["supplier_id"] for r in by_id} == {supplier_id}


def test_suppliers_have_their_spellings_and_the_bodies_paying_them(demo_client):
    top = demo_client.get("/api/v1/suppliers", params={"limit": 3}).json()["rows"]
    expected = _sql(demo_client, "SELECT supplier_id, sum(amount_gbp) FROM spend_current WHERE supplier_id IS NOT NULL "
                                 "GROUP BY ALL ORDER BY 2 DESC, 1 LIMIT 3")
    assert [(r["supplier_id"], Decimal(r["total_gbp"])) for r in top] == expected
    detail = demo_client.get(f"/api/v1/suppliers/{top[0]['supplier_id']}").json()
    spellings = dict(_sql(demo_client, "SELECT supplier_name, count(*) FROM spend_current WHERE supplier_id = ? "
                                       "GROUP BY ALL", [top[0]["supplier_id"]]))
    assert len(spellings) > 1 and {s["supplier_name"]: s["lines"] for s in detail["spellings"]} == spellings
    assert sum(Decimal(p["total_gbp"]) for p in detail["paid_by"]) == Decimal(top[0]["total_gbp"])
    assert len(detail["paid_by"]) == detail["bodies"] == top[0]["bodies"]
    misspelt = next(a for a in detail["aliases"] if a.lower() not in detail["canonical_name"].lower())
    found = demo_client.get("/api/v1/suppliers", params={"name": misspelt.lower()}).json()["rows"]
    assert top[0]["supplier_id"] in {r["supplier_id"] for r in found}
    one_body = detail["paid_by"][0]
    theirs = demo_client.get("/api/v1/suppliers", params={"org": one_body["org_id"], "limit": 1000}).json()["rows"]
    mine = next(r for r in theirs if r["supplier_id"] == top[0]["supplier_id"])
    assert Decimal(mine["total_gbp"]) == Decimal(one_body["total_gbp"])
    assert demo_client.get("/api/v1/suppliers/OB-SUP-nobody").status_code == 404


def test_pages_walk_every_row_once_even_where_the_sort_column_is_empty(demo_client):
    org, nulls = _sql(demo_client, "SELECT org_id, count(*) FILTER (WHERE pay_ceiling_gbp IS NULL) FROM post "
                                   "GROUP BY ALL ORDER BY 2 DESC, count(*) LIMIT 1")[0]
    assert nulls > 0
    for order in ("asc", "desc"):
        rows = _all_pages(demo_client, "/api/v1/posts", org=org, sort="pay_ceiling_gbp", order=order, limit=60)
        keys = [(r["source_sha256"], r["source_line"]) for r in rows]
        assert len(keys) == len(set(keys)) == _sql(demo_client, "SELECT count(*) FROM post WHERE org_id = ?", [org])[0][0]
        assert len(keys) > 2 * 60  # several pages
        pay = [Decimal(r["pay_ceiling_gbp"]) for r in rows if r["pay_ceiling_gbp"] is not None]
        assert pay == sorted(pay, reverse=order == "desc")
        assert [r["pay_ceiling_gbp"] for r in rows][-nulls:] == [None] * nulls  # empty last, whichever the order


def test_posts_systems_and_contracts_filter_as_the_book_does(demo_client):
    latest = demo_client.get("/api/v1/posts", params={"latest": True, "senior": True, "limit": 1000}).json()
    assert latest["rows"] and all(r["is_senior"] for r in latest["rows"])
    assert latest["count"] == _sql(demo_client, "SELECT count(*) FROM post p WHERE is_senior AND as_of = "
                                                "(SELECT max(as_of) FROM post q WHERE q.org_id = p.org_id)")[0][0]
    payroll = _all_pages(demo_client, "/api/v1/systems", capability="payroll", limit=10)
    assert len(payroll) == _sql(demo_client, "SELECT count(*) FROM system WHERE capability = 'payroll'")[0][0] > 10
    costs = [Decimal(r["annual_cost_gbp"]) for r in payroll if r["annual_cost_gbp"] is not None]
    assert costs == sorted(costs, reverse=True)
    contracts = demo_client.get("/api/v1/contracts").json()
    assert contracts["count"] == min(100, _sql(demo_client, "SELECT count(*) FROM contract")[0][0])


def test_findings_filter_by_kind_body_and_pounds(demo_client, busiest):
    rows = _all_pages(demo_client, "/api/v1/findings", org=busiest, min_gbp="1000", limit=5)
    expected = _sql(demo_client, "SELECT finding_id FROM finding WHERE list_contains(org_ids, ?) AND gbp_at_stake >= 1000 "
                                 "ORDER BY needs_review, gbp_at_stake DESC, finding_id DESC", [busiest])
    assert len(expected) > 5 and [r["finding_id"] for r in rows] == [f for (f,) in expected]
    kinds = Counter(k for (k,) in _sql(demo_client, "SELECT kind FROM finding"))
    kind = kinds.most_common(1)[0][0]
    assert len(_all_pages(demo_client, "/api/v1/findings", kind=kind, limit=1000)) == kinds[kind]
    one = demo_client.get(f"/api/v1/findings/{rows[0]['finding_id']}").json()
    assert one["evidence"] and one["formula"] == rows[0]["formula"]


def test_findings_that_need_review_come_last_and_can_be_left_out(demo_client):
    every = _all_pages(demo_client, "/api/v1/findings", limit=7)
    flags = [r["needs_review"] for r in every]
    assert True in flags and False in flags, "the demo book has findings of both sorts"
    assert flags == sorted(flags), "a finding that needs review is listed before a headlined one"
    headlined = _all_pages(demo_client, "/api/v1/findings", needs_review="false", limit=7)
    assert [r["finding_id"] for r in headlined] == [r["finding_id"] for r in every if not r["needs_review"]]
    gbp = [Decimal(r["gbp_at_stake"]) for r in headlined]
    assert gbp == sorted(gbp, reverse=True)
    assert len(_all_pages(demo_client, "/api/v1/findings", needs_review="true", limit=7)) == flags.count(True)
    assert demo_client.get("/api/v1/findings", params={"needs_review": "perhaps"}).status_code == 422


def test_aggregates_add_up_to_the_book(demo_client, busiest):
    total = _sql(demo_client, "SELECT sum(amount_gbp) FROM spend_current")[0][0]
    for by in ("function", "org_id", "month", "supplier"):
        rows = demo_client.get("/api/v1/aggregates/spend", params={"by": by, "limit": 10000}).json()["rows"]
        assert sum(Decimal(r["total_gbp"]) for r in rows) == total, by
    months = demo_client.get("/api/v1/aggregates/spend", params={"by": "month", "org": busiest, "limit": 10000}).json()
    assert sum(r["lines"] for r in months["rows"]) == _sql(
        demo_client, "SELECT count(*) FROM spend_current WHERE org_id = ?", [busiest])[0][0]


def test_benchmarks_and_capability_map_are_the_analyses(demo_client):
    from openbook.analyse.detectors.functions import benchmark
    from openbook.analyse.detectors.systems import capability_map

    book = demo_client.app.state.book
    rows = demo_client.get("/api/v1/aggregates/function-benchmarks").json()["rows"]
    assert len(rows) == len(benchmark(book)) > 0
    finance = demo_client.get("/api/v1/aggregates/function-benchmarks", params={"function": "finance"}).json()["rows"]
    assert finance and {r["function"] for r in finance} == {"finance"}
    cells = demo_client.get("/api/v1/aggregates/capability-map").json()["rows"]
    # Declared systems, and the systems inferred from spend where a body declares none for the capability.
    cells_sql = ("SELECT DISTINCT org_id, capability FROM system UNION "
                 "SELECT DISTINCT org_id, capability FROM system_inferred WHERE NOT declared")
    assert len(cells) == len(capability_map(book)) == _sql(demo_client, f"SELECT count(*) FROM ({cells_sql})")[0][0]
    assert {c["source"] for c in cells} == {"declared", "inferred-from-spend"}
    blocks = demo_client.get("/api/v1/aggregates/capabilities").json()["rows"]
    assert {b["capability"]: b["bodies"] for b in blocks} == dict(
        _sql(demo_client, f"SELECT capability, count(DISTINCT org_id) FROM ({cells_sql}) GROUP BY ALL"))


def test_savings_top_down_matches_the_hand_worked_answer(demo_client):
    # £1m baseline, half removed over two years (linear), six months' dual running, no discounting:
    # year 1 saves 250,000 less 125,000 dual running; year 2 saves 500,000 less 125,000.
    answer = demo_client.get("/api/v1/savings", params={
        "method": "top-down", "baseline_gbp": "1000000", "reduction": 0.5, "years": 2, "horizon": 2,
        "discount_rate": 0, "cost_per_post": "50000", "sensitivity": False}).json()
    years = [(y["gross_saving_gbp"], y["dual_running_cost_gbp"], y["net_saving_gbp"], y["posts"]) for y in answer["years"]]
    assert years == [("250000.00", "125000.00", "125000.00", "2.50"), ("500000.00", "125000.00", "375000.00", "7.50")]
    assert (Decimal(answer["npv_gbp"]), answer["break_even_year"]) == (Decimal("500000"), 1)
    assert (answer["run_rate"]["net_saving_gbp"], answer["run_rate"]["posts"]) == ("500000.00", "10.00")
    assert answer["sensitivity"] == []


def test_savings_runs_a_scenario_file_bottom_up_from_the_book(demo_client):
    from openbook.analyse.savings import Scenario, bottom_up_baseline

    answer = demo_client.get("/api/v1/savings", params={"scenario": "bottom-up"}).json()
    assert Decimal(answer["baseline_gbp"]) == bottom_up_baseline(demo_client.app.state.book, Scenario()).total_gbp > 0
    assert len(answer["years"]) == 10 and len(answer["sensitivity"]) == 8
    faster = demo_client.get("/api/v1/savings", params={"scenario": "bottom-up", "years": 2, "profile": "front"}).json()
    assert faster["scenario"]["phasing"]["years"] == 2 and faster["years"][1]["share_achieved"] == "1"
    names = [s["name"] for s in demo_client.get("/api/v1/savings/scenarios").json()["rows"]]
    assert {"bottom-up", "manifesto-2018"} <= set(names)
    table = demo_client.get("/api/v1/savings", params={"scenario": "bottom-up", "format": "csv", "table": "by_body"})
    assert len(list(csv.DictReader(io.StringIO(table.text)))) == len(answer["by_body"])
    for bad, status in [({"scenario": "../pyproject"}, 404), ({"reduction": 2}, 422),
                        ({"years": 8, "horizon": 5}, 400)]:
        response = demo_client.get("/api/v1/savings", params=bad)
        assert response.status_code == status and "error" in response.json(), bad


@pytest.mark.parametrize("url", ["/api/v1/organisations", "/api/v1/spend?org=XX-SYNTH-CSA", "/api/v1/suppliers",
                                 "/api/v1/posts?latest=true", "/api/v1/systems", "/api/v1/findings",
                                 "/api/v1/aggregates/spend?by=month", "/api/v1/aggregates/function-benchmarks",
                                 "/api/v1/aggregates/capability-map", "/api/v1/sources", "/api/v1/problems"])
def test_every_list_downloads_in_every_format_with_the_same_rows(demo_client, url):
    import json

    import openpyxl
    import pyarrow.parquet as pq

    sep = "&" if "?" in url else "?"
    rows = json.loads(demo_client.get(f"{url}{sep}format=json").content)
    assert rows
    as_csv = demo_client.get(f"{url}{sep}format=csv")
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert len(list(csv.DictReader(io.StringIO(as_csv.text)))) == len(rows)
    assert pq.read_table(io.BytesIO(demo_client.get(f"{url}{sep}format=parquet").content)).num_rows == len(rows)
    sheet = openpyxl.load_workbook(io.BytesIO(demo_client.get(f"{url}{sep}format=xlsx").content)).active
    assert sheet.max_row == len(rows) + 1
