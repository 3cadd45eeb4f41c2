"""Inferred systems in the shape of declared `system` rows, for the capability map and the findings.

Each (body, capability, product) appears once, for its latest year in the book, and only where the
body declares no system for the capability (a published register wins over inference). `source`
says which is which, on every page and in the API; `residents` is the body's population from the
registry, the denominator for price per resident.
"""

from __future__ import annotations

from decimal import Decimal

from openbook.analyse.findings import parse_evidence
from openbook.analyse.systems_inference.infer import SOURCE
from openbook.store.book import Book

DECLARED = "declared"

__all__ = ["DECLARED", "SOURCE", "inferred_systems", "stored", "unmatched_software"]


def stored(book: Book) -> bool:
    """Whether the book has the inferred-systems table (a read-only book from an older openbook may not)."""
    return bool(book.query("SELECT count(*) FROM information_schema.tables WHERE table_name = 'system_inferred'")[0][0])


def inferred_systems(book: Book, *, org_id: str | None = None) -> list[dict]:
    """The latest year of each inferred (body, capability, product), as system rows, declared ones left out."""
    if not stored(book):
        return []
    where, params = ("AND i.org_id = ?", [org_id]) if org_id else ("", [])
    rows = book._dicts(
        "SELECT i.*, o.population_served AS residents FROM system_inferred i "
        "LEFT JOIN organisation o USING (org_id) WHERE NOT i.declared " + where +
        " QUALIFY row_number() OVER (PARTITION BY i.org_id, i.capability, i.product_id ORDER BY i.year DESC) = 1 "
        "ORDER BY i.org_id, i.capability, i.product_id", params)
    systems = []
    for row in rows:
        evidence = parse_evidence(row["evidence"])
        systems.append({
            "org_id": row["org_id"], "system_ref": f"inferred:{row['product_id']}:{row['year']}",
            "name": row["product"], "product": row["product"], "product_id": row["product_id"],
            "vendor": row["vendor"], "capability": row["capability"], "function": None, "hosting": None,
            "annual_cost_gbp": Decimal(row["annual_gbp"]), "users": None, "residents": row["residents"],
            "contract_ref": None, "contract_end": None, "as_of": None, "year": row["year"],
            "months": row["months"], "lines": row["lines"], "licence_gbp": row["licence_gbp"],
            "support_gbp": row["support_gbp"], "hosting_gbp": row["hosting_gbp"], "other_gbp": row["other_gbp"],
            "classified_by": "inferred-from-spend", "classification_confidence": row["confidence"],
            "source": SOURCE, "evidence": evidence,
            "source_sha256": evidence[0][0] if evidence else None,
            "source_line": evidence[0][1] if evidence else None,
        })
    return systems


def unmatched_software(book: Book, *, org_id: str | None = None, limit: int = 50) -> list[dict]:
    """Software spend no catalogue product explains, per body and payee, largest £ first: for review."""
    if not stored(book):
        return []
    where, params = ("WHERE u.org_id = ?", [org_id]) if org_id else ("", [])
    return book._dicts(
        "SELECT u.org_id, o.name AS body, u.supplier_name, u.lines, u.amount_gbp, u.first_paid, u.last_paid, "
        "u.example, u.evidence FROM software_unmatched u LEFT JOIN organisation o USING (org_id) " + where +
        " ORDER BY u.amount_gbp DESC, u.org_id, u.supplier_name LIMIT ?", params + [int(limit)])
