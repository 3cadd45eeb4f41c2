"""Open-book checks on suppliers' cost registers: margin, overhead recovery and labour rates.

Open Book Contract Management (PPN 05/16, PPN 004) gives a body the supplier's costs, charges
and profit; its Tier 2 "control protocols" test them with key ratios. Three are computed here
for each contract and period of the `cost_line` table:

- **margin**: (revenue − total cost) / revenue, against the margin agreed in the contract;
  the money at stake is the excess margin times revenue.
- **overhead recovery rate**: overheads / direct costs, against a declared norm; the money at
  stake is the overhead above the norm.
- **labour rates**: a day or hour rate against what the body pays its own staff of the grade
  the supplier names as equivalent (organogram posts, `post.pay_ceiling_gbp`), converted to a
  day with on-costs; the money at stake is the premium times the quantity charged.

Money is Decimal throughout (DECIMAL(18,2) in the book); percentages are Decimal too, so a
margin exactly at the agreed figure is never flagged by a rounding error.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation
from functools import cache

from openbook import standard
from openbook.analyse.findings import Finding, save_findings
from openbook.errors import UsageError
from openbook.formatting import gbp
from openbook.ingest.records import money
from openbook.store.book import Book

DETECTOR = "margins"
KINDS = ("margin-above-agreed", "overhead-above-norm", "labour-rate-above-pay")
_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class MarginSettings:
    """The declared norms and conversions; each can be set as OPENBOOK_MARGINS_<NAME> or a CLI option."""

    overhead_norm_pct: Decimal = Decimal("15")
    """Overheads as a % of direct costs that is taken as normal. OBCM names the overhead recovery
    rate as a key ratio but sets no figure; 15% is a common ceiling for service contracts and a
    policy choice to be set per contract portfolio."""

    margin_tolerance_pp: Decimal = Decimal("0")
    """Percentage points by which the actual margin may exceed the agreed one before it is flagged."""

    pay_on_cost_pct: Decimal = Decimal("40")
    """Employer on-costs added to the body's pay to give the cost of employing someone: Civil Service
    pension employer contributions (about 27-29% of pay in 2024-25) plus employer National Insurance
    (about 11-12% of a mid-grade salary). A higher figure makes the in-house cost higher and the
    premium found smaller."""

    working_days: Decimal = Decimal("225")
    """Days a year a full-time employee works: 260 weekdays less 8 bank holidays, 25 days' leave and
    the privilege day, rounded down (226 → 225)."""

    hours_per_day: Decimal = Decimal("7.4")
    """Hours in a working day: a 37-hour week over five days."""

    labour_rate_tolerance_pct: Decimal = Decimal("0")
    """How far (in % of the in-house cost) a supplier's rate may exceed the in-house cost before it is
    flagged. 0 flags every premium; the premium is what bringing the work in-house could save."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Decimal | None) -> MarginSettings:
        """Defaults, then OPENBOOK_MARGINS_<NAME> from the environment, then explicit overrides."""
        environ = os.environ if environ is None else environ
        values = {}
        for spec in fields(cls):
            key = f"OPENBOOK_MARGINS_{spec.name.upper()}"
            if key in environ:
                try:
                    values[spec.name] = Decimal(environ[key])
                except InvalidOperation:
                    raise UsageError(f"setting {key} has value {environ[key]!r}: not a number") from None
        values.update({k: Decimal(str(v)) for k, v in overrides.items() if v is not None})
        settings = replace(cls(), **values)
        if settings.working_days <= 0 or settings.hours_per_day <= 0:
            raise UsageError("working_days and hours_per_day must be above 0")
        return settings

    def day_cost(self, annual_pay: Decimal) -> Decimal:
        """What a day of an employee paid `annual_pay` costs the body, on-costs included."""
        return annual_pay * (1 + self.pay_on_cost_pct / _HUNDRED) / self.working_days


@dataclass
class MarginReport:
    """What a run found: the exceptions, and what could not be checked (said, never guessed)."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    registers: int = 0  # (body, contract, period) groups checked
    settings: MarginSettings = field(default_factory=MarginSettings)


def check_margins(book: Book, settings: MarginSettings | None = None, *, save: bool = True) -> MarginReport:
    """Run the three checks over every current cost register; store the findings (detector 'margins')."""
    settings = settings or MarginSettings()
    report = MarginReport(settings=settings)
    lines = _cost_lines(book)
    groups: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for line in lines:
        groups[(line["org_id"], line["contract_ref"], line["period"])].append(line)
    pay = _PayBook(book)
    for (org_id, contract, period), rows in sorted(groups.items()):
        report.registers += 1
        where = f"{org_id} contract {contract} period {period}"
        report.findings += _margin(org_id, contract, period, rows, settings, report.notes, where)
        report.findings += _overhead(org_id, contract, period, rows, settings)
        report.findings += _labour(org_id, contract, period, rows, settings, pay, report.notes)
    report.notes += pay.notes
    if save:
        save_findings(book, DETECTOR, report.findings)
    return report



def findings(book: Book) -> list[Finding]:
    """The margins detector: the three checks with the default settings, not stored (the caller stores)."""
    return list(check_margins(book, save=False).findings)


# -- the three checks --------------------------------------------------------------------------

def _margin(org_id, contract, period, rows, settings, notes, where) -> list[Finding]:
    totals = _totals(rows)
    revenue, cost = totals["income"], totals["direct"] + totals["indirect"]
    if revenue <= 0:
        notes.append(f"{where}: no revenue line, so the margin is not computed")
        return []
    agreed_values = sorted({_decimal(r["agreed_margin_pct"]) for r in rows if r["agreed_margin_pct"] is not None})
    if not agreed_values:
        notes.append(f"{where}: no agreed_margin_pct, so the margin is not compared")
        return []
    if len(agreed_values) > 1:
        notes.append(f"{where}: agreed margins {', '.join(map(str, agreed_values))} conflict; not compared")
        return []
    agreed = agreed_values[0]
    actual = (revenue - cost) / revenue * _HUNDRED
    if actual <= agreed + settings.margin_tolerance_pp:
        return []
    excess = money((revenue - cost) - revenue * agreed / _HUNDRED)
    formula = (f"(actual margin {_pct(actual)} − agreed {_pct(agreed)}) × revenue {_gbp(revenue)} = {_gbp(excess)}; "
               f"actual margin = (revenue {_gbp(revenue)} − costs {_gbp(cost)}) / revenue {_gbp(revenue)}")
    return [Finding(
        kind="margin-above-agreed", detector=DETECTOR, org_ids=[org_id],
        title=f"{_supplier(rows)} made {_pct(actual)} on {contract} ({period}), above the agreed {_pct(agreed)}",
        gbp_at_stake=excess, formula=formula, confidence=0.9, evidence=_evidence(rows),
        description="Margin from the supplier's own open-book register: revenue less every cost line.",
        key=f"{contract}|{period}")]


def _overhead(org_id, contract, period, rows, settings) -> list[Finding]:
    direct = _totals(rows)["direct"]
    overheads = [r for r in rows if r["cost_category"] == "overhead"]
    overhead = sum((r["amount_gbp"] for r in overheads), Decimal(0))
    if direct <= 0 or overhead <= 0:
        return []
    rate = overhead / direct * _HUNDRED
    if rate <= settings.overhead_norm_pct:
        return []
    allowed = money(direct * settings.overhead_norm_pct / _HUNDRED)
    excess = money(overhead - allowed)
    formula = (f"overheads {_gbp(overhead)} − norm {_pct(settings.overhead_norm_pct)} × direct costs {_gbp(direct)} "
               f"({_gbp(allowed)}) = {_gbp(excess)}; recovery rate {_pct(rate)}")
    used = overheads + [r for r in rows if _kind(r["cost_category"]) == "direct"]
    return [Finding(
        kind="overhead-above-norm", detector=DETECTOR, org_ids=[org_id],
        title=f"{_supplier(rows)} recovers overheads at {_pct(rate)} of direct costs on {contract} ({period}), "
              f"above the {_pct(settings.overhead_norm_pct)} norm",
        gbp_at_stake=excess, formula=formula, confidence=0.6, evidence=_evidence(used),
        description="The norm is a declared setting (overhead_norm_pct), not a figure from the contract.",
        key=f"{contract}|{period}")]


def _labour(org_id, contract, period, rows, settings, pay, notes) -> list[Finding]:
    found = []
    for row in rows:
        if row["cost_category"] != "direct-labour" or not row["civil_service_grade"] or row["rate_gbp"] is None:
            continue
        unit = _unit(row["unit"])
        if unit is None:
            notes.append(f"{org_id} contract {contract} line {row['source_line']}: unit {row['unit']!r} is "
                         "neither day nor hour; rate not compared")
            continue
        post = pay.ceiling(org_id, row["civil_service_grade"])
        if post is None:
            continue
        in_house_day = settings.day_cost(post["pay_ceiling_gbp"])
        in_house = in_house_day if unit == "day" else in_house_day / settings.hours_per_day
        limit = in_house * (1 + settings.labour_rate_tolerance_pct / _HUNDRED)
        rate = row["rate_gbp"]
        if rate <= limit:
            continue
        quantity = _decimal(row["quantity"]) if row["quantity"] is not None else None
        premium = money((rate - in_house) * quantity) if quantity is not None else Decimal("0.00")
        per_day = (f"pay ceiling {_gbp(post['pay_ceiling_gbp'])} × (1 + on-costs {_pct(settings.pay_on_cost_pct)}) "
                   f"/ {settings.working_days} days" + ("" if unit == "day" else f" / {settings.hours_per_day} hours"))
        formula = (f"(rate {_gbp(rate)} − in-house {_gbp(money(in_house))} per {unit}) × "
                   f"{quantity if quantity is not None else 'no quantity'} = {_gbp(premium)}; in-house = {per_day} "
                   f"({post['grade']!r} posts of {org_id} as of {post['as_of']})")
        found.append(Finding(
            kind="labour-rate-above-pay", detector=DETECTOR, org_ids=[org_id],
            title=f"{_supplier(rows)} charges {_gbp(rate)} a {unit} for {row['civil_service_grade']} "
                  f"({row['grade'] or 'labour'}) on {contract} ({period}); the body's own cost is "
                  f"{_gbp(money(in_house))}",
            gbp_at_stake=premium, formula=formula, confidence=0.5,
            evidence=[(row["source_sha256"], row["source_line"]), (post["source_sha256"], post["source_line"])],
            description="The premium over employing the grade in-house: it pays for the supplier's overheads "
                        "and margin as well as flexibility, so it is what insourcing could save at most.",
            key=f"{contract}|{period}|{row['source_line']}"))
    return found


# -- reading the book --------------------------------------------------------------------------

def _cost_lines(book: Book) -> list[dict]:
    """Cost lines of current sources, in register order."""
    con = book.ibis()
    source = con.table("source")
    current = source.filter(source.status == "current").select("sha256")
    cost = con.table("cost_line")
    cost = cost.semi_join(current, cost.source_sha256 == current.sha256)
    return cost.order_by(["org_id", "contract_ref", "period", "source_sha256", "source_line"]).to_pyarrow().to_pylist()


class _PayBook:
    """The body's pay by grade from its latest organogram snapshot; says when there is none."""

    def __init__(self, book: Book):
        self.book = book
        self.notes: list[str] = []
        self._by_org: dict[str, dict[str, dict] | None] = {}
        self._missing: set[tuple[str, str]] = set()

    def ceiling(self, org_id: str, grade: str) -> dict | None:
        if org_id not in self._by_org:
            self._by_org[org_id] = self._load(org_id)
            if self._by_org[org_id] is None:
                self.notes.append(f"{org_id}: no organogram posts with pay in the book, so labour rates are "
                                  "not compared with the body's pay (load its organogram)")
        grades = self._by_org[org_id]
        if grades is None:
            return None
        post = grades.get(grade_key(grade))
        if post is None and (org_id, grade) not in self._missing:
            self._missing.add((org_id, grade))
            self.notes.append(f"{org_id}: no posts of grade {grade!r} in its organogram of "
                              f"{max(p['as_of'] for p in grades.values())}; rates for it not compared")
        return post

    def _load(self, org_id: str) -> dict[str, dict] | None:
        con = self.book.ibis()
        source = con.table("source")
        current = source.filter(source.status == "current").select("sha256")
        post = con.table("post")
        post = post.semi_join(current, post.source_sha256 == current.sha256)
        post = post.filter((post.org_id == org_id) & post.pay_ceiling_gbp.notnull() & (post.pay_ceiling_gbp > 0)
                           & post.grade.notnull())
        rows = post.select("as_of", "grade", "pay_ceiling_gbp", "source_sha256", "source_line").to_pyarrow().to_pylist()
        if not rows:
            return None
        latest = max(r["as_of"] for r in rows)
        grades: dict[str, dict] = {}
        # The highest pay of the grade: the in-house cost is then at its highest and the premium at its lowest.
        for row in sorted((r for r in rows if r["as_of"] == latest),
                          key=lambda r: (r["pay_ceiling_gbp"], r["source_sha256"], -r["source_line"])):
            grades[grade_key(row["grade"])] = row
        return grades


# -- grades, units, categories -----------------------------------------------------------------

# Civil Service grades as organograms and registers write them; each key lists its spellings.
GRADE_SPELLINGS = {
    "aa": ("aa", "administrative assistant"),
    "ao": ("ao", "administrative officer"),
    "eo": ("eo", "executive officer"),
    "heo": ("heo", "higher executive officer"),
    "seo": ("seo", "senior executive officer"),
    "grade-7": ("grade 7", "g7", "grade7"),
    "grade-6": ("grade 6", "g6", "grade6"),
    "scs1": ("scs1", "scs 1", "scs pay band 1", "scs band 1", "deputy director"),
    "scs2": ("scs2", "scs 2", "scs pay band 2", "scs band 2", "director"),
    "scs3": ("scs3", "scs 3", "scs pay band 3", "scs band 3", "director general"),
    "scs4": ("scs4", "scs 4", "permanent secretary"),
}
_SQUASH = re.compile(r"[^0-9a-z]+")


@cache
def _grade_index() -> dict[str, str]:
    return {_SQUASH.sub("", spelling): key for key, spellings in GRADE_SPELLINGS.items() for spelling in spellings}


def grade_key(grade: str) -> str:
    """A grade as one key whatever the spelling ('Grade 7', 'G7', 'grade7' → 'grade-7')."""
    squashed = _SQUASH.sub("", str(grade).casefold())
    return _grade_index().get(squashed, squashed)


def _unit(unit: str | None) -> str | None:
    text = _SQUASH.sub("", (unit or "").casefold()).removeprefix("per")
    if text in {"day", "days", "d", "daily", "manday", "persondays", "personday"}:
        return "day"
    if text in {"hour", "hours", "hr", "hrs", "h", "hourly"}:
        return "hour"
    return None


@cache
def _kinds() -> dict[str, str]:
    return {row["code"]: row["kind"] for row in standard.code_list("cost_categories")}


def _kind(category: str | None) -> str | None:
    return _kinds().get(category or "")


def _totals(rows: list[dict]) -> dict[str, Decimal]:
    totals = defaultdict(lambda: Decimal(0))
    for row in rows:
        kind = _kind(row["cost_category"])
        if kind and row["amount_gbp"] is not None:
            totals[kind] += row["amount_gbp"]
    return totals


def _supplier(rows: list[dict]) -> str:
    names = sorted({r["supplier_name"] or r["supplier_id"] for r in rows if r["supplier_name"] or r["supplier_id"]})
    return names[0] if len(names) == 1 else "The supplier"


def _evidence(rows: list[dict]) -> list[tuple[str, int]]:
    return [(r["source_sha256"], r["source_line"]) for r in rows]


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _pct(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}%"


def _gbp(value: Decimal) -> str:
    return gbp(money(value))


__all__ = ["DETECTOR", "GRADE_SPELLINGS", "KINDS", "MarginReport", "MarginSettings", "check_margins", "grade_key"]
