"""Pages on what the book finds: duplicate payments, the capability map, and any finding's evidence rows.

Each figure links to the rows behind it: a finding to its evidence (`/findings/{id}`, downloadable
in every format), a heatmap cell to the systems it sums. Empty pages say which command fills them.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from openbook import standard
from openbook.analyse.findings import evidence_rows, parse_evidence
from openbook.analyse.detectors.payments import KIND as DUPLICATE
from openbook.store.book import Book
from openbook.web import charts
from openbook.web.deps import BookDep
from openbook.web.downloads import download
from openbook.web.page_parts import Format, body_names, page_router
from openbook.web.pages import render

router = page_router()
SHOWN_GROUPS = 100  # duplicate groups drawn on one page; the CSV has every one


def _org(book: Book, org: str | None) -> str | None:
    """The body a page's `org` names; an unknown one is a 404 page that says so."""
    if not org:
        return None
    org_id = book.resolve_org(org)
    if org_id is None:
        raise HTTPException(404, f"There is no body {org!r} in the book.")
    return org_id


def _count(book: Book, table: str) -> int:
    return book.ibis().table(table).count().to_pyarrow().as_py()


@router.get("/duplicates", response_class=HTMLResponse)
def duplicates(request: Request, book: BookDep, org: str | None = None):
    org_id = _org(book, org)
    names = body_names(book)
    everything = book.findings(kind=DUPLICATE)
    by_body: dict[str, dict] = {}
    for finding in everything:
        for body in finding["org_ids"]:
            row = by_body.setdefault(body, {"org_id": body, "name": names.get(body, body), "groups": 0,
                                            "total_gbp": Decimal(0), "href": "/duplicates?" + urlencode({"org": body})})
            row["groups"] += 1
            row["total_gbp"] += finding["gbp_at_stake"]
    bodies = sorted(by_body.values(), key=lambda r: (-r["total_gbp"], r["org_id"]))
    chosen = [f for f in everything if org_id is None or org_id in f["org_ids"]]
    shown = chosen[:SHOWN_GROUPS]
    payments = _payments_by_finding(book, shown)
    return render(request, "duplicates.html", title="Duplicate payments", org_id=org_id,
                  org_name=names.get(org_id or "", org_id), names=names, bodies=bodies, findings=shown,
                  payments=payments, total=len(chosen), at_stake=sum((f["gbp_at_stake"] for f in chosen), Decimal(0)),
                  spend_lines=_count(book, "spend_current"),
                  chart=charts.bar(bodies[:20], "name", title="£ at stake in duplicate payments, by body",
                                   href="href", selected=names.get(org_id, org_id) if org_id else None)
                  if bodies else None,
                  api=f"/api/v1/findings?{urlencode({'kind': DUPLICATE, **({'org': org_id} if org_id else {})})}")


def _payments_by_finding(book: Book, findings: list[dict]) -> dict[str, list[dict]]:
    """Each finding's payment lines (its copies, then any cancelling credit notes), read in one pass."""
    rows = evidence_rows(book, [ref for f in findings for ref in f["evidence"]]).get("spend")
    by_ref = {(r["source_sha256"], r["source_line"]): r for r in (rows.to_pylist() if rows is not None else [])}
    return {f["finding_id"]: [by_ref[ref] for ref in parse_evidence(f["evidence"]) if ref in by_ref]
            for f in findings}


@router.get("/findings/{finding_id}", response_class=HTMLResponse)
def finding(request: Request, book: BookDep, finding_id: str, format: Format = None, table: str | None = None):
    """One finding and the rows it cites; `format` downloads them (of one `table` when it cites several)."""
    record = next((f for f in book.findings() if f["finding_id"] == finding_id), None)
    if record is None:
        raise HTTPException(404, f"There is no finding {finding_id!r}; findings are recomputed by "
                                 "`openbook analyse`, so an old link may point at one that changed.")
    tables = evidence_rows(book, record["evidence"])
    if format:
        name = table or next(iter(tables), None)
        if name not in tables:
            raise HTTPException(404, f"This finding cites no rows in {name!r}; it cites {', '.join(tables) or 'none'}.")
        return download(tables[name], format, f"{finding_id}-{name}")
    found_rows = sum(t.num_rows for t in tables.values())
    return render(request, "finding.html", title=record["title"], finding=record, tables={
        name: {"columns": t.column_names, "rows": t.to_pylist()} for name, t in tables.items()},
        missing=len(record["evidence"]) - found_rows, names=body_names(book), reviews=_reviews(book, finding_id))


def _reviews(book: Book, finding_id: str) -> list[dict]:
    """The verdicts people gave this finding, oldest first (read-only here: `openbook review` records them)."""
    from openbook.analyse.review import history

    return history(book, finding_id)


@router.get("/capabilities", response_class=HTMLResponse)
def capabilities(request: Request, book: BookDep):
    from openbook.analyse.conformance import by_block
    from openbook.analyse.detectors.systems import blocks_today, capability_map, price_per_resident, price_per_user

    names = body_names(book)
    labels = standard.labels("capabilities")
    cells = capability_map(book)
    for cell in cells:
        cell.update(body=names.get(cell["org_id"], cell["org_id"]), label=labels.get(cell["capability"],
                    cell["capability"]), href="/capabilities/systems?" + urlencode(
                    {"org": cell["org_id"], "capability": cell["capability"]}))
    blocks = blocks_today(book)
    blocks.sort(key=lambda b: (-b["annual_cost_gbp"], b["capability"]))
    bodies = sorted({c["org_id"] for c in cells}, key=lambda o: names.get(o, o))
    columns = [b for b in blocks if b["systems"]]
    grid = {(c["org_id"], c["capability"]): c for c in cells}
    products = sorted(price_per_user(book), key=lambda p: (-(p["spread"] or 0), p["product"]))
    return render(request, "capabilities.html", title="Capability map", cells=cells, blocks=blocks,
                  bodies=[(o, names.get(o, o)) for o in bodies], columns=columns, grid=grid,
                  products=[p for p in products if p["bodies"] > 1], names=names, interfaces=by_block(book),
                  inferred=sum(1 for c in cells if c["inferred"]), per_resident=price_per_resident(book),
                  unmatched=_unmatched(book),
                  chart=charts.heatmap(cells, "label", "body", "annual_cost_gbp", href="href",
                                       title="What each body pays a year for its own system, by capability",
                                       x_title="Capability (Lego block)", y_title=None,
                                       tooltip=["body", "label", "annual_cost_gbp", "systems", "users", "source"])
                  if cells else None)


@router.get("/capabilities/systems", response_class=HTMLResponse)
def systems(request: Request, book: BookDep, org: str | None = None, capability: str | None = None,
            format: Format = None):
    """The system rows behind a cell of the map (a body, a capability, or both), downloadable."""
    org_id = _org(book, org)
    expr = book.ibis().table("system")
    if org_id:
        expr = expr.filter(expr.org_id == org_id)
    if capability:
        expr = expr.filter(expr.capability == capability)
    table = expr.order_by(["org_id", "capability", "system_ref"]).to_pyarrow()
    if format:
        return download(table, format, "systems")
    labels = standard.labels("capabilities")
    names = body_names(book)
    what = " · ".join(x for x in (names.get(org_id, org_id) if org_id else "",
                                  labels.get(capability, capability) if capability else "") if x)
    query = urlencode({k: v for k, v in (("org", org_id), ("capability", capability)) if v})
    inferred = _inferred(book, org_id, capability)
    evidence = evidence_rows(book, [ref for r in inferred for ref in r["evidence"]][:500]) if org_id and inferred else {}
    return render(request, "systems.html", title=f"Systems: {what}" if what else "Systems", rows=table.to_pylist(),
                  total=sum((r["annual_cost_gbp"] or Decimal(0) for r in table.to_pylist() + inferred), Decimal(0)),
                  query=query, names=names, labels=labels, inferred=inferred,
                  evidence=evidence.get("spend").to_pylist() if "spend" in evidence else [])


def _unmatched(book: Book) -> list[dict]:
    from openbook.analyse.systems_inference import unmatched_software

    return unmatched_software(book, limit=20)


def _inferred(book: Book, org_id: str | None, capability: str | None) -> list[dict]:
    """The inferred systems behind a cell (declared cells have none), evidence as 'sha256:line' strings."""
    from openbook.analyse.systems_inference import inferred_systems

    rows = [r for r in inferred_systems(book, org_id=org_id) if not capability or r["capability"] == capability]
    return [{**r, "evidence": [f"{sha}:{line}" for sha, line in r["evidence"]]} for r in rows]

