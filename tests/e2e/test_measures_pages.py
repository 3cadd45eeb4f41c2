"""The measures, scorecard, index and alerts pages in a browser over the demo book: the runner's own
figures, the decile chart drawn with a dot per body, a weight changed in the form reordering the
index, and downloads holding the rows the table shows."""

from __future__ import annotations

import csv

import pytest

from openbook.analyse import value_index
from openbook.analyse.alerts import stored_alerts
from openbook.analyse.measures import load_measures
from openbook.analyse.measures.runner import choose_period, run
from openbook.store import Book

MEASURE = "it-cost-per-employee"


@pytest.fixture(scope="module")
def sector_rows(demo_book):
    with Book(demo_book, read_only=True) as book:
        results = run(book, measures=[m for m in load_measures() if m.id == MEASURE], comparator="sector")
    year = choose_period(results.rows)
    return sorted((r for r in results.rows if r["period"] == year), key=lambda r: (r["value"], r["org_id"]))


def downloaded_rows(page, link) -> list[dict]:
    with page.expect_download() as info:
        link.click()
    with open(info.value.path(), encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_measures_page_lists_the_measures_and_opens_one(page, screenshot):
    page.goto("/measures")
    assert page.locator("#measures tbody tr").count() == len(load_measures())
    screenshot("measures")
    page.get_by_role("link", name="IT cost per employee").click()
    page.wait_for_url(f"**/measures/{MEASURE}")
    assert "Basis shown: per employee (FTE)" in page.locator("#basis-shown").inner_text()


def test_measure_page_draws_a_dot_per_body_and_picks_out_the_chosen_one(page, sector_rows, drawn_charts, screenshot):
    chosen = sector_rows[len(sector_rows) // 2]
    page.goto(f"/measures/{MEASURE}?org={chosen['org_id']}")
    assert page.locator("#ranked tbody tr").count() == len(sector_rows)
    first = page.locator("#ranked tbody tr").first
    assert sector_rows[0]["name"] in first.locator("td").nth(0).inner_text()
    assert first.locator("td").nth(1).inner_text() == f"{sector_rows[0]['value']:,.4g}"
    # Nine decile rules and a dot per body; then the funnel: four limit curves, the peer line, a dot per
    # body with control limits.
    assert drawn_charts() == [9 + len(sector_rows), 4 + 1 + sum(1 for r in sector_rows if r["limits"])]
    assert page.locator("tr.chosen").get_attribute("data-org") == chosen["org_id"]
    counted = sum(r["saving_gbp"] for r in sector_rows if r["saving_counted"])
    assert page.locator("#savings-total").inner_text() == f"£{counted:,.0f}"
    screenshot("measure-it-cost")

    page.select_option("#peers", "neighbours")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**peers=neighbours**")
    assert "nearest neighbours" in page.locator("#basis-shown").inner_text()
    assert page.locator("tr.chosen").get_attribute("data-org") == chosen["org_id"]


def test_measure_download_returns_the_rows_ranked(page, sector_rows):
    page.goto(f"/measures/{MEASURE}")
    rows = downloaded_rows(page, page.locator("#ranked caption a[data-format=csv]"))
    assert [r["org_id"] for r in rows] == [r["org_id"] for r in sector_rows]
    assert [float(r["value"]) for r in rows] == pytest.approx([r["value"] for r in sector_rows])


def test_scorecard_is_linked_from_the_body_page_and_shows_its_alert(page, demo_book, screenshot):
    with Book(demo_book, read_only=True) as book:
        alert = stored_alerts(book)[0]
    page.goto(f"/bodies/{alert['org_id']}")
    page.locator("#scorecard-link").click()
    page.wait_for_url(f"**/bodies/{alert['org_id']}/scorecard")
    assert page.locator("#scorecard-measures tbody tr").count() > 0
    assert alert["title"] in page.locator("#scorecard-alerts").inner_text()
    assert page.locator("#scorecard-quality").is_visible()
    screenshot("scorecard")


def test_changing_a_weight_changes_the_index(page, demo_book, drawn_charts, screenshot):
    with Book(demo_book, read_only=True) as book:
        published = value_index.compute(book, run(book, comparator="sector"), value_index.load_weights())["body"]
    page.goto("/index")
    keys = page.locator("#index tbody tr").evaluate_all("rows => rows.map(r => r.dataset.key)")
    assert keys == [e["key"] for e in published]
    assert page.locator("#index tbody tr").first.locator(".index-score summary").inner_text() == \
        f"{published[0]['index']:.1f}"
    assert drawn_charts() == [min(30, sum(1 for e in published if e["index"] is not None))]
    screenshot("index")

    page.fill("#w-blocks", "5")
    page.fill("#w-openness", "0")
    page.get_by_role("button", name="Recompute").click()
    page.wait_for_url("**blocks=5**")
    assert "openness 0, blocks 5" in page.locator("#weights-used").inner_text()
    reweighted = page.locator("#index tbody tr").evaluate_all("rows => rows.map(r => r.dataset.key)")
    assert sorted(reweighted) == sorted(keys) and reweighted != keys
    screenshot("index-reweighted")


def test_alerts_page_lists_the_alerts_in_words(page, demo_book, screenshot):
    with Book(demo_book, read_only=True) as book:
        alerts = stored_alerts(book)
    page.goto("/alerts")
    assert page.locator("#alerts tbody tr").count() == len(alerts) > 0
    assert alerts[0]["context"] in page.locator("#alerts tbody tr").first.inner_text()
    rows = downloaded_rows(page, page.locator("#alerts caption a[data-format=csv]"))
    assert [r["alert_id"] for r in rows] == [a["alert_id"] for a in alerts]
    screenshot("alerts")
