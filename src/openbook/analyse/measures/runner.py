"""One runner for every measure: each body's value for each financial year, placed among its comparators.

The sums over the book (spend by body, year and filter; posts in a year's latest organogram)
are Ibis expressions, so they run on any engine the book is on. What follows them is a few
hundred rows (bodies × years) and is done in plain Python with `ranks`: ranks, deciles and
centiles within each body's comparators, and the gap to the target centile priced in pounds.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from openbook import standard
from openbook.analyse.classify.floor import sure
from openbook.analyse.denominators import STAFF_WITHIN_DAYS, body_context
from openbook.analyse.measures import Measure, Quantity, load_measures
from openbook.analyse.measures import centile_savings, gaps, limits, ranks
from openbook.analyse.measures.bases import Basis, financial_year
from openbook.analyse.measures.comparators import BUILT_IN, check_comparator, groups, nearest_neighbours
from openbook.errors import UsageError
from openbook.store.book import Book


@dataclass(frozen=True)
class MeasureSettings:
    """Declared thresholds; docs/measures.md explains each."""

    min_peers: int = 5  # fewer comparators than this (the body included) and the body is not ranked
    min_months: int = 3  # a year with fewer months of published spend is too partial to annualise
    neighbours: int = 10  # k, for nearest-neighbour comparators
    target_centile: float = 0.10  # savings are priced to the comparators' 10th centile
    min_body_saving_gbp: Decimal = Decimal("10000")  # smaller savings for one body and measure are not counted
    min_national_saving_gbp: Decimal = Decimal("100000")  # a measure saving less than this in all is not counted


@dataclass
class Results:
    """Every body × measure × year, with the basis and comparators it was computed on."""

    rows: list[dict]
    measures: dict[str, Measure]
    comparator: str
    basis: Basis
    settings: MeasureSettings
    notes: list[str]
    gaps: list[dict] = field(default_factory=list)  # bodies with no value: 'missing' or 'not applicable' (gaps.py)

    def latest(self) -> list[dict]:
        """Each body's most recent ranked year for each measure (what totals and the index use)."""
        best: dict[tuple[str, str], dict] = {}
        for row in self.rows:
            if row["percentile"] is None:
                continue
            key = (row["measure_id"], row["org_id"])
            if key not in best or row["period"] > best[key]["period"]:
                best[key] = row
        return [best[k] for k in sorted(best)]


def run(book: Book, *, measures: list[Measure] | None = None, comparator: str = "kind",
        basis: Basis = Basis(), settings: MeasureSettings = MeasureSettings()) -> Results:
    """Every measure for every body and year, ranked among the chosen comparators and priced."""
    comparator = check_comparator(book, comparator)
    measures = measures if measures is not None else load_measures()
    bodies = _bodies(book)
    coverage = _coverage(book)
    if basis.real and basis.base_period is None:
        years = sorted({period for (_, period) in coverage})
        basis = Basis(basis.size, True, years[-1] if years else None, basis.deflator)
    notes: list[str] = []
    rows: list[dict] = []
    missing: list[dict] = []
    for measure in measures:
        values = measure_values(book, measure, basis, coverage=coverage, bodies=bodies, settings=settings)
        rows.extend(_rank(values, measure, comparator, book, bodies, coverage, settings))
        missing.extend(gaps.gaps(values, measure, bodies, coverage, settings.min_months,
                                 basis.size_for(measure.default_basis)))
    notes.extend(centile_savings.price(rows, {m.id: m for m in measures}, settings))
    if basis.real:
        notes.append(f"Money is in {basis.base_period} prices: {basis.deflator.source}.")
    return Results(rows, {m.id: m for m in measures}, comparator, basis, settings, notes, missing)


# ---------------------------------------------------------------- sums over the book (Ibis)


def spend_by_year(book: Book) -> ir.Table:
    """Current spend with `fy`, the financial year (April to March) each line was paid in, by its start year."""
    spend = book.ibis().table("spend_current")
    spend = spend.filter(spend.paid_on.notnull())
    year = spend.paid_on.year()
    return spend.mutate(fy=ibis.ifelse(spend.paid_on.month() >= 4, year, year - 1))


def coverage_table(book: Book) -> ir.Table:
    """org_id, fy, months (with any published spend) and total_gbp, per body and financial year."""
    spend = spend_by_year(book)
    return spend.group_by(["org_id", "fy"]).aggregate(months=spend.paid_on.truncate("M").nunique(),
                                                      total_gbp=spend.amount_gbp.sum())


def quantity_table(book: Book, quantity: Quantity) -> ir.Table:
    """org_id, fy and amount for a periodic quantity; org_id and amount for a body's own figure."""
    if quantity.source == "spend":
        spend = spend_by_year(book)
        for column, allowed in quantity.where:
            spend = spend.filter(spend[column].isin(list(allowed)))
            if column in ("function", "capability"):
                spend = sure(spend)  # the floor every reader of classified lines uses
        if quantity.top_suppliers:
            spend = spend.mutate(supplier=spend.supplier_id.coalesce(spend.supplier_name))
            by = spend.group_by(["org_id", "fy", "supplier"]).aggregate(amount=spend.amount_gbp.sum(),
                                                                        sumsq=_squares(spend.amount_gbp))
            order = ibis.row_number().over(group_by=["org_id", "fy"], order_by=[ibis.desc("amount"), "supplier"])
            by = by.mutate(place=order)
            by = by.filter(by.place < quantity.top_suppliers)  # row_number counts from 0
            return by.group_by(["org_id", "fy"]).aggregate(amount=by.amount.sum(), sumsq=by.sumsq.sum())
        return spend.group_by(["org_id", "fy"]).aggregate(amount=spend.amount_gbp.sum(),
                                                          sumsq=_squares(spend.amount_gbp))
    if quantity.source == "posts":
        posts = book.ibis().table("post")
        posts = posts.filter(posts.as_of.notnull())
        year = posts.as_of.year()
        posts = posts.mutate(fy=ibis.ifelse(posts.as_of.month() >= 4, year, year - 1))
        latest = posts.group_by(["org_id", "fy"]).aggregate(latest=posts.as_of.max())
        posts = posts.join(latest, [posts.org_id == latest.org_id, posts.fy == latest.fy,
                                    posts.as_of == latest.latest]).select(posts)
        for column, allowed in quantity.where:
            posts = posts.filter(posts[column].isin(list(allowed)))
        fte = posts.fte.coalesce(1.0).cast("float64")
        amount = fte.sum() if quantity.count == "fte" else posts.count()
        sumsq = (fte * fte).sum() if quantity.count == "fte" else posts.count()
        return posts.group_by(["org_id", "fy"]).aggregate(amount=amount, sumsq=sumsq)
    context = body_context(book)
    column = {"staff": "staff_fte", "population": "population_served"}[quantity.source]
    return context.filter(context[column] > 0).select("org_id", amount=context[column].cast("float64"))


def _squares(amount: ir.NumericColumn) -> ir.NumericScalar:
    """Σx² of the lines: the variance of a compound Poisson sum, for the limits (`limits.py`)."""
    gbp = amount.cast("float64")
    return (gbp * gbp).sum()


# ---------------------------------------------------------------- values


def measure_values(book: Book, measure: Measure, basis: Basis, *, coverage=None, bodies=None,
                   settings: MeasureSettings = MeasureSettings()) -> list[dict]:
    """Each body's value for each year it has both sides, spend annualised by months published."""
    coverage = coverage if coverage is not None else _coverage(book)
    bodies = bodies if bodies is not None else _bodies(book)
    size = basis.size_for(measure.default_basis)
    denominator_quantity = measure.denominator
    if denominator_quantity.source == "size":
        denominator_quantity = Quantity("staff" if size == "per-fte" else "population")
    numerators, squares = _fetch(book, measure.numerator, "sumsq")
    denominators = _fetch(book, denominator_quantity)[0]
    staff_dates = _staff_dates(book) if "staff" in (denominator_quantity.source, measure.numerator.source) else {}
    uses_spend = measure.numerator.is_money or denominator_quantity.is_money
    rows = []
    for (org_id, fy), numerator in sorted(numerators.items()):
        rel_se = limits.relative_se(numerator, squares.get((org_id, fy)))
        denominator = denominators.get((org_id, fy) if denominator_quantity.periodic else (org_id, None))
        if denominator is None or denominator <= 0 or numerator <= 0 or org_id not in bodies:
            continue
        if not _staff_near_year(staff_dates.get(org_id), fy):
            continue  # staff counted more than 12 months from the year: no per-employee figure
        months = coverage.get((org_id, fy), {}).get("months")
        note = ""
        if uses_spend:
            if not months or months < settings.min_months:
                continue
            factor = 12 / months
            numerator = numerator * factor if measure.numerator.is_money else numerator
            denominator = denominator * factor if denominator_quantity.is_money else denominator
            if months < 12:  # a ratio of £ to £ needs no annualising, but a short year is still worth saying
                both = measure.numerator.is_money and denominator_quantity.is_money
                note = f"{months} months published" if both else f"annualised from {months} months published"
        period = financial_year(fy)
        label = size if measure.denominator.source == "size" else "own"
        if basis.real and measure.numerator.is_money and not denominator_quantity.is_money:
            numerator = numerator * float(basis.deflator.factor(period, basis.base_period))
            label += f"+real:{basis.base_period}"
        rows.append({"measure_id": measure.id, "org_id": org_id, "period": period, "numerator": numerator,
                     "denominator": denominator, "value": numerator / denominator * measure.scale,
                     "months": months, "note": note, "basis": label, "rel_se": rel_se})
    return rows


def _fetch(book: Book, quantity: Quantity, *also: str) -> list[dict[tuple[str, int | None], float]]:
    """{(org_id, fy): amount}, then the same for each column in `also`."""
    table = quantity_table(book, quantity).to_pyarrow().to_pylist()
    return [{(r["org_id"], r.get("fy")): float(r[column]) for r in table if r.get(column) is not None}
            for column in ("amount", *also)]


def _staff_dates(book: Book) -> dict[str, object]:
    """Each body's organogram snapshot date where its staff count comes from one (registry: none)."""
    context = body_context(book)
    rows = context.filter(context.staff_as_of.notnull()).select("org_id", "staff_as_of").to_pyarrow().to_pylist()
    return {r["org_id"]: r["staff_as_of"] for r in rows}


def _staff_near_year(as_of, fy: int | None) -> bool:
    """A staff count dated `as_of` divides financial year `fy` only within 12 months of it."""
    if as_of is None or fy is None:
        return True
    as_of = as_of.date() if hasattr(as_of, "date") and callable(as_of.date) else as_of
    start, end = date(fy, 4, 1), date(fy + 1, 3, 31)
    return start - timedelta(days=STAFF_WITHIN_DAYS) <= as_of <= end + timedelta(days=STAFF_WITHIN_DAYS)


def _coverage(book: Book) -> dict[tuple[str, int], dict]:
    return {(r["org_id"], r["fy"]): r for r in coverage_table(book).to_pyarrow().to_pylist()}


def _bodies(book: Book) -> dict[str, dict]:
    sectors = {row["code"]: row["sector"] for row in standard.code_list("organisation_kinds")}
    context = body_context(book).to_pyarrow().to_pylist()
    return {r["org_id"]: {**r, "sector": sectors.get(r["kind"], "other")} for r in context}


# ---------------------------------------------------------------- comparators and ranks


def _rank(values: list[dict], measure: Measure, comparator: str, book: Book, bodies: dict,
          coverage: dict, settings: MeasureSettings) -> list[dict]:
    by_period: dict[str, dict[str, dict]] = defaultdict(dict)
    for row in values:
        by_period[row["period"]][row["org_id"]] = row
    saved = groups(book) if comparator not in BUILT_IN else {}
    out = []
    for period, rows in sorted(by_period.items()):
        intervals: dict[tuple, dict] = {}  # peer set -> rank intervals, computed once per set
        spread: dict[tuple, float] = {}  # peer set -> overdispersion τ²
        neighbours = _neighbours(period, rows, bodies, coverage, settings) if comparator == "neighbours" else {}
        for org_id, row in sorted(rows.items()):
            body = bodies[org_id]
            if comparator in ("kind", "sector"):
                members = [o for o in rows if bodies[o][comparator] == body[comparator]]
                label = body[comparator]
            elif comparator == "neighbours":
                members = [org_id] + [o for o, _ in neighbours.get(org_id, []) if o in rows]
                label = f"{settings.neighbours} nearest neighbours"
            else:
                if org_id not in saved[comparator]:
                    continue
                members = [o for o in saved[comparator] if o in rows]
                label = f"group {comparator}"
            peer_values = [rows[o]["value"] for o in members]
            ranked = len(members) >= settings.min_peers
            percentile = ranks.percentile_rank(row["value"], peer_values) if ranked else None
            median = ranks.centile(peer_values, 0.5) if ranked else None
            key = tuple(sorted(members))
            if ranked and key not in intervals:
                intervals[key] = limits.rank_intervals(
                    [(o, rows[o]["value"], rows[o]["value"] * (rows[o].get("rel_se") or 0)) for o in key],
                    measure.direction)
                spread[key] = limits.overdispersion([(rows[o]["value"], rows[o].get("rel_se")) for o in key], median)
            placed = (limits.place(row["value"], median, row.get("rel_se"), spread[key]) if ranked
                      else limits.place(0, 0, None))
            rank, best, worst = intervals[key][org_id] if ranked else (None, None, None)
            out.append({**row, **placed, "overdispersion": math.sqrt(spread[key]) if ranked else None, "rank": rank, "rank_best": best, "rank_worst": worst, "name": body["name"], "peer_values": peer_values, "kind": body["kind"], "sector": body["sector"],
                        "function": measure.function, "comparator": comparator, "peer_group": label,
                        "peers": len(members), "peer_ids": sorted(members),
                        "percentile": percentile, "decile": ranks.decile(percentile) if ranked else None,
                        "peer_p10": ranks.centile(peer_values, 0.1) if ranked else None,
                        "peer_median": median,
                        "peer_p90": ranks.centile(peer_values, 0.9) if ranked else None,
                        "note": row["note"] if ranked else _join(row["note"], f"only {len(members)} comparators "
                                                                              f"(fewer than {settings.min_peers})")})
    return out


def _neighbours(period: str, orgs, bodies: dict, coverage: dict, settings: MeasureSettings) -> dict:
    """k nearest among the bodies with a value for this measure and year, so each has k comparators."""
    fy = int(period[:4])
    context = {org_id: _features(bodies[org_id], coverage.get((org_id, fy))) for org_id in orgs}
    return nearest_neighbours(context, k=settings.neighbours)


def _features(body: dict, cover: dict | None) -> dict:
    """Population, staff and a year's spend (annualised from the months published): what neighbours are near in."""
    total = float(cover["total_gbp"] or 0) * 12 / cover["months"] if cover and cover["months"] else 0.0
    return {"population_served": body["population_served"], "staff_fte": body["staff_fte"],
            "total_gbp": total if total > 0 else None}


def neighbour_context(book: Book) -> tuple[dict[str, dict], dict[str, str]]:
    """Each body's context figures for nearest neighbours (its latest year's spend, annualised), and names."""
    bodies = _bodies(book)
    latest: dict[str, dict] = {}
    for (org_id, fy), cover in _coverage(book).items():
        if org_id in bodies and cover["months"] and (org_id not in latest or fy > latest[org_id]["fy"]):
            latest[org_id] = cover
    context = {org_id: _features(bodies[org_id], cover) for org_id, cover in latest.items()}
    return context, {o: b["name"] for o, b in bodies.items()}


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


# ---------------------------------------------------------------- storing


def save_results(book: Book, results: Results) -> int:
    """Replace the stored results of the same comparator and basis with these; returns rows written."""
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    columns = ["measure_id", "org_id", "period", "comparator", "basis", "numerator", "denominator", "value",
               "months", "peers", "percentile", "decile", "peer_p10", "peer_median", "peer_p90", "target_centile",
               "target_value", "saving_gbp", "saving_counted", "note"]
    table = pa.table({c: [row.get(c) for row in results.rows] for c in columns}
                     | {"computed_at": [now] * len(results.rows)})
    return book.replace_rows("measure_result", table, "comparator = ? AND measure_id IN (SELECT unnest(?))",
                             [results.comparator, sorted(results.measures)])


def choose_period(rows: list[dict]) -> str | None:
    """The year with the most ranked bodies (the latest of equals): the default year to show."""
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        if row["percentile"] is not None:
            counts[row["period"]] += 1
    return max(counts, key=lambda p: (counts[p], p)) if counts else None


def unknown_measure(measure_id: str, measures: list[Measure]) -> UsageError:
    return UsageError(f"no measure {measure_id!r}; known: {', '.join(m.id for m in measures)}")
