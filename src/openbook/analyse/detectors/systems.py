"""The same kind of system bought many times: the capability map, duplicated systems, price per user.

Reads the `system` table (bodies' own publications in openbook's template, see
`openbook template system`) and, where a body declares no system for a capability, the systems
inferred from its spend (analyse/systems_inference). Every row and cell says its `source`, so a
page or API answer can say which cells are inferred. Aggregation runs through Ibis; the few
hundred resulting groups are priced in Python with Decimal.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

from openbook import standard
from openbook.analyse.conformance import UNTESTED, marks
from openbook.analyse.findings import Finding, parse_evidence
from openbook.analyse.systems_inference.register import DECLARED, SOURCE as INFERRED, inferred_systems
from openbook.store.book import Book

_PENNY = Decimal("0.01")


@dataclass(frozen=True)
class SystemSettings:
    """Declared thresholds; docs/methodology.md explains each."""

    min_bodies: int = 3  # a capability run separately by at least this many bodies is duplicated
    min_price_peers: int = 3  # bodies with a per-user price for a product before prices are compared
    price_ratio: float = 1.25  # a body paying this many times the median per user is flagged
    ending_within_days: int = 548  # contracts ending within ~18 months are the consolidation window
    min_gap_gbp: Decimal = Decimal("1000")


def declared_systems(book: Book) -> list[dict]:
    table = book.ibis().table("system")
    return [{**row, "source": DECLARED} for row in table.order_by(["org_id", "system_ref"]).to_pyarrow().to_pylist()]


def _systems(book: Book) -> list[dict]:
    """Declared systems, then the inferred ones for (body, capability) cells nobody declared."""
    return declared_systems(book) + inferred_systems(book)


def product_key(product: str | None, vendor: str | None) -> str:
    """'iTrent' by 'MHR' and 'MHR iTrent v10' are one product: vendor-free, version-free words."""
    text = f"{product or ''}".casefold()
    for word in (vendor or "").casefold().split():
        text = re.sub(rf"\b{re.escape(word)}\b", " ", text)
    text = re.sub(r"\bv?\d+(\.\d+)*\b|[^a-z0-9 ]", " ", text)
    return " ".join(text.split()) or (vendor or "").casefold().strip()


def capability_map(book: Book) -> list[dict]:
    """Body × capability: the products, vendors, annual cost and users behind each cell.

    `source` is 'declared' or 'inferred-from-spend' (a body's declared systems for a capability
    replace inference for it, so a cell is never both); an inferred cell carries its evidence
    lines, the year it prices, the body's residents and the annual cost per resident.
    """
    cells: dict[tuple[str, str], dict] = {}
    for row in _systems(book):
        cell = cells.setdefault((row["org_id"], row["capability"]), {
            "org_id": row["org_id"], "capability": row["capability"], "systems": 0, "products": [],
            "vendors": [], "annual_cost_gbp": Decimal(0), "users": 0, "costed": 0, "source": row["source"],
            "inferred": row["source"] == INFERRED, "confidence": None, "year": None, "evidence": [],
            "residents": row.get("residents"), "per_resident_gbp": None})
        cell["systems"] += 1
        if cell["inferred"]:
            cell["evidence"] += [f"{sha}:{line}" for sha, line in row["evidence"]]
            cell["year"] = max(cell["year"] or 0, row["year"])
            cell["confidence"] = max(cell["confidence"] or 0.0, row["classification_confidence"])
        for key, value in (("products", row["product"] or row["name"]), ("vendors", row["vendor"])):
            if value and value not in cell[key]:
                cell[key].append(value)
        if row["annual_cost_gbp"] is not None:
            cell["annual_cost_gbp"] += row["annual_cost_gbp"]
            cell["costed"] += 1
        cell["users"] += row["users"] or 0
    conformance = marks(book)  # conforming / not conforming / untested, from loaded certificates
    for cell in cells.values():
        cell["conformance"] = conformance.get((cell["org_id"], cell["capability"]), UNTESTED)
    for cell in cells.values():
        if cell["inferred"] and cell["residents"] and cell["annual_cost_gbp"] > 0:
            cell["per_resident_gbp"] = (cell["annual_cost_gbp"] / cell["residents"]).quantize(Decimal("0.0001"))
    return sorted(cells.values(), key=lambda c: (c["capability"], c["org_id"]))


def capability_summary(book: Book) -> list[dict]:
    """Per capability across the sector: bodies, separate systems, products, vendors, contracts, cost."""
    labels = standard.labels("capabilities")
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in _systems(book):
        groups[row["capability"]].append(row)
    summary = []
    for capability, rows in groups.items():
        summary.append({
            "capability": capability, "label": labels.get(capability, capability),
            "bodies": len({r["org_id"] for r in rows}), "systems": len(rows),
            "products": len({product_key(r["product"] or r["name"], r["vendor"]) for r in rows}),
            "vendors": len({(r["vendor"] or "").casefold() for r in rows if r["vendor"]}),
            "contracts": len({(r["org_id"], r["contract_ref"]) for r in rows if r["contract_ref"]}),
            "annual_cost_gbp": sum((r["annual_cost_gbp"] for r in rows if r["annual_cost_gbp"] is not None),
                                   Decimal(0)),
            "users": sum(r["users"] or 0 for r in rows),
            "inferred_systems": sum(1 for r in rows if r["source"] == INFERRED),
            "inferred_bodies": len({r["org_id"] for r in rows if r["source"] == INFERRED}),
        })
    return sorted(summary, key=lambda s: (-s["annual_cost_gbp"], s["capability"]))


def price_per_user(book: Book) -> list[dict]:
    """Each product bought by several bodies: every body's annual cost per user and the spread."""
    by_product: dict[str, list[dict]] = defaultdict(list)
    for row in _systems(book):
        if row["annual_cost_gbp"] and row["users"]:
            key = product_key(row["product"] or row["name"], row["vendor"])
            by_product[key].append({**row, "per_user_gbp": (row["annual_cost_gbp"] / row["users"]).quantize(_PENNY)})
    result = []
    for key, rows in sorted(by_product.items()):
        prices = sorted(r["per_user_gbp"] for r in rows)
        result.append({"product": key, "capability": rows[0]["capability"], "bodies": len({r["org_id"] for r in rows}),
                       "min_gbp": prices[0], "median_gbp": Decimal(str(median(prices))).quantize(_PENNY),
                       "max_gbp": prices[-1], "spread": float(prices[-1] / prices[0]) if prices[0] else None,
                       "rows": rows})
    return result


def contracts_ending(book: Book, *, as_of: date | None = None,
                     settings: SystemSettings = SystemSettings()) -> list[dict]:
    """Systems whose contract ends within the window: when moving to a shared block costs least."""
    as_of = as_of or date.today()
    until = as_of + timedelta(days=settings.ending_within_days)
    rows = [r for r in _systems(book) if r["contract_end"] and as_of <= r["contract_end"] <= until]
    return sorted(rows, key=lambda r: (r["contract_end"], r["org_id"]))


def findings(book: Book, settings: SystemSettings = SystemSettings(), *, as_of: date | None = None) -> list[Finding]:
    return (duplicated_capability_findings(book, settings, as_of=as_of) + inferred_duplicate_findings(book, settings)
            + price_findings(book, settings))


def duplicated_capability_findings(book: Book, settings: SystemSettings = SystemSettings(), *,
                                   as_of: date | None = None) -> list[Finding]:
    """A capability run as separate systems by many bodies, priced against the cheapest per-user price.

    £ at stake = their total annual cost − all their users × the lowest per-user price among
    them: what the same users would cost on the best-priced of the systems already bought.
    """
    labels = standard.labels("capabilities")
    ending = {(r["org_id"], r["system_ref"]) for r in contracts_ending(book, as_of=as_of, settings=settings)}
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in declared_systems(book):
        groups[row["capability"]].append(row)
    found = []
    for capability, rows in sorted(groups.items()):
        bodies = sorted({r["org_id"] for r in rows})
        priced = [r for r in rows if r["annual_cost_gbp"] and r["users"]]
        if len(bodies) < settings.min_bodies or not priced:
            continue
        cost = sum((r["annual_cost_gbp"] for r in priced), Decimal(0))
        users = sum(r["users"] for r in priced)
        best = min(r["annual_cost_gbp"] / r["users"] for r in priced)
        at_stake = max(cost - (best * users).quantize(_PENNY), Decimal(0))
        if at_stake < settings.min_gap_gbp:
            continue
        products = len({product_key(r["product"] or r["name"], r["vendor"]) for r in rows})
        soon = sum(1 for r in rows if (r["org_id"], r["system_ref"]) in ending)
        found.append(Finding(
            kind="duplicated-system", detector="systems", org_ids=bodies, key=capability,
            title=(f"{len(bodies)} bodies run {len(rows)} separate {labels.get(capability, capability).lower()} "
                   f"systems ({products} products); {soon} contracts end within the consolidation window"),
            description=("Each body buys and runs its own system for the same capability. The figure prices "
                         "their users at the best per-user price already paid in the sector; a shared "
                         "component's own running cost is for the savings model."),
            gbp_at_stake=at_stake,
            formula=(f"annual cost £{cost:,.2f} − {users:,} users × lowest price £{best.quantize(_PENNY):,.2f} "
                     f"per user = £{at_stake:,.2f}"),
            confidence=0.6 if len(priced) == len(rows) else 0.45,
            evidence=[(r["source_sha256"], r["source_line"]) for r in rows],
        ))
    return found


def price_per_resident(book: Book) -> list[dict]:
    """Inferred systems per capability: each body's annual cost per resident (registry population)."""
    by_capability: dict[str, list[dict]] = defaultdict(list)
    for cell in capability_map(book):
        if cell["per_resident_gbp"] is not None:
            by_capability[cell["capability"]].append(cell)
    result = []
    for capability, cells in sorted(by_capability.items()):
        prices = sorted(c["per_resident_gbp"] for c in cells)
        result.append({"capability": capability, "bodies": len(cells), "min_gbp": prices[0],
                       "median_gbp": Decimal(str(median(prices))).quantize(Decimal("0.0001")),
                       "max_gbp": prices[-1], "cells": cells})
    return result


def inferred_duplicate_findings(book: Book, settings: SystemSettings = SystemSettings()) -> list[Finding]:
    """A capability many bodies pay for separately, on systems inferred from their spend.

    Inferred systems have no user counts, so bodies are compared per resident: £ at stake is what
    the bodies paying more than the median per resident pay above it. A part year of published
    spend understates a body's cost, so the median, not the lowest price, is the yardstick.
    """
    labels = standard.labels("capabilities")
    found = []
    for group in price_per_resident(book):
        cells = group["cells"]
        if group["bodies"] < settings.min_bodies:
            continue
        target = group["median_gbp"]
        above = [c for c in cells if c["per_resident_gbp"] > target]
        at_stake = sum(((c["per_resident_gbp"] - target) * c["residents"] for c in above), Decimal(0)).quantize(_PENNY)
        if at_stake < settings.min_gap_gbp:
            continue
        capability = group["capability"]
        products = {p for c in cells for p in c["products"]}
        cost = sum((c["annual_cost_gbp"] for c in cells), Decimal(0))
        found.append(Finding(
            kind="duplicated-system", detector="systems", org_ids=sorted(c["org_id"] for c in cells),
            key=f"{capability}:inferred",
            title=(f"{len(cells)} bodies pay separately for {labels.get(capability, capability).lower()} "
                   f"({len(products)} products, inferred from their spend)"),
            description=("Inferred from payments to the suppliers of known products, not from a published "
                         "systems register: each evidence line is a payment. Bodies are compared per resident; "
                         "a body may run more than the capability on the same contract."),
            gbp_at_stake=at_stake,
            formula=(f"Σ over {len(above)} bodies above the median (annual cost − residents × median "
                     f"£{target:,.4f} per resident) = £{at_stake:,.2f}; the {len(cells)} bodies pay £{cost:,.2f} a year"),
            confidence=round(0.5 * min(c["confidence"] for c in cells), 2),
            evidence=parse_evidence(ref for c in cells for ref in c["evidence"]),
        ))
    return found


def price_findings(book: Book, settings: SystemSettings = SystemSettings()) -> list[Finding]:
    """The same product bought by a body at well above the median per-user price of the others."""
    found = []
    for product in price_per_user(book):
        if product["bodies"] < settings.min_price_peers:
            continue
        target = product["median_gbp"]
        for row in product["rows"]:
            if row["per_user_gbp"] < target * Decimal(str(settings.price_ratio)):
                continue
            at_stake = ((row["per_user_gbp"] - target) * row["users"]).quantize(_PENNY)
            if at_stake < settings.min_gap_gbp:
                continue
            found.append(Finding(
                kind="product-price-variation", detector="systems", org_ids=[row["org_id"]],
                key=f"{product['product']}:{row['system_ref']}",
                title=(f"{row['org_id']} pays £{row['per_user_gbp']:,.2f} per user a year for {row['product'] or row['name']}, "
                       f"against a median of £{target:,.2f} across {product['bodies']} bodies"),
                description=("The same product costs this body much more per user than its peers. Editions, "
                             "modules and support levels differ; compare the contracts before acting."),
                gbp_at_stake=at_stake,
                formula=(f"(£{row['per_user_gbp']:,.2f} − median £{target:,.2f}) × {row['users']:,} users "
                         f"= £{at_stake:,.2f}"),
                confidence=0.55,
                evidence=[(r["source_sha256"], r["source_line"]) for r in product["rows"]],
            ))
    return found


def blocks_today(book: Book | None) -> list[dict]:
    """Each shared block of the standard beside what bodies pay to run their own system for it today
    (zero everywhere without a book), in the catalogue's order: the CLI's and the pages' block list."""
    summary = {s["capability"]: s for s in capability_summary(book)} if book is not None else {}
    labels = standard.labels("capabilities")
    rows = []
    for code, block in standard.blocks().items():
        today = summary.get(code, {})
        rows.append({"capability": code, "label": labels.get(code, code), "block": block,
                     "bodies": today.get("bodies", 0), "systems": today.get("systems", 0),
                     "products": today.get("products", 0),
                     "annual_cost_gbp": today.get("annual_cost_gbp", Decimal(0))})
    return rows
