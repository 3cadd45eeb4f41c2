"""Suppliers across bodies: the many spellings of a payee resolved into one supplier table.

Resolution runs in stages, strongest evidence first, over the distinct (name, company number)
pairs that spend, contracts and grants publish:

1. a person's decisions (`supplier_decision`): confirmed and merged names are joined first,
   split names are kept apart from everything they were split from, on every re-run;
2. register identifiers: the same company, charity or VAT number, or a name that is a
   registered public body, is one supplier, and two different numbers never join;
3. the same name once case, legal form ('Ltd'/'Limited'), 'The', '&'/'and', punctuation and
   word order are set aside (`names.name_parts`);
4. spelling slips between those names, proposed by Splink (many names) or rapidfuzz (few) and
   accepted only under the guards in `matching`. Splink runs on DuckDB, or on Spark
   with `engine="spark"`; the stages before and after are the same Python either way.

Withheld payees ('REDACTED', 'Personal data', 'Various') are left unresolved (supplier_id
null): they are many people and firms, not one supplier. A supplier_id is the org-id of its
register number where it has one (GB-COH-…, GB-CHC-…, a body's org_id), else the id the same
names had before, else OB-SUP- and a hash of its canonical name key, so the same cluster keeps
its id across re-runs.
"""


from __future__ import annotations

import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyarrow as pa
from rapidfuzz import fuzz

from openbook.analyse.suppliers import matching
from openbook.analyse.suppliers.names import (
    company_number, is_withheld, looks_public, name_parts, vat_number,
)
from openbook.errors import UsageError


# Below this many distinct name keys rapidfuzz compares every pair; above it, Splink.
RAPIDFUZZ_LIMIT = 5000
ENGINES = ("auto", "splink", "rapidfuzz", "spark")  # spark: Splink through its Spark backend
_RANKS = {"identifier": 0, "exact-name": 1, "similarity": 2, "manual": 3}

Progress = Callable[[str, float], None]


@dataclass
class NameRecord:
    """One distinct spelling as published, with what came with it."""

    name: str
    company_raw: str | None = None  # spend.supplier_company_number as written: the join key
    lines: int = 0  # spend lines with this spelling
    company: str | None = None
    charity: str | None = None
    vat: str | None = None
    postcode: str | None = None
    previous_id: str | None = None
    in_spend: bool = True


@dataclass
class Resolution:
    """The supplier rows, each spend spelling's supplier_id, and what it took."""

    suppliers: list[dict]
    assignment: list[tuple[str, str | None, str | None]]  # (name, company_raw, supplier_id)
    labels: list[int | None]  # per input record: its cluster, None when withheld
    engine: str
    names: int
    withheld_names: int
    withheld_lines: int
    methods: Counter = field(default_factory=Counter)
    pairs_proposed: int = 0
    pairs_accepted: int = 0
    pairs_refused: Counter = field(default_factory=Counter)
    seconds: dict = field(default_factory=dict)

    def summary(self) -> dict:
        merged = [s for s in self.suppliers if s["names"] > 1]
        return {
            "engine": self.engine, "names": self.names, "suppliers": len(self.suppliers),
            "merged_suppliers": len(merged), "merged_names": sum(s["names"] for s in merged),
            "withheld_names": self.withheld_names, "withheld_lines": self.withheld_lines,
            "methods": dict(sorted(self.methods.items())), "pairs_proposed": self.pairs_proposed,
            "pairs_accepted": self.pairs_accepted, "pairs_refused": dict(self.pairs_refused),
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


def resolve_records(records: list[NameRecord], *, decisions: Iterable[dict] = (),
                    resolve_org: Callable[[str], str | None] | None = None, engine: str = "auto",
                    scratch: Callable[[], object] | None = None, progress: Progress | None = None) -> Resolution:
    """Cluster the records into suppliers (no book needed: tests and benchmarks call this).

    `scratch` gives Splink its place to work: a DuckDB connection, or a Spark session when
    `engine` is "spark".
    """
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    tick = progress or (lambda stage, fraction: None)
    clock = _Clock()
    n = len(records)
    withheld = [is_withheld(r.name) for r in records]
    parts = [name_parts(r.name) for r in records]
    clusters = matching.Clusters(n)
    org_of: list[str | None] = [None] * n
    public = [False] * n
    for i, record in enumerate(records):
        if withheld[i]:
            continue
        if resolve_org:
            org_of[i] = resolve_org(record.name)
        public[i] = bool(org_of[i]) or looks_public(record.name)
        for identity in (record.company and f"COH:{record.company}", record.charity and f"CHC:{record.charity}",
                         org_of[i] and f"ORG:{org_of[i]}"):
            clusters.set_identity(i, identity)
    tick("prepare", 1.0)
    clock.lap("prepare")

    by_name: dict[str, list[int]] = defaultdict(list)
    for i, record in enumerate(records):
        if not withheld[i]:
            by_name[record.name].append(i)
    decision_ids = _apply_decisions(clusters, by_name, decisions)
    clock.lap("decisions")

    for attribute in ("company", "charity", "org", "vat"):
        first: dict[str, int] = {}
        for i, record in enumerate(records):
            value = org_of[i] if attribute == "org" else getattr(record, attribute)
            if value and not withheld[i]:
                clusters.union(first.setdefault(value, i), i, _RANKS["identifier"])
    tick("identifiers", 1.0)
    clock.lap("identifiers")

    by_key: dict[str, list[int]] = defaultdict(list)
    for i in range(n):
        if not withheld[i] and parts[i].key:
            by_key[parts[i].key].append(i)
    for members in by_key.values():
        for i in members[1:]:
            clusters.union(members[0], i, _RANKS["exact-name"])
    tick("exact names", 1.0)
    clock.lap("exact")

    keys = list(by_key)
    cores = [parts[max(by_key[k], key=lambda i: (records[i].lines, -i))].core for k in keys]
    chosen = engine if engine != "auto" else ("rapidfuzz" if len(keys) <= RAPIDFUZZ_LIMIT else "splink")
    label = "splink on spark" if chosen == "spark" else chosen
    stage = lambda fraction: tick(f"similar names ({label})", fraction)  # noqa: E731
    if len(keys) < 2:
        pairs = []
    elif chosen == "rapidfuzz":
        pairs = matching.rapidfuzz_pairs(cores, progress=stage)
    else:
        pairs = matching.splink_pairs(_splink_table(keys, cores, parts, by_key), scratch(), progress=stage)
    clock.lap("propose")
    result_pairs = _merge_similar(clusters, pairs, keys, cores, by_key, parts)
    clock.lap("merge")
    tick("clusters", 1.0)

    similarity = "fuzzy" if chosen == "rapidfuzz" else "probabilistic"
    suppliers, labels = _supplier_rows(records, clusters, withheld, parts, org_of, public, decision_ids, similarity)
    rows_by_root = {s["_root"]: s for s in suppliers}
    assignment = []
    for i, record in enumerate(records):
        if record.in_spend:
            sid = None if labels[i] is None else rows_by_root[labels[i]]["supplier_id"]
            assignment.append((record.name, record.company_raw, sid))
    methods = Counter(s["match_method"] for s in suppliers)
    for s in suppliers:
        s.pop("_root")
    clock.lap("ids")
    return Resolution(
        suppliers=suppliers, assignment=assignment, labels=labels,
        engine=label if len(keys) >= 2 else "none", names=n,
        withheld_names=sum(withheld), withheld_lines=sum(r.lines for r, w in zip(records, withheld) if w),
        methods=methods, pairs_proposed=len(pairs), pairs_accepted=result_pairs[0],
        pairs_refused=result_pairs[1], seconds=clock.laps,
    )


def _apply_decisions(clusters: matching.Clusters, by_name: dict[str, list[int]],
                     decisions: Iterable[dict]) -> dict[str, list[str]]:
    """Joins and separations from people's decisions, the later decision winning on a pair.

    Returns name -> decision ids that mention it, so the supplier rows can cite them.
    """
    links: dict[frozenset, str] = {}
    cited: dict[str, list[str]] = defaultdict(list)
    for decision in sorted(decisions, key=lambda d: (d["decided_at"], d["decision_id"])):
        names = [x for x in dict.fromkeys(decision.get("names") or []) if x in by_name]
        others = [x for x in dict.fromkeys(decision.get("other_names") or []) if x in by_name]
        for name in names + others:
            cited[name].append(decision["decision_id"])
        together = names + others if decision["action"] in ("confirm", "merge") else names
        for a, b in zip(together, together[1:]):
            links[frozenset((a, b))] = "join"
        if decision["action"] == "split":
            for a in names:
                for b in others:
                    links[frozenset((a, b))] = "apart"
    for pair, verdict in links.items():
        a, b = sorted(pair) if len(pair) == 2 else (next(iter(pair)),) * 2
        if verdict == "join":
            for i in by_name[a] + by_name[b]:
                clusters.union(by_name[a][0], i, _RANKS["manual"], force=True)
    for pair, verdict in links.items():
        if verdict == "apart" and len(pair) == 2:
            a, b = sorted(pair)
            for i in by_name[a]:
                for j in by_name[b]:
                    clusters.forbid(i, j)
    # A name's spellings-with-different-numbers are one name to a person: keep them together.
    for name in cited:
        for i in by_name[name][1:]:
            clusters.union(by_name[name][0], i, _RANKS["manual"])
    return cited


def _splink_table(keys: list[str], cores: list[str], parts, by_key) -> pa.Table:
    tokens = [core.split() or [""] for core in cores]
    legal = [parts[by_key[k][0]].legal_form for k in keys]
    return pa.table({
        "unique_id": pa.array(range(len(keys)), pa.int64()),
        "name": pa.array(cores, pa.string()),
        "first_token": pa.array([t[0] for t in tokens], pa.string()),
        "second_token": pa.array([t[1] if len(t) > 1 else None for t in tokens], pa.string()),
        "last_token": pa.array([t[-1] for t in tokens], pa.string()),
        "legal_form": pa.array(legal, pa.string()),
    })


def _merge_similar(clusters: matching.Clusters, pairs: list, keys: list[str], cores: list[str],
                   by_key: dict[str, list[int]], parts: list) -> tuple[int, Counter]:
    """Join proposed pairs, strongest first, under the slip rule and pairwise support."""
    key_index = {k: i for i, k in enumerate(keys)}

    def cores_of(group: list[int]) -> set[str]:
        return {cores[key_index[parts[i].key]] for i in group if parts[i].key in key_index}

    def support(group_a: list[int], group_b: list[int]) -> bool:
        left, right = cores_of(group_a), cores_of(group_b)
        if len(left) + len(right) > matching.MAX_KEYS:
            refused["cluster-too-large"] += 1
            return False
        if all(fuzz.ratio(a, b) >= matching.SUPPORT for a in left for b in right):
            return True
        refused["no-pairwise-support"] += 1
        return False

    refused: Counter = Counter()
    accepted = 0
    for i, j, score in sorted(pairs, key=lambda p: (-p[2], p[0], p[1])):
        if not matching.is_spelling_slip(cores[i], cores[j]):
            refused["not-a-spelling-slip"] += 1
            continue
        a, b = by_key[keys[i]][0], by_key[keys[j]][0]
        before = clusters.find(a) == clusters.find(b)
        if clusters.conflict(clusters.find(a), clusters.find(b)) and not before:
            refused["different-identifiers"] += 1
            continue
        if clusters.union(a, b, _RANKS["similarity"], score=score, support=support):
            accepted += not before
    return accepted, refused


def _supplier_rows(records, clusters, withheld, parts, org_of, public, decision_ids, similarity):
    groups: dict[int, list[int]] = defaultdict(list)
    labels: list[int | None] = [None] * len(records)
    for i in range(len(records)):
        if not withheld[i]:
            root = clusters.find(i)
            groups[root].append(i)
            labels[i] = root
    rows = []
    for root, members in groups.items():
        weight = lambda i: records[i].lines or 0  # noqa: E731
        # The canonical spelling has the most-used words (so not a typo), in mixed case if any.
        key_weight = Counter()
        for i in members:
            key_weight[parts[i].key] += weight(i) + 1
        main_key = min(key_weight, key=lambda k: (-key_weight[k], k))
        canonical = min((i for i in members if parts[i].key == main_key),
                        key=lambda i: (records[i].name.isupper(), -weight(i), records[i].name))

        def top(values) -> str | None:
            counts = Counter()
            for i, value in values:
                if value:
                    counts[value] += weight(i) + 1
            return min(counts, key=lambda v: (-counts[v], v)) if counts else None

        company = top((i, records[i].company) for i in members)
        charity = top((i, records[i].charity) for i in members)
        org_id = top((i, org_of[i]) for i in members)
        rank = clusters.method.get(root, 0)
        base = _RANKS["identifier"] if (company or charity or org_id) else _RANKS["exact-name"]
        method = max(rank, base)
        names = sorted({records[i].name for i in members})
        cited = sorted({d for i in members for d in decision_ids.get(records[i].name, ())})
        rows.append({
            "_root": root, "_members": members,
            "supplier_id": None, "canonical_name": " ".join(records[canonical].name.split()),
            "company_number": company, "charity_number": charity,
            "vat_number": top((i, records[i].vat) for i in members),
            "postcode": top((i, records[i].postcode) for i in members),
            "is_public_body": any(public[i] for i in members),
            "aliases": names,
            "match_method": similarity if method == 2 else _METHODS[method],
            "match_confidence": round(clusters.confidence[root], 4) if method == 2 and root in clusters.confidence else None,
            "name_key": parts[canonical].key, "names": len(names),
            "lines": sum(records[i].lines for i in members),
            "status": "confirmed" if rank == _RANKS["manual"] else "proposed",
            "decisions": cited,
            "_org": org_id,
        })
    _assign_ids(rows, records)
    for row in rows:
        row.pop("_members")
        row.pop("_org")
    rows.sort(key=lambda r: (-r["lines"], r["supplier_id"]))
    return rows, labels


_METHODS = {0: "identifier", 1: "exact-name", 3: "manual"}


def _assign_ids(rows: list[dict], records: list[NameRecord]) -> None:
    """Register ids first, then each cluster's previous id (largest cluster first), then a hash."""
    used: set[str] = set()
    order = sorted(rows, key=lambda r: (-r["lines"], -r["names"], r["name_key"]))
    pending = []
    for row in order:
        if row["company_number"]:
            wanted = f"GB-COH-{row['company_number']}"
        elif row["charity_number"]:
            number = row["charity_number"]
            wanted = f"GB-SC-{number}" if number.startswith("SC") else f"GB-CHC-{number}"
        elif row["_org"]:
            wanted = row["_org"]
        else:
            pending.append(row)
            continue
        row["supplier_id"] = _unique(wanted, used)
    for row in pending:
        votes = Counter()
        for i in row["_members"]:
            previous = records[i].previous_id
            if previous and previous.startswith("OB-SUP-") and previous not in used:
                votes[previous] += records[i].lines + 1
        if votes:
            row["supplier_id"] = min(votes, key=lambda v: (-votes[v], v))
            used.add(row["supplier_id"])
    for row in pending:
        if row["supplier_id"] is None:
            digest = hashlib.sha256(row["name_key"].encode()).hexdigest()[:12]
            row["supplier_id"] = _unique(f"OB-SUP-{digest}", used)


def _unique(wanted: str, used: set[str]) -> str:
    candidate, n = wanted, 1
    while candidate in used:
        n += 1
        candidate = f"{wanted}-{n}"
    used.add(candidate)
    return candidate


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self.last
        self.last = now


