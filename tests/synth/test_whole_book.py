"""The whole open book: every dataset beside spend is read back naively and checked against
the truth planted in it (top-heavy units, shared-product prices, margin breaches, bad cells).

The readers and measures here are written out again from the documented formats, not
imported from the generator, so a generator bug shows up as a mismatch.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import statistics
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from openbook.cli import app
from openbook.standard import code_list, load_schema
from openbook.synth import generate

SEED, ROWS = 11, 3_000
SENIOR = ["Post Unique Reference", "Name", "Grade (or equivalent)", "Job Title", "Job/Team Function",
          "Parent Department", "Organisation", "Unit", "Contact Phone", "Contact E-mail", "Reports to Senior Post",
          "Salary Cost of Reports (£)", "FTE", "Actual Pay Floor (£)", "Actual Pay Ceiling (£)",
          "Professional/Occupational Group", "Notes", "Valid?"]
JUNIOR = ["Parent Department", "Organisation", "Unit", "Reporting Senior Post", "Grade", "Payscale Minimum (£)",
          "Payscale Maximum (£)", "Generic Job Title", "Number of Posts in FTE", "Professional/Occupational Group"]
LGA = ["OrganisationLabel", "OrganisationURI", "EffectiveDate", "Level", "JobTitle", "Name", "Grade", "Directorate",
       "Service", "ContractType", "SharedPost", "ContactDetails", "SalaryBand", "MaximumSalary", "Vacancy", "Comments"]
REGISTER = ["Organisation Name", "Reference Number", "Title", "Department", "Description", "Supplier Name", "Supplier Company Number",
            "Value", "Irrecoverable VAT", "Start Date", "End Date", "Review Date", "Procurement Route", "SME", "VCSE"]
GRANTS = ["Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date", "Recipient Org:Identifier",
          "Recipient Org:Name", "Recipient Org:Charity Number", "Funding Org:Identifier", "Funding Org:Name",
          "Grant Programme:Title"]
NOT_IN_TEMPLATES = {"source_sha256", "source_line", "classified_by", "classification_confidence"}
COST_CATEGORIES = {"direct-labour", "materials", "subcontract", "overhead", "financing", "revenue", "margin"}
CENTRAL_GRADES = {"AA", "AO", "EO", "HEO", "SEO", "Grade 7", "Grade 6"}
NHS_GRADES = {"Band 2", "Band 3", "Band 4", "Band 5", "Band 6", "Band 7", "Band 8a", "Band 8b", "Band 8c", "Band 8d"}
MANAGERS = {"Grade 7", "Grade 6", "Band 8a", "Band 8b", "Band 8c", "Band 8d"}
ND_MIDPOINT = {"SCS1": Decimal(75_000 + 117_800) / 2, "Band 9": Decimal(105_385 + 121_271) / 2}
# Spend output of generate(seed=3, rows=2_500, months=3, bodies=12), hashed once spend planted its
# duplicate look-alikes and re-keyed references stopped swapping the last digits of a lettered
# number (first hashed before the other datasets existed): adding other datasets must not move a
# byte of spend.
SPEND_GOLDEN = "d775fcd9245dfad70805af1d1479d7095fd42d5fa2f3fc816eb8eb11659dce53"  # VAT numbers with valid check digits
SPEND_FILES = ("organisations.csv", "spend/", "truth/files.csv", "truth/duplicates.csv", "truth/bad_rows.csv",
               "truth/suppliers.csv")
P = Decimal("0.01")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("book") / "sector"
    generate(path, seed=SEED, rows=ROWS)
    return path


def read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


def digests(root: Path, prefixes: tuple[str, ...] = ("",)) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*"))
            if p.is_file() and str(p.relative_to(root)).startswith(prefixes)}


@pytest.fixture(scope="module")
def bad(out) -> dict[str, dict[int, dict]]:
    """Planted bad cells by file and line (CSV) or by release index (JSON)."""
    by_file: dict[str, dict] = defaultdict(dict)
    for r in read(out / "truth" / "bad_records.csv"):
        key = int(r["line"]) if r["line"] else int(r["column_name"].split("/")[2])
        by_file[r["file"]][key] = r
    return by_file


def good(out: Path, rel: str, bad) -> list[dict]:
    return [r for line, r in enumerate(read(out / rel), start=2) if line not in bad.get(rel, {})]


def orgs(out: Path) -> dict[str, dict]:
    return {r["org_id"]: r for r in read(out / "organisations.csv")}


def money(x) -> Decimal:
    return Decimal(x).quantize(P, ROUND_HALF_UP)


# ---- determinism and independence ------------------------------------------------------

def test_same_seed_gives_the_same_bytes_in_every_file(out, tmp_path):
    again = generate(tmp_path / "again", seed=SEED, rows=ROWS)
    first = digests(out)
    assert digests(tmp_path / "again") == first
    assert again.other_files == len([f for f in first if not f.startswith(("spend/", "truth/", "organisations"))])
    other = generate(tmp_path / "other", seed=SEED + 1, rows=ROWS, datasets=("organogram",))
    changed = digests(tmp_path / "other", ("organogram/",))
    assert changed and all(changed.get(k) != v for k, v in first.items() if k.startswith("organogram/") and k in changed)
    assert other.files == 0 and not (tmp_path / "other" / "spend").exists()


def test_spend_files_are_byte_identical_with_or_without_the_other_datasets(tmp_path):
    args = dict(seed=3, rows=2_500, months=3, bodies=12)
    generate(tmp_path / "all", **args)
    generate(tmp_path / "spend", datasets=("spend",), **args)
    for root in (tmp_path / "all", tmp_path / "spend"):
        h = hashlib.sha256()
        for rel, _ in digests(root, SPEND_FILES).items():
            h.update(rel.encode() + b"\0" + (root / rel).read_bytes())
        assert h.hexdigest() == SPEND_GOLDEN
    assert (tmp_path / "all" / "grants").is_dir() and not (tmp_path / "spend" / "grants").exists()


def test_a_dataset_is_the_same_whichever_others_are_chosen(out, tmp_path):
    generate(tmp_path / "two", seed=SEED, rows=ROWS, datasets=("systems", "grants"))
    two = digests(tmp_path / "two", ("systems/", "grants/", "truth/systems.csv"))
    assert two and two == digests(out, ("systems/", "grants/", "truth/systems.csv"))
    assert not (tmp_path / "two" / "organogram").exists() and not (tmp_path / "two" / "truth" / "margins.csv").exists()


def test_an_unknown_dataset_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown dataset 'budgets'"):
        generate(tmp_path / "x", rows=10, datasets=("spend", "budgets"))


def test_without_defects_nothing_is_spoilt(tmp_path):
    generate(tmp_path / "clean", seed=SEED, rows=500, bodies=8, defects=False, datasets=("organogram", "grants"))
    assert read(tmp_path / "clean" / "truth" / "bad_records.csv") == []
    assert read(tmp_path / "clean" / "truth" / "top_heavy.csv")


def test_synth_command_takes_datasets(runner, tmp_path):
    result = runner.invoke(app, ["synth", str(tmp_path / "s"), "--rows", "500", "--datasets", "contracts,grants"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "s" / "contracts").is_dir() and not (tmp_path / "s" / "spend").exists()
    wrong = runner.invoke(app, ["synth", str(tmp_path / "t"), "--rows", "500", "--datasets", "spend,budget"])
    assert wrong.exit_code == 2 and "unknown dataset 'budget'" in wrong.output and "Traceback" not in wrong.output


# ---- organograms -----------------------------------------------------------------------

def organogram_pairs(out: Path) -> list[tuple[str, str]]:
    seniors = sorted(out.glob("organogram/*/*-senior.csv"))
    return [(str(s.relative_to(out)), str(s.relative_to(out)).replace("-senior.csv", "-junior.csv")) for s in seniors]


def test_organograms_have_the_cabinet_office_columns_and_rules(out, bad):
    bodies = orgs(out)
    staffed = {o for o, b in bodies.items() if b["kind"] not in
               ("county-council", "district-council", "metropolitan-district", "unitary-authority", "london-borough")}
    pairs = organogram_pairs(out)
    assert {p.split("/")[1] for p, _ in pairs} == staffed
    assert len(pairs) == 2 * len(staffed)
    for sen, jun in pairs:
        assert header(out / sen) == SENIOR and header(out / jun) == JUNIOR
        posts = read(out / sen)
        refs = {p["Post Unique Reference"] for p in posts}
        assert len(refs) == len(posts)
        assert [p["Reports to Senior Post"] for p in posts].count("XX") == 1
        assert all(p["Reports to Senior Post"] in refs | {"XX"} for p in posts)
        for p in posts:
            assert p["Organisation"] == bodies[sen.split("/")[1]]["name"]
            if p["Grade (or equivalent)"] in ("SCS1", "Band 9"):
                assert p["Name"] == p["Actual Pay Floor (£)"] == p["Actual Pay Ceiling (£)"] == "N/D"
            else:
                assert p["Grade (or equivalent)"] in ("SCS2", "SCS3", "SCS4", "VSM") and p["Name"] != "N/D"
                floor, ceiling = int(p["Actual Pay Floor (£)"]), int(p["Actual Pay Ceiling (£)"])
                assert floor % 5000 == 0 and ceiling == floor + 4999 and 95_000 <= floor <= 260_000
        for line, j in enumerate(read(out / jun), start=2):
            problem = bad.get(jun, {}).get(line)
            assert j["Grade"] in CENTRAL_GRADES | NHS_GRADES
            if problem is None:
                assert j["Reporting Senior Post"] in refs
                assert int(j["Payscale Minimum (£)"]) <= int(j["Payscale Maximum (£)"])
                assert Decimal(j["Number of Posts in FTE"]) >= Decimal("0.5")
            else:
                assert j[problem["column_name"]] == problem["value"]


def test_organogram_truth_counts_and_totals_equal_the_files(out, bad):
    truth = {r["file"]: r for r in read(out / "truth" / "organograms.csv")}
    assert len(truth) == len(list(out.glob("organogram/*/*.csv")))
    for rel, t in truth.items():
        rows = read(out / rel)
        kept = good(out, rel, bad)
        assert int(t["rows"]) == len(rows) and int(t["bad_rows"]) == len(rows) - len(kept) == len(bad.get(rel, {}))
        assert int(t["posts"]) == len(kept)
        if t["layout"] == "lga":
            bands = [tuple(map(int, r["SalaryBand"].split(" - "))) for r in kept]
            assert (int(t["pay_floor_total"]), int(t["pay_ceiling_total"])) == (sum(a for a, _ in bands),
                                                                                  sum(b for _, b in bands))
            continue
        fte, lo, hi = (("FTE", "Actual Pay Floor (£)", "Actual Pay Ceiling (£)") if t["layout"] == "senior"
                       else ("Number of Posts in FTE", "Payscale Minimum (£)", "Payscale Maximum (£)"))
        assert Decimal(t["fte_total"]) == sum(Decimal(r[fte]) for r in kept)
        assert int(t["pay_floor_total"]) == sum(int(r[lo]) for r in kept if r[lo] != "N/D")
        assert int(t["pay_ceiling_total"]) == sum(int(r[hi]) for r in kept if r[hi] != "N/D")
        assert int(t["pay_not_disclosed"]) == sum(r[lo] == "N/D" for r in kept)
    assert sum(int(t["bad_rows"]) for t in truth.values()) >= 3


def measures(posts: list[dict], juniors: list[dict]) -> dict[str, dict[str, Decimal]]:
    units = defaultdict(lambda: defaultdict(Decimal))
    for p in posts:
        u = units[p["Unit"]]
        u["posts"] += 1
        fte = Decimal(p["FTE"])
        if p["Actual Pay Floor (£)"] == "N/D":
            u["senior"] += fte * ND_MIDPOINT[p["Grade (or equivalent)"]]
        else:
            u["senior"] += fte * (int(p["Actual Pay Floor (£)"]) + int(p["Actual Pay Ceiling (£)"])) / Decimal(2)
    for j in juniors:
        u = units[j["Unit"]]
        fte = Decimal(j["Number of Posts in FTE"])
        u["fte"] += fte
        u["managers" if j["Grade"] in MANAGERS else "staff"] += fte
        u["pay"] += fte * (int(j["Payscale Minimum (£)"]) + int(j["Payscale Maximum (£)"])) / Decimal(2)
    return {name: {"span-of-control": u["fte"] / u["posts"],
                   "managers-per-staff": u["managers"] / u["staff"] if u["staff"] else Decimal("Infinity"),
                   "senior-paybill-share": u["senior"] / (u["senior"] + u["pay"])} for name, u in units.items()}


def test_top_heavy_truth_is_exactly_the_units_over_a_threshold(out, bad):
    over = {"span-of-control": lambda v: v <= 2, "managers-per-staff": lambda v: v > 1,
            "senior-paybill-share": lambda v: v > Decimal("0.5")}
    found = set()
    for sen, jun in organogram_pairs(out):
        m = measures(read(out / sen), good(out, jun, bad))
        for unit, values in m.items():
            for measure, value in values.items():
                if over[measure](value):
                    found.add((sen, unit, measure, f"{value:.4f}"))
    truth = {(r["file"], r["unit"], r["measure"], r["value"]) for r in read(out / "truth" / "top_heavy.csv")}
    assert truth == found
    units = {(f, u) for f, u, _m, _v in truth}
    assert len({f.split("/")[1] for f, _ in units}) >= 3
    assert all(sum((f, u) == (f2, u2) for f2, u2, _m, _v in truth) == 3 for f, u in units)  # every measure


def test_council_charts_follow_the_lga_layout(out):
    charts = sorted(out.glob("organogram/*/*-organisation-chart.csv"))
    assert len(charts) == sum(r["kind"].endswith(("council", "district", "authority", "borough"))
                              for r in orgs(out).values())
    for path in charts:
        assert header(path) == LGA
        rows = read(path)
        assert [r["Level"] for r in rows].count("1") == 1 and {r["Level"] for r in rows} == {"1", "2", "3"}
        assert rows[0]["OrganisationLabel"] == orgs(out)[path.parent.name]["name"]


# ---- contracts -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def packages(out) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.glob("contracts/*.json"))}


def test_every_body_publishes_a_structurally_valid_ocds_package(out, packages, bad):
    bodies = orgs(out)
    assert set(packages) == set(bodies)
    for org, pkg in packages.items():
        assert {"uri", "publishedDate", "publisher", "releases", "version"} <= set(pkg) and pkg["version"] == "1.1"
        assert pkg["publisher"]["name"] == bodies[org]["name"] and pkg["releases"]
        broken = bad.get(f"contracts/{org}.json", {})
        for i, r in enumerate(pkg["releases"]):
            assert {"ocid", "id", "date", "tag", "initiationType", "parties", "buyer", "tender", "awards",
                    "contracts"} <= set(r)
            assert r["ocid"].startswith("ocds-synth-") and r["buyer"] == {"id": org, "name": bodies[org]["name"]}
            parties = {p["id"]: p for p in r["parties"]}
            assert parties[org]["roles"] == ["buyer"]
            award, contract = r["awards"][0], r["contracts"][0]
            for s in award["suppliers"]:
                party = parties[s["id"]]
                assert party["roles"] == ["supplier"] and party["name"] == s["name"]
                if s["id"].startswith("GB-COH-"):
                    assert party["identifier"] == {**party["identifier"], "scheme": "GB-COH", "id": s["id"][7:]}
            assert contract["awardID"] == award["id"]
            item = contract["items"][0]["classification"]
            assert item["scheme"] == "CPV" and re.fullmatch(r"\d{8}", item["id"]) and item["description"]
            if i in broken:
                continue
            for value in (award["value"], contract["value"]):
                assert value["currency"] == "GBP" and isinstance(value["amount"], (int, float)) and value["amount"] > 0
            assert contract["period"]["startDate"] < contract["period"]["endDate"]
            dt.datetime.fromisoformat(contract["period"]["startDate"])


def test_planted_ocds_problems_are_where_truth_says(packages, bad):
    planted = [(f, i, r) for f, rows in bad.items() if f.endswith(".json") for i, r in rows.items()]
    assert {r["code"] for _f, _i, r in planted} == {"type-error", "constraint-error", "value-missing", "date-invalid"}
    for f, i, r in planted:
        release = packages[Path(f).stem]["releases"][i]
        *path, key = r["column_name"].split("/")[3:]
        node = release
        for step in path:
            node = node[int(step)] if step.isdigit() else node[step]
        if r["code"] == "value-missing":
            assert key not in node
        else:
            assert node[key] == r["value"]
        if r["code"] == "date-invalid":
            with pytest.raises(ValueError):
                dt.datetime.fromisoformat(node[key])
        if r["code"] == "constraint-error":
            assert node[key] < release["contracts"][0]["period"]["startDate"]


def test_council_registers_list_the_same_contracts_as_their_ocds(out, packages, bad):
    registers = sorted(out.glob("contracts/*-register.csv"))
    assert registers
    for path in registers:
        org = path.name.removesuffix("-register.csv")
        assert orgs(out)[org]["kind"].endswith(("council", "district", "authority", "borough"))
        assert header(path) == REGISTER
        ocds = {r["contracts"][0]["id"]: r["contracts"][0] for r in packages[org]["releases"]}
        rows = read(path)
        assert [r["Reference Number"] for r in rows] == list(ocds)
        spoilt = {packages[org]["releases"][i]["contracts"][0]["id"] for i in bad.get(f"contracts/{org}.json", {})}
        for r in good(out, str(path.relative_to(out)), bad):
            if r["Reference Number"] in spoilt:
                continue
            c = ocds[r["Reference Number"]]
            assert Decimal(r["Value"]) == Decimal(str(c["value"]["amount"]))
            assert dt.datetime.strptime(r["End Date"], "%d/%m/%Y").date().isoformat() == c["period"]["endDate"][:10]


# ---- systems and processes -------------------------------------------------------------

def template_columns(table: str) -> list[str]:
    return [f["name"] for f in load_schema(table)["fields"] if f["name"] not in NOT_IN_TEMPLATES]


def test_systems_and_processes_use_the_template_layout_and_the_code_lists(out, packages, bad):
    caps = {r["code"] for r in code_list("capabilities")}
    functions = {r["code"] for r in code_list("functions")}
    for org in orgs(out):
        systems, processes = f"systems/{org}.csv", f"processes/{org}.csv"
        assert header(out / systems) == template_columns("system")
        assert header(out / processes) == template_columns("process")
        contracts = {r["contracts"][0]["id"]: r["contracts"][0] for r in packages[org]["releases"]}
        kept = good(out, systems, bad)
        for s in kept:
            assert s["capability"] in caps and s["function"] in functions and s["org_id"] == org
            if s["contract_ref"]:
                assert contracts[s["contract_ref"]]["period"]["endDate"][:10] == s["contract_end"]
        refs = {s["system_ref"] for s in read(out / systems)}
        assert len(refs) == len(read(out / systems))
        for p in good(out, processes, bad):
            assert p["function"] in functions and p["capability"] in caps
            assert p["system_ref"] in refs and int(p["annual_volume"]) > 0


def test_systems_truth_is_the_dispersion_recomputed_from_the_files(out, bad):
    rows = [r for org in orgs(out) for r in good(out, f"systems/{org}.csv", bad)]
    truth = read(out / "truth" / "systems.csv")
    assert {t["capability"] for t in truth} == {"payroll", "finance-erp", "crm-contact-centre"}
    end = dt.date.fromisoformat(truth[0]["window_start"]) - dt.timedelta(days=1)
    for t in truth:
        mine = [r for r in rows if r["product"] == t["product"]]
        assert len(mine) == int(t["bodies"]) >= 5 and {r["capability"] for r in mine} == {t["capability"]}
        prices = sorted((money(Decimal(r["annual_cost_gbp"]) / int(r["users"])), r["org_id"]) for r in mine)
        assert (t["cheapest_org_id"], Decimal(t["cheapest_gbp_per_user"])) == (prices[0][1], prices[0][0])
        assert (t["dearest_org_id"], Decimal(t["dearest_gbp_per_user"])) == (prices[-1][1], prices[-1][0])
        assert Decimal(t["median_gbp_per_user"]) == money(statistics.median(p for p, _ in prices))
        assert prices[-1][0] >= 2 * prices[0][0]
        window = dt.date.fromisoformat(t["window_end"])
        ending = sorted(r["org_id"] for r in mine if end < dt.date.fromisoformat(r["contract_end"]) <= window)
        assert t["ending_in_window"].split("|") == ending and len(ending) >= 2


# ---- cost registers --------------------------------------------------------------------

def cost_columns() -> list[str]:
    names = template_columns("cost_line")
    return names + [c for c in ("agreed_margin_pct", "civil_service_grade") if c not in names]


def body_pay(out: Path, org: str) -> dict[str, int]:
    latest = sorted(out.glob(f"organogram/{org}/*-junior.csv"))[-1]
    pay = {}
    for r in read(latest):
        if re.fullmatch(r"\d+", r["Payscale Maximum (£)"]):
            pay[r["Grade"]] = int(r["Payscale Maximum (£)"])
    return pay


def test_cost_registers_balance_and_their_truth_is_recomputed_from_the_lines(out, packages, bad):
    files = sorted(out.glob("cost_registers/*.csv"))
    assert files
    found = set()
    for path in files:
        rel = str(path.relative_to(out))
        assert header(path) == cost_columns()
        lines = good(out, rel, bad)
        assert all(r["cost_category"] in COST_CATEGORIES for r in lines)
        org, ref = lines[0]["org_id"], path.stem
        assert ref in {r["contracts"][0]["id"] for r in packages[org]["releases"]}
        assert orgs(out)[org]["kind"] in ("ministerial-department", "executive-agency", "executive-ndpb")
        by = defaultdict(Decimal)
        for period in {r["period"] for r in lines}:
            q = defaultdict(Decimal)
            for r in lines:
                if r["period"] == period:
                    q[r["cost_category"]] += Decimal(r["amount_gbp"])
            costs = sum(v for k, v in q.items() if k not in ("revenue", "margin"))
            assert q["revenue"] == costs + q["margin"]
            for k, v in q.items():
                by[k] += v
        agreed = Decimal(lines[0]["agreed_margin_pct"])
        sid = lines[0]["supplier_id"]
        if by["margin"] / by["revenue"] * 100 > agreed:
            found.add(("margin-above-agreed", ref, "", money(by["margin"] - agreed / 100 * by["revenue"])))
        direct = by["direct-labour"] + by["materials"] + by["subcontract"]
        if by["overhead"] / direct > Decimal("0.2"):
            found.add(("overhead-above-20pct", ref, "", money(by["overhead"] - direct / 5)))
        pay = body_pay(out, org)
        for grade in {r["grade"] for r in lines if r["cost_category"] == "direct-labour"}:
            mine = [r for r in lines if r["grade"] == grade]
            day = Decimal(pay[mine[0]["civil_service_grade"]]) / 220
            if Decimal(mine[0]["rate_gbp"]) > 3 * day:
                excess = sum((Decimal(r["rate_gbp"]) - 3 * day) * Decimal(r["quantity"]) for r in mine)
                found.add(("labour-rate-above-body-pay", ref, grade, money(excess)))
        assert sid.startswith("GB-COH-")
    truth = {(r["kind"], r["contract_ref"], r["grade"], Decimal(r["excess_gbp"]))
             for r in read(out / "truth" / "margins.csv")}
    assert truth == found
    assert {k for k, *_ in truth} == {"margin-above-agreed", "overhead-above-20pct", "labour-rate-above-body-pay"}


# ---- grants ----------------------------------------------------------------------------

def test_grants_are_360giving_rows_from_their_funder(out, bad):
    files = sorted(out.glob("grants/*.csv"))
    assert files
    seen = set()
    for path in files:
        assert header(path) == GRANTS
        org = path.stem
        for g in good(out, str(path.relative_to(out)), bad):
            assert g["Funding Org:Identifier"] == org and g["Funding Org:Name"] == orgs(out)[org]["name"]
            assert g["Currency"] == "GBP" and Decimal(g["Amount Awarded"]) > 0
            dt.date.fromisoformat(g["Award Date"])
            assert g["Recipient Org:Identifier"].startswith(("GB-CHC-", "GB-COH-", "360G-"))
            if g["Recipient Org:Identifier"].startswith("GB-CHC-"):
                assert g["Recipient Org:Identifier"] == "GB-CHC-" + g["Recipient Org:Charity Number"]
            assert g["Identifier"] not in seen
            seen.add(g["Identifier"])


# ---- the truth about bad cells and files -----------------------------------------------

def test_every_planted_bad_cell_is_in_its_file(out, bad):
    rows = read(out / "truth" / "bad_records.csv")
    assert {r["dataset"] for r in rows} == {"organogram", "contracts", "systems", "processes", "cost_registers",
                                            "grants"}
    for r in rows:
        if not r["line"]:
            continue
        with open(out / r["file"], newline="", encoding="utf-8") as f:
            lines = list(csv.reader(f))
        cells = dict(zip(lines[0], lines[int(r["line"]) - 1]))
        assert cells[r["column_name"]] == r["value"]
        if r["code"] == "type-error":
            with pytest.raises(ArithmeticError):
                Decimal(r["value"].replace(",", ""))


def test_book_files_truth_counts_and_sums_every_file(out, bad, packages):
    truth = read(out / "truth" / "book_files.csv")
    expected = {str(p.relative_to(out)) for d in ("systems", "processes", "cost_registers", "grants", "contracts")
                for p in (out / d).glob("*")}
    assert {t["file"] for t in truth} == expected
    amount = {"systems": "annual_cost_gbp", "processes": "annual_cost_gbp", "cost_registers": "amount_gbp",
              "grants": "Amount Awarded", "contracts": "Value"}
    for t in truth:
        broken = bad.get(t["file"], {})
        assert int(t["bad_records"]) == len(broken)
        if t["file"].endswith(".json"):
            releases = packages[Path(t["file"]).stem]["releases"]
            total = sum(Decimal(str(r["contracts"][0]["value"]["amount"])) for i, r in enumerate(releases)
                        if i not in broken)
            assert int(t["records"]) == len(releases)
        else:
            assert int(t["records"]) == len(read(out / t["file"]))
            total = sum(Decimal(r[amount[t["dataset"]]]) for r in good(out, t["file"], bad))
        assert Decimal(t["amount_gbp"]) == total
