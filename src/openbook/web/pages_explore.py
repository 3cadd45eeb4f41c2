"""The exploring pages: bodies, functions, suppliers, search, and the sources with their quarantine.

Each page is a table first (readable without JavaScript, printable) with its chart drawn on top,
and each table is its own download: `?table=NAME&format=csv|json|parquet|xlsx` on the page's own
URL returns exactly the rows shown (all of them for paged lists). Figures link to the rows behind
them: the API's spend list filtered to them, or a source line page (`/sources/{sha}/lines/{n}`).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from statistics import median
from typing import Annotated, Literal
from urllib.parse import quote

import ibis
from fastapi import Query, Request
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from openbook import standard
from openbook.analyse import bodies as body_analysis
from openbook.analyse import search as searching
from openbook.analyse.coverage import coverage as published_coverage
from openbook.analyse.detectors.functions import BASES, FunctionSettings, benchmark
from openbook.analyse.detectors.prices import comparisons
from openbook.analyse.measures.ranks import centile
from openbook.analyse.spending import peer_profile, totals
from openbook.ingest.report import Counts
from openbook.store.book import Book
from openbook.web import charts
from openbook.web.deps import BookDep
from openbook.web.page_parts import (Format, Page, body_or_404, deciles, page_router, page_window, parse_month,
                                     table_download)
from openbook.web.pages import render

router = page_router()
BASIS_LABEL = {"per_head": "£ per head of population served", "per_employee": "£ per employee (FTE)",
               "share": "share of the body's spend"}


# -- shared pieces ------------------------------------------------------------------------------

def _evidence_links(evidence: list[str] | None, limit: int = 3) -> list[dict]:
    links = []
    for ref in (evidence or [])[:limit]:
        sha, _, line = ref.rpartition(":")
        links.append({"sha": sha, "line": line, "href": f"/sources/{sha}/lines/{line}"})
    return links


# -- bodies -------------------------------------------------------------------------------------

@router.get("/bodies", response_class=HTMLResponse)
def bodies_page(request: Request, book: BookDep, q: str | None = None, kind: str | None = None,
                everyone: Annotated[bool, Query(alias="all")] = False, page: Page = 1,
                format: Format = None, table: str | None = None):
    expr = body_analysis.summaries(book, text=q, kind=kind or None, everyone=everyone)
    expr = expr.order_by([ibis.desc(expr.total_gbp.coalesce(0)), ibis.desc("files"), "name", "org_id"])
    if format:
        return table_download(format, {"bodies": expr.to_pyarrow().to_pylist()}, table, "bodies")
    total = expr.count().to_pyarrow().as_py()
    paging = page_window(request, page, total)
    rows = expr.limit(paging["limit"], offset=paging["offset"]).to_pyarrow().to_pylist()
    registry = book.ibis().table("organisation").count().to_pyarrow().as_py()
    kinds = standard.labels("organisation_kinds")
    return render(request, "explore/bodies.html", title="Public bodies", rows=rows, paging=paging, q=q or "",
                  kind=kind or "", everyone=everyone, registry=registry, kinds=kinds,
                  chart=charts.bar([{**r, "href": f"/bodies/{quote(r['org_id'])}"} for r in rows
                                    if r["total_gbp"] is not None][:25], "name",
                                   title="Spend by body (this page, largest 25)", href="href"))


@router.get("/bodies/{org_id}", response_class=HTMLResponse)
def body_page(request: Request, org_id: str, book: BookDep,
              month_from: Annotated[str | None, Query(alias="from")] = None,
              month_to: Annotated[str | None, Query(alias="to")] = None,
              format: Format = None, table: str | None = None):
    body = body_or_404(book, org_id)
    org_id = body["org_id"]
    paid_from, paid_to = parse_month(month_from, "from"), parse_month(month_to, "to", end=True)
    window = {"org": org_id, "paid_from": paid_from, "paid_to": paid_to}
    labels = standard.labels("functions")
    by_function = totals(book, "function", **window)
    for row in by_function:
        row["label"] = labels.get(row["function"], row["function"]) if row["function"] else "unclassified"
    months = totals(book, "month", **window)
    months.sort(key=lambda r: r["month"])
    suppliers = totals(book, "supplier", limit=20, **window)
    _name_suppliers(book, suppliers)
    peers = peer_profile(book, org_id, "function") if by_function else []
    for row in peers:
        row["label"] = labels.get(row["function"], row["function"]) if row["function"] else "unclassified"
    found = book.findings(org=org_id, limit=25)
    for finding in found:
        finding["links"] = _evidence_links(finding["evidence"])
    coverage = body_analysis.month_coverage(book, org_id)
    published = body_analysis.publications(book, org_id)
    elsewhere = body_analysis.datasets_published(book)
    have = {p["dataset"] for p in published if p["files"]}
    missing_datasets = [{"dataset": d, "bodies": n} for d, n in sorted(elsewhere.items()) if d not in have]
    problems = body_analysis.quarantine_by_code(book, org_id)
    against_totals = published_coverage(book, org_id)
    tables = {"functions": by_function, "months": months, "suppliers": suppliers, "peers": peers,
              "findings": found, "coverage": coverage, "datasets": published, "problems": problems,
              "published-totals": against_totals}
    twin = table_download(format, tables, table, f"body-{org_id}")
    if twin:
        return twin
    headline = {"total_gbp": sum((r["total_gbp"] for r in months), Decimal(0)),
                "lines": sum(r["lines"] for r in months)}
    spend_link = f"/api/v1/spend?org={org_id}" + (f"&date_from={paid_from}" if paid_from else "") + (
        f"&date_to={paid_to}" if paid_to else "")
    charted = {
        "function_chart": by_function and charts.bar(
            [{**r, "href": f"{spend_link}&function={quote(r['function'])}" if r["function"] else None}
             for r in by_function], "label", title="Spend by function (sorted bars)", href="href"),
        "month_chart": months and charts.monthly_trend(months, _gaps(months, coverage),
                                                       title="Spend by month (gaps: months not published)"),
        "peer_chart": peers and charts.peer_shares(peers, "label", title="Share of spend by function against peers"),
        "coverage_chart": coverage and charts.months_published(coverage, title="Spend files by month"),
    }
    return render(
        request, "explore/body.html", title=body["name"], body=body, headline=headline, by_function=by_function,
        months=months, suppliers=suppliers, peers=peers, findings=found, coverage=coverage,
        missing_months=[c["month"] for c in coverage if not c["files"]], published=published,
        missing_datasets=missing_datasets, problems=problems, against_totals=against_totals, month_from=month_from or "", month_to=month_to or "",
        spend_link=spend_link, kinds=standard.labels("organisation_kinds"), **charted)


def _gaps(months: list[dict], coverage: list[dict]) -> list[date]:
    """Months with no spend file inside the range the chart shows, so its line breaks there."""
    if not months:
        return []
    first, last = months[0]["month"], months[-1]["month"]
    return [c["month"] for c in coverage if not c["files"] and first <= c["month"] <= last]


def _name_suppliers(book: Book, rows: list[dict]) -> None:
    """A resolved supplier's canonical name and page; an unresolved payee keeps the name published."""
    keys = [r["supplier"] for r in rows if r["supplier"]]
    supplier = book.ibis().table("supplier")
    names = {r["supplier_id"]: r["canonical_name"] for r in supplier.filter(supplier.supplier_id.isin(keys))
             .select("supplier_id", "canonical_name").to_pyarrow().to_pylist()} if keys else {}
    for row in rows:
        row["resolved"] = row["supplier"] in names
        row["name"] = names.get(row["supplier"], row["supplier"] or "(no supplier named)")


# -- functions ----------------------------------------------------------------------------------

@router.get("/functions", response_class=HTMLResponse)
def functions_page(request: Request, book: BookDep, format: Format = None, table: str | None = None):
    spend = book.ibis().table("spend_current")
    grouped = spend.group_by("function").aggregate(total_gbp=spend.amount_gbp.sum(), lines=spend.count(),
                                                   bodies=spend.org_id.nunique())
    rows = grouped.order_by([ibis.desc("total_gbp"), "function"]).to_pyarrow().to_pylist()
    codes = {row["code"]: row for row in standard.code_list("functions")}
    for row in rows:
        known = codes.get(row["function"], {})
        row["label"] = known.get("label") or (row["function"] or "unclassified")
        row["kind"] = known.get("kind")
    twin = table_download(format, {"functions": rows}, table, "functions")
    if twin:
        return twin
    unclassified = next((r for r in rows if r["function"] is None), None)
    return render(request, "explore/functions.html", title="Functions", rows=rows, unclassified=unclassified,
                  chart=charts.bar([{**r, "href": f"/functions/{quote(r['function'])}"} for r in rows if r["function"]],
                                   "label", title="Spend by function", href="href") if rows else None)


@router.get("/functions/{code}", response_class=HTMLResponse)
def function_page(request: Request, code: str, book: BookDep,
                  basis: Literal["per_head", "per_employee", "share"] | None = None, kind: str | None = None,
                  format: Format = None, table: str | None = None):
    codes = {row["code"]: row for row in standard.code_list("functions")}
    if code not in codes:
        raise HTTPException(404, f"No function {code!r} in the code list; the functions page lists them all.")
    settings = FunctionSettings(functions=(code,))
    everyone = benchmark(book, settings)
    available = {b: sum(1 for r in everyone if r[b] is not None) for b in BASES}
    chosen = basis or max(("per_head", "per_employee", "share"), key=lambda b: (available[b], -BASES.index(b)))
    rows = [r for r in everyone if r[chosen] is not None and (not kind or r["kind"] == kind)]
    rows.sort(key=lambda r: (r[chosen], r["org_id"]))
    cuts = deciles([r[chosen] for r in rows])
    peer_groups = _peer_groups(rows, chosen, settings)
    for rank, row in enumerate(rows, start=1):
        row["figure"] = row[chosen]
        row["rank"] = rank
        row["decile"] = sum(1 for c in cuts if row[chosen] > c) + 1
        group = peer_groups[row["kind"]]
        row["peer_bodies"], row["peer_median"] = group["bodies"], group["median"]
        row["outlier"] = group["enough"] and row[chosen] > group["fence"]
        row["href"] = f"/bodies/{quote(row['org_id'])}"
        row["flag"] = ("outlier among its peers" if row["outlier"] else
                       "within its peers" if group["enough"] else "too few peers to compare")
    table_rows = [{k: r[k] for k in ("org_id", "name", "kind", "cost_gbp", "lines", "population_served",
                                     "staff_fte", "figure", "rank", "decile", "peer_bodies", "peer_median",
                                     "outlier")} | {"basis": chosen} for r in rows]
    twin = table_download(format, {"bodies": table_rows}, table, f"function-{code}")
    if twin:
        return twin
    kinds = standard.labels("organisation_kinds")
    return render(request, "explore/function.html", title=codes[code]["label"], function=codes[code], rows=rows,
                  basis=chosen, basis_label=BASIS_LABEL[chosen], available=available, kind=kind or "",
                  kinds=kinds, kinds_present=sorted({r["kind"] for r in everyone if r["kind"]}),
                  min_peers=settings.min_peers, outlier_iqr=settings.outlier_iqr, cuts=cuts,
                  chart=charts.deciles(rows, "figure", title=f"{codes[code]['label']}: {BASIS_LABEL[chosen]}, "
                                       "bodies ranked, deciles dashed", label=BASIS_LABEL[chosen], cuts=cuts)
                  if rows else None)


def _peer_groups(rows: list[dict], basis: str, settings: FunctionSettings) -> dict[str, dict]:
    """Per kind of body: how many, the median, and the outlier fence (upper quartile + k × IQR)."""
    by_kind: dict[str, list[float]] = {}
    for row in rows:
        by_kind.setdefault(row["kind"], []).append(row[basis])
    groups = {}
    for kind, values in by_kind.items():
        p25, p75 = centile(values, 0.25), centile(values, 0.75)
        groups[kind] = {"bodies": len(values), "median": median(values), "enough": len(values) >= settings.min_peers,
                        "fence": p75 + settings.outlier_iqr * (p75 - p25)}
    return groups


# -- suppliers ----------------------------------------------------------------------------------

def _supplier_totals(book: Book):
    con = book.ibis()
    spend = con.table("spend_current")
    spend = spend.filter(spend.supplier_id.notnull())
    money = spend.group_by("supplier_id").aggregate(total_gbp=spend.amount_gbp.sum(), spend_lines=spend.count(),
                                                    bodies=spend.org_id.nunique())
    supplier = con.table("supplier").select("supplier_id", "canonical_name", "company_number", "charity_number",
                                            "is_public_body", "names", "match_method", "aliases")
    return supplier.left_join(money, "supplier_id").select(supplier, "total_gbp", "spend_lines", "bodies")


@router.get("/suppliers", response_class=HTMLResponse)
def suppliers_page(request: Request, book: BookDep, q: str | None = None,
                   min_bodies: Annotated[int, Query(ge=0, le=100_000)] = 0, page: Page = 1,
                   format: Format = None, table: str | None = None):
    expr = _supplier_totals(book)
    if q:
        needle = q.strip().lower()
        expr = expr.filter(expr.canonical_name.lower().contains(needle) | expr.supplier_id.lower().contains(needle)
                           | expr.aliases.map(lambda a: a.lower().contains(needle)).anys())
    if min_bodies:
        expr = expr.filter(expr.bodies >= min_bodies)
    expr = expr.order_by([ibis.desc(expr.total_gbp.coalesce(0)), "supplier_id"])
    if format:
        return table_download(format, {"suppliers": expr.drop("aliases").to_pyarrow().to_pylist()}, table, "suppliers")
    total = expr.count().to_pyarrow().as_py()
    paging = page_window(request, page, total)
    rows = expr.limit(paging["limit"], offset=paging["offset"]).to_pyarrow().to_pylist()
    spend = book.ibis().table("spend_current")
    unresolved = spend.aggregate(total_gbp=spend.amount_gbp.sum(where=spend.supplier_id.isnull()),
                                 lines=spend.supplier_id.isnull().sum())
    unresolved = unresolved.to_pyarrow().to_pylist()[0]
    resolved_any = book.ibis().table("supplier").count().to_pyarrow().as_py() > 0
    return render(request, "explore/suppliers.html", title="Suppliers", rows=rows, paging=paging, q=q or "",
                  min_bodies=min_bodies, unresolved=unresolved, resolved_any=resolved_any,
                  chart=charts.bar([{**r, "href": f"/suppliers/{quote(r['supplier_id'])}"} for r in rows
                                    if r["total_gbp"] is not None][:25], "canonical_name",
                                   title="Largest suppliers on this page by £", href="href") if rows else None)


@router.get("/suppliers/{supplier_id}", response_class=HTMLResponse)
def supplier_page(request: Request, supplier_id: str, book: BookDep, format: Format = None,
                  table: str | None = None):
    supplier = book.ibis().table("supplier")
    found = supplier.filter(supplier.supplier_id == supplier_id).to_pyarrow().to_pylist()
    if not found:
        raise HTTPException(404, f"No supplier {supplier_id!r} in the book. Search for it by name at /search; "
                                 "suppliers appear after `openbook suppliers resolve`.")
    row = found[0]
    spend = book.ibis().table("spend_current")
    paid = spend.filter(spend.supplier_id == supplier_id)
    by_body = paid.group_by("org_id").aggregate(total_gbp=paid.amount_gbp.sum(), lines=paid.count(),
                                                first_paid=paid.paid_on.min(), last_paid=paid.paid_on.max())
    organisation = book.ibis().table("organisation").select("org_id", "name", "kind")
    by_body = by_body.left_join(organisation, "org_id").select(by_body, "name", "kind")
    by_body = by_body.order_by([ibis.desc("total_gbp"), "org_id"]).to_pyarrow().to_pylist()
    for body in by_body:
        body["name"] = body["name"] or body["org_id"]
    variants = paid.group_by("supplier_name").aggregate(total_gbp=paid.amount_gbp.sum(), lines=paid.count(),
                                                        bodies=paid.org_id.nunique())
    variants = variants.order_by([ibis.desc("lines"), "supplier_name"]).to_pyarrow().to_pylist()
    in_spend = {v["supplier_name"] for v in variants}
    variants += [{"supplier_name": a, "total_gbp": None, "lines": 0, "bodies": 0}
                 for a in row["aliases"] or [] if a not in in_spend]
    prices = []
    for group in comparisons(book, supplier=supplier_id):
        for body in group["rows"]:
            prices.append({"expense_type": group["expense_type"], "kind": group["kind"], "unit": group["unit"],
                           "org_id": body["org_id"], "name": body["name"], "total_gbp": body["total_gbp"],
                           "denominator": body["denominator"], "per_unit_gbp": body["per_unit_gbp"],
                           "median_per_unit_gbp": group["median_per_unit_gbp"],
                           "times_median": float(body["per_unit_gbp"] / group["median_per_unit_gbp"])
                           if group["median_per_unit_gbp"] else None})
    twin = table_download(format, {"bodies": by_body, "names": variants, "prices": prices}, table, f"supplier-{supplier_id}")
    if twin:
        return twin
    total = sum((b["total_gbp"] for b in by_body), Decimal(0))
    lines_of = f"/api/v1/spend?supplier={quote(supplier_id)}&org="
    return render(request, "explore/supplier.html", title=row["canonical_name"], supplier=row, by_body=by_body,
                  variants=variants, prices=prices, total=total, lines=sum(b["lines"] for b in by_body),
                  chart=charts.bar([{**b, "href": lines_of + quote(b["org_id"])} for b in by_body[:25]], "name",
                                   title="Paid by each body", href="href") if by_body else None)


# -- search -------------------------------------------------------------------------------------

@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, book: BookDep, q: str | None = None, format: Format = None,
                table: str | None = None):
    text = (q or "").strip()
    too_short = bool(text) and len(text) < searching.MIN_LENGTH
    found_bodies = searching.bodies(book, text) if text and not too_short else []
    found_suppliers = searching.suppliers(book, text) if text and not too_short else []
    twin = table_download(format, {"bodies": found_bodies, "suppliers": found_suppliers}, table, "search")
    if twin:
        return twin
    return render(request, "explore/search.html", title="Search", q=text, too_short=too_short,
                  min_length=searching.MIN_LENGTH, bodies=found_bodies, suppliers=found_suppliers)


# -- sources and their quarantine ---------------------------------------------------------------

@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, book: BookDep, status: str | None = None, dataset: str | None = None,
                 publisher: str | None = None, page: Page = 1, format: Format = None, table: str | None = None):
    source = book.ibis().table("source")
    expr = source.select("sha256", "file_name", "path", "dataset", "publisher", "period_start", "period_end",
                         "status", "rows_read", "rows_accepted", "rows_quarantined", "rows_structural",
                         "amount_accepted_gbp", "rejection_code", "rejection_message", "loaded_at")
    if status:
        expr = expr.filter(expr.status == status)
    if dataset:
        expr = expr.filter(expr.dataset == dataset)
    if publisher:
        expr = expr.filter(expr.publisher == publisher)
    expr = expr.order_by([ibis.desc("loaded_at"), "path", "sha256"])
    if format:
        return table_download(format, {"sources": expr.to_pyarrow().to_pylist()}, table, "sources")
    summary = expr.aggregate(files=expr.count(), rows_read=expr.rows_read.sum(), rows_accepted=expr.rows_accepted.sum(),
                             rows_quarantined=expr.rows_quarantined.sum(),
                             rows_structural=expr.rows_structural.sum()).to_pyarrow().to_pylist()[0]
    paging = page_window(request, page, summary["files"])
    rows = expr.limit(paging["limit"], offset=paging["offset"]).to_pyarrow().to_pylist()
    choices = source.group_by(["dataset", "status"]).aggregate(files=source.count()).to_pyarrow().to_pylist()
    return render(request, "explore/sources.html", title="Sources", rows=rows, paging=paging, summary=summary,
                  unresolved=book.unresolved_bodies(), without_body=book.rows_without_body(),
                  status=status or "", dataset=dataset or "", publisher=publisher or "",
                  statuses=sorted({c["status"] for c in choices if c["status"]}),
                  datasets=sorted({c["dataset"] for c in choices if c["dataset"]}))


def _source(book: Book, sha: str) -> dict:
    source = book.ibis().table("source")
    found = source.filter(source.sha256.startswith(sha.lower())).limit(2).to_pyarrow().to_pylist() \
        if len(sha) >= 8 else []
    if len(found) != 1:
        raise HTTPException(404, f"No source file {sha!r} in the book" + (
            " (that prefix is shared by several files; give more of the hash)." if found else
            "; the sources page lists every file ingested."))
    return found[0]


@router.get("/sources/{sha}", response_class=HTMLResponse)
def source_page(request: Request, sha: str, book: BookDep,
                severity: Literal["error", "warning", "structural", "all"] = "all", code: str | None = None,
                page: Page = 1, format: Format = None, table: str | None = None):
    source = _source(book, sha)
    quarantine = book.ibis().table("quarantine")
    mine = quarantine.filter(quarantine.source_sha256 == source["sha256"])
    codes = mine.group_by(["severity", "code"]).aggregate(rows=mine.count()).order_by(
        ["severity", ibis.desc("rows"), "code"]).to_pyarrow().to_pylist()
    expr = mine
    if severity != "all":
        expr = expr.filter(expr.severity == severity)
    if code:
        expr = expr.filter(expr.code == code)
    expr = expr.select("source_line", "severity", "code", "column_name", "column_number", "raw_value", "message",
                       "raw_row").order_by([expr.source_line.asc(nulls_first=True),
                                            expr.column_number.asc(nulls_first=True), "code"])
    if format:
        return table_download(format, {"problems": expr.to_pyarrow().to_pylist(), "codes": codes}, table,
                     f"source-{source['sha256'][:12]}")
    total = expr.count().to_pyarrow().as_py()
    paging = page_window(request, page, total)
    rows = expr.limit(paging["limit"], offset=paging["offset"]).to_pyarrow().to_pylist()
    body = None
    if source["publisher"]:
        organisation = book.ibis().table("organisation")
        body = (organisation.filter(organisation.org_id == source["publisher"]).select("org_id", "name")
                .to_pyarrow().to_pylist() or [None])[0]
    return render(request, "explore/source.html", title=source["file_name"] or source["sha256"][:12], source=source,
                  body=body, rows=rows, codes=codes, paging=paging, severity=severity, code=code or "",
                  reconciles=_reconciles(source), columns=column_matches(source))


def column_matches(source: dict) -> list[dict]:
    """Which published column filled which field, as the importer recorded it in the dialect."""
    dialect = source.get("dialect")
    if isinstance(dialect, str):
        dialect = json.loads(dialect)
    return (dialect or {}).get("matches") or []


def _reconciles(source: dict) -> bool | None:
    parts = [source["rows_read"], source["rows_accepted"], source["rows_quarantined"], source["rows_structural"]]
    if any(p is None for p in parts):
        return None
    return Counts(*parts).reconciles


@router.get("/sources/{sha}/lines/{line}", response_class=HTMLResponse)
def source_line_page(request: Request, sha: str, line: int, book: BookDep, format: Format = None,
                     table: str | None = None):
    source = _source(book, sha)
    quarantine = book.ibis().table("quarantine")
    mine = quarantine.filter(quarantine.source_sha256 == source["sha256"])
    problems = mine.filter(mine.source_line == line).order_by(
        [mine.column_number.asc(nulls_first=True), "code"]).to_pyarrow().to_pylist()
    header = (mine.filter(mine.code == "header-row").order_by("source_line").limit(1).select("raw_row")
              .to_pyarrow().to_pylist() or [{"raw_row": None}])[0]["raw_row"]
    records = []
    dataset = source["dataset"]
    if dataset in standard.table_names():
        stored = book.ibis().table(dataset)
        if "source_line" in stored.columns:
            records = stored.filter((stored.source_sha256 == source["sha256"]) & (stored.source_line == line)) \
                .to_pyarrow().to_pylist()
    if not problems and not records:
        raise HTTPException(404, f"Line {line} of {source['file_name']} is neither stored nor quarantined in "
                                 "the book (a line outside the file, or a superseded or rejected file's row).")
    twin = table_download(format, {"records": records, "problems": problems}, table,
                 f"source-{source['sha256'][:12]}-line-{line}")
    if twin:
        return twin
    raw = next((p["raw_row"] for p in problems if p["raw_row"]), None)
    cells = [{"column": (header[i] if header and i < len(header) else f"column {i + 1}"), "value": value,
              "flagged": any(p["column_number"] == i + 1 for p in problems)} for i, value in enumerate(raw or [])]
    return render(request, "explore/source_line.html", title=f"{source['file_name']}, line {line:,}",
                  source=source, line=line, problems=problems, records=records, cells=cells)
