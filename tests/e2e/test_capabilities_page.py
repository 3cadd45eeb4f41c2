"""/capabilities in a browser: the map from the book's systems; a cell opens the rows behind it."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

from openbook.analyse.detectors.systems import capability_map
from openbook.store import Book
from openbook.formatting import gbp


def test_the_map_draws_every_cell_and_a_cell_opens_its_systems(page, demo_book, drawn_charts, screenshot):
    with Book(demo_book, read_only=True) as book:
        cells = capability_map(book)
        systems = book.ibis().table("system").to_pyarrow().to_pylist()
    assert len(cells) > 100

    page.goto("/capabilities")
    paid = page.locator(".figures div", has_text="They pay a year").locator("dd").inner_text()
    assert paid == gbp(sum((c["annual_cost_gbp"] for c in cells), Decimal(0)))
    assert drawn_charts() == [len(cells)]  # one rectangle per body × capability with a system
    screenshot("capabilities")

    page.locator(".chart svg .mark-rect path").nth(7).click()
    page.wait_for_url("**/capabilities/systems?*")
    query = parse_qs(urlparse(page.url).query)
    org, capability = query["org"][0], query["capability"][0]
    expected = [s for s in systems if s["org_id"] == org and s["capability"] == capability]
    assert expected and page.locator("tbody tr").count() == len(expected)
    assert page.locator(".figures div", has_text="They cost a year").locator("dd").inner_text() == gbp(
        sum((s["annual_cost_gbp"] or Decimal(0) for s in expected), Decimal(0)))
    screenshot("capabilities-cell")


def test_a_cells_download_holds_exactly_its_systems(page, demo_book):
    with Book(demo_book, read_only=True) as book:
        cell = capability_map(book)[0]
        systems = book.ibis().table("system").to_pyarrow().to_pylist()
    expected = sorted((s["source_sha256"], s["source_line"]) for s in systems
                      if s["org_id"] == cell["org_id"] and s["capability"] == cell["capability"])
    page.goto(f"/capabilities/systems?org={cell['org_id']}&capability={cell['capability']}")
    response = page.request.get(page.get_by_role("link", name="CSV", exact=True).get_attribute("href"))
    rows = list(csv.DictReader(io.StringIO(response.text())))
    assert response.ok and sorted((r["source_sha256"], int(r["source_line"])) for r in rows) == expected


def test_the_map_prints_as_tables_without_the_chart_or_navigation(page, drawn_charts):
    page.goto("/capabilities")
    drawn_charts()
    assert not page.locator("table.matrix").is_visible()  # folded away on screen
    page.emulate_media(media="print")
    assert page.locator("table.matrix").is_visible()  # the chart's twin, printed in its place
    assert not page.locator(".chart").is_visible() and not page.locator("header nav").is_visible()
