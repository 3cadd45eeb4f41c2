"""What the measures, scorecard, index and alerts pages show, as plain rows, shared by the pages and the API.

Nothing here writes to the book: the pages serve a read-only book, so the measures are run (and
the index recomputed under a reader's weights) in memory on each request, from the same
analyse functions `openbook measures` and `openbook index` store.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from openbook.analyse import value_index
from openbook.analyse.measures import Measure, limits, load_measures
from openbook.analyse.measures.payload import basis_text, comparator_text
from openbook.analyse.measures.runner import MeasureSettings, choose_period, run
from openbook.errors import UsageError
from openbook.store.book import Book

PEERS = ("kind", "sector", "neighbours")
DEFAULT_PEERS = "sector"  # the demo and most small books have too few bodies of one kind to rank them
ROW_COLUMNS = ("measure_id", "org_id", "name", "kind", "sector", "period", "value", "numerator", "denominator",
               "months", "basis", "comparator", "peer_group", "peers", "percentile", "decile", "peer_p10",
               "peer_median", "peer_p90", "target_centile", "target_value", "saving_gbp", "saving_counted", "note",
               "status", "rank", "rank_best", "rank_worst", "rank_text", "limits", "lower_95", "upper_95",
               "lower_998", "upper_998", "rel_se")


def measures_by_id() -> dict[str, Measure]:
    return {m.id: m for m in load_measures()}


def describe(measure: Measure) -> dict:
    return {"id": measure.id, "title": measure.title, "description": measure.description,
            "why_it_matters": measure.why_it_matters.strip(), "direction": measure.direction, "unit": measure.unit,
            "function": measure.function, "cost_based": measure.cost_based, "savings": measure.savings,
            "authored_by": measure.authored_by, "checked_by": measure.checked_by,
            "date_reviewed": measure.date_reviewed, "next_review": measure.next_review}


def measure_view(book: Book, measure: Measure, peers: str, period: str | None = None) -> dict:
    """Every body's value for the measure in its chosen year, ranked, with the savings to the target centile."""
    results = run(book, measures=[measure], comparator=peers)
    year = period or choose_period(results.rows) or max((r["period"] for r in results.rows), default=None)
    rows = sorted((_row(r) for r in results.rows if r["period"] == year),
                  key=lambda r: (r["value"], r["org_id"]))
    counted = [r for r in rows if r["saving_counted"]]
    return {"measure": describe(measure), "period": year, "periods": sorted({r["period"] for r in results.rows}),
            "peers": peers, "peers_text": comparator_text(results), "basis": basis_text(results, measure),
            "target_centile": results.settings.target_centile, "min_peers": results.settings.min_peers,
            "rows": rows, "ranked": sum(1 for r in rows if r["percentile"] is not None),
            "savings_total_gbp": sum((r["saving_gbp"] for r in counted), Decimal(0)), "notes": results.notes}


def scorecard(book: Book, org_id: str, peers: str, results=None) -> list[dict]:
    """The body's row on every measure, in the year each measure shows; where it has no value, whether the
    measure is 'missing' (not published) or 'not applicable' (not done by bodies of its kind)."""
    results = results or run(book, comparator=peers)
    out = []
    for measure in results.measures.values():
        rows = [r for r in results.rows if r["measure_id"] == measure.id]
        year = choose_period(rows)
        mine = [r for r in rows if r["org_id"] == org_id and (year is None or r["period"] == year)]
        mine = mine or sorted((r for r in rows if r["org_id"] == org_id), key=lambda r: r["period"])[-1:]
        if not mine:
            gaps = sorted((g for g in results.gaps if g["measure_id"] == measure.id and g["org_id"] == org_id),
                          key=lambda g: (g["period"] == year, g["period"]))
            mine = [{**g, "note": g["reason"]} for g in gaps[-1:]]
        for row in mine:
            out.append({**_row(row), "title": measure.title, "unit": measure.unit, "direction": measure.direction,
                        "basis_text": basis_text(results, measure)})
    return out


def profile(book: Book, org_id: str, peers: str) -> dict:
    """Each measure's position against peers and each index input on its own: no composite score."""
    results = run(book, comparator=peers)
    measures = scorecard(book, org_id, peers, results)
    for row in measures:
        row["position"] = _position(row)
    levels = value_index.compute(book, results, value_index.load_weights())
    entry = next((e for e in levels["body"] if e["key"] == org_id), None)
    inputs = [{"input": name, "score": entry["scores"][name] if entry else None,
               "status": entry["status"][name] if entry else "missing"} for name in value_index.INPUTS]
    return {"org_id": org_id, "peers": peers, "peers_text": comparator_text(results), "measures": measures,
            "inputs": inputs}


def _position(row: dict) -> str:
    """Where the body sits, in words: inside or outside its control limits, and its rank with its interval."""
    if row["status"] in ("missing", "not applicable"):
        return f"{row['status']}: {row['note']}"
    if row["percentile"] is None:
        return "not ranked: too few comparators"
    worse = "above" if row["direction"] != "higher" else "below"
    if row["limits"] is None:
        where = "no control limits"
    elif row["limits"] == "within":
        where = "within the 95% limits of the peer median"
    else:
        side, level = row["limits"].split(" ")
        where = f"{side} the {level} limit" + (" (worse than peers)" if side == worse and row["direction"] != "none"
                                               else " (better than peers)" if row["direction"] != "none" else "")
    return f"{row['rank_text']}; {where}"


def _row(row: dict) -> dict:
    out = {c: row.get(c) for c in ROW_COLUMNS}
    if out["status"] is None:
        out["status"] = "ranked" if row.get("percentile") is not None else "not ranked"
    if out["rank_text"] is None:
        out["rank_text"] = limits.rank_text(row.get("rank"), row.get("rank_best"), row.get("rank_worst"),
                                            row.get("peers"))
    return out


def weights_from(cost_efficiency: float | None, duplication: float | None, openness: float | None,
                 blocks: float | None) -> dict:
    """The published weights, with any a reader gave in their place (checked as a weights file is)."""
    published = value_index.load_weights()
    given = {"cost_efficiency": cost_efficiency, "duplication": duplication, "openness": openness, "blocks": blocks}
    if all(v is None for v in given.values()):
        return published
    weights = {k: float(v if v is not None else published["weights"][k]) for k, v in given.items()}
    if any(w < 0 for w in weights.values()):
        raise UsageError("every weight must be a number of at least 0")
    if not any(weights.values()):
        raise UsageError("at least one weight must be above 0")
    digest = hashlib.sha256(json.dumps([weights, published["min_bodies"]], sort_keys=True).encode()).hexdigest()
    return {"weights": weights, "min_bodies": published["min_bodies"], "sha256": digest,
            "source": "the weights given on this page"}


def index_rows(book: Book, weights: dict, level: str, peers: str) -> list[dict]:
    """The index at one level, best first, computed in memory (the stored index is left as it is)."""
    if level not in value_index.LEVELS:
        raise UsageError(f"level {level!r} is not one of {', '.join(value_index.LEVELS)}")
    levels = value_index.compute(book, run(book, comparator=peers, settings=MeasureSettings()), weights)
    out = []
    for rank, entry in enumerate(levels[level], start=1):
        out.append({"rank": rank, "level": level, "key": entry["key"], "name": entry["name"], "index": entry["index"],
                    **{name: entry["scores"][name] for name in value_index.INPUTS},
                    **{f"{name}_status": entry["status"][name] for name in value_index.INPUTS},
                    **{f"{name}_scored_as": entry["scored_as"][name] for name in value_index.INPUTS},
                    **{f"weight_{name}": entry["applied_weights"].get(name) for name in value_index.INPUTS},
                    "org_id": entry.get("org_id") or (entry["key"] if level == "body" else None),
                    "function": entry.get("function") or (entry["key"] if level == "function" else None)})
    return out
