"""Regenerate the organisation registry (src/openbook/standard/organisations.csv and
organisations_detail.csv) from the public registers.

    /work/main/.venv/bin/python scripts/build_registry.py [--registers DIR]

The registers (README in ../shared/reference/registers) are read as published; the reviewed
rows in standard/organisations_curated.csv come first and keep their ids, names, kinds,
parents and aliases. The output is committed: users of the package have no registers.
Sources, licences and the org-id schemes are in standard/organisations.sources.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STANDARD = ROOT / "src" / "openbook" / "standard"
sys.path.insert(0, str(ROOT / "src"))

from openbook.standard.registry import OrgIndex, normalise_org_name, parse_aliases  # noqa: E402

COLUMNS = ["org_id", "name", "kind", "parent_id", "population_served", "staff_fte", "aliases"]
DETAIL_COLUMNS = ["org_id", "register", "register_key", "start_date", "end_date", "successor_ids", "gss_code",
                  "nation", "region", "county_id", "combined_authority_id", "esa_sector", "esa_sector_name"]

# GOV.UK register code prefixes → kind. The register does not say whether a department is
# ministerial or a public body executive, advisory or a tribunal, so those get the broad kinds.
GOR_KIND = {"D": "department", "EA": "executive-agency", "EO": "executive-agency", "PB": "public-body",
            "PC": "public-corporation", "DA": "devolved-administration"}
# mySociety local-authority-type → kind.
LA_KIND = {"NMD": "district-council", "UA": "unitary-authority", "MD": "metropolitan-district",
           "LBO": "london-borough", "CTY": "county-council", "COMB": "combined-authority",
           "SRA": "strategic-authority", "CC": "city-of-london", "SCO": "unitary-authority",
           "WPA": "unitary-authority", "NID": "district-council"}
# org-id.guide list for each register a council's code comes from.
LA_SCHEME = {"local-authority-eng": "GB-LAE", "local-authority-sct": "GB-LAS",
             "principal-local-authority": "GB-PLA", "local-authority-nir": "GB-LANI"}
NATION_SCHEME = {"England": "GB-LAE", "Scotland": "GB-LAS", "Wales": "GB-PLA", "Northern Ireland": "GB-LANI"}
POLICE_SCHEME = "GB-POLICE"  # no org-id.guide list covers police forces: see the sources sidecar
PBA_SCHEME = "GB-PBA"  # nor ONS's public-body accounts: openbook's own prefix, see the sources sidecar
# ONS ESA 2010 sector of a body no other register holds → kind. Central government bodies are
# public bodies; local government's are the councils' companies, trusts and joint bodies.
PBA_KIND = {"S.1311": "public-body", "S.1313": "other"}
# What the name says a health body is, where the sector alone cannot.
NHS_KIND = ((re.compile(r"\bnhs foundation trust\b", re.I), "nhs-foundation-trust"),
            (re.compile(r"\b(?:nhs|health and social care) trust\b", re.I), "nhs-trust"),
            (re.compile(r"\bspecial health authority\b", re.I), "special-health-authority"))
# A row that names a class of bodies ("Clinical Commissioning Groups (En Bloc)"), not one body.
CLASS_ROW = re.compile(r"\(en bloc\)", re.I)
# The ONS list's annotations on a name: a share held ("(50%)"), a country ("[USA]"), "(Associate)".
# The owner of a subsidiary ("Basildon - (s NTC)") stays: without it the name is a place's.
ANNOTATION = re.compile(r"\s*(?:\((?:\d+%|associate)\)|\[[^\]]*\])", re.I)
SUBSIDIARY = re.compile(r"\(s ?[A-Z][^)]*\)")
# "Anvil Trust Ltd, The", "North South Language Body (The)": the article written after the name.
TRAILING_THE = re.compile(r"\s*(?:,\s*the|\(the\))\s*$", re.I)


def read(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


class Registry:
    """Bodies by org_id, in the order added, with their aliases and details."""

    def __init__(self) -> None:
        self.orgs: dict[str, dict] = {}
        self.details: dict[str, dict] = {}

    def add(self, org: dict, detail: dict) -> None:
        if org["org_id"] in self.orgs:
            self.merge(org["org_id"], org, detail)
            return
        self.orgs[org["org_id"]] = {**org, "aliases": []}
        self.details[org["org_id"]] = {c: "" for c in DETAIL_COLUMNS} | {"org_id": org["org_id"]} | detail
        self.alias(org["org_id"], *org["aliases"])

    def merge(self, org_id: str, org: dict, detail: dict) -> None:
        """A register's row for a body already held: reviewed fields stay, blanks are filled."""
        held = self.orgs[org_id]
        for field in ("parent_id", "population_served", "staff_fte"):
            if org.get(field) not in (None, "") and field == "population_served":
                held[field] = org[field]  # one year, one source for every council's denominator
            elif held.get(field) in (None, ""):
                held[field] = org.get(field)
        self.alias(org_id, org["name"], *org["aliases"])
        kept = self.details[org_id]
        for key, value in detail.items():
            if value and not kept.get(key):
                kept[key] = value

    def alias(self, org_id: str, *labels: str) -> None:
        org = self.orgs[org_id]
        seen = {normalise_org_name(org["name"])} | {normalise_org_name(a) for a in org["aliases"]}
        kept = [a for a in org["aliases"] if normalise_org_name(a) != normalise_org_name(org["name"])]
        for label in labels:
            label = " ".join(label.split())
            key = normalise_org_name(label)
            if key and key not in seen:
                seen.add(key)
                kept.append(label)
        org["aliases"] = kept

    def by_name(self) -> dict[str, str]:
        """Normalised name or alias → the one org_id that has it (shared ones left out)."""
        owners: dict[str, set[str]] = {}
        for org in self.orgs.values():
            for label in [org["name"], *org["aliases"]]:
                owners.setdefault(normalise_org_name(label), set()).add(org["org_id"])
        return {key: next(iter(ids)) for key, ids in owners.items() if len(ids) == 1}


def curated(registry: Registry) -> None:
    for row in read(STANDARD / "organisations_curated.csv"):
        registry.add({
            "org_id": row["org_id"], "name": row["name"], "kind": row["kind"], "parent_id": row["parent_id"] or None,
            "population_served": int(row["population_served"]) if row["population_served"] else None,
            "staff_fte": float(row["staff_fte"]) if row["staff_fte"] else None,
            "aliases": parse_aliases(row["aliases"]),
        }, {"register": "reviewed"})


def government_organisations(registry: Registry, registers: Path) -> None:
    sectors = {r["public-body-account-classification"]: r["name"]
               for r in read(registers / "public-body-account-classification.tsv", "\t")}
    esa = {}
    for row in read(registers / "public-body-account.tsv", "\t"):
        if row["organisation"].startswith("government-organisation:") and not row["end-date"]:
            esa[row["organisation"].split(":", 1)[1]] = row["public-body-account-classifications"]
    provisional = {key: org_id for key, org_id in registry.by_name().items() if org_id.startswith("GB-GOR-X")}
    for row in read(registers / "government-organisation.tsv", "\t"):
        code = row["government-organisation"]
        prefix = code.rstrip("0123456789")
        org_id = f"GB-GOR-{code}"
        org_id = org_id if org_id in registry.orgs else provisional.get(normalise_org_name(row["name"]), org_id)
        sector = esa.get(code, "")
        registry.add({"org_id": org_id, "name": row["name"].strip(), "kind": GOR_KIND.get(prefix, "other"),
                      "parent_id": None, "population_served": None, "staff_fte": None, "aliases": []},
                     {"register": "government-organisation", "register_key": code, "start_date": row["start-date"],
                      "end_date": row["end-date"], "esa_sector": sector, "esa_sector_name": sectors.get(sector, "")})


def local_authorities(registry: Registry, registers: Path) -> None:
    rows = read(registers / "uk_local_authorities_current.csv")
    ids = {}
    for row in rows:
        register, _, key = row["old-register-and-code"].partition(":")
        scheme = LA_SCHEME.get(register) or NATION_SCHEME[row["nation"]]
        ids[row["local-authority-code"]] = f"{scheme}-{key or row['local-authority-code']}"
    names: dict[str, list[str]] = {}
    for row in read(registers / "lookup_name_to_registry.csv"):
        names.setdefault(row["local-authority-code"], []).append(row["la-name"])
    for row in read(registers / "lookup_gss_to_registry.csv"):
        names.setdefault(row["local-authority-code"], []).append(row["gss-code"])
    for row in rows:
        code = row["local-authority-code"]
        population = int(float(row["pop-2020"])) if row["pop-2020"] else None
        registry.add({
            "org_id": ids[code], "name": row["official-name"], "kind": LA_KIND[row["local-authority-type"]],
            "parent_id": None, "population_served": population, "staff_fte": None,
            "aliases": [row["nice-name"], *names.get(code, []), row["gss-code"]],
        }, {
            "register": row["old-register-and-code"].partition(":")[0] or "mysociety-local-authority",
            "register_key": code, "start_date": row["start-date"], "end_date": row["end-date"],
            "successor_ids": " ".join(ids[c.strip()] for c in row["replaced-by"].split(",") if c.strip() in ids),
            "gss_code": row["gss-code"], "nation": row["nation"], "region": row["region"],
            "county_id": ids.get(row["county-la"], ""), "combined_authority_id": ids.get(row["combined-authority"], ""),
            "esa_sector": "S.1313", "esa_sector_name": "Local government (excluding social security funds)",
        })


def police_forces(registry: Registry, registers: Path) -> None:
    known = registry.by_name()
    for row in read(registers / "police-force.tsv", "\t"):
        org_id = known.get(normalise_org_name(row["name"])) or f"{POLICE_SCHEME}-{row['police-force']}"
        registry.add({"org_id": org_id, "name": row["name"], "kind": "police-force", "parent_id": None,
                      "population_served": None, "staff_fte": None, "aliases": []},
                     {"register": "police-force", "register_key": row["police-force"]})


def pba_name(raw: str) -> str:
    """A body's name as the ONS list writes it, without the list's annotations."""
    name = " ".join(ANNOTATION.sub("", raw).split())
    return f"The {TRAILING_THE.sub('', name)}" if TRAILING_THE.search(name) else name


def pba_kind(name: str, sectors: str) -> str:
    for pattern, kind in NHS_KIND:
        if pattern.search(name):
            return kind
    sector = sectors.split(";")[0]
    return PBA_KIND.get(sector, "public-corporation")  # S.11…, S.12…: trading and financial corporations


def held_body(registry: Registry, held: OrgIndex, name: str, sector: str) -> str | None:
    """The one body already held that goes by this name. A council's name less its type words
    ("Bolton Council" for Bolton Metropolitan Borough Council) counts only between two local
    government bodies: "Basildon Development Corporation" is not Basildon's council."""
    how, found = held.match(name)
    if len(found) != 1 or how not in ("name", "alias", "variant"):
        return None
    if how == "variant" and not (sector == "S.1313" == registry.details[found[0]]["esa_sector"]):
        return None
    return found[0]


def public_body_accounts(registry: Registry, registers: Path) -> None:
    """Every body of ONS's public-body list that no other register holds: NDPBs, tribunals, health
    boards, trust ports, councils' companies, public corporations and their subsidiaries. A row
    whose name a body already held goes by is that body (its dates and sector fill the blanks)."""
    sectors = {r["public-body-account-classification"]: r["name"]
               for r in read(registers / "public-body-account-classification.tsv", "\t")}
    held = OrgIndex(((o["org_id"], o["name"], o["aliases"]) for o in registry.orgs.values()), closed=frozenset())
    added: dict[str, str] = {}
    for row in read(registers / "public-body-account.tsv", "\t"):
        if row["organisation"] or not row["name"].strip() or CLASS_ROW.search(row["name"]):
            continue  # linked to another register (read there), or a class of bodies
        name = pba_name(row["name"])
        sector = row["public-body-account-classifications"]
        own_id = f"{PBA_SCHEME}-{row['public-body-account']}"
        org_id = own_id if SUBSIDIARY.search(name) else \
            held_body(registry, held, name, sector) or added.get(normalise_org_name(name), own_id)
        registry.add({"org_id": org_id, "name": name, "kind": pba_kind(name, sector), "parent_id": None,
                      "population_served": None, "staff_fte": None, "aliases": []},
                     {"register": "public-body-account", "register_key": row["public-body-account"],
                      "start_date": row["start-date"], "end_date": row["end-date"], "esa_sector": sector,
                      "esa_sector_name": "; ".join(sectors.get(s, "") for s in sector.split(";"))})
        added.setdefault(normalise_org_name(name), org_id)


def write(registry: Registry, out: Path) -> None:
    with open(out / "organisations.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        for org in registry.orgs.values():
            writer.writerow([org["org_id"], org["name"], org["kind"], org["parent_id"] or "",
                             "" if org["population_served"] is None else org["population_served"],
                             "" if org["staff_fte"] is None else org["staff_fte"],
                             json.dumps(org["aliases"], ensure_ascii=False) if org["aliases"] else ""])
    with open(out / "organisations_detail.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, DETAIL_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(registry.details[org_id] for org_id in registry.orgs)


def build(registers: Path, out: Path) -> Registry:
    registry = Registry()
    curated(registry)
    government_organisations(registry, registers)
    local_authorities(registry, registers)
    police_forces(registry, registers)
    public_body_accounts(registry, registers)
    write(registry, out)
    return registry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registers", type=Path, default=ROOT.parent / "shared" / "reference" / "registers",
                        help="folder holding the register snapshots (default: ../shared/reference/registers)")
    parser.add_argument("--out", type=Path, default=STANDARD, help="where to write the registry files")
    args = parser.parse_args(argv)
    if not (args.registers / "government-organisation.tsv").exists():
        parser.error(f"no registers in {args.registers} (government-organisation.tsv is missing)")
    registry = build(args.registers, args.out)
    print(f"{len(registry.orgs):,} bodies written to {args.out / 'organisations.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
