"""Server-rendered pages: readable without JavaScript (tables first), charts drawn on top.

Jinja2 autoescapes everything, so a supplier a publisher named `<script>…` is shown as text.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from openbook import formatting
from openbook.web import charts
from openbook.web.deps import BookDep
from openbook.web.page_parts import page_router, parse_month

router = page_router()


templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
# Every template's filters: figures written for reading (openbook.formatting); each table's JSON twin keeps
# every penny.
templates.env.filters.update(
    gbp=formatting.gbp, pounds=formatting.pounds, count=formatting.count, pct=formatting.pct,
    figure=formatting.per_basis, spec=json.dumps, short=lambda sha: (sha or "")[:12],
    month_end=lambda month: parse_month(month.strftime("%Y-%m"), "month", end=True))


def render(request: Request, name: str, **context) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    response = render(request, "error.html", status=status, message=message, title=f"Error {status}")
    response.status_code = status
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, book: BookDep):
    from openbook.analyse.spending import book_totals, totals

    headline = book_totals(book)
    freshness = book.query("SELECT max(loaded_at), max(period_end) FROM source WHERE status = 'current'")[0]
    by_function = totals(book, "function", limit=15)
    by_body = totals(book, "org_id", limit=15)
    top = book.findings(limit=10, headlined=True)  # a finding that needs review never headlines
    return render(request, "home.html", title="Where the money goes", headline=headline, freshness=freshness,
                  by_function=by_function, by_body=by_body, findings=top,
                  function_chart=charts.bar([{**r, "function": r["function"] or "unclassified"} for r in by_function],
                                            "function", title="Spend by function"),
                  body_chart=charts.bar(by_body, "name", title="Spend by body"))
