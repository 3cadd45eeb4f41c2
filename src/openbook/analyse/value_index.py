"""The public value index: one published, re-weightable score per service, body, function and sector.

Four inputs, each a score from 0 (worst) to 100 (best), all read from what bodies publish:

- cost efficiency: for a body, its declared measures against its comparators (1 − percentile rank
  where lower is better, the rank where higher is); for a function or sector, the share of the
  cost base that is not above the comparators' target centile;
- duplication: the share of its spend and systems that is not in admin functions and system
  capabilities that many bodies pay for separately;
- openness: the quality of its publication (`publication_openness`);
- blocks: the share of its systems that run on a shared Lego block.

An input a body has no score for is either 'not applicable' (it does not do that: a function's
own publication has no openness score; no measure applies to bodies of its kind) and is left out,
the weights of the rest rescaled; or 'missing' (it did not publish what the input is read from)
and is scored as the worst score any entry at that level has, so a missing input never lifts an
index. The index is the weighted mean of the inputs so filled; the weights (standard/value_index.toml,
or a user's file) are returned beside every score. Means are taken with `math.fsum` over values
sorted by body, so the index does not depend on the order bodies are read in.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa

from openbook import standard
from openbook.errors import UsageError
from openbook.store.book import Book

INPUTS = ("cost_efficiency", "duplication", "openness", "blocks")
LEVELS = ("service", "body", "function", "sector")  # a service is one body's administrative function


# ---------------------------------------------------------------- weights


def load_weights(path: Path | None = None) -> dict:
    """{'weights': {input: w}, 'min_bodies': n, 'sha256': …, 'source': …}; weights are checked, not normalised."""
    if path is None:
        data, source = standard.value_index_weights(), "standard/value_index.toml"
    else:
        try:
            data, source = tomllib.loads(Path(path).read_text(encoding="utf-8")), str(path)
        except FileNotFoundError:
            raise UsageError(f"{path}: no such weights file") from None
        except tomllib.TOMLDecodeError as error:
            raise UsageError(f"{path}: not valid TOML: {error}") from None
    weights = data.get("weights", {})
    unknown = sorted(set(weights) - set(INPUTS))
    if unknown:
        raise UsageError(f"{source}: unknown input {unknown[0]!r} in [weights] (known: {', '.join(INPUTS)})")
    if any(not isinstance(w, (int, float)) or isinstance(w, bool) or w < 0 for w in weights.values()):
        raise UsageError(f"{source}: every weight must be a number of at least 0")
    if not any(weights.values()):
        raise UsageError(f"{source}: at least one weight must be above 0")
    full = {name: float(weights.get(name, 0)) for name in INPUTS}
    min_bodies = int(data.get("settings", {}).get("min_bodies", 3))
    digest = hashlib.sha256(json.dumps([full, min_bodies], sort_keys=True).encode()).hexdigest()
    return {"weights": full, "min_bodies": min_bodies, "sha256": digest, "source": source}


def composite(scores: dict[str, float | None], weights: dict[str, float]) -> tuple[float | None, dict[str, float]]:
    """The weighted mean of the inputs that have a score, and the weights as applied (summing to 1)."""
    present = [name for name in INPUTS if scores.get(name) is not None and weights.get(name, 0) > 0]
    total = math.fsum(weights[name] for name in present)
    if not present or total == 0:
        return None, {}
    applied = {name: weights[name] / total for name in present}
    return math.fsum(applied[name] * scores[name] for name in present), applied


# ---------------------------------------------------------------- inputs


def cost_efficiency(latest_rows: list[dict], *, by_service: bool = False,
                    missing: list[dict] = ()) -> dict[str, float]:
    """By body (or service, 'org_id/function'): the mean, ×100, of its oriented ranks (1 − rank where
    lower is better) on directed measures; a measure `missing` for a body that has ranks counts as 0,
    the worst rank, so leaving a figure out never lifts the mean."""
    groups: dict[str, list[float]] = defaultdict(list)
    ranked = {(r["org_id"], r["measure_id"]) for r in latest_rows if r["percentile"] is not None}
    for gap in sorted(missing, key=lambda g: (g["org_id"], g["measure_id"])):
        if gap.get("direction") not in ("lower", "higher") or (gap["org_id"], gap["measure_id"]) in ranked:
            continue
        if by_service and not gap.get("function"):
            continue
        key = f"{gap['org_id']}/{gap['function']}" if by_service else gap["org_id"]
        groups[key].append(0.0)
    for row in sorted(latest_rows, key=lambda r: (r["org_id"], r["measure_id"])):
        direction = row.get("direction")
        if row["percentile"] is None or direction not in ("lower", "higher") or (by_service and not row.get("function")):
            continue
        key = f"{row['org_id']}/{row['function']}" if by_service else row["org_id"]
        groups[key].append(100 * (1 - row["percentile"] if direction == "lower" else row["percentile"]))
    scored = {r["org_id"] if not by_service else f"{r['org_id']}/{r['function']}"
              for r in latest_rows if r["percentile"] is not None}
    return _means({k: v for k, v in groups.items() if k in scored})  # gaps alone are a 'missing' input


def cost_at_target(latest_rows: list[dict], key: str) -> dict[str, float]:
    """By function or sector: 100 × (1 − savings to the target centile ÷ cost) over the savings measures.

    Ranks average to a half over any whole peer group, so above a body the question becomes how
    much of the cost base sits above the target: 100 when every body is at or below it.
    """
    gaps: dict[str, list[float]] = defaultdict(list)
    costs: dict[str, list[float]] = defaultdict(list)
    for row in sorted(latest_rows, key=lambda r: (r["org_id"], r["measure_id"])):
        if not row.get("counts_in_savings") or row["saving_gbp"] is None or not row.get(key):
            continue
        gaps[row[key]].append(float(row["saving_gbp"]))
        costs[row[key]].append(row["numerator"])
    return {k: 100 * (1 - math.fsum(gaps[k]) / math.fsum(costs[k])) for k in sorted(costs) if math.fsum(costs[k]) > 0}


def duplication(book: Book, min_bodies: int) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """(by body, by function, by service): 100 × (1 − the share of £ in duplicated admin functions and systems).

    Functions and services are scored on the systems that serve them (spend in a function is all
    duplicated where many bodies pay for it, so it would say nothing there).
    """
    admin = {row["code"] for row in standard.code_list("functions") if row["kind"] == "admin"}
    spend = book.ibis().table("spend_current")
    positive = spend.filter(spend.amount_gbp > 0)
    by_function = positive.group_by(["org_id", "function"]).aggregate(gbp=positive.amount_gbp.sum())
    cells = by_function.to_pyarrow().to_pylist()
    bodies_per_function: dict[str, set] = defaultdict(set)
    for cell in cells:
        if cell["function"] in admin:
            bodies_per_function[cell["function"]].add(cell["org_id"])
    duplicated_functions = {f for f, bodies in bodies_per_function.items() if len(bodies) >= min_bodies}
    # Lists summed with fsum: the same total whatever order the rows arrive in.
    total: dict[str, list[float]] = defaultdict(list)
    duplicated: dict[str, list[float]] = defaultdict(list)
    for cell in cells:
        total[cell["org_id"]].append(float(cell["gbp"]))
        if cell["function"] in duplicated_functions:
            duplicated[cell["org_id"]].append(float(cell["gbp"]))
    systems = _systems(book)
    separate: dict[str, set] = defaultdict(set)
    for system in systems:
        if not system["shared"]:
            separate[system["capability"]].add(system["org_id"])
    function_total: dict[str, list[float]] = defaultdict(list)
    function_duplicated: dict[str, list[float]] = defaultdict(list)
    for system in systems:
        cost = system["cost"]
        is_duplicated = not system["shared"] and len(separate[system["capability"]]) >= min_bodies
        total[system["org_id"]].append(cost)
        duplicated[system["org_id"]].append(cost if is_duplicated else 0.0)
        if system["function"]:
            for key in (system["function"], f"{system['org_id']}/{system['function']}"):
                function_total[key].append(cost)
                function_duplicated[key].append(cost if is_duplicated else 0.0)
    by_key = _unduplicated(function_duplicated, function_total)
    return (_unduplicated(duplicated, total), {k: v for k, v in by_key.items() if "/" not in k},
            {k: v for k, v in by_key.items() if "/" in k})


def _unduplicated(duplicated: dict[str, list[float]], total: dict[str, list[float]]) -> dict[str, float]:
    shares = {}
    for key in sorted(total):
        whole = math.fsum(total[key])
        if whole > 0:
            shares[key] = 100 * (1 - math.fsum(duplicated.get(key, [])) / whole)
    return shares


def publication_openness(book: Book) -> dict[str, float]:
    """Publication quality per body, 0-100: the mean of rows accepted, £ classified and months published.

    One small function on purpose: the publication-quality checks (per-body scores kept with the
    review of findings) replace its body when they land, and every caller keeps this name.
    - accepted: rows accepted ÷ rows accepted or quarantined, over the files the body's spend came from;
    - classified: £ (gross) of its current spend with a function ÷ all of it;
    - continuity: months with spend in the twelve ending with its latest month ÷ 12.
    """
    con = book.ibis()
    spend = con.table("spend_current")
    files = spend.select("org_id", "source_sha256").distinct()
    source = con.table("source")
    joined = files.join(source, files.source_sha256 == source.sha256)
    accepted = {r["org_id"]: r for r in joined.group_by("org_id").aggregate(
        accepted=joined.rows_accepted.sum(), quarantined=joined.rows_quarantined.sum()).to_pyarrow().to_pylist()}
    gross = spend.amount_gbp.abs()
    classified = {r["org_id"]: r for r in spend.group_by("org_id").aggregate(
        gross=gross.sum(), classified=gross.sum(where=spend.function.notnull()),
        last=spend.paid_on.max()).to_pyarrow().to_pylist()}
    months = spend.filter(spend.paid_on.notnull()).select("org_id", month=spend.paid_on.truncate("M")).distinct()
    published: dict[str, list] = defaultdict(list)
    for row in months.to_pyarrow().to_pylist():
        published[row["org_id"]].append(row["month"])
    scores = {}
    for org_id in sorted(classified):
        parts = []
        a = accepted.get(org_id)
        if a and (a["accepted"] or 0) + (a["quarantined"] or 0) > 0:
            parts.append(a["accepted"] / (a["accepted"] + a["quarantined"]))
        c = classified[org_id]
        if c["gross"]:
            parts.append(float((c["classified"] or 0) / c["gross"]))
        if published[org_id]:
            last = max(published[org_id])
            window = {(last.year * 12 + last.month - 1) - i for i in range(12)}
            parts.append(sum(1 for m in set(published[org_id]) if m.year * 12 + m.month - 1 in window) / 12)
        if parts:
            scores[org_id] = 100 * math.fsum(parts) / len(parts)
    return scores


def block_use(book: Book) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """(by body, by function, by service): 100 × the share of systems on a shared block (by count)."""
    body: dict[str, list[float]] = defaultdict(list)
    function: dict[str, list[float]] = defaultdict(list)
    service: dict[str, list[float]] = defaultdict(list)
    for system in _systems(book):
        score = 100.0 if system["shared"] else 0.0
        body[system["org_id"]].append(score)
        if system["function"]:
            function[system["function"]].append(score)
            service[f"{system['org_id']}/{system['function']}"].append(score)
    return _means(body), _means(function), _means(service)


def _systems(book: Book) -> list[dict]:
    """Each system with its cost, the function its block serves, and whether it runs on a shared block.

    Shared: hosted as a shared service, or the product is one of the block's named UK shared
    components (blocks.toml `uk_components`, e.g. GOV.UK Pay).
    """
    blocks = standard.blocks()
    table = book.ibis().table("system").order_by(["org_id", "system_ref"]).to_pyarrow().to_pylist()
    out = []
    for row in table:
        block = blocks.get(row["capability"], {})
        names = " ".join(filter(None, [row["product"], row["name"]])).casefold()
        shared = row["hosting"] == "shared-service" or any(
            c.casefold() in names for c in block.get("uk_components", []))
        out.append({"org_id": row["org_id"], "capability": row["capability"], "shared": shared,
                    "function": block.get("function") or row["function"],
                    "cost": float(row["annual_cost_gbp"] or 0)})
    return out


def _means(groups: dict[str, list[float]]) -> dict[str, float]:
    return {key: math.fsum(values) / len(values) for key, values in sorted(groups.items()) if values}


# ---------------------------------------------------------------- the index


def compute(book: Book, results, weights: dict) -> dict[str, list[dict]]:
    """The index at every level: {'service': [...], 'body': [...], 'function': [...], 'sector': [...]}, best first.

    `results` is a measures run (runner.run) with bodies of the same kind as comparators.
    """
    latest = [{**row, "direction": results.measures[row["measure_id"]].direction,
               "counts_in_savings": results.measures[row["measure_id"]].savings} for row in results.latest()]
    missing = [{**gap, "direction": results.measures[gap["measure_id"]].direction,
                "function": results.measures[gap["measure_id"]].function}
               for gap in results.gaps if gap["status"] == "missing"]
    efficiency_body, efficiency_function = cost_efficiency(latest, missing=missing), cost_at_target(latest, "function")
    efficiency_sector = cost_at_target(latest, "sector")
    efficiency_service = cost_efficiency(latest, by_service=True, missing=missing)
    gap_bodies = {gap["org_id"] for gap in missing}
    gap_services = {f"{gap['org_id']}/{gap['function']}" for gap in missing if gap["function"]}
    duplication_body, duplication_function, duplication_service = duplication(book, weights["min_bodies"])
    openness_body = publication_openness(book)
    blocks_body, blocks_function, blocks_service = block_use(book)
    sectors = {row["code"]: row["sector"] for row in standard.code_list("organisation_kinds")}
    names = {r["org_id"]: r for r in book.ibis().table("organisation").select("org_id", "name", "kind")
             .to_pyarrow().to_pylist()}
    body_inputs = {"cost_efficiency": efficiency_body, "duplication": duplication_body,
                   "openness": openness_body, "blocks": blocks_body}
    bodies = sorted(set().union(*body_inputs.values()) & set(names))
    levels: dict[str, list[dict]] = {level: [] for level in LEVELS}
    by_sector: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for org_id in bodies:
        scores = {name: body_inputs[name].get(org_id) for name in INPUTS}
        sector = sectors.get(names[org_id]["kind"], "other")
        absent = {"cost_efficiency": MISSING if org_id in gap_bodies else NOT_APPLICABLE}
        levels["body"].append(_entry("body", org_id, names[org_id]["name"], scores, weights, absent, sector=sector))
        for name, score in scores.items():
            if score is not None:
                by_sector[sector][name].append(score)
    for sector in sorted(by_sector):
        scores = {name: (math.fsum(v) / len(v) if (v := by_sector[sector].get(name)) else None) for name in INPUTS}
        scores["cost_efficiency"] = efficiency_sector.get(sector)
        levels["sector"].append(_entry("sector", sector, sector, scores, weights, _NOT_APPLICABLE,
                                       bodies=len({b["key"] for b in levels["body"] if b["sector"] == sector})))
    labels = standard.labels("functions")
    for service in sorted(set(efficiency_service) | set(duplication_service) | set(blocks_service)):
        org_id, function = service.split("/", 1)
        if org_id not in names:
            continue
        scores = {"cost_efficiency": efficiency_service.get(service), "duplication": duplication_service.get(service),
                  "openness": openness_body.get(org_id), "blocks": blocks_service.get(service)}
        has_systems = org_id in blocks_body  # a body with a systems list has none serving this function
        absent = {"cost_efficiency": MISSING if service in gap_services else NOT_APPLICABLE,
                  "duplication": NOT_APPLICABLE if has_systems else MISSING,
                  "blocks": NOT_APPLICABLE if has_systems else MISSING}
        levels["service"].append(_entry("service", service, f"{names[org_id]['name']}: {labels.get(function, function)}",
                                        scores, weights, absent, org_id=org_id, function=function))
    for function in sorted(set(efficiency_function) | set(duplication_function) | set(blocks_function)):
        scores = {"cost_efficiency": efficiency_function.get(function), "duplication": duplication_function.get(function),
                  "openness": None, "blocks": blocks_function.get(function)}
        levels["function"].append(_entry("function", function, labels.get(function, function), scores, weights,
                                         _NOT_APPLICABLE))
    for rows in levels.values():
        _fill_missing(rows, weights)
        rows.sort(key=lambda r: (r["index"] is None, -(r["index"] or 0), r["key"]))
    return levels


MISSING, NOT_APPLICABLE = "missing", "not applicable"
_NOT_APPLICABLE = {name: NOT_APPLICABLE for name in INPUTS}  # aggregates: an absent input is undefined there


def _entry(level: str, key: str, name: str, scores: dict, weights: dict, absent: dict, **extra) -> dict:
    """An entry before its index: each input 'scored', or absent as `absent` says ('missing' by default)."""
    status = {n: "scored" if scores[n] is not None else absent.get(n, MISSING) for n in INPUTS}
    return {"level": level, "key": key, "name": name, "index": None, "scores": scores, "status": status,
            "weights": weights["weights"], "applied_weights": {}, **extra}


def _fill_missing(entries: list[dict], weights: dict) -> None:
    """Score each missing input as the level's worst (0 where none has one), then take the index."""
    worst = {n: min((e["scores"][n] for e in entries if e["scores"][n] is not None), default=0.0) for n in INPUTS}
    for entry in entries:
        filled = {n: worst[n] if entry["status"][n] == MISSING else entry["scores"][n] for n in INPUTS}
        entry["scored_as"] = filled
        entry["index"], entry["applied_weights"] = composite(filled, weights["weights"])


def save_index(book: Book, levels: dict[str, list[dict]], weights: dict) -> int:
    """Replace the stored index with this one: one row per level, key and input, plus the index itself."""
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    rows = []
    for entries in levels.values():
        for entry in entries:
            for name in (*INPUTS, "index"):
                score = entry["index"] if name == "index" else entry["scores"][name]
                weight = None if name == "index" else entry["weights"][name]
                rows.append({"level": entry["level"], "key": entry["key"], "name": entry["name"], "input": name,
                             "score": score, "weight": weight, "weights_sha256": weights["sha256"], "computed_at": now})
    table = pa.Table.from_pylist(rows, schema=pa.schema([
        ("level", pa.string()), ("key", pa.string()), ("name", pa.string()), ("input", pa.string()),
        ("score", pa.float64()), ("weight", pa.float64()), ("weights_sha256", pa.string()),
        ("computed_at", pa.timestamp("us"))]))
    return book.replace_rows("value_index_score", table, "TRUE")
