"""The baseline a savings run works on, read from the world in one of three ways: bottom-up from the
book (functions, systems and workforce), top-down from a figure a user gives with its source, or
each body's gap to its peers' target centile on the declared cost measures.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from openbook.analyse.savings.scenarios import Baseline, CostLine, Scenario, catalogue_costs, pennies
from openbook.errors import UsageError

_ZERO = Decimal(0)
_ONE = Decimal(1)

# ---------------------------------------------------------------- baselines


def top_down_baseline(scenario: Scenario) -> Baseline:
    """A baseline given as one figure with its source; `staff_share` of it is in-house pay."""
    if scenario.baseline_gbp is None:
        raise UsageError("a top-down run needs a baseline: give annual_cost_gbp in the scenario file's baseline section")
    staff = scenario.baseline_gbp * scenario.staff_share
    lines = [CostLine("staff", staff)] if staff else []
    if scenario.baseline_gbp - staff:
        lines.append(CostLine("top-down", scenario.baseline_gbp - staff))
    return Baseline("top-down", tuple(lines), (f"Top-down baseline £{scenario.baseline_gbp:,.0f}: "
                                               f"{scenario.baseline_source or 'no source given'}",))


def bottom_up_baseline(book, scenario: Scenario = Scenario()) -> Baseline:
    """The duplicated administrative cost the book evidences, by body, function and capability.

    Three parts that do not overlap: in-house staff pay in admin functions (organograms), each
    body's own systems for capabilities run by several bodies (the system table), and
    third-party spend classified to admin functions, less the spend a system line already costs
    (same body and capability, or a payment whose reference is the system's contract).
    """
    from openbook.analyse.detectors.functions import FunctionSettings, admin_functions, function_costs
    from openbook.analyse.detectors.systems import capability_map, capability_summary
    from openbook.analyse.detectors.workforce import load_posts

    admin = set(admin_functions())
    catalogue = catalogue_costs(scenario.blocks)
    lines: list[CostLine] = []
    notes: list[str] = []

    staff: dict[tuple[str, str], list] = defaultdict(lambda: [_ZERO, 0])
    unpaid, fte = 0, 0.0
    for post in load_posts(book):
        if post.function not in admin:
            continue
        if post.pay_mid is None:
            unpaid += 1
            continue
        cell = staff[(post.org_id, post.function)]
        cell[0] += post.pay_mid * Decimal(str(post.fte)) * (_ONE + scenario.staff_oncost_rate)
        cell[1] += 1
        fte += post.fte
    for (org_id, function), (cost, rows) in sorted(staff.items()):
        lines.append(CostLine("staff", pennies(cost), org_id, function, rows=rows))
    notes.append(f"Staff: {sum(r for _, r in staff.values()):,} organogram rows ({fte:,.0f} FTE) in admin functions in "
                 f"{len({o for o, _ in staff}):,} bodies' latest organograms, pay midpoint × FTE × (1 + {scenario.staff_oncost_rate:.0%} on-costs); "
                 f"{unpaid:,} posts with undisclosed pay are not costed.")

    duplicated = {s["capability"] for s in capability_summary(book) if s["bodies"] >= scenario.min_bodies}
    uncosted = 0
    for cell in capability_map(book):
        if cell["capability"] not in duplicated or cell["capability"] not in catalogue:
            continue
        if cell["annual_cost_gbp"] <= 0:
            uncosted += 1
            continue
        lines.append(CostLine("system", cell["annual_cost_gbp"], cell["org_id"],
                              catalogue[cell["capability"]].function, cell["capability"], cell["users"],
                              cell["systems"], cell.get("conformance") == "conforming"))
    notes.append(f"Systems: {sum(1 for l in lines if l.kind == 'system'):,} body × capability cells in "
                 f"{len(duplicated):,} capabilities run by at least {scenario.min_bodies} bodies; "
                 f"{uncosted:,} cells without an annual cost are not costed.")

    tied = _spend_tied_to_systems(book, admin)
    months = months_published(book)
    excluded = _ZERO
    for row in (function_costs(book, FunctionSettings(min_confidence=scenario.min_confidence))
                .order_by(["org_id", "function"]).to_pyarrow().to_pylist()):
        overlap = tied.get((row["org_id"], row["function"]), _ZERO)
        per_year = _per_year(months.get(row["org_id"], 12))
        excluded += pennies(min(overlap, row["cost_gbp"]) * per_year)
        cost = pennies(max(row["cost_gbp"] - overlap, _ZERO) * per_year)
        if cost > 0:
            lines.append(CostLine("spend", cost, row["org_id"], row["function"], rows=row["lines"]))
    total, unclassified = _spend_totals(book)
    unsure = _unsure_admin_spend(book, admin, scenario.min_confidence)
    spans = sorted(set(months.values()))
    notes.append(f"Spend: £{sum((l.annual_cost_gbp for l in lines if l.kind == 'spend'), _ZERO):,.2f} a year classified "
                 f"to admin functions, after leaving out £{excluded:,.2f} a year a system line already costs; each "
                 f"body's spend is a year's: {_span_text(spans)}; "
                 f"£{unclassified:,.2f} of the book's £{total:,.2f} current spend has no function yet and is not counted, "
                 f"nor is £{unsure:,.2f} classified to admin functions with confidence below {scenario.min_confidence:g} "
                 f"(balance-sheet postings, a body's purpose standing in for what was bought).")
    return Baseline("bottom-up", tuple(lines), tuple(notes), excluded)


def months_published(book) -> dict[str, int]:
    """How many distinct months of spend each body has in the book: the baseline is a cost a
    year, and a body that published three years must not count three times. A body with a year
    or less is taken as it is, never scaled up: a part year is not extrapolated."""
    spend = book.ibis().table("spend_current")
    counts = spend.group_by("org_id").aggregate(months=spend.paid_on.truncate("M").nunique())
    return {row["org_id"]: int(row["months"]) for row in counts.to_pyarrow().to_pylist()}


def _per_year(months: int) -> Decimal:
    return Decimal(12) / Decimal(months) if months > 12 else _ONE


def _span_text(spans: list[int]) -> str:
    longer = [m for m in spans if m > 12]
    if not longer:
        return "no body published more than 12 months, so none is scaled"
    return f"bodies with more than 12 months, up to {longer[-1]}, are scaled to 12; shorter ones are not scaled up"


def _spend_tied_to_systems(book, admin: set[str]) -> dict[tuple[str, str], Decimal]:
    """Admin spend a system line already costs, per body and function."""
    con = book.ibis()
    spend, system = con.table("spend_current"), con.table("system")
    spend = spend.filter(spend.function.isin(sorted(admin)))
    caps = system.select(c_org=system.org_id, c_cap=system.capability).distinct()
    refs = system.filter(system.contract_ref.notnull()).select(r_org=system.org_id, r_ref=system.contract_ref).distinct()
    joined = spend.left_join(caps, [spend.org_id == caps.c_org, spend.capability == caps.c_cap])
    joined = joined.left_join(refs, [joined.org_id == refs.r_org, joined.txn_ref == refs.r_ref])
    tied = joined.filter(joined.c_org.notnull() | joined.r_org.notnull())
    columns = ["org_id", "function", "amount_gbp", "source_sha256", "source_line"]
    tied = tied.select(*columns)
    inferred = _inferred_evidence(book)
    if inferred is not None:
        # A system inferred from spend costs exactly its evidence lines.
        tied = tied.union(spend.join(inferred, ["source_sha256", "source_line"]).select(*columns))
    # A line matched by both keys appears once per match on each side; keep each line once.
    tied = tied.distinct()
    rows = tied.group_by(["org_id", "function"]).aggregate(amount=tied.amount_gbp.sum()).to_pyarrow().to_pylist()
    return {(r["org_id"], r["function"]): r["amount"] for r in rows}


def _inferred_evidence(book):
    """The payment lines the inferred systems in the capability map rest on, as a table (None: none)."""
    import ibis
    import pyarrow as pa

    from openbook.analyse.systems_inference import inferred_systems

    refs = [ref for row in inferred_systems(book) for ref in row["evidence"]]
    if not refs:
        return None
    return ibis.memtable(pa.table({"source_sha256": [sha for sha, _ in refs],
                                   "source_line": pa.array([line for _, line in refs], pa.int64())}))


def _unsure_admin_spend(book, admin: set[str], min_confidence: float) -> Decimal:
    spend = book.ibis().table("spend_current")
    unsure = spend.filter(spend.function.isin(sorted(admin)) & (spend.classification_confidence < min_confidence))
    return unsure.amount_gbp.sum().to_pyarrow().as_py() or _ZERO


def _spend_totals(book) -> tuple[Decimal, Decimal]:
    spend = book.ibis().table("spend_current")
    row = spend.aggregate(total=spend.amount_gbp.sum(),
                          unclassified=spend.amount_gbp.sum(where=spend.function.isnull())).to_pyarrow().to_pylist()[0]
    return row["total"] or _ZERO, row["unclassified"] or _ZERO


def baseline_for(book, scenario: Scenario) -> Baseline:
    if scenario.method == "measures":
        return measures_baseline(book, scenario)
    return top_down_baseline(scenario) if scenario.method == "top-down" else bottom_up_baseline(book, scenario)


def measures_baseline(book, scenario, *, measures: list | None = None, settings=None):
    """The savings model's "measures" baseline: the counted savings to the target centile that a person
    has confirmed, by body and function.

    Each line is already the gap to the target; the scenario's reduction then applies to it as to
    any baseline (a reduction of 1 takes the whole gap). A gap is a measure finding, and measure
    findings need review (none was genuine in the labelled corpus, docs/methodology.md): a gap
    counts only once its finding's latest verdict is "confirmed"; the rest are named in the notes.
    """
    from openbook.analyse.measures.centile_savings import counted_latest
    from openbook.analyse.measures.findings import measure_findings
    from openbook.analyse.measures.runner import MeasureSettings, run

    results = run(book, measures=measures, settings=settings or MeasureSettings())
    counted = counted_latest(results.rows)
    confirmed = {fid for (fid,) in book.query("SELECT finding_id FROM finding WHERE status = 'confirmed'")}
    # A gap's finding (only bodies outside their control limits have one) carries the person's verdict.
    findings = {(f.org_ids[0], f.key): f.finding_id for f in measure_findings(book, results)}
    kept = [r for r in counted if findings.get((r["org_id"], f"{r['measure_id']}:{r['period']}")) in confirmed]
    unreviewed = sum((r["saving_gbp"] for r in counted if r not in kept), _ZERO)
    lines = tuple(CostLine("spend", row["saving_gbp"], row["org_id"], row["function"]) for row in kept)
    total = sum((line.annual_cost_gbp for line in lines), _ZERO)
    note = (f"Measures: £{total:,.2f} a year, the gap of {len({r['org_id'] for r in kept}):,} bodies to their "
            f"peers' {results.settings.target_centile:.0%} centile on {len({r['measure_id'] for r in kept})} "
            f"cost measures (each body's latest year; bodies of the same kind as comparators), confirmed on review; "
            f"£{unreviewed:,.2f} a year in {len(counted) - len(kept):,} gaps whose findings need review is not counted.")
    return Baseline("measures", lines, (note, *results.notes))

