"""Bodies without a value on a measure: 'not applicable' (it does not do that) or 'missing' (it did not publish).

The two must never look alike. A body is in the book for a year when it published spend that
year. Where no body of its sector (central, local, NHS …) has a value on a measure that year, the
measure does not apply there (a department serves no residents, so has no cost per resident): 'not
applicable', left out of every score. The sector rather than the kind, so that a kind with one
body in the book cannot turn its own gap into 'not applicable'. Where others of its sector do have one, the body's figure is
'missing': a gap in what it published, shown as such and never allowed to lift a score
(value_index scores it as the worst).
"""

from __future__ import annotations

from openbook.analyse.measures import Measure
from openbook.analyse.measures.bases import financial_year

NOT_APPLICABLE = "not applicable"
MISSING = "missing"


def gaps(values: list[dict], measure: Measure, bodies: dict, coverage: dict, min_months: int,
         size: str | None = None) -> list[dict]:
    """One row per body and year in the book with no value on the measure: status and reason."""
    periods = {row["period"] for row in values}
    have = {(row["org_id"], row["period"]) for row in values}
    sectors: dict[str, set] = {}
    for row in values:
        sectors.setdefault(row["period"], set()).add(bodies[row["org_id"]]["sector"])
    out = []
    for (org_id, fy), cover in sorted(coverage.items()):
        period = financial_year(fy)
        if period not in periods or (org_id, period) in have or org_id not in bodies or not cover.get("months"):
            continue
        body = bodies[org_id]
        if body["sector"] not in sectors[period]:
            status, reason = NOT_APPLICABLE, f"no {body['sector']} body has this measure in {period}"
        else:
            status, reason = MISSING, _reason(measure, body, cover, min_months, size)
        out.append({"measure_id": measure.id, "org_id": org_id, "name": body["name"], "kind": body["kind"],
                    "sector": body["sector"], "period": period, "status": status, "reason": reason})
    return out


def _reason(measure: Measure, body: dict, cover: dict, min_months: int, size: str | None) -> str:
    """Why a body of a sector that has the measure has no value: the first missing input."""
    if cover["months"] < min_months:
        return f"only {cover['months']} months of spend published (fewer than {min_months})"
    sources = {measure.numerator.source, measure.denominator.source}
    if "size" in sources:
        sources.add("staff" if size == "per-fte" else "population")
    if "staff" in sources and not body.get("staff_fte"):
        return "no staff figure published (registry or organogram)"
    if "population" in sources and not body.get("population_served"):
        return "no population figure in the registry"
    if "posts" in sources:
        return "no organogram for the year, or none of its posts counted"
    return "none of its published spend that year is in what the measure counts"
