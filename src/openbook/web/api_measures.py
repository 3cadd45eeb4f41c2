"""The API for measures, scorecards, the value index, alerts, publication quality and reviews, under /api/v1.

These lists are small (bodies × measures), so each answers whole: JSON `{"rows": [...], "count": n, ...}`
by default, or the rows alone as a download with `format=csv|json|parquet|xlsx`. Nothing is written:
measures and the index are computed in memory from the book, as the pages compute them.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

import pyarrow as pa
from fastapi import APIRouter, Query

from openbook.analyse.alerts import stored_alerts
from openbook.analyse.coverage import coverage
from openbook.analyse.quality import quality
from openbook.analyse.review import history
from openbook.errors import UsageError
from openbook.web import listing
from openbook.web import measures_views as views
from openbook.web.deps import BookDep
from openbook.web.downloads import download, json_default
from openbook.web.errors import ApiError
from openbook.web.models import responses

router = APIRouter(prefix="/api/v1", tags=["measures"])
Format = Annotated[Literal["csv", "json", "parquet", "xlsx"] | None, Query(
    description="Leave out for JSON with the context; csv, json, parquet or xlsx for the rows alone as a download.")]
Peers = Annotated[Literal["kind", "sector", "neighbours"], Query(
    description="Compare each body with bodies of its kind, of its sector, or its 10 nearest neighbours.")]
Weight = Annotated[float | None, Query(ge=0, le=1000, description="This input's weight (default: the published one).")]


def _answer(rows: list[dict], fmt: str | None, name: str, **context):
    if fmt:
        table = pa.Table.from_pylist(rows) if rows else pa.table({"empty": pa.array([], pa.string())})
        return download(table, fmt, name)
    return json.loads(json.dumps({**context, "count": len(rows), "rows": rows}, default=json_default))


def _measure(measure_id: str):
    measures = views.measures_by_id()
    if measure_id not in measures:
        raise ApiError(404, "not-found", f"no measure {measure_id!r}; known: {', '.join(measures)}")
    return measures[measure_id]


@router.get("/measures", responses=responses(),
            summary="Every declared measure: what it is, which way is better, who checked it")
def measures(format: Format = None):
    return _answer([views.describe(m) for m in views.measures_by_id().values()], format, "measures")


@router.get("/measures/{measure_id}", responses=responses(),
            summary="Each body's value on one measure, ranked, with savings to the target")
def measure(measure_id: str, book: BookDep, peers: Peers = views.DEFAULT_PEERS, period: str | None = None,
            format: Format = None):
    view = views.measure_view(book, _measure(measure_id), peers, period)
    rows = view.pop("rows")
    return _answer(rows, format, f"measure-{measure_id}", **view)


@router.get("/scorecard/{org_id}", responses=responses(),
            summary="One body's measures against its comparators")
def scorecard(org_id: str, book: BookDep, peers: Peers = views.DEFAULT_PEERS, format: Format = None):
    org_id = listing.org_id(book, org_id)
    return _answer(views.scorecard(book, org_id, peers), format, f"scorecard-{org_id}", org_id=org_id, peers=peers)


@router.get("/profile/{org_id}", responses=responses(),
            summary="One body's position on each measure and each index input, without a composite score")
def profile(org_id: str, book: BookDep, peers: Peers = views.DEFAULT_PEERS, format: Format = None):
    org_id = listing.org_id(book, org_id)
    view = views.profile(book, org_id, peers)
    rows = view.pop("measures")
    return _answer(rows, format, f"profile-{org_id}", **view)


@router.get("/coverage", responses=responses(),
            summary="Per body and year: the book's total against the files' total rows and entered annual accounts")
def published_coverage(book: BookDep, org: str | None = None, format: Format = None):
    return _answer(coverage(book, listing.org_id(book, org)), format, "coverage")


@router.get("/index", responses=responses(),
            summary="The public value index at one level, with its inputs and the weights applied")
def index(book: BookDep, level: Literal["body", "function", "sector", "service"] = "body",
          peers: Peers = views.DEFAULT_PEERS, cost_efficiency: Weight = None, duplication: Weight = None,
          openness: Weight = None, blocks: Weight = None, format: Format = None):
    try:
        weights = views.weights_from(cost_efficiency, duplication, openness, blocks)
    except UsageError as error:
        raise ApiError(422, "invalid-request", str(error)) from None
    return _answer(views.index_rows(book, weights, level, peers), format, f"index-{level}", level=level, peers=peers,
                   weights=weights["weights"], weights_source=weights["source"], weights_sha256=weights["sha256"])


@router.get("/alerts", responses=responses(),
            summary="Alerts: sustained changes in spend and bodies staying in their peers' worst tenth")
def alerts(book: BookDep, org: str | None = None, format: Format = None):
    return _answer(stored_alerts(book, listing.org_id(book, org)), format, "alerts")


@router.get("/quality", responses=responses(),
            summary="Publication quality per body: coverage, timeliness, quarantine, classification")
def publication_quality(book: BookDep, org: str | None = None, format: Format = None):
    rows = quality(book, listing.org_id(book, org))
    if format:  # one row per body, flat, for a spreadsheet
        rows = [{k: v for k, v in r.items() if k != "datasets"}
                | {"missing_months": ", ".join(m.isoformat()[:7] for m in r["missing_months"]),
                   "missing_datasets": ", ".join(r["missing_datasets"])} for r in rows]
    return _answer(rows, format, "quality")


@router.get("/reviews", responses=responses(),
            summary="Every verdict on a finding, oldest first; `latest` marks the one that stands")
def reviews(book: BookDep, finding: str | None = None, format: Format = None):
    return _answer(history(book, finding), format, "reviews")
