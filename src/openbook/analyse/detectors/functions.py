"""The same function in many bodies: each body's cost of an administrative function against its peers.

As OpenPrescribing does for prescribing: one figure per body (cost per head of population
served, per employee, or as a share of its spend), compared only with bodies of the same kind,
placed in deciles, and the gap to the peer median and best quartile priced in pounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import ibis
import ibis.expr.types as ir

from openbook import standard
from openbook.analyse.classify.floor import CONFIDENCE_FLOOR, sure
from openbook.analyse.denominators import body_context, staff_near
from openbook.analyse.findings import Finding
from openbook.formatting import per_basis
from openbook.store.book import Book

BASES = ("per_head", "per_employee", "share")
_DENOMINATOR = {"per_head": "population_served", "per_employee": "staff_fte", "share": "body_total_gbp"}
_UNIT = {"per_head": "per head", "per_employee": "per employee", "share": "of its spend"}


@dataclass(frozen=True)
class FunctionSettings:
    """Declared thresholds; docs/methodology.md explains each."""

    min_peers: int = 5  # fewer comparable bodies than this and no finding is made
    min_gap_gbp: Decimal = Decimal("10000")  # gaps to the peer median below this are not findings
    outlier_iqr: float = 1.5  # an outlier lies above the upper quartile + this × the interquartile range
    evidence_rows: int = 100  # the largest rows cited as a finding's evidence
    functions: tuple[str, ...] | None = None  # None: every admin function in the code list
    min_confidence: float = CONFIDENCE_FLOOR  # admin spend classified less surely than this is left out


def admin_functions() -> tuple[str, ...]:
    return tuple(row["code"] for row in standard.code_list("functions") if row["kind"] == "admin")


def function_costs(book: Book, settings: FunctionSettings = FunctionSettings()) -> ir.Table:
    """One row per body and admin function it spends on, with the three bases and its peer group."""
    con = book.ibis()
    spend = con.table("spend_current")
    functions = list(settings.functions or admin_functions())
    body_totals = spend.group_by("org_id").aggregate(body_total_gbp=spend.amount_gbp.sum(),
                                                     first_paid=spend.paid_on.min(), last_paid=spend.paid_on.max())
    admin = sure(spend.filter(spend.function.isin(functions)), settings.min_confidence)
    costs = admin.group_by(["org_id", "function"]).aggregate(cost_gbp=admin.amount_gbp.sum(), lines=admin.count())
    rows = costs.join(body_totals, "org_id").join(body_context(book), "org_id")
    # A body that books nothing to a function is left out rather than counted as spending
    # nothing: far more often its spend is unclassified than the function absent.
    rows = rows.filter(rows.cost_gbp > 0)
    cost = rows.cost_gbp.cast("float64")
    return rows.mutate(
        per_head=ibis.ifelse(rows.population_served > 0, cost / rows.population_served.cast("float64"), ibis.null()),
        # Staff counted more than 12 months from the body's spend give no per-employee figure.
        per_employee=ibis.ifelse((rows.staff_fte > 0) & staff_near(rows.staff_as_of, rows.first_paid, rows.last_paid),
                                 cost / rows.staff_fte, ibis.null()),
        share=ibis.ifelse(rows.body_total_gbp > 0, cost / rows.body_total_gbp.cast("float64"), ibis.null()),
    )


def benchmark(book: Book, settings: FunctionSettings = FunctionSettings()) -> list[dict]:
    """Every body × admin function: its figure on each basis, peer quartiles, decile and £ gaps.

    The basis used for the gap is the first of per head, per employee and share of spend that
    the body and at least `min_peers` peers have.
    """
    rows = function_costs(book, settings)
    peer_keys = ["function", "kind"]
    stats = {}
    ranked = rows
    for basis in BASES:
        known = rows.filter(rows[basis].notnull())
        stats[basis] = {
            (r["function"], r["kind"]): r for r in known.group_by(peer_keys).aggregate(
                peers=known.count(), p25=known[basis].quantile(0.25), median=known[basis].quantile(0.5),
                p75=known[basis].quantile(0.75)).to_pyarrow().to_pylist()}
        # Ranks are partitioned by function and kind, so they run as windows on any engine.
        rank = ibis.percent_rank().over(group_by=[*peer_keys, ranked[basis].isnull()], order_by=ranked[basis])
        ranked = ranked.mutate(**{f"{basis}_rank": ibis.ifelse(ranked[basis].notnull(), rank, ibis.null())})
    result = []
    for row in ranked.order_by(["function", "kind", "org_id"]).to_pyarrow().to_pylist():
        row["basis"] = None
        for basis in BASES:
            peer = stats[basis].get((row["function"], row["kind"]))
            if row[basis] is None or peer is None or peer["peers"] < settings.min_peers:
                continue
            row.update(basis=basis, value=row[basis], peers=peer["peers"], peer_p25=peer["p25"],
                       peer_median=peer["median"], peer_p75=peer["p75"], percentile=row[f"{basis}_rank"])
            row["decile"] = min(int(row["percentile"] * 10) + 1, 10)
            spread = peer["p75"] - peer["p25"]
            row["outlier"] = row[basis] > peer["p75"] + settings.outlier_iqr * spread
            denominator = Decimal(str(row[_DENOMINATOR[basis]]))
            row["gap_to_median_gbp"] = _gap(row["cost_gbp"], peer["median"], denominator)
            row["gap_to_best_quartile_gbp"] = _gap(row["cost_gbp"], peer["p25"], denominator)
            break
        result.append(row)
    return result


def _gap(cost: Decimal, target: float, denominator: Decimal) -> Decimal:
    """What the body would spend at the target figure, below what it does spend; never negative."""
    at_target = (Decimal(str(target)) * denominator).quantize(Decimal("0.01"))
    return max(cost - at_target, Decimal(0))


def findings(book: Book, settings: FunctionSettings = FunctionSettings()) -> list[Finding]:
    """A finding for each body whose cost of a function is above its peers' median by enough to matter."""
    labels = standard.labels("functions")
    kinds = standard.labels("organisation_kinds")
    found = []
    for row in benchmark(book, settings):
        if row["basis"] is None or row["gap_to_median_gbp"] < settings.min_gap_gbp:
            continue
        function, basis = labels.get(row["function"], row["function"]), row["basis"]
        found.append(Finding(
            kind="function-cost-above-peers", detector="functions", org_ids=[row["org_id"]],
            key=row["function"],
            title=(f"{row['name']} spends {_figure(row['value'], basis)} {_UNIT[basis]} on {function.lower()}, "
                   f"against a median of {_figure(row['peer_median'], basis)} among {row['peers']} "
                   f"{kinds.get(row['kind'], row['kind']).lower()}s (decile {row['decile']})"),
            description=_describe(row, function),
            gbp_at_stake=row["gap_to_median_gbp"],
            formula=(f"cost £{row['cost_gbp']:,.2f} − peer median {_figure(row['peer_median'], basis)} "
                     f"{_UNIT[basis]} × {_denominator_text(row, basis)} = £{row['gap_to_median_gbp']:,.2f}"),
            confidence=_confidence(row),
            evidence=_evidence(book, row["org_id"], row["function"], settings),
            needs_review=True,  # measured on the labelled corpus: no genuine finding (docs/methodology.md)
        ))
    return found


def _figure(value: float, basis: str) -> str:
    return per_basis(value, basis, places=1)


def _denominator_text(row: dict, basis: str) -> str:
    value = row[_DENOMINATOR[basis]]
    if basis == "per_head":
        return f"population {value:,}"
    if basis == "per_employee":
        return f"{value:,.0f} staff (FTE)"
    return f"total spend £{value:,.2f}"


def _describe(row: dict, function: str) -> str:
    outlier = " It is an outlier (above the upper quartile by more than 1.5 interquartile ranges)." if row[
        "outlier"] else ""
    return (f"{function} spend in the book for this body is £{row['cost_gbp']:,.2f} over {row['lines']:,} lines. "
            f"At the peers' best quartile it would be £{row['gap_to_best_quartile_gbp']:,.2f} lower.{outlier} "
            "Check first that the body's spend is classified like its peers' (a body that codes more of its "
            "spend to this function looks dearer) and that the periods published are comparable.")


def _confidence(row: dict) -> float:
    # Population and staff are real denominators; a share of spend also moves with everything else.
    base = {"per_head": 0.7, "per_employee": 0.65, "share": 0.5}[row["basis"]]
    return min(base + (0.1 if row["outlier"] else 0.0) + min(row["peers"], 20) / 200, 0.9)


def _evidence(book: Book, org_id: str, function: str, settings: FunctionSettings) -> list[tuple[str, int]]:
    spend = book.ibis().table("spend_current")
    rows = (spend.filter((spend.org_id == org_id) & (spend.function == function))
            .pipe(sure, settings.min_confidence).order_by([ibis.desc("amount_gbp"), "source_sha256", "source_line"])
            .limit(settings.evidence_rows)
            .select("source_sha256", "source_line").to_pyarrow().to_pylist())
    return [(r["source_sha256"], r["source_line"]) for r in rows]
