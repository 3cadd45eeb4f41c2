"""/duplicates in a browser: the book's own findings, a chart by body, a body filter, evidence downloads."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal

from openbook.analyse.findings import parse_evidence
from openbook.analyse.detectors.payments import KIND
from openbook.store import Book
from openbook.formatting import gbp


def _duplicates(demo_book):
    with Book(demo_book, read_only=True) as book:
        return book.findings(kind=KIND)


def test_duplicates_show_the_books_findings_and_filter_by_body(page, demo_book, drawn_charts, screenshot):
    findings = _duplicates(demo_book)
    assert len(findings) > 10  # the generator plants duplicate payments in every demo sector
    by_body = defaultdict(list)
    for f in findings:
        by_body[f["org_ids"][0]].append(f)

    page.goto("/duplicates")
    figures = page.locator(".figures")
    assert figures.locator("div", has_text="£ at stake").locator("dd").inner_text() == gbp(
        sum((f["gbp_at_stake"] for f in findings), Decimal(0)))
    assert figures.locator("div", has_text="Groups").locator("dd").inner_text() == f"{len(findings):,}"
    first = page.locator("article.group").first
    assert first.locator("h3").inner_text() == findings[0]["title"]
    assert first.locator("tbody tr").count() == len(findings[0]["evidence"])
    marks = drawn_charts()
    assert marks == [min(20, len(by_body))]  # one bar per body with any
    screenshot("duplicates")

    # A body with several groups, not the largest: the filter must change the table.
    body = sorted(by_body, key=lambda o: (-len(by_body[o]), o))[1]
    page.select_option("#org", body)
    page.click("form.controls button")
    page.wait_for_url(f"**/duplicates?org={body}")
    articles = page.locator("article.group")
    assert articles.count() == min(len(by_body[body]), 100) < len(findings)
    titles = articles.locator("h3").all_inner_texts()
    assert titles == [f["title"] for f in by_body[body]][:100]
    assert page.locator(".figures div", has_text="£ at stake").locator("dd").inner_text() == gbp(
        sum((f["gbp_at_stake"] for f in by_body[body]), Decimal(0)))
    screenshot("duplicates-one-body")


def test_a_groups_download_holds_exactly_its_payments(page, demo_book):
    finding = _duplicates(demo_book)[0]
    page.goto("/duplicates")
    link = page.locator("article.group").first.get_by_role("link", name="CSV", exact=True)
    response = page.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text())))
    assert [(r["source_sha256"], int(r["source_line"])) for r in rows] == parse_evidence(finding["evidence"])
    amounts = {Decimal(r["amount_gbp"]) for r in rows}
    assert len(amounts) == 1 and amounts.pop() * (len(rows) - 1) == finding["gbp_at_stake"]


def test_a_group_opens_its_evidence_rows_with_their_files_and_lines(page, demo_book, screenshot):
    finding = _duplicates(demo_book)[0]
    page.goto("/duplicates")
    page.locator("article.group h3 a").first.click()
    page.wait_for_url(f"**/findings/{finding['finding_id']}")
    assert page.locator("h1").inner_text() == finding["title"]
    rows = page.locator("section tbody tr")
    ids = rows.evaluate_all("rows => rows.map(r => r.id)")
    assert ids == [f"row-{sha[:12]}-{line}" for sha, line in parse_evidence(finding["evidence"])]
    screenshot("finding")
