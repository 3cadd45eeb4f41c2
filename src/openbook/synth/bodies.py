"""The fictional public bodies: who publishes, how big they are, and what they call themselves.

Ids use the prefix ``XX-SYNTH-`` ("XX" is no country) so a synthetic body can never collide
with a real org-id. Bodies differ in size by kind (a metropolitan council publishes far more
£500 lines than an agency publishes £25k lines), which is what makes row counts uneven.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import vocab

# The first 24 kinds in the order bodies are made, so even 3 bodies span central, local and
# NHS, and the default 24 hold every kind; larger runs repeat the cycle.
KIND_CYCLE = (
    "ministerial-department", "county-council", "nhs-foundation-trust", "executive-agency",
    "district-council", "metropolitan-district", "unitary-authority", "london-borough",
    "executive-ndpb", "nhs-trust", "ministerial-department", "district-council",
    "executive-agency", "unitary-authority", "county-council", "district-council",
    "london-borough", "metropolitan-district", "executive-agency", "nhs-foundation-trust",
    "ministerial-department", "executive-ndpb", "district-council", "unitary-authority",
)
SECTOR = {
    "ministerial-department": "central", "executive-agency": "central", "executive-ndpb": "central",
    "county-council": "local", "district-council": "local", "metropolitan-district": "local",
    "unitary-authority": "local", "london-borough": "local",
    "nhs-trust": "nhs", "nhs-foundation-trust": "nhs",
}
# Relative rows per month: local £500 files are long, central £25k files short.
_WEIGHT = {
    "metropolitan-district": 10.0, "county-council": 8.0, "unitary-authority": 7.0,
    "london-borough": 7.0, "district-council": 3.0, "ministerial-department": 3.0,
    "nhs-foundation-trust": 3.0, "nhs-trust": 2.5, "executive-agency": 1.2, "executive-ndpb": 0.8,
}
_STAFF = {  # FTE range
    "ministerial-department": (2_000, 25_000), "executive-agency": (300, 6_000),
    "executive-ndpb": (50, 800), "county-council": (4_000, 12_000),
    "district-council": (200, 900), "metropolitan-district": (5_000, 15_000),
    "unitary-authority": (2_500, 8_000), "london-borough": (2_000, 5_000),
    "nhs-trust": (3_000, 9_000), "nhs-foundation-trust": (4_000, 15_000),
}
_POPULATION = {
    "county-council": (500_000, 1_500_000), "district-council": (80_000, 150_000),
    "metropolitan-district": (200_000, 800_000), "unitary-authority": (150_000, 500_000),
    "london-borough": (180_000, 380_000),
}


@dataclass
class Body:
    index: int
    org_id: str
    name: str
    kind: str
    sector: str
    aliases: list[str]
    parent: int | None = None
    population_served: int | None = None
    staff_fte: float = 0.0
    weight: float = 1.0
    display_name: str = ""  # the name this body writes in its own files
    family_name: str = ""  # 'Department Family' cell: the parent department's name
    extra: dict = field(default_factory=dict)


def _places(n: int) -> list[str]:
    out = list(vocab.PLACES)
    for tail in vocab.PLACE_TAILS:
        for head in vocab.PLACE_HEADS:
            if len(out) >= n:
                return out
            out.append(head + tail)
    if len(out) < n:
        raise ValueError(f"at most {len(out)} places; asked for {n}")
    return out


def _initials(words: str) -> str:
    return "".join(w[0] for w in words.replace("-", " ").split() if w[0].isalpha()).upper()


def make_bodies(n: int, seed: int) -> list[Body]:
    """Make `n` bodies deterministically from `seed`."""
    if n < 1:
        raise ValueError("bodies must be at least 1")
    rng = np.random.default_rng([seed, 101])
    places = iter(_places(n + 8))
    depts, agencies, ndpbs = iter(vocab.DEPARTMENTS), iter(vocab.AGENCIES), iter(vocab.NDPBS)
    themes = iter(vocab.DEPARTMENT_THEMES)
    bodies: list[Body] = []
    codes: set[str] = set()
    used: set[str] = set()
    dept_ids: list[int] = []
    for i in range(n):
        kind = KIND_CYCLE[i % len(KIND_CYCLE)]
        if kind == "executive-agency" and not dept_ids:
            kind = "ministerial-department"
        name, code, aliases = _name(kind, depts, agencies, ndpbs, themes, places, i)
        # An alias two bodies share would make the file's own naming ambiguous: keep the first.
        aliases = [a for a in dict.fromkeys(aliases) if a != name and a not in used]
        used.update([name, *aliases])
        base, k = code, 2
        while code in codes:
            code, k = f"{base}{k}", k + 1
        codes.add(code)
        lo, hi = _STAFF[kind]
        b = Body(
            index=i, org_id=f"XX-SYNTH-{code}", name=name, kind=kind, sector=SECTOR[kind],
            aliases=aliases, staff_fte=round(float(rng.uniform(lo, hi)) * 2) / 2,
            weight=_WEIGHT[kind] * float(rng.lognormal(0.0, 0.35)),
        )
        if kind in _POPULATION:
            lo, hi = _POPULATION[kind]
            b.population_served = int(rng.integers(lo, hi) // 100 * 100)
        if kind == "ministerial-department":
            dept_ids.append(i)
        elif b.sector == "central" and dept_ids:
            b.parent = dept_ids[int(rng.integers(0, len(dept_ids)))]
        # How the body names itself in its files: mostly its name, sometimes an alias.
        pick = int(rng.integers(0, 10))
        b.display_name = name if pick < 6 or not aliases else aliases[pick % len(aliases)]
        bodies.append(b)
    for b in bodies:
        if b.sector != "central":
            continue
        if b.parent is None:
            b.family_name = b.display_name if b.kind == "ministerial-department" else b.name
        else:
            b.family_name = bodies[b.parent].name
    return bodies


def _name(kind, depts, agencies, ndpbs, themes, places, i):
    if kind == "ministerial-department":
        name, abbr = next(depts, (None, None))
        if name is None:
            theme = next(themes, None) or f"Public Service {i}"
            name, abbr = f"Department for {theme}", "Df" + _initials(theme)
        return name, abbr.upper(), [abbr, name.upper(), name.replace("Department", "Dept")]
    if kind in ("executive-agency", "executive-ndpb"):
        pool = agencies if kind == "executive-agency" else ndpbs
        name, abbr = next(pool, (None, None))
        if name is None:
            place = next(places)
            name = f"{place} {'Agency' if kind == 'executive-agency' else 'Commission'}"
            abbr = _initials(name)
        return name, abbr.upper(), [abbr, name.upper()]
    place = next(places)
    ini = _initials(place)
    if kind == "county-council":
        return (f"{place} County Council", ini + "CC",
                [f"{place} CC", f"{place.upper()} COUNTY COUNCIL", f"{place} Council"])
    if kind == "district-council":
        if i % 2:
            return f"{place} Borough Council", ini + "BC", [f"{place} BC", f"{place} Council"]
        return f"{place} District Council", ini + "DC", [f"{place} DC", f"{place.upper()} DISTRICT COUNCIL"]
    if kind == "metropolitan-district":
        return (f"{place} Metropolitan Borough Council", ini + "MBC",
                [f"{place} MBC", f"{place} Council", f"City of {place} Metropolitan District Council"])
    if kind == "unitary-authority":
        suffix = ("Council", "Borough Council", "City Council")[i % 3]
        aliases = [f"{place} UA", f"{place.upper()} {suffix.upper()}"]
        if suffix != "Council":
            aliases.append(f"{place} Council")
        return f"{place} {suffix}", ini + "UA", aliases
    if kind == "london-borough":
        return (f"London Borough of {place}", "LB" + ini,
                [f"LB {place}", f"{place} Council", f"{place} London Borough Council"])
    if kind == "nhs-trust":
        return (f"{place} Hospitals NHS Trust", ini + "HT",
                [f"{place} Hospitals", f"{place.upper()} HOSPITALS NHS TRUST"])
    name = f"{place} NHS Foundation Trust"
    return name, ini + "FT", [f"{place} NHS FT", f"{place} FT", name.upper()]


def write_organisations(bodies: list[Body], path: Path) -> None:
    """Write the organisation CSV of design-notes.md (aliases '|'-separated)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["org_id", "name", "kind", "parent_id", "population_served", "staff_fte", "aliases"])
        for b in bodies:
            names = [*b.aliases, b.display_name, b.family_name]
            aliases = list(dict.fromkeys(a for a in names if a and a != b.name))
            # family_name of an agency is its parent's name: it belongs to the parent, not here.
            if b.parent is not None:
                aliases = [a for a in aliases if a != b.family_name]
            w.writerow([
                b.org_id, b.name, b.kind,
                bodies[b.parent].org_id if b.parent is not None else "",
                b.population_served if b.population_served is not None else "",
                f"{b.staff_fte:g}", "|".join(aliases),
            ])
