"""Measures results as plain data for every face (CLI --json, the API, the pages): rows, basis and savings."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

_COMPARATORS = {"kind": "bodies of the same kind", "sector": "bodies of the same sector",
                "neighbours": "each body's nearest neighbours"}


def shown_rows(results, org_id: str | None, period: str | None) -> list[dict]:
    """The rows to show: one body's (each measure's chosen year), or every body in each measure's chosen year."""
    from openbook.analyse.measures.runner import choose_period

    shown = []
    for measure_id in results.measures:
        rows = [r for r in results.rows if r["measure_id"] == measure_id]
        year = period or choose_period(rows)
        shown.extend(r for r in rows if r["period"] == year and (org_id is None or r["org_id"] == org_id))
    return shown


def comparator_text(results) -> str:
    return _COMPARATORS.get(results.comparator, f"the saved group {results.comparator!r}")


def basis_text(results, measure) -> str:
    size = results.basis.size_for(measure.default_basis) if measure.denominator.source == "size" else None
    money = measure.numerator.is_money and not measure.denominator.is_money
    return results.basis.describe(size, money) + ("; a ratio of £ to £" if measure.denominator.is_money else "")


def measures_payload(results, org_id: str | None, period: str | None) -> dict:
    """What a face shows: the measures with their basis in words, the rows, and counted savings by body,
    function and sector (money as Decimal; the JSON encoder writes it as text)."""
    from openbook.analyse.measures.centile_savings import counted_latest, totals

    rows = [{k: v for k, v in r.items() if k != "peer_values"}
            | {"status": "ranked" if r["percentile"] is not None else "not ranked"}
            for r in shown_rows(results, org_id, period)]
    counted = [r for r in counted_latest(results.rows) if org_id is None or r["org_id"] == org_id]
    return {
        "comparator": results.comparator, "comparator_text": comparator_text(results),
        "target_centile": results.settings.target_centile, "settings": asdict(results.settings),
        "measures": [{"id": m.id, "title": m.title, "unit": m.unit, "direction": m.direction, "function": m.function,
                      "cost_based": m.cost_based, "savings": m.savings, "why_it_matters": m.why_it_matters,
                      "checked_by": m.checked_by, "date_reviewed": m.date_reviewed, "next_review": m.next_review,
                      "basis": basis_text(results, m)} for m in results.measures.values()],
        "rows": rows,
        "gaps": [g for g in results.gaps if org_id is None or g["org_id"] == org_id],  # 'missing' or 'not applicable'
        "savings": {"total_gbp": sum((r["saving_gbp"] for r in counted), Decimal(0)),
                    "by_body": totals(counted, "org_id"), "by_function": totals(counted, "function"),
                    "by_sector": totals(counted, "sector")},
        "notes": results.notes,
    }
