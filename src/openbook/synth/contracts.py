"""Contracts: one OCDS 1.1 release package per body, and a Transparency Code contracts
register for some councils (the same contracts, as the council lists them).

A body's contracts are its ordinary ones (a category, a favourite supplier of that
category, a CPV code, a value and a period) plus the ones behind its systems and its
open-book cost registers, which those modules add; every contract_ref they write resolves
here. Supplier names are the body's own spelling from its spend files; a supplier with a
company number is identified as GB-COH-<number>.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from . import vocab
from .bodies import Body
from .book import URI_BASE, PENNY, Sector, Sheet, add_months, gbp, money

CPV = {  # category -> ((CPV id, description), ...)
    "it": (("72000000", "IT services: consulting, software development, Internet and support"),
           ("72500000", "Computer-related services")),
    "facilities": (("90910000", "Cleaning services"), ("79710000", "Security services"),
                   ("55520000", "Catering services"), ("79993000", "Building and facilities management services")),
    "property": (("70000000", "Real estate services"),),
    "staffing": (("79620000", "Supply services of personnel including temporary staff"),),
    "consultancy": (("79410000", "Business and management consultancy services"),),
    "care": (("85000000", "Health and social work services"), ("85311000", "Social work services with accommodation")),
    "construction": (("45000000", "Construction work"),
                     ("50700000", "Repair and maintenance services of building installations")),
    "utilities": (("09310000", "Electricity"),),
    "legal": (("79100000", "Legal services"),),
    "travel": (("63500000", "Travel agency, tour operator and tourist assistance services"),),
    "medical": (("33100000", "Medical equipments"), ("33600000", "Pharmaceutical products")),
    "transport": (("60100000", "Road transport services"),),
    "education": (("80000000", "Education and training services"),),
    "waste": (("90500000", "Refuse and waste related services"),),
    "comms": (("79340000", "Advertising and marketing services"), ("79800000", "Printing and related services")),
}
SOFTWARE_CPV = {
    "payroll": ("48450000", "Time accounting or human resources software package"),
    "hr": ("48450000", "Time accounting or human resources software package"),
    "finance-erp": ("48440000", "Financial analysis and accounting software package"),
    "crm-contact-centre": ("48445000", "Customer Relation Management software package"),
}
OTHER_SOFTWARE_CPV = ("48000000", "Software package and information systems")
METHODS = (("open", "Open procedure", 0.45), ("selective", "Restricted procedure", 0.15),
           ("limited", "Call-off from a framework agreement", 0.3), ("direct", "Direct award", 0.1))
REGISTER_HEADER = ["Organisation Name", "Reference Number", "Title", "Department", "Description", "Supplier Name",
                   "Supplier Company Number", "Value", "Irrecoverable VAT", "Start Date", "End Date",
                   "Review Date", "Procurement Route", "SME", "VCSE"]
_COUNT = {"ministerial-department": 40, "executive-agency": 24, "executive-ndpb": 12, "county-council": 60,
          "district-council": 25, "metropolitan-district": 70, "unitary-authority": 50, "london-borough": 55,
          "nhs-trust": 30, "nhs-foundation-trust": 40}
_TITLES = {
    "it": ("Managed IT service", "Network support and maintenance", "Software development services"),
    "facilities": ("Cleaning services", "Security guarding", "Catering services", "Total facilities management"),
    "property": ("Estate management services", "Property valuation services"),
    "staffing": ("Temporary agency workers", "Interim resourcing"),
    "consultancy": ("Programme assurance", "Organisational review", "Research and evaluation"),
    "care": ("Residential care placements", "Domiciliary care framework", "Supported living services"),
    "construction": ("Building maintenance", "Capital works programme", "Highways resurfacing"),
    "utilities": ("Supply of electricity",),
    "legal": ("External legal services",),
    "travel": ("Travel management services",),
    "medical": ("Medical consumables", "Pharmacy supplies"),
    "transport": ("Home to school transport", "Fleet hire"),
    "education": ("Training and development", "Apprenticeship training"),
    "waste": ("Waste collection and disposal",),
    "comms": ("Print services", "Advertising campaign"),
}


@dataclass
class Contract:
    ref: str
    org_id: str
    title: str
    description: str
    cpv: tuple[str, str]
    supplier: int
    value: Decimal  # total over the contract's life, pounds
    start: dt.date
    end: dt.date
    signed: dt.date
    method: str
    department: str
    kind: str = "general"  # 'general' | 'system' | 'open-book'
    category: str = ""

    @property
    def ocid(self) -> str:
        return f"ocds-synth-{self.ref}"


class ContractBook:
    """Every body's contracts, in the order they were made; refs are unique per body."""

    def __init__(self):
        self.by_org: dict[str, list[Contract]] = {}
        self._seq: dict[tuple[str, str], int] = {}

    def ref(self, b: Body, series: str, year: int) -> str:
        code = b.org_id.removeprefix("XX-SYNTH-")
        n = self._seq[(b.org_id, series)] = self._seq.get((b.org_id, series), 0) + 1
        return f"{code}-{series}{year}-{n:04d}"

    def add(self, c: Contract) -> Contract:
        self.by_org.setdefault(c.org_id, []).append(c)
        return c


def _departments(b: Body) -> tuple[str, ...]:
    if b.sector == "local":
        return ("Adults and Health", "Children's Services", "Place", "Resources", "Communities")
    if b.sector == "nhs":
        return vocab.NHS_AREAS
    return vocab.CENTRAL_AREAS


def pick_method(rng) -> tuple[str, str]:
    x = rng.random()
    for method, route, p in METHODS:
        if x < p:
            return method, route
        x -= p
    return METHODS[-1][:2]


def plan_general(sector: Sector, book: ContractBook, b: Body) -> None:
    rng = sector.rng("contracts", b.index)
    view = sector.suppliers(b)
    cats = [c for c in vocab.CATEGORIES if c in CPV and (c != "care" or b.sector == "local")
            and (c != "medical" or b.sector == "nhs")]
    weights = [vocab.CATEGORY_WEIGHTS[vocab.CATEGORIES.index(c)] for c in cats]
    median = 250_000 if b.sector == "central" else 120_000
    for _ in range(round(_COUNT[b.kind] * rng.uniform(0.8, 1.2))):
        cat = rng.choices(cats, weights)[0]
        firms = view.favourites(cat, 6)
        if not firms:
            continue
        s = firms[min(int(rng.expovariate(0.6)), len(firms) - 1)]
        start = sector.start - dt.timedelta(days=rng.randrange(0, 4 * 365)) + dt.timedelta(days=rng.randrange(0, 300))
        start = start.replace(day=1)
        end = add_months(start, 12 * rng.randrange(1, 6)) - dt.timedelta(days=1)
        value = Decimal(max(5_000, min(50_000_000, round(rng.lognormvariate(0, 1.2) * median, -2))))
        cpv = rng.choice(CPV[cat])
        title = rng.choice(_TITLES[cat])
        method, _route = pick_method(rng)
        book.add(Contract(book.ref(b, "", start.year), b.org_id, title, f"{title} for {b.name}", cpv, s, value,
                          start, end, start - dt.timedelta(days=rng.randrange(7, 60)), method,
                          rng.choice(_departments(b)), "general", cat))


# ---- OCDS ------------------------------------------------------------------------------

def _amount(x: Decimal):
    x = money(x)
    return int(x) if x == x.to_integral_value() else float(x)


def _when(d: dt.date) -> str:
    return f"{d.isoformat()}T00:00:00Z"


def ocds_package(sector: Sector, b: Body, contracts: list[Contract]) -> dict:
    view = sector.suppliers(b)
    code = b.org_id.removeprefix("XX-SYNTH-")
    published = sector.end + dt.timedelta(days=30)
    buyer = {"id": b.org_id, "name": b.name,
             "identifier": {"scheme": "XX-SYNTH", "id": code, "legalName": b.name},
             "address": {"countryName": "United Kingdom"}, "roles": ["buyer"]}
    releases = []
    for c in contracts:
        sid = sector.supplier_id(c.supplier)
        name = view.name(c.supplier)
        number = sector.pool.company_number[c.supplier]
        supplier = {"id": sid, "name": name}
        if number:
            supplier["identifier"] = {"scheme": "GB-COH", "id": number, "legalName": sector.pool.canonical[c.supplier]}
        supplier["roles"] = ["supplier"]
        value = {"amount": _amount(c.value), "currency": "GBP"}
        period = {"startDate": _when(c.start), "endDate": _when(c.end)}
        item = {"id": "1", "description": c.title,
                "classification": {"scheme": "CPV", "id": c.cpv[0], "description": c.cpv[1]}, "quantity": 1}
        route = next(r for m, r, _p in METHODS if m == c.method)
        releases.append({
            "ocid": c.ocid, "id": f"{c.ocid}-award-1", "date": _when(c.signed), "tag": ["award", "contract"],
            "initiationType": "tender", "parties": [buyer, supplier], "buyer": {"id": b.org_id, "name": b.name},
            "tender": {"id": f"{c.ref}-T", "title": c.title, "description": c.description, "status": "complete",
                       "procurementMethod": c.method, "procurementMethodDetails": route,
                       "mainProcurementCategory": "works" if c.category == "construction" else
                       ("goods" if c.category in ("medical", "utilities") else "services"),
                       "items": [item]},
            "awards": [{"id": f"{c.ref}-A1", "title": c.title, "status": "active", "date": _when(c.signed),
                        "value": dict(value), "suppliers": [{"id": sid, "name": name}],
                        "contractPeriod": dict(period)}],
            "contracts": [{"id": c.ref, "awardID": f"{c.ref}-A1", "title": c.title, "description": c.description,
                           "status": "active" if c.end >= published else "terminated",
                           "period": dict(period), "value": dict(value), "dateSigned": _when(c.signed),
                           "items": [item]}],
        })
    return {
        "uri": f"{URI_BASE}/contracts/{b.org_id}.json", "version": "1.1",
        "publishedDate": f"{published.isoformat()}T09:00:00Z",
        "publisher": {"name": b.name, "scheme": "XX-SYNTH", "uid": code},
        "license": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "publicationPolicy": f"{URI_BASE}/publication-policy",
        "releases": releases,
    }


# (pointer under the release, problem code, how to spoil it)
OCDS_DEFECTS = (
    ("/awards/0/value/amount", "type-error", lambda r: _set(r["awards"][0]["value"], "amount",
                                                             f"£{r['awards'][0]['value']['amount']:,}")),
    ("/contracts/0/period/endDate", "constraint-error",
     lambda r: _set(r["contracts"][0]["period"], "endDate", r["contracts"][0]["period"]["startDate"].replace(
         r["contracts"][0]["period"]["startDate"][:4], str(int(r["contracts"][0]["period"]["startDate"][:4]) - 1)))),
    ("/awards/0/value/currency", "value-missing", lambda r: r["awards"][0]["value"].pop("currency") and ""),
    ("/contracts/0/period/startDate", "date-invalid",
     lambda r: _set(r["contracts"][0]["period"], "startDate", r["contracts"][0]["period"]["startDate"][:5] + "02-30T00:00:00Z")),
)


def _set(d: dict, key: str, value: str) -> str:
    d[key] = value
    return value


def spoil_ocds(sector: Sector, packages: dict[str, dict], contracts: dict[str, list[Contract]]) -> list[list]:
    """Spoil a few ordinary releases across the packages; return their bad-record truth rows."""
    rng = sector.rng("contracts-defects")
    cells = [(org, i) for org in sorted(packages) for i, c in enumerate(contracts[org]) if c.kind == "general"]
    out = []
    for n, j in enumerate(sorted(rng.sample(range(len(cells)), min(len(OCDS_DEFECTS), len(cells))))):
        org, i = cells[j]
        pointer, code, spoil = OCDS_DEFECTS[n]
        value = spoil(packages[org]["releases"][i])
        out.append(["contracts", f"contracts/{org}.json", "", f"/releases/{i}{pointer}", code, value])
    return out


def write_ocds(out_dir: Path, org_id: str, package: dict) -> None:
    path = out_dir / "contracts" / f"{org_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def ocds_file_row(org_id: str, package: dict, bad: set[int]) -> list:
    total = sum((Decimal(str(r["contracts"][0]["value"]["amount"])) for i, r in enumerate(package["releases"])
                 if i not in bad), Decimal(0))
    return [f"contracts/{org_id}.json", "contracts", org_id, len(package["releases"]), len(bad), gbp(total)]


# ---- the council's own register --------------------------------------------------------

def register_sheet(sector: Sector, b: Body, contracts: list[Contract]) -> Sheet:
    view = sector.suppliers(b)
    sheet = Sheet(f"contracts/{b.org_id}-register.csv", "contracts", b.org_id, REGISTER_HEADER, amount_column="Value")
    for c in contracts:
        name = view.name(c.supplier)
        route = next(r for m, r, _p in METHODS if m == c.method)
        sheet.add([b.name, c.ref, c.title, c.department, c.description, name, sector.pool.company_number[c.supplier],
                   f"{c.value.quantize(PENNY)}", "0.00", _dmy(c.start), _dmy(c.end),
                   _dmy(add_months(c.end, -6)), route, "Yes" if is_sme(sector, c.supplier) else "No",
                   "Yes" if is_vcse(sector, c.supplier) else "No"], protect=c.kind != "general")
    return sheet


def _dmy(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


def is_vcse(sector: Sector, s: int) -> bool:
    name = sector.pool.canonical[s]
    return any(name.endswith(" " + f) for f in vocab.CHARITY_FORMS)


def is_sme(sector: Sector, s: int) -> bool:
    name = sector.pool.canonical[s]
    return not name.endswith("PLC") and (s * 2654435761) % 100 < 65


REGISTER_DEFECTS = (
    ("Value", "type-error", lambda old, rng: "TBC"),
    ("End Date", "date-invalid", lambda old, rng: "31/06/" + old[-4:]),
)
