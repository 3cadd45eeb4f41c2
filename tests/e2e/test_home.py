"""The home page in a browser: the demo book's own figures, charts drawn, nothing broken."""

from __future__ import annotations

from openbook.analyse.spending import book_totals, totals
from openbook.store import Book


def test_home_shows_the_books_figures_and_draws_its_charts(page, demo_book, drawn_charts, screenshot):
    with Book(demo_book, read_only=True) as book:
        headline = book_totals(book)
        by_body = totals(book, "org_id", limit=15)
    assert headline["lines"] > 10_000 and by_body

    page.goto("/")
    spend = page.locator(".figures div", has_text="Spend in the book").locator("dd")
    assert spend.inner_text() == f"£{headline['total_gbp']:,.2f}"
    lines = page.locator(".figures div", has_text="Payment lines").locator("dd")
    assert lines.inner_text() == f"{headline['lines']:,}"
    largest = page.locator("section", has=page.locator("#body-title")).locator("tbody tr").first
    assert largest.locator("td").nth(0).inner_text() == by_body[0]["name"]
    assert largest.locator("td").nth(1).inner_text() == f"£{by_body[0]['total_gbp']:,.2f}"

    marks = drawn_charts()
    assert len(marks) == 2 and all(m > 0 for m in marks)
    assert marks[1] == len(by_body)  # one bar per body in the table beside it
    assert screenshot("home").stat().st_size > 10_000
