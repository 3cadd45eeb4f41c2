"""Savings to the target centile as findings: each counted gap, with the payment lines behind it."""

from __future__ import annotations

import ibis

from openbook.analyse.findings import Finding
from openbook.analyse.measures import limits
from openbook.analyse.measures.runner import Results, spend_by_year
from openbook.store.book import Book

EVIDENCE_ROWS = 100  # the largest payment lines cited for one finding


def findings(book: Book) -> list[Finding]:
    """The detector: every measure, bodies of the same kind as comparators, default settings."""
    from openbook.analyse.measures.runner import run

    return measure_findings(book, run(book))


def measure_findings(book: Book, results: Results) -> list[Finding]:
    """One finding per body and measure whose latest counted saving clears the thresholds and whose value
    lies outside the 99.8% control limits on the worse side: a body inside them is not an outlier."""
    from openbook.analyse.measures.centile_savings import counted_latest

    counted = [row for row in counted_latest(results.rows)
               if limits.is_outlier(row.get("limits"), results.measures[row["measure_id"]].direction)]
    evidence = _evidence(book, results, {(r["measure_id"], r["org_id"], r["period"]) for r in counted})
    found = []
    for row in counted:
        measure = results.measures[row["measure_id"]]
        q = f"{row['target_centile']:.0%}"
        found.append(Finding(
            kind="measure-above-target-centile", detector="measures", org_ids=[row["org_id"]],
            key=f"{row['measure_id']}:{row['period']}",
            title=(f"{row['name']}: {measure.title.lower()} is {row['value']:,.4g} {measure.unit} in {row['period']}, "
                   f"against {row['target_value']:,.4g} at the {q} centile of {row['peers']} {row['peer_group']} peers"),
            description=(f"{measure.why_it_matters} Decile {row['decile']} of {row['peers']}, "
                         f"{limits.rank_text(row['rank'], row['rank_best'], row['rank_worst'], row['peers'])}, "
                         f"above the 99.8% control limit of {row['upper_998']:,.4g}. Check first that the "
                         f"body classifies its spend as its peers do and that the year is comparable"
                         f"{' (' + row['note'] + ')' if row['note'] else ''}."),
            gbp_at_stake=row["saving_gbp"],
            formula=(f"({row['value']:,.6g} − {row['target_value']:,.6g}) ÷ {measure.scale:g} × denominator "
                     f"{row['denominator']:,.2f} = £{row['saving_gbp']:,.2f} a year"),
            confidence=0.6 if row["months"] == 12 else 0.5,
            evidence=evidence.get((row["measure_id"], row["org_id"], row["period"]), []),
            needs_review=True))  # measured on the labelled corpus: no genuine finding (docs/methodology.md)
    return found


def _evidence(book: Book, results: Results, wanted: set) -> dict:
    """The largest numerator lines of each wanted (measure, body, year), one query per measure."""
    from openbook.analyse.measures.bases import financial_year

    out: dict = {}
    for measure_id in sorted({m for m, _, _ in wanted}):
        measure = results.measures[measure_id]
        spend = spend_by_year(book)
        spend = spend.filter(spend.org_id.isin(sorted({o for m, o, _ in wanted if m == measure_id})))
        for column, allowed in measure.numerator.where:
            spend = spend.filter(spend[column].isin(list(allowed)))
        place = ibis.row_number().over(group_by=["org_id", "fy"],
                                       order_by=[ibis.desc("amount_gbp"), "source_sha256", "source_line"])
        spend = spend.mutate(place=place)
        rows = spend.filter(spend.place < EVIDENCE_ROWS).select("org_id", "fy", "place", "source_sha256", "source_line")
        for row in rows.order_by(["org_id", "fy", "place"]).to_pyarrow().to_pylist():
            key = (measure_id, row["org_id"], financial_year(row["fy"]))
            if key in wanted:
                out.setdefault(key, []).append((row["source_sha256"], row["source_line"]))
    return out
