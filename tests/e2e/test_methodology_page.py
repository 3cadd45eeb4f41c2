"""/methodology in a browser: the shipped documents as pages, with contents that lead to their sections."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_methodology_pages_render_the_documents(page, screenshot):
    sections = [line[3:].replace("`", "") for line in (ROOT / "docs" / "methodology.md").read_text().splitlines()
                if line.startswith("## ")]
    page.goto("/methodology")
    assert page.locator("h1").inner_text() == "Methodology"
    assert page.locator("article.doc h2").all_inner_texts() == sections
    page.get_by_role("link", name="Duplicate payments", exact=True).last.click()
    assert page.url.endswith("#duplicate-payments")
    assert page.locator("#duplicate-payments").is_visible()
    screenshot("methodology")

    page.locator(".docs-nav").get_by_role("link", name="savings model").click()
    page.wait_for_url("**/methodology/savings")
    assert page.locator("article.doc table").count() >= 1
    screenshot("methodology-savings")
    page.goto("/methodology/taxonomy")
    assert page.locator("article.doc table tbody tr").count() > 20
