"""Organograms: who works where, at what grade and pay, with a few top-heavy units planted.

Central and NHS bodies publish the Cabinet Office organogram pair (senior posts one by
one, junior posts aggregated by unit and grade) at each snapshot; councils publish the LGA
OrganisationStructure chart of their top three levels. Each body has its own pay scale
(the grade's national range times a body factor), which the cost registers use as "the
body's own pay for that grade".

A top-heavy unit is planted as three or four senior posts over a handful of managers.
Measures are per unit of one senior file and its junior file (good rows only):
  span-of-control       junior FTE / senior posts                       top-heavy if <= 2
  managers-per-staff    manager-grade FTE / other junior FTE            top-heavy if > 1
  senior-paybill-share  senior pay / (senior + junior pay)              top-heavy if > 0.5
Senior pay is FTE x the midpoint of the disclosed floor and ceiling, or of the grade's
published range (`ND_PAY`) where pay is "N/D"; junior pay is FTE x the midpoint of the
payscale. Ordinary units are built well clear of every threshold.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass, field, replace
from decimal import Decimal

from . import vocab
from .bodies import Body
from .book import URI_BASE, Sector, Sheet, person

SENIOR_HEADER = ["Post Unique Reference", "Name", "Grade (or equivalent)", "Job Title", "Job/Team Function",
                 "Parent Department", "Organisation", "Unit", "Contact Phone", "Contact E-mail",
                 "Reports to Senior Post", "Salary Cost of Reports (£)", "FTE", "Actual Pay Floor (£)",
                 "Actual Pay Ceiling (£)", "Professional/Occupational Group", "Notes", "Valid?"]
JUNIOR_HEADER = ["Parent Department", "Organisation", "Unit", "Reporting Senior Post", "Grade",
                 "Payscale Minimum (£)", "Payscale Maximum (£)", "Generic Job Title", "Number of Posts in FTE",
                 "Professional/Occupational Group"]
LGA_HEADER = ["OrganisationLabel", "OrganisationURI", "EffectiveDate", "Level", "JobTitle", "Name", "Grade",
              "Directorate", "Service", "ContractType", "SharedPost", "ContactDetails", "SalaryBand",
              "MaximumSalary", "Vacancy", "Comments"]
ORGANOGRAM_TRUTH = ["file", "org_id", "snapshot", "layout", "rows", "bad_rows", "posts", "fte_total",
                    "pay_floor_total", "pay_ceiling_total", "pay_not_disclosed"]
TOP_HEAVY_TRUTH = ["file", "junior_file", "org_id", "unit", "measure", "value", "threshold", "peer_median"]
THRESHOLDS = {"span-of-control": Decimal("2"), "managers-per-staff": Decimal("1"),
              "senior-paybill-share": Decimal("0.5")}
WORKING_DAYS = 220  # a year's working days, to turn annual pay into a day's


@dataclass(frozen=True)
class Scheme:
    """A pay and grading system: junior grades (low to high) with national ranges and the
    usual share of a unit's FTE, the manager grades, and senior grades with pay ranges."""

    junior: tuple  # (grade, min, max, share, job titles)
    managers: frozenset
    senior: dict  # grade -> (min, max), lowest first
    office: tuple  # (grade, fte low, fte high) of a private office

    def lowest_senior(self) -> str:
        return next(iter(self.senior))


CIVIL_SERVICE = Scheme(
    junior=(("AA", 22_500, 23_800, 0.05, ("Administrative Assistant", "Support Assistant")),
            ("AO", 23_800, 26_000, 0.18, ("Administrative Officer", "Casework Officer")),
            ("EO", 28_500, 32_000, 0.25, ("Executive Officer", "Caseworker")),
            ("HEO", 35_000, 39_500, 0.20, ("Higher Executive Officer", "Policy Adviser")),
            ("SEO", 42_500, 48_000, 0.15, ("Senior Executive Officer", "Senior Policy Adviser")),
            ("Grade 7", 55_000, 64_500, 0.12, ("Team Leader", "Policy Lead")),
            ("Grade 6", 66_000, 78_000, 0.05, ("Head of Team", "Senior Policy Lead"))),
    managers=frozenset({"Grade 7", "Grade 6"}),
    senior={"SCS1": (75_000, 117_800), "SCS2": (97_000, 162_500), "SCS3": (125_000, 208_100),
            "SCS4": (150_000, 200_000)},
    office=(("EO", 2.5, 4.0), ("HEO", 2.5, 4.0), ("SEO", 2.0, 3.0), ("Grade 7", 1.0, 1.0)),
)
AGENDA_FOR_CHANGE = Scheme(
    junior=(("Band 2", 23_615, 23_615, 0.08, ("Healthcare Assistant", "Domestic Assistant")),
            ("Band 3", 24_071, 25_674, 0.12, ("Senior Healthcare Assistant", "Administrator")),
            ("Band 4", 26_530, 29_114, 0.10, ("Assistant Practitioner", "Medical Secretary")),
            ("Band 5", 29_970, 36_483, 0.25, ("Staff Nurse", "Radiographer")),
            ("Band 6", 37_338, 44_962, 0.20, ("Senior Staff Nurse", "Specialist Practitioner")),
            ("Band 7", 46_148, 52_809, 0.13, ("Ward Manager", "Advanced Practitioner")),
            ("Band 8a", 53_755, 60_504, 0.06, ("Matron", "Service Manager")),
            ("Band 8b", 62_215, 72_293, 0.03, ("Lead Nurse", "Head of Service")),
            ("Band 8c", 74_290, 85_601, 0.02, ("Associate Director",)),
            ("Band 8d", 88_168, 101_677, 0.01, ("Deputy Director of Operations",))),
    managers=frozenset({"Band 8a", "Band 8b", "Band 8c", "Band 8d"}),
    senior={"Band 9": (105_385, 121_271), "VSM": (140_000, 230_000)},
    office=(("Band 3", 2.5, 4.0), ("Band 5", 2.5, 4.0), ("Band 6", 2.0, 3.0), ("Band 7", 1.0, 1.0)),
)
# Where pay is "N/D", the midpoint of the grade's published range stands in for it.
ND_PAY = {g: Decimal(lo + hi) / 2 for s in (CIVIL_SERVICE, AGENDA_FOR_CHANGE) for g, (lo, hi) in s.senior.items()}

PROFESSIONS = ("Policy", "Operational Delivery", "Finance", "Human Resources", "Digital, Data and Technology",
               "Communications", "Legal", "Commercial", "Project Delivery", "Analysis", "Property",
               "Knowledge and Information Management", "Science and Engineering")
NHS_PROFESSIONS = ("Nursing and Midwifery", "Medical and Dental", "Allied Health Professionals",
                   "Healthcare Scientists", "Administrative and Clerical", "Estates and Ancillary", "Finance")
GROUPS = ("Policy and Strategy Group", "Operations Group", "Corporate Services Group", "Regulation and Standards Group",
          "Delivery Group", "Analysis and Insight Group", "Transformation Group", "Regions Group")
TEAMS = ("Casework", "Policy Development", "Customer Contact", "Performance and Insight", "Programme Assurance",
         "Strategic Planning", "Grants and Funding", "Regulatory Compliance", "Data Services", "Workforce Planning",
         "Financial Control", "Estates Management", "Commercial Operations", "Internal Communications",
         "Legislation", "Stakeholder Engagement", "Local Partnerships", "Evaluation", "Inspections",
         "Licensing", "Digital Services", "Security and Resilience", "Knowledge Management", "Appeals",
         "Enforcement", "Investment Appraisal", "Research", "Operational Support", "Quality Assurance",
         "Ministerial Correspondence")
NHS_TEAMS = ("Surgery Division", "Medicine Division", "Women and Children", "Emergency Care", "Clinical Support",
             "Community Services", "Pharmacy", "Radiology", "Pathology", "Theatres", "Outpatients",
             "Mental Health Liaison", "Estates and Facilities", "Patient Experience", "Infection Prevention",
             "Cancer Services", "Cardiology", "Critical Care", "Therapies", "Research and Innovation")
QUALIFIERS = ("", " North", " South", " East", " West", " Central", " Midlands", " National")
PLANTED_UNITS = ("Transformation Office", "Strategic Portfolio Office", "Change and Assurance Unit",
                 "Reform Programme Office", "Corporate Design Unit")
NHS_EXECUTIVES = (("Chief Operating Officer", "Operations"), ("Medical Director", "Medical Directorate"),
                  ("Chief Nurse", "Nursing and Quality"), ("Director of Finance", "Finance"),
                  ("Director of People", "Workforce"), ("Director of Strategy", "Strategy and Partnerships"),
                  ("Chief Digital Officer", "Digital"))
COUNCIL_DIRECTORATES = ("Adults and Health", "Children's Services", "Place", "Resources", "Communities",
                        "Public Health", "Housing and Regeneration")
COUNCIL_SERVICES = ("Finance", "Legal and Democratic Services", "Human Resources", "ICT", "Revenues and Benefits",
                    "Highways", "Waste and Street Scene", "Planning", "Housing Options", "Leisure and Culture",
                    "Adult Social Care Operations", "Commissioning", "Safeguarding", "Education and Skills",
                    "Customer Services", "Regeneration", "Environmental Health", "Property and Assets")


@dataclass
class Senior:
    ref: str
    name: str
    grade: str
    title: str
    unit: str
    reports_to: str
    fte: Decimal
    pay: int | None  # None: not disclosed
    profession: str
    notes: str = ""


@dataclass
class Junior:
    unit: str
    reports_to: str
    grade: str
    title: str
    fte: Decimal
    profession: str
    office: bool = False  # a senior post's private office (never spoiled)


@dataclass
class Workforce:
    body: Body
    scheme: Scheme
    scale: dict  # junior grade -> (min, max) for this body
    snapshots: list[tuple[dt.date, list[Senior], list[Junior]]] = field(default_factory=list)
    planted: set[str] = field(default_factory=set)

    def day_pay(self, grade: str) -> Decimal:
        """The body's own pay for a grade: payscale maximum over `WORKING_DAYS`."""
        return Decimal(self.scale[grade][1]) / WORKING_DAYS


def snapshot_dates(end: dt.date) -> list[dt.date]:
    """The last two organogram snapshots (31 March, 30 September) on or before `end`."""
    out, y = [], end.year
    while len(out) < 2:
        for d in (dt.date(y, 9, 30), dt.date(y, 3, 31)):
            if d <= end and len(out) < 2:
                out.append(d)
        y -= 1
    return sorted(out)


def fte_text(x: Decimal) -> str:
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return s or "0"


def _units(names: tuple, rng) -> iter:
    pool = [n + q for q in QUALIFIERS for n in names]
    head = pool[: len(names)]
    rng.shuffle(head)
    return iter(head + pool[len(names):] + [f"{n} {i}" for i in range(2, 100) for n in names])


def plan_workforce(sector: Sector, b: Body, planted: bool) -> Workforce:
    rng = sector.rng("staff", b.index)
    scheme = AGENDA_FOR_CHANGE if b.sector == "nhs" else CIVIL_SERVICE
    factor = rng.uniform(0.95, 1.08)
    scale = {g: (round(lo * factor / 10) * 10, round(hi * factor / 10) * 10) for g, lo, hi, _s, _t in scheme.junior}
    wf = Workforce(b, scheme, scale)
    code = b.org_id.removeprefix("XX-SYNTH-")
    refs = (f"{code}{n:03d}" for n in range(1, 10_000))
    seniors: list[Senior] = []
    juniors: list[Junior] = []
    professions = NHS_PROFESSIONS if b.sector == "nhs" else PROFESSIONS
    lowest = scheme.lowest_senior()

    def post(grade, title, unit, reports_to, named=True):
        lo, hi = scheme.senior[grade]
        disclosed = grade != lowest
        s = Senior(next(refs), person(rng) if disclosed and named else "N/D", grade, title, unit, reports_to,
                   Decimal(1) if rng.random() > 0.06 else Decimal("0.8"),
                   rng.randrange(lo, hi) if disclosed else None, rng.choice(professions))
        seniors.append(s)
        return s

    def office(s: Senior):
        rows = [Junior(s.unit, s.ref, g, _title(scheme, g, rng), Decimal(str(round(rng.uniform(a, z), 2))),
                       s.profession, office=True) for g, a, z in scheme.office]
        # Big enough that the senior post is under 40% of the office's pay bill.
        pay = Decimal(s.pay) if s.pay else ND_PAY[s.grade]
        bill = sum((r.fte * _mid(scale[r.grade]) for r in rows), Decimal(0))
        k = max(Decimal(1), Decimal("1.6") * pay / bill)
        for r in rows:
            if r.grade not in scheme.managers:
                r.fte = (r.fte * k).quantize(Decimal("0.01"))
        juniors.extend(rows)

    staff = Decimal(str(b.staff_fte))
    n_low = max(2, min(140, round(b.staff_fte / 170)))
    if b.sector == "nhs":
        top = post("VSM", "Chief Executive", "Chief Executive's Office", "XX")
        office(top)
        heads = []
        for title, unit in NHS_EXECUTIVES[: 5 + rng.randrange(3)]:
            heads.append(post("VSM", title, unit, top.ref))
            office(heads[-1])
        team_names = _units(NHS_TEAMS, rng)
        low_title = "Divisional Director"
    else:
        top_grade, top_title = {"ministerial-department": ("SCS4", "Permanent Secretary"),
                                "executive-agency": ("SCS3", "Chief Executive")}.get(b.kind, ("SCS2", "Chief Executive"))
        unit = "Office of the Permanent Secretary" if top_grade == "SCS4" else "Chief Executive's Office"
        top = post(top_grade, top_title, unit, "XX")
        office(top)
        heads = [top]
        if top_grade in ("SCS4", "SCS3"):
            n_dir = max(2, math.ceil(n_low / 5))
            parents = [top]
            if top_grade == "SCS4":
                groups = list(GROUPS)
                rng.shuffle(groups)
                parents = []
                for g in groups[: max(2, min(len(groups), math.ceil(n_dir / 4)))]:
                    parents.append(post("SCS3", f"Director General, {g.removesuffix(' Group')}", g, top.ref))
                    office(parents[-1])
            directorates = _units(tuple(f"{a} Directorate" for a in vocab.CENTRAL_AREAS), rng)
            heads = []
            for k in range(n_dir):
                d = next(directorates)
                heads.append(post("SCS2", f"Director, {d.removesuffix(' Directorate')}", d, parents[k % len(parents)].ref))
                office(heads[-1])
        team_names = _units(TEAMS, rng)
        low_title = "Deputy Director"
    # Delivery units under the lowest heads, each at least 12 FTE.
    used = sum((j.fte for j in juniors), Decimal(0))
    n_low = max(2, min(n_low, int((staff - used) / 15)))
    weights = [rng.lognormvariate(0, 0.5) for _ in range(n_low)]
    spare = max(Decimal(0), staff - used - 12 * n_low)
    for k, w in enumerate(weights):
        unit = next(team_names)
        s = post(lowest, f"{low_title}, {unit}", unit, heads[k % len(heads)].ref)
        size = Decimal(12) + spare * Decimal(w / sum(weights))
        juniors.extend(_delivery_unit(scheme, s, size, rng))
    if planted:
        unit = rng.choice(PLANTED_UNITS)
        head = post(lowest, f"{low_title}, {unit}", unit, rng.choice(heads).ref)
        for title in ("Head of Change", "Head of Portfolio", "Head of Design")[: 2 + rng.randrange(2)]:
            post(lowest, f"{low_title}, {title}", unit, head.ref)
        grades = [g for g, *_ in scheme.junior]
        g6, g7, seo = grades[-1], grades[-2], grades[-3]
        mix = [(g6, Decimal(1)), (g7, Decimal(1 + rng.randrange(2))), (seo, Decimal(1))]
        if scheme is AGENDA_FOR_CHANGE:
            mix = [(grades[-2], Decimal(1)), (grades[-3], Decimal(1 + rng.randrange(2))), ("Band 7", Decimal(1))]
        juniors.extend(Junior(unit, head.ref, g, _title(scheme, g, rng), f, head.profession) for g, f in mix)
        wf.planted.add(unit)
    dates = snapshot_dates(sector.end)
    wf.snapshots.append((dates[0], seniors, juniors))
    wf.snapshots.append((dates[1], *_six_months_on(scheme, seniors, juniors, wf.planted, rng)))
    return wf


def _mid(r) -> Decimal:
    return Decimal(r[0] + r[1]) / 2


def _title(scheme: Scheme, grade: str, rng) -> str:
    return rng.choice(next(t for g, *_x, t in scheme.junior if g == grade))


def _delivery_unit(scheme: Scheme, s: Senior, size: Decimal, rng) -> list[Junior]:
    shares = [sh * rng.uniform(0.8, 1.2) for _g, _lo, _hi, sh, _t in scheme.junior]
    total = sum(shares)
    out = []
    for (g, _lo, _hi, _sh, titles), sh in zip(scheme.junior, shares):
        fte = float(size) * sh / total
        parts = [fte] if fte < 4 or rng.random() < 0.5 else [fte * (p := rng.uniform(0.3, 0.7)), fte * (1 - p)]
        for j, x in enumerate(parts):
            if x >= 0.5:
                out.append(Junior(s.unit, s.ref, g, titles[j % len(titles)], Decimal(str(round(x, 2))), s.profession))
    return out


def _six_months_on(scheme, seniors, juniors, planted, rng):
    """The next snapshot: the same posts, FTE drifted a little, some new people, a vacancy."""
    new_seniors = []
    for s in seniors:
        s2 = replace(s)
        if s.name not in ("N/D",) and s.reports_to != "XX" and rng.random() < 0.1:
            s2.name = person(rng)
            lo, hi = scheme.senior[s.grade]
            s2.pay = rng.randrange(lo, hi)
        new_seniors.append(s2)
    named = [s for s in new_seniors if s.name != "N/D" and s.reports_to != "XX"]
    if named:
        v = rng.choice(named)
        v.name, v.notes = "Vacant", "Vacant post; interim cover from within the directorate"
    new_juniors = []
    for j in juniors:
        j2 = replace(j)
        if not j.office and j.unit not in planted:
            j2.fte = max(Decimal("0.5"), (j.fte * Decimal(str(rng.uniform(0.92, 1.08)))).quantize(Decimal("0.01")))
        new_juniors.append(j2)
    return new_seniors, new_juniors


# ---- files -----------------------------------------------------------------------------

def organogram_sheets(sector: Sector, wf: Workforce) -> list[tuple[Sheet, Sheet]]:
    b = wf.body
    rng = sector.rng("staff-files", b.index)
    parent = b.family_name or b.name
    code = b.org_id.removeprefix("XX-SYNTH-").lower()
    phone = f"020 7946 0{rng.randrange(100, 1000)}"
    out = []
    for date, seniors, juniors in wf.snapshots:
        base = f"organogram/{b.org_id}/{date.isoformat()}"
        sen = Sheet(f"{base}-senior.csv", "organogram", b.org_id, SENIOR_HEADER)
        jun = Sheet(f"{base}-junior.csv", "organogram", b.org_id, JUNIOR_HEADER)
        for s in seniors:
            team = [j for j in juniors if j.reports_to == s.ref]
            team_fte = sum((j.fte for j in team), Decimal(0))
            cost = sum((j.fte * _mid(wf.scale[j.grade]) for j in team), Decimal(0))
            # Rounded to the nearest £100,000 for teams under five, as the guidance asks.
            cost = round(cost / 100_000) * 100_000 if team_fte < 5 else round(cost)
            floor = ceiling = "N/D"
            if s.pay is not None:
                floor, ceiling = str(s.pay // 5000 * 5000), str(s.pay // 5000 * 5000 + 4999)
            email = f"{_slug(s.unit)}@{code}.synth.invalid" if s.pay is not None else f"enquiries@{code}.synth.invalid"
            sen.add([s.ref, s.name, s.grade, s.title, f"Leads {s.unit}: {_purpose(s.unit)}", parent, b.name,
                     s.unit, phone, email, s.reports_to, cost, fte_text(s.fte), floor, ceiling,
                     s.profession, s.notes, ""], protect=True)
        for j in juniors:
            lo, hi = wf.scale[j.grade]
            jun.add([parent, b.name, j.unit, j.reports_to, j.grade, lo, hi, j.title, fte_text(j.fte), j.profession],
                    protect=j.office or j.unit in wf.planted)
        out.append((sen, jun))
    return out


def _slug(s: str) -> str:
    return "".join(c if c.isalnum() else "." for c in s.lower()).strip(".").replace("..", ".")


def _purpose(unit: str) -> str:
    return f"delivering the {unit.lower()} work programme and its budget."


def lga_sheet(sector: Sector, b: Body) -> Sheet:
    """The council's organisation chart: chief executive, directors and heads of service."""
    rng = sector.rng("lga-chart", b.index)
    date = snapshot_dates(sector.end)[-1]
    sheet = Sheet(f"organogram/{b.org_id}/{date.isoformat()}-organisation-chart.csv", "organogram", b.org_id, LGA_HEADER)
    uri = f"{URI_BASE}/id/{b.org_id}"
    code = b.org_id.removeprefix("XX-SYNTH-").lower()
    district = b.kind == "district-council"

    def row(level, title, grade, pay_lo, pay_hi, maximum, directorate="NA", service="NA"):
        pay = rng.randrange(pay_lo, pay_hi)
        band = pay // 5000 * 5000
        vacant = level > 1 and rng.random() < 0.05
        name = person(rng) if (level == 1 or pay >= 150_000) and not vacant else "NA"
        contract = "Permanent" if rng.random() < 0.9 else rng.choice(("Interim", "Fixed Term"))
        sheet.add([b.name, uri, date.isoformat(), level, title, name, grade, directorate, service,
                   contract, "NA", f"enquiries@{code}.synth.invalid", f"{band} - {band + 4999}",
                   maximum, "Vacant" if vacant else "NA", "NA"], protect=level == 1)

    row(1, "Chief Executive", "Chief Executive", *((110_000, 140_000) if district else (170_000, 230_000)), "NA")
    directorates = list(COUNCIL_DIRECTORATES[: 3 if district else 5 + rng.randrange(3)])
    services = list(COUNCIL_SERVICES)
    rng.shuffle(services)
    services = iter(services * 3)
    for d in directorates:
        row(2, f"Corporate Director of {d}", "Director", *((90_000, 110_000) if district else (120_000, 165_000)),
            110_000 if district else 165_000, directorate=d)
        for _ in range(2 + rng.randrange(4)):
            s = next(services)
            row(3, f"Head of {s}", f"HS{1 + rng.randrange(3)}", 65_000, 100_000, 100_000, directorate=d, service=s)
    return sheet


# ---- truth -----------------------------------------------------------------------------

def organogram_truth(sen: Sheet, jun: Sheet, snapshot: dt.date) -> list[list]:
    out = []
    for sheet, layout, fte_col, lo_col, hi_col in (
            (sen, "senior", "FTE", "Actual Pay Floor (£)", "Actual Pay Ceiling (£)"),
            (jun, "junior", "Number of Posts in FTE", "Payscale Minimum (£)", "Payscale Maximum (£)")):
        good = sheet.good()
        nd = sum(r[lo_col] == "N/D" for r in good)
        out.append([sheet.path, sheet.org_id, snapshot.isoformat(), layout, len(sheet.rows), len(sheet.bad), len(good),
                    fte_text(sum((Decimal(r[fte_col]) for r in good), Decimal(0))),
                    sum(int(r[lo_col]) for r in good if r[lo_col] != "N/D"),
                    sum(int(r[hi_col]) for r in good if r[hi_col] != "N/D"), nd])
    return out


def lga_truth(sheet: Sheet) -> list:
    good = sheet.good()
    bands = [tuple(int(x) for x in r["SalaryBand"].split(" - ")) for r in good if r["SalaryBand"] != "NA"]
    return [sheet.path, sheet.org_id, good[0]["EffectiveDate"] if good else "", "lga", len(sheet.rows),
            len(sheet.bad), len(good), "", sum(lo for lo, _ in bands), sum(hi for _, hi in bands),
            len(good) - len(bands)]


def unit_measures(sen_rows: list[dict], jun_rows: list[dict], managers: frozenset) -> dict[str, dict[str, Decimal]]:
    """The three measures for every unit of one snapshot (rows as read from the files)."""
    units: dict[str, dict] = {}
    for r in sen_rows:
        u = units.setdefault(r["Unit"], {"posts": 0, "senior": Decimal(0), "junior": Decimal(0),
                                         "managers": Decimal(0), "staff": Decimal(0), "pay": Decimal(0)})
        fte = Decimal(r["FTE"])
        u["posts"] += 1
        if r["Actual Pay Floor (£)"] == "N/D":
            u["senior"] += fte * ND_PAY[r["Grade (or equivalent)"]]
        else:
            u["senior"] += fte * (Decimal(r["Actual Pay Floor (£)"]) + Decimal(r["Actual Pay Ceiling (£)"])) / 2
    for r in jun_rows:
        u = units.get(r["Unit"])
        if u is None:
            continue
        fte = Decimal(r["Number of Posts in FTE"])
        u["junior"] += fte
        u["managers" if r["Grade"] in managers else "staff"] += fte
        u["pay"] += fte * (Decimal(r["Payscale Minimum (£)"]) + Decimal(r["Payscale Maximum (£)"])) / 2
    out = {}
    for name, u in units.items():
        out[name] = {
            "span-of-control": u["junior"] / u["posts"],
            "managers-per-staff": u["managers"] / u["staff"] if u["staff"] else Decimal("Infinity"),
            "senior-paybill-share": u["senior"] / (u["senior"] + u["pay"]),
        }
    return out


def is_top_heavy(measure: str, value: Decimal) -> bool:
    t = THRESHOLDS[measure]
    return value <= t if measure == "span-of-control" else value > t


def top_heavy_truth(sen: Sheet, jun: Sheet, scheme: Scheme) -> list[list]:
    m = unit_measures(sen.good(), jun.good(), scheme.managers)
    out = []
    for measure in THRESHOLDS:
        values = [v[measure] for v in m.values()]
        median = statistics.median(values)
        for unit, v in sorted(m.items()):
            if is_top_heavy(measure, v[measure]):
                out.append([sen.path, jun.path, sen.org_id, unit, measure, f"{v[measure]:.4f}",
                            THRESHOLDS[measure], f"{median:.4f}"])
    return out
