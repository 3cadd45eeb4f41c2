"""Systems and processes, in openbook's own template layout (the standard's field names).

Each body runs one system per capability it needs. Three products are planted as shared:
the same payroll, finance-ERP and CRM product, bought separately by many bodies at very
different prices per user. Truth lists, per shared product, the cheapest, median and
dearest price per user (annual_cost_gbp / users, to the penny, median of those) and the
bodies whose contract for it ends in the consolidation window (the twelve months after
the period end), when buying it once for all of them could start.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from decimal import Decimal

from openbook.standard import load_schema

from . import vocab
from .bodies import Body
from .book import PENNY, Sector, Sheet, add_months, money
from .contracts import OTHER_SOFTWARE_CPV, SOFTWARE_CPV, Contract, ContractBook, pick_method

DROPPED = ("source_sha256", "source_line", "classified_by", "classification_confidence")
SYSTEM_HEADER = [f["name"] for f in load_schema("system")["fields"] if f["name"] not in DROPPED]
PROCESS_HEADER = [f["name"] for f in load_schema("process")["fields"] if f["name"] not in DROPPED]
SYSTEMS_TRUTH = ["capability", "product", "vendor", "bodies", "cheapest_org_id", "cheapest_gbp_per_user",
                 "median_gbp_per_user", "dearest_org_id", "dearest_gbp_per_user", "dearest_to_cheapest",
                 "window_start", "window_end", "ending_in_window", "ending_contract_refs"]
SHARED = ("payroll", "finance-erp", "crm-contact-centre")


@dataclass(frozen=True)
class Capability:
    code: str
    prefix: str  # system_ref prefix
    label: str
    function: str
    price: float  # list price per user a year (or a year's cost when users is None)
    users: float | None  # share of staff who use it; None: the public does
    hosting: tuple[str, ...]
    products: tuple[str, ...]  # product name tails, after the vendor's stem


CAPABILITIES = {c.code: c for c in (
    Capability("payroll", "PAY", "Payroll", "payroll", 40, 1.0, ("saas", "shared-service"),
               ("Payroll", "PayManager", "People Pay")),
    Capability("hr", "HR", "HR system", "hr", 60, 1.0, ("saas", "private-cloud"), ("HR", "People Hub")),
    Capability("finance-erp", "FIN", "Finance system", "finance", 220, 0.08, ("saas", "on-premises", "private-cloud"),
               ("Financials", "ERP", "Ledger Cloud")),
    Capability("procurement", "PRC", "e-Procurement", "commercial", 300, 0.015, ("saas",), ("Sourcing", "Tender Hub")),
    Capability("crm-contact-centre", "CRM", "Customer contact", "customer-service", 150, 0.06,
               ("saas", "public-cloud"), ("Engage CRM", "Contact", "Citizen 360")),
    Capability("documents-records", "EDR", "Records management", "digital", 35, 0.9, ("saas", "on-premises"),
               ("Records", "DocStore")),
    Capability("collaboration", "COL", "Email and office", "digital", 140, 1.0, ("saas",), ("Workplace",)),
    Capability("service-desk", "ITS", "IT service desk", "digital", 25, 1.0, ("saas",), ("Service Desk",)),
    Capability("hosting", "HOST", "Hosting", "digital", 120, None, ("public-cloud", "private-cloud"), ("Cloud",)),
    Capability("data-analytics", "DAT", "Reporting and analytics", "analysis", 400, 0.04, ("public-cloud", "saas"),
               ("Insight", "Analytics")),
    Capability("learning", "LRN", "Learning platform", "hr", 12, 1.0, ("saas",), ("Learn",)),
    Capability("web-publishing", "WEB", "Public website", "communications", 60_000, None, ("saas", "public-cloud"),
               ("CMS", "Web")),
    Capability("revenues-benefits", "REV", "Revenues and benefits", "tax-revenue", 900, 0.02,
               ("on-premises", "private-cloud"), ("Revenues", "Benefits Suite")),
    Capability("case-management", "CASE", "Case management", "customer-service", 300, 0.25,
               ("saas", "private-cloud"), ("Case", "Casework")),
    Capability("geospatial", "GIS", "Mapping", "planning", 500, 0.03, ("on-premises", "saas"), ("Maps",)),
    Capability("payments", "PAYM", "Online payments", "finance", 40_000, None, ("saas",), ("Pay",)),
    Capability("booking", "BKG", "Bookings", "customer-service", 25_000, None, ("saas",), ("Bookings",)),
    Capability("asset-management", "AST", "Estates and assets", "property", 450, 0.03, ("saas", "on-premises"),
               ("Estates", "Assets")),
    Capability("grants-management", "GRT", "Grants management", "grants", 350, 0.05, ("saas",), ("Grants",)),
    Capability("workforce-scheduling", "ROS", "Rostering", "health", 45, 0.6, ("saas",), ("Roster",)),
)}
COMMON = ("payroll", "hr", "finance-erp", "procurement", "crm-contact-centre", "documents-records", "collaboration",
          "service-desk", "hosting", "data-analytics", "learning", "web-publishing")
EXTRA = {"local": ("revenues-benefits", "case-management", "geospatial", "payments", "booking", "asset-management"),
         "central": ("case-management", "grants-management", "asset-management"),
         "nhs": ("workforce-scheduling", "asset-management")}
PROCESSES = (  # code, name, function, capability, volume per staff (or per resident), unit cost range £
    ("FIN.01", "Pay supplier invoices", "finance", "finance-erp", ("staff", 6), (4, 14)),
    ("FIN.02", "Raise invoices and collect income", "finance", "finance-erp", ("staff", 1.5), (8, 25)),
    ("FIN.03", "Close the monthly accounts", "finance", "finance-erp", ("fixed", 12), (6_000, 20_000)),
    ("PAY.01", "Run the payroll and issue payslips", "payroll", "payroll", ("staff", 12), (2, 9)),
    ("HR.01", "Recruit a member of staff", "hr", "hr", ("staff", 0.12), (1_200, 4_000)),
    ("HR.02", "Manage a sickness absence case", "hr", "hr", ("staff", 0.3), (150, 500)),
    ("PRC.01", "Run a competitive tender", "commercial", "procurement", ("staff", 0.01), (8_000, 30_000)),
    ("CS.01", "Answer a telephone enquiry", "customer-service", "crm-contact-centre", ("staff", 20), (3, 9)),
    ("CS.02", "Handle a complaint", "customer-service", "crm-contact-centre", ("staff", 0.4), (80, 300)),
    ("DIG.01", "Resolve an IT incident", "digital", "service-desk", ("staff", 3), (15, 60)),
)
PROCESS_EXTRA = {
    "local": (("REV.01", "Bill and collect council tax", "tax-revenue", "revenues-benefits", ("people", 0.43), (8, 20)),
              ("REV.02", "Assess a housing benefit claim", "housing", "revenues-benefits", ("people", 0.02), (60, 150)),
              ("ASC.01", "Assess adult care needs", "adult-social-care", "case-management", ("people", 0.01), (300, 900))),
    "central": (("GRT.01", "Award and monitor a grant", "grants", "grants-management", ("staff", 0.2), (400, 2_000)),),
    "nhs": (("WF.01", "Publish a ward rota", "health", "workforce-scheduling", ("staff", 0.15), (200, 600)),),
}


@dataclass
class System:
    body: Body
    ref: str
    cap: Capability
    product: str
    vendor: int
    annual: Decimal
    users: int | None
    hosting: str
    contract: Contract | None
    shared: bool


def _products(sector: Sector) -> dict[str, list[tuple[str, int]]]:
    """Each capability's products as (name, vendor supplier index): software firms with a
    company number, most used first, one vendor per product."""
    rng = sector.rng("systems-products")
    pool = sector.pool
    cat = vocab.CATEGORIES.index("it")
    it = [int(s) for s in pool.national if pool.category[s] == cat and pool.company_number[s]]
    if not it:
        it = [int(s) for s in pool.national if pool.category[s] == cat] or [int(pool.national[0])]
    out, k = {}, 0
    for code, cap in CAPABILITIES.items():
        products = []
        for tail in cap.products:
            vendor = it[k % len(it)]
            k += 1
            stem = pool.canonical[vendor].split(" ")[0].rstrip(",")
            products.append((f"{stem} {tail}", vendor))
        rng.shuffle(products)
        out[code] = products
    return out


def plan_systems(sector: Sector, book: ContractBook) -> tuple[list[System], list[tuple[str, str, str]]]:
    """Every body's systems, and the shared products as (capability, product, vendor)."""
    products = _products(sector)
    rng = sector.rng("systems-adoption")
    # Who buys each shared product: most bodies with the capability, never fewer than five.
    adopters = {}
    for code in SHARED:
        order = list(sector.bodies)
        rng.shuffle(order)
        k = max(min(5, len(order)), round(0.6 * len(order)))
        adopters[code] = {b.index for b in order[:k]}
        # A few of them have contracts ending in the consolidation window.
        chosen = [b for b in order[:k]]
        adopters[code + ":window"] = {b.index for b in chosen[: max(2, round(0.3 * k))]}
    out = []
    for b in sector.bodies:
        brng = sector.rng("systems", b.index)
        staff = max(20.0, b.staff_fte)
        for code in COMMON + EXTRA[b.sector]:
            cap = CAPABILITIES[code]
            shared = code in SHARED and b.index in adopters[code]
            choices = products[code]
            product, vendor = choices[0] if shared else choices[1 + brng.randrange(len(choices) - 1)] \
                if len(choices) > 1 else choices[0]
            if code in SHARED and not shared and product == choices[0][0]:
                raise AssertionError("only adopters buy a shared product")
            if cap.users is None:  # hosting scales with staff; public services with size
                users = None
                scale = staff if code == "hosting" else (staff / 2000) ** 0.3
                annual = Decimal(round(cap.price * brng.lognormvariate(0, 0.3) * scale, -2))
            else:
                users = max(3, round(staff * cap.users * brng.uniform(0.85, 1.1)))
                spread = brng.lognormvariate(0, 0.45) * (2.6 if brng.random() < 0.1 else 1.0) if shared \
                    else brng.lognormvariate(0, 0.3)
                per_user = cap.price * spread * (users / 1000) ** -0.08
                annual = Decimal(max(500, round(per_user * users, -1)))
            hosting = brng.choice(cap.hosting)
            contract = None
            if shared or brng.random() < 0.85:
                years = brng.randrange(3, 6)
                if shared and b.index in adopters[code + ":window"]:
                    end = sector.end + dt.timedelta(days=brng.randrange(20, (sector.window_end - sector.end).days))
                else:
                    end = add_months(sector.window_end, brng.randrange(1, 48))
                end = add_months(end.replace(day=1), 1) - dt.timedelta(days=1)
                if shared and b.index not in adopters[code + ":window"] and end <= sector.window_end:
                    raise AssertionError("window contracts are planted, not drawn")
                start = add_months(end + dt.timedelta(days=1), -12 * years)
                method, _ = pick_method(brng)
                title = f"{cap.label} ({product})"
                contract = book.add(Contract(
                    book.ref(b, "IT", start.year), b.org_id, title, f"Licences, hosting and support for {product}",
                    SOFTWARE_CPV.get(code, OTHER_SOFTWARE_CPV), vendor, annual * years, start, end,
                    start - dt.timedelta(days=brng.randrange(14, 90)), method,
                    "Resources" if b.sector == "local" else "Digital and Technology", "system", "it"))
            out.append(System(b, f"{cap.prefix}-{1 + brng.randrange(3):03d}", cap, product, vendor, annual, users,
                              hosting, contract, shared))
    shared = [(c, products[c][0][0], sector.pool.canonical[products[c][0][1]]) for c in SHARED]
    return out, shared


def system_sheet(sector: Sector, b: Body, systems: list[System]) -> Sheet:
    view = sector.suppliers(b)
    sheet = Sheet(f"systems/{b.org_id}.csv", "systems", b.org_id, SYSTEM_HEADER, amount_column="annual_cost_gbp")
    for s in systems:
        row = {"org_id": b.org_id, "system_ref": s.ref, "name": f"{s.cap.label} - {s.product}", "product": s.product,
               "vendor": view.name(s.vendor), "capability": s.cap.code, "function": _function(b, s.cap),
               "hosting": s.hosting, "annual_cost_gbp": f"{s.annual.quantize(PENNY)}",
               "users": "" if s.users is None else s.users,
               "contract_ref": s.contract.ref if s.contract else "",
               "contract_end": s.contract.end.isoformat() if s.contract else "",
               "as_of": sector.end.isoformat()}
        sheet.add([row.get(h, "") for h in SYSTEM_HEADER], protect=s.shared)
    return sheet


def _function(b: Body, cap: Capability) -> str:
    if cap.code == "case-management":
        return {"local": "housing" if b.kind == "district-council" else "adult-social-care",
                "nhs": "health"}.get(b.sector, "customer-service")
    return cap.function


def process_sheet(sector: Sector, b: Body, systems: list[System]) -> Sheet:
    rng = sector.rng("processes", b.index)
    refs = {s.cap.code: s.ref for s in systems}
    sheet = Sheet(f"processes/{b.org_id}.csv", "processes", b.org_id, PROCESS_HEADER, amount_column="annual_cost_gbp")
    for code, name, function, cap, (basis, per), (lo, hi) in PROCESSES + PROCESS_EXTRA[b.sector]:
        if code == "ASC.01" and b.kind == "district-council":
            continue
        base = {"staff": b.staff_fte, "people": b.population_served or 0, "fixed": 1}[basis]
        volume = max(1, round(base * per * rng.uniform(0.7, 1.3)))
        cost = money(Decimal(volume) * Decimal(str(round(rng.uniform(lo, hi), 2))))
        row = {"org_id": b.org_id, "process_code": code, "name": name, "function": function, "capability": cap,
               "period": sector.fy, "annual_volume": volume, "annual_cost_gbp": f"{cost}",
               "system_ref": refs.get(cap, "")}
        sheet.add([row.get(h, "") for h in PROCESS_HEADER])
    return sheet


SYSTEM_DEFECTS = (
    ("capability", "unknown-code", lambda old, rng: "payroll & HR" if old == "payroll" else old.replace("-", " ") + " system"),
    ("users", "type-error", lambda old, rng: "approx. 300"),
)
PROCESS_DEFECTS = (
    ("function", "value-missing", lambda old, rng: ""),
    ("annual_volume", "type-error", lambda old, rng: "c. 12,000"),
)


def per_user(row: dict) -> Decimal:
    return money(Decimal(row["annual_cost_gbp"]) / int(row["users"]))


def systems_truth(sector: Sector, sheets: list[Sheet], products: list[tuple[str, str, str]]) -> list[list]:
    """Recomputed from the rows as written (good rows only), so truth and files agree."""
    rows = [(s.org_id, r) for s in sheets for r in s.good()]
    out = []
    for cap, product, vendor in products:
        mine = [(org, r) for org, r in rows if r["capability"] == cap and r["product"] == product]
        prices = sorted(((per_user(r), org) for org, r in mine))
        median = money(statistics.median([p for p, _ in prices]))
        ending = sorted((org, r["contract_ref"]) for org, r in mine
                        if sector.end < dt.date.fromisoformat(r["contract_end"]) <= sector.window_end)
        out.append([cap, product, vendor, len(mine), prices[0][1], prices[0][0], median, prices[-1][1],
                    prices[-1][0], f"{prices[-1][0] / prices[0][0]:.2f}",
                    (sector.end + dt.timedelta(days=1)).isoformat(), sector.window_end.isoformat(),
                    "|".join(o for o, _ in ending), "|".join(c for _, c in ending)])
    return out
