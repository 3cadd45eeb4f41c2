"""Total the matched payment lines per body, year, capability and product, and store them.

Rows are read from `spend_current` after a cheap SQL filter (payees the catalogue knows, lines
naming a stand-alone product, lines that look like software); `match` then judges each line.
Annual £ is what the lines paid in the calendar year, split into licence, support, hosting and
other where the lines say which. Every line is kept as evidence (source sha256:line).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timezone
from decimal import Decimal

import pyarrow as pa

from openbook.analyse.systems_inference.catalogue import normalise, products
from openbook.analyse.systems_inference.match import Matcher
from openbook.store.book import Book

SOURCE = "inferred-from-spend"
MAX_EVIDENCE = 500
# Lines that say they buy software, support or hosting: listed for review when no product matches.
UNMATCHED = re.compile(
    r"\b(software|saas|hosting|hosted service|(it|ict|system|systems|software|annual) (licen[cs]es?|support|"
    r"maintenance)|licen[cs]es? (and|renewal|fee|fees|support)|support and maintenance|maintenance and support)\b")
_UNMATCHED_SQL = r"(software|saas|hosting|hosted service|licen[cs]e|support and maint|maintenance and support|" \
                 r"(it|ict|system|systems|annual) (support|maintenance))"


def _loose(word: str) -> str:
    return r"[^a-z0-9]*".join(re.escape(part) for part in word.split())


def _candidate_lines(book: Book, matcher: Matcher) -> list[dict]:
    names = [n for (n,) in book.query("SELECT DISTINCT supplier_name FROM spend_current WHERE supplier_name IS NOT NULL")]
    known = pa.table({"supplier_name": [n for n in names if matcher.candidates(n)]}, schema=pa.schema(
        [("supplier_name", pa.string())]))
    alone = "|".join(_loose(w) for p in products() for w in p.names_alone)
    pattern = f"({alone})|{_UNMATCHED_SQL}"
    book.con.register("_known_suppliers", known)
    try:
        return book._dicts(
            "SELECT org_id, paid_on, amount_gbp, supplier_name, expense_type, description, source_sha256, source_line "
            "FROM spend_current WHERE org_id IS NOT NULL AND paid_on IS NOT NULL AND amount_gbp IS NOT NULL AND ("
            "supplier_name IN (SELECT supplier_name FROM _known_suppliers) OR regexp_matches(lower("
            "coalesce(expense_type, '') || ' ' || coalesce(description, '')), ?)) "
            "ORDER BY org_id, paid_on, source_sha256, source_line", [pattern])
    finally:
        book.con.unregister("_known_suppliers")


def infer(book: Book) -> tuple[list[dict], list[dict]]:
    """(inferred systems, unmatched software spend) as rows for the two tables."""
    matcher = Matcher()
    declared = set(book.query("SELECT DISTINCT org_id, capability FROM system"))
    groups: dict[tuple, dict] = {}
    unmatched: dict[tuple, dict] = {}
    for line in _candidate_lines(book, matcher):
        found = matcher.match(line["supplier_name"], line["expense_type"], line["description"])
        ref = f"{line['source_sha256']}:{line['source_line']}"
        if found is None:
            text = normalise(f"{line['expense_type'] or ''} {line['description'] or ''}")
            if UNMATCHED.search(text):
                row = unmatched.setdefault((line["org_id"], line["supplier_name"] or ""), {
                    "org_id": line["org_id"], "supplier_name": line["supplier_name"] or "", "lines": 0,
                    "amount_gbp": Decimal(0), "first_paid": line["paid_on"], "last_paid": line["paid_on"],
                    "example": " / ".join(v for v in (line["expense_type"], line["description"]) if v)[:200],
                    "evidence": []})
                row["lines"] += 1
                row["amount_gbp"] += line["amount_gbp"]
                row["last_paid"] = line["paid_on"]
                if len(row["evidence"]) < 20:
                    row["evidence"].append(ref)
            continue
        product = found.product
        key = (line["org_id"], line["paid_on"].year, product.capability, product.product_id)
        group = groups.setdefault(key, {
            "org_id": key[0], "year": key[1], "capability": product.capability, "product_id": product.product_id,
            "product": product.product, "vendor": product.supplier, "service": product.service,
            "annual_gbp": Decimal(0), "licence_gbp": Decimal(0), "support_gbp": Decimal(0),
            "hosting_gbp": Decimal(0), "other_gbp": Decimal(0), "lines": 0, "months": set(), "confidence": 0.0,
            "rules": set(), "suppliers": set(), "evidence": [],
            "declared": (key[0], product.capability) in declared, "source": SOURCE})
        group["annual_gbp"] += line["amount_gbp"]
        group[f"{found.component}_gbp"] += line["amount_gbp"]
        group["lines"] += 1
        group["months"].add(line["paid_on"].month)
        group["confidence"] = max(group["confidence"], found.confidence)
        group["rules"].add(found.rule)
        group["suppliers"].add(line["supplier_name"] or "")
        if len(group["evidence"]) < MAX_EVIDENCE:
            group["evidence"].append(ref)
    systems = []
    for group in groups.values():
        if group["annual_gbp"] <= 0:
            continue  # credits and refunds alone say nothing about what a body runs
        systems.append({**group, "months": len(group["months"]), "rules": sorted(group["rules"]),
                        "suppliers": sorted(group["suppliers"])})
    return systems, [r for r in unmatched.values() if r["amount_gbp"] > 0]


def refresh(book: Book) -> dict[str, int]:
    """Re-infer every body's systems from the book's spend and replace the stored rows."""
    systems, unmatched = infer(book)
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    money = pa.decimal128(18, 2)
    systems_table = pa.Table.from_pylist([{**r, "computed_at": now} for r in systems], schema=pa.schema([
        ("org_id", pa.string()), ("year", pa.int32()), ("capability", pa.string()), ("product_id", pa.string()),
        ("product", pa.string()), ("vendor", pa.string()), ("service", pa.string()), ("annual_gbp", money),
        ("licence_gbp", money), ("support_gbp", money), ("hosting_gbp", money), ("other_gbp", money),
        ("lines", pa.int32()), ("months", pa.int32()), ("confidence", pa.float64()),
        ("rules", pa.list_(pa.string())), ("suppliers", pa.list_(pa.string())), ("evidence", pa.list_(pa.string())),
        ("declared", pa.bool_()), ("source", pa.string()), ("computed_at", pa.timestamp("us"))]))
    unmatched_table = pa.Table.from_pylist([{**r, "computed_at": now} for r in unmatched], schema=pa.schema([
        ("org_id", pa.string()), ("supplier_name", pa.string()), ("lines", pa.int32()), ("amount_gbp", money),
        ("first_paid", pa.date32()), ("last_paid", pa.date32()), ("example", pa.string()),
        ("evidence", pa.list_(pa.string())), ("computed_at", pa.timestamp("us"))]))
    book.replace_rows("system_inferred", systems_table, "true")
    book.replace_rows("software_unmatched", unmatched_table, "true")
    return {"systems": systems_table.num_rows, "unmatched": unmatched_table.num_rows}
