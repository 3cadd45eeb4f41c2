"""Open-book cost registers: what a supplier's large contract really cost, quarter by quarter.

Central bodies (the ones Open Book Contract Management guidance covers) keep a Contract
Cost Register for their biggest service contracts. Each quarter has labour lines by
supplier grade (day rate x days, with the body's own grade equivalent), materials,
subcontract, overhead, financing, the supplier's margin and the revenue it charged
(revenue = costs + margin). Three kinds of trouble are planted:
  margin-above-agreed          margin / revenue above the agreed margin percentage
  overhead-above-20pct         overhead above 20% of direct cost (labour + materials + subcontract)
  labour-rate-above-body-pay   a day rate above 3 x the body's own day pay for the grade
                               (its organogram's payscale maximum / 220 working days)
Ordinary contracts sit well inside each limit, so truth is exactly the planted set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from openbook.standard import load_schema

from .bodies import Body
from .book import Sector, Sheet, add_months, money
from .contracts import Contract, ContractBook, pick_method
from .staff import WORKING_DAYS, Workforce

DROPPED = ("source_sha256", "source_line", "classified_by", "classification_confidence")
EXTRA_COLUMNS = ("agreed_margin_pct", "civil_service_grade")
COST_HEADER = [f["name"] for f in load_schema("cost_line")["fields"] if f["name"] not in DROPPED]
COST_HEADER += [c for c in EXTRA_COLUMNS if c not in COST_HEADER]
CATEGORIES = ("direct-labour", "materials", "subcontract", "overhead", "financing", "revenue", "margin")
MARGINS_TRUTH = ["kind", "contract_ref", "org_id", "supplier_id", "supplier_name", "grade", "civil_service_grade",
                 "value", "threshold", "excess_gbp"]
OVERHEAD_LIMIT = Decimal(20)  # % of direct cost
RATE_LIMIT = Decimal(3)  # x the body's own day pay
KINDS = ("margin-above-agreed", "overhead-above-20pct", "labour-rate-above-body-pay")
SERVICES = {  # category -> (title, CPV, supplier grades with civil service equivalents, materials, subcontract)
    "facilities": ("Total facilities management", ("79993000", "Building and facilities management services"),
                   (("Cleaning Operative", "AA"), ("Supervisor", "EO"), ("Site Manager", "HEO"),
                    ("Contract Manager", "SEO")), (0.15, 0.3), (0.05, 0.2)),
    "it": ("Managed IT service", ("72500000", "Computer-related services"),
           (("Service Desk Analyst", "EO"), ("Engineer", "HEO"), ("Senior Engineer", "SEO"),
            ("Technical Architect", "Grade 7")), (0.05, 0.15), (0.1, 0.25)),
    "consultancy": ("Programme delivery partner", ("79410000", "Business and management consultancy services"),
                    (("Analyst", "HEO"), ("Consultant", "SEO"), ("Senior Consultant", "Grade 7"),
                     ("Principal Consultant", "Grade 6")), (0.0, 0.03), (0.0, 0.1)),
}
_PER_BODY = {"ministerial-department": 3, "executive-agency": 2, "executive-ndpb": 1}


@dataclass
class OpenBook:
    body: Body
    contract: Contract
    agreed: Decimal  # percentage points
    grades: list[tuple[str, str, Decimal]]  # (supplier grade, civil service grade, day rate)
    planted: set[str] = field(default_factory=set)


def plan_open_book(sector: Sector, book: ContractBook, staff: dict[str, Workforce]) -> list[OpenBook]:
    out = []
    for b in sector.bodies:
        if b.sector != "central" or b.org_id not in staff:
            continue
        rng = sector.rng("open-book", b.index)
        wf = staff[b.org_id]
        present = {j.grade for j in wf.snapshots[-1][2]}
        used: set[int] = set()
        cats = list(SERVICES)
        rng.shuffle(cats)
        for cat in cats[: _PER_BODY.get(b.kind, 1)]:
            title, cpv, grades, _m, _s = SERVICES[cat]
            firms = sector.suppliers(b).favourites(cat, 1, need_number=True, skip=used)
            if not firms:
                continue
            used.add(firms[0])
            years = rng.randrange(4, 8)
            start = add_months(sector.start, -12 * rng.randrange(1, years - 1))
            end = add_months(start, 12 * years) - dt.timedelta(days=1)
            contract = book.add(Contract(
                book.ref(b, "OB", start.year), b.org_id, title, f"{title}, open-book (tier 2)", cpv, firms[0],
                Decimal(0), start, end, start - dt.timedelta(days=rng.randrange(30, 120)), pick_method(rng)[0],
                "Commercial" if "Commercial" in title else "Corporate Services", "open-book", cat))
            rates = [(g, cs, Decimal(round(float(wf.day_pay(cs)) * rng.uniform(1.3, 2.2) / 5) * 5))
                     for g, cs in grades if cs in present]
            out.append(OpenBook(b, contract, Decimal(rng.choice(("5.0", "6.5", "7.5", "8.5", "10.0", "12.0"))), rates))
    # Plant each kind in about a third of the contracts (at least one each).
    rng = sector.rng("open-book-plant")
    for kind in KINDS:
        for ob in rng.sample(out, max(1, round(len(out) / 3))) if out else []:
            ob.planted.add(kind)
    for ob in out:
        if "labour-rate-above-body-pay" in ob.planted and ob.grades:
            brng = sector.rng("open-book-rate", ob.contract.ref)
            k = brng.randrange(len(ob.grades))
            g, cs, _ = ob.grades[k]
            ob.grades[k] = (g, cs, Decimal(round(float(staff[ob.body.org_id].day_pay(cs)) * brng.uniform(3.6, 5.0) / 5) * 5))
    return out


def quarters(sector: Sector) -> list[tuple[str, str]]:
    """(period, label) per quarter of the spend months: the quarter's last month as YYYY-MM."""
    out = []
    for i in range(0, len(sector.months), 3):
        y, m = sector.months[min(i + 2, len(sector.months) - 1)]
        fy = y if m >= 4 else y - 1
        q = (sector.months[i][1] - 4) % 12 // 3 + 1
        out.append((f"{y}-{m:02d}", f"Q{q} {fy}-{(fy + 1) % 100:02d}"))
    return out


def cost_sheet(sector: Sector, ob: OpenBook) -> Sheet:
    c = ob.contract
    rng = sector.rng("cost-lines", c.ref)
    _t, _c, _g, (m_lo, m_hi), (s_lo, s_hi) = SERVICES[c.category]
    sheet = Sheet(f"cost_registers/{c.ref}.csv", "cost_registers", c.org_id, COST_HEADER, amount_column="amount_gbp")
    supplier_id = sector.supplier_id(c.supplier)
    margin_pct = ob.agreed + Decimal(str(round(rng.uniform(1.5, 5.0), 2))) if "margin-above-agreed" in ob.planted \
        else max(Decimal(1), ob.agreed - Decimal(str(round(rng.uniform(0.5, 2.5), 2))))
    over = (0.24, 0.35) if "overhead-above-20pct" in ob.planted else (0.08, 0.16)
    total = Decimal(0)

    def line(period, category, amount, label, grade="", cs="", rate="", qty="", unit=""):
        row = {"contract_ref": c.ref, "org_id": c.org_id, "supplier_id": supplier_id, "period": period,
               "cost_category": category, "grade": grade, "rate_gbp": rate, "quantity": qty, "unit": unit,
               "amount_gbp": f"{money(amount)}", "description": label, "agreed_margin_pct": f"{ob.agreed}",
               "civil_service_grade": cs}
        return sheet.add([row.get(h, "") for h in COST_HEADER], protect=True)

    for period, label in quarters(sector):
        labour = Decimal(0)
        for g, cs, rate in ob.grades:
            days = Decimal(rng.randrange(40, 900)) / 2
            amount = money(rate * days)
            labour += amount
            line(period, "direct-labour", amount, f"{label} {g} days", g, cs, f"{rate}", f"{days}", "day")
        materials = money(labour * Decimal(str(round(rng.uniform(m_lo, m_hi), 4))))
        line(period, "materials", materials, f"{label} materials and consumables")
        sub = Decimal(0)
        for k in range(rng.randrange(0, 3)):
            amount = money(labour * Decimal(str(round(rng.uniform(s_lo, s_hi) / 2, 4))))
            sub += amount
            line(period, "subcontract", amount, f"{label} subcontractor {k + 1}")
        direct = labour + materials + sub
        overhead = money(direct * Decimal(str(round(rng.uniform(*over), 4))))
        line(period, "overhead", overhead, f"{label} overhead recovery")
        financing = Decimal(0)
        if rng.random() < 0.5:
            financing = money(direct * Decimal(str(round(rng.uniform(0.002, 0.02), 4))))
            line(period, "financing", financing, f"{label} working capital")
        costs = direct + overhead + financing
        margin = money(costs * margin_pct / (100 - margin_pct))
        line(period, "margin", margin, f"{label} supplier margin")
        line(period, "revenue", costs + margin, f"{label} charges invoiced")
        total += costs + margin
    c.value = money(total / len(sector.months) * 12 * ((c.end - c.start).days + 1) / Decimal("365.25"))
    return sheet


COST_DEFECTS = (  # extra lines a register carries: a pending accrual, a blank category, a stray code
    ("amount_gbp", "type-error", "materials", lambda rng: "TBC"),
    ("cost_category", "value-missing", "", lambda rng: f"{rng.randrange(500, 5000)}.00"),
    ("cost_category", "unknown-code", "profit", lambda rng: f"{rng.randrange(500, 5000)}.00"),
)


def spoil_registers(sector: Sector, sheets: list[Sheet]) -> None:
    """Append one bad line to each of a few registers (never changing a good line)."""
    if not sheets:
        return
    rng = sector.rng("cost-defects")
    for n, sheet in enumerate(rng.sample(sheets, min(len(COST_DEFECTS), len(sheets)))):
        column, code, category, amount = COST_DEFECTS[n]
        row = dict(zip(sheet.header, sheet.rows[-1]))
        value = amount(rng)
        row.update(cost_category=category, amount_gbp=value, description="Accrual, to be confirmed",
                   grade="", rate_gbp="", quantity="", unit="", civil_service_grade="")
        i = sheet.add([row.get(h, "") for h in sheet.header])
        sheet.spoil(i, column, code, row[column])


def margins_truth(sector: Sector, sheet: Sheet, ob: OpenBook, wf: Workforce) -> list[list]:
    """Recomputed from the register's good lines, exactly, in Decimal."""
    c = ob.contract
    rows = sheet.good()
    by = {k: sum((Decimal(r["amount_gbp"]) for r in rows if r["cost_category"] == k), Decimal(0)) for k in CATEGORIES}
    base = [c.ref, c.org_id, sector.supplier_id(c.supplier), sector.suppliers(ob.body).name(c.supplier)]
    out = []
    actual = by["margin"] / by["revenue"] * 100
    if actual > ob.agreed:
        out.append(["margin-above-agreed", *base, "", "", f"{actual:.2f}", f"{ob.agreed}",
                    f"{money(by['margin'] - ob.agreed / 100 * by['revenue'])}"])
    direct = by["direct-labour"] + by["materials"] + by["subcontract"]
    share = by["overhead"] / direct * 100
    if share > OVERHEAD_LIMIT:
        out.append(["overhead-above-20pct", *base, "", "", f"{share:.2f}", f"{OVERHEAD_LIMIT}",
                    f"{money(by['overhead'] - OVERHEAD_LIMIT / 100 * direct)}"])
    for g, cs, _rate in ob.grades:
        mine = [r for r in rows if r["cost_category"] == "direct-labour" and r["grade"] == g]
        day = Decimal(wf.scale[cs][1]) / WORKING_DAYS
        rate = Decimal(mine[0]["rate_gbp"])
        if rate / day > RATE_LIMIT:
            excess = sum(((Decimal(r["rate_gbp"]) - RATE_LIMIT * day) * Decimal(r["quantity"]) for r in mine), Decimal(0))
            out.append(["labour-rate-above-body-pay", *base, g, cs, f"{rate / day:.2f}", f"{RATE_LIMIT}",
                        f"{money(excess)}"])
    return out

