"""The measures, each body's scorecard, the public value index and the alerts, as pages.

Tables first, charts on top, each table its own download (`?format=csv|json|parquet|xlsx`), as on
the exploring pages. Every figure links to the body it belongs to or the spend rows behind it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import Query, Request
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from openbook.analyse import value_index
from openbook.analyse.alerts import stored_alerts
from openbook.analyse.quality import quality
from openbook.analyse.review import history
from openbook.errors import UsageError
from openbook.web import charts
from openbook.web import measures_views as views
from openbook.web.deps import BookDep
from openbook.web.page_parts import Format, body_or_404, deciles, page_router, table_download
from openbook.web.pages import render

router = page_router()
Peers = Annotated[Literal["kind", "sector", "neighbours"], Query()]
Weight = Annotated[float | None, Query(ge=0, le=1000)]
PEERS_LABEL = {"kind": "bodies of the same kind", "sector": "bodies of the same sector",
               "neighbours": "each body's 10 nearest neighbours (population, staff, spend)"}


def measure_or_404(measure_id: str):
    measures = views.measures_by_id()
    if measure_id not in measures:
        raise HTTPException(404, f"No measure {measure_id!r}; the measures page lists them all.")
    return measures[measure_id]


@router.get("/measures", response_class=HTMLResponse)
def measures_page(request: Request, format: Format = None, table: str | None = None):
    rows = [views.describe(m) for m in views.measures_by_id().values()]
    twin = table_download(format, {"measures": rows}, table, "measures")
    return twin or render(request, "measures/measures.html", title="Measures", rows=rows)


@router.get("/measures/{measure_id}", response_class=HTMLResponse)
def measure_page(request: Request, measure_id: str, book: BookDep, peers: Peers = views.DEFAULT_PEERS,
                 org: str | None = None, period: str | None = None, format: Format = None, table: str | None = None):
    measure = measure_or_404(measure_id)
    chosen = body_or_404(book, org)["org_id"] if org else None
    view = views.measure_view(book, measure, peers, period)
    rows = view["rows"]
    twin = table_download(format, {"bodies": rows}, table, f"measure-{measure_id}")
    if twin:
        return twin
    for row in rows:
        row["href"] = f"/bodies/{quote(row['org_id'])}/scorecard?peers={peers}"
        row["flag"] = ("this body" if row["org_id"] == chosen else "ranked" if row["percentile"] is not None
                       else "not ranked: too few comparators")
    cuts = deciles([r["value"] for r in rows])
    spend = (f"/api/v1/spend?function={quote(measure.function)}&org=" if measure.function
             else "/api/v1/spend?org=")
    return render(request, "measures/measure.html", title=measure.title, view=view, rows=rows,
                  chosen=chosen, peers=peers, peers_label=PEERS_LABEL, spend=spend, cuts=cuts,
                  chart=charts.measure_deciles(rows, title=f"{measure.title}, {view['period']}: bodies ranked, "
                                               "deciles dashed", label=measure.unit, cuts=cuts) if rows else None,
                  funnel=charts.funnel(rows, title=f"{measure.title}, {view['period']}: funnel plot against each "
                                       "body's peer median, 95% and 99.8% control limits") if rows else None)


SCORECARD_FINDINGS = 100  # findings listed on a scorecard page, largest £ first


@router.get("/bodies/{org_id}/scorecard", response_class=HTMLResponse)
def scorecard_page(request: Request, org_id: str, book: BookDep, peers: Peers = views.DEFAULT_PEERS,
                   format: Format = None, table: str | None = None):
    body = body_or_404(book, org_id)
    org_id = body["org_id"]
    measures = views.scorecard(book, org_id, peers)
    alerts = stored_alerts(book, org_id)
    publication = quality(book, org_id)
    found = book.findings(org=org_id)
    reviews = {}
    for review in history(book):
        reviews.setdefault(review["finding_id"], []).append(review)
    findings = [{"finding_id": f["finding_id"], "title": f["title"], "detector": f["detector"],
                 "gbp_at_stake": f["gbp_at_stake"], "status": f["status"],
                 "needs_review": bool(f.get("needs_review")), "reviews": len(reviews.get(f["finding_id"], [])),
                 "latest_review": (reviews.get(f["finding_id"]) or [{}])[-1].get("outcome")} for f in found]
    quality_rows = [{k: v for k, v in q.items() if k not in ("datasets", "missing_months", "missing_datasets")}
                    | {"missing_months": ", ".join(m.strftime("%Y-%m") for m in q["missing_months"]),
                       "missing_datasets": ", ".join(q["missing_datasets"])} for q in publication]
    twin = table_download(format, {"measures": measures, "alerts": alerts, "quality": quality_rows, "findings": findings},
                 table, f"scorecard-{org_id}")
    if twin:
        return twin
    # A national book holds tens of thousands of findings about one large body: the page lists
    # the largest and the download carries every one.
    return render(request, "measures/scorecard.html", title=f"Scorecard: {body['name']}", body=body,
                  measures=measures, alerts=alerts, quality=publication[0] if publication else None,
                  findings=findings[:SCORECARD_FINDINGS], findings_total=len(findings), peers=peers,
                  peers_label=PEERS_LABEL)


@router.get("/bodies/{org_id}/profile", response_class=HTMLResponse)
def profile_page(request: Request, org_id: str, book: BookDep, peers: Peers = views.DEFAULT_PEERS,
                 format: Format = None, table: str | None = None):
    body = body_or_404(book, org_id)
    view = views.profile(book, body["org_id"], peers)
    twin = table_download(format, {"measures": view["measures"], "inputs": view["inputs"]}, table,
                          f"profile-{body['org_id']}")
    return twin or render(request, "measures/profile.html", title=f"Profile: {body['name']}", body=body,
                          view=view, peers=peers, peers_label=PEERS_LABEL)


@router.get("/index", response_class=HTMLResponse)
def index_page(request: Request, book: BookDep, level: Literal["body", "function", "sector", "service"] = "body",
               peers: Peers = views.DEFAULT_PEERS, cost_efficiency: Weight = None, duplication: Weight = None,
               openness: Weight = None, blocks: Weight = None, format: Format = None, table: str | None = None):
    try:
        weights = views.weights_from(cost_efficiency, duplication, openness, blocks)
    except UsageError as error:
        raise HTTPException(400, str(error)) from None
    rows = views.index_rows(book, weights, level, peers)
    twin = table_download(format, {"index": rows}, table, f"index-{level}")
    if twin:
        return twin
    for row in rows:
        row["href"] = (f"/bodies/{quote(row['org_id'])}/scorecard?peers={peers}" if row["org_id"]
                       else f"/functions/{quote(row['function'])}" if row["function"] else None)
    published = value_index.load_weights()
    return render(request, "measures/index.html", title="Public value index", rows=rows, level=level, peers=peers,
                  peers_label=PEERS_LABEL, weights=weights, published=published, inputs=value_index.INPUTS,
                  chart=charts.bar([{**r, "index": r["index"]} for r in rows if r["index"] is not None][:30], "name",
                                   "index", title="Index, 0 (worst) to 100 (best)", label="index",
                                   href="href") if rows else None)


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, book: BookDep, org: str | None = None, format: Format = None,
                table: str | None = None):
    org_id = body_or_404(book, org)["org_id"] if org else None
    rows = stored_alerts(book, org_id)
    names = dict(book.query("SELECT org_id, name FROM organisation"))
    for row in rows:
        row["name"] = names.get(row["org_id"], row["org_id"])
    twin = table_download(format, {"alerts": rows}, table, "alerts")
    return twin or render(request, "measures/alerts.html", title="Alerts", rows=rows, org_id=org_id,
                          total=sum((abs(r["change_gbp"]) for r in rows if r["change_gbp"] is not None), Decimal(0)))
