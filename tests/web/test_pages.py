"""Pages render the book's real figures, escape what publishers wrote, and carry their charts."""

from __future__ import annotations

import json
import re

from openbook.analyse.spending import book_totals


def test_home_shows_the_books_total_and_a_chart_spec(client):
    total = book_totals(client.app.state.book)["total_gbp"]
    page = client.get("/")
    assert page.status_code == 200
    expected = f"-£{abs(total):,.2f}" if total < 0 else f"£{total:,.2f}"
    assert expected in page.text
    specs = re.findall(r"data-spec='([^']*)'", page.text)
    assert specs and all(json.loads(s.replace("&#34;", '"').replace("&quot;", '"'))["$schema"] for s in specs)
    assert "/static/vendor/vega-embed.min.js" in page.text and "cdn" not in page.text.lower()


def test_the_vendored_chart_library_is_served_locally(client):
    script = client.get("/static/vendor/vega-embed.min.js")
    assert script.status_code == 200 and "vegaEmbed" in script.text


def test_an_unknown_page_is_an_html_error(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "<h1>Error 404</h1>" in page.text
