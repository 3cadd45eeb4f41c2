"""Which bodies a name could mean, and how: for `openbook orgs find` and for the quarantine's hints.

Resolution itself is strict (standard.registry: a name, alias, council short name or derived
abbreviation, and never a guess). When it finds nothing, a person still wants the nearest
names, so that a misspelt body can be fixed with an alias or an `--org`, and a body the
registry lacks can be told apart from a typo. The fuzzy tier only ever suggests; nothing
resolves through it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from weakref import WeakKeyDictionary

from rapidfuzz import fuzz, process

from openbook import standard

__all__ = ["BodyMatch", "find_bodies", "nearest_bodies"]

FUZZY_CUTOFF = 75  # rapidfuzz token_sort_ratio, 0-100: below it two names share words, not a body
_KEYS: WeakKeyDictionary = WeakKeyDictionary()


@dataclass(frozen=True)
class BodyMatch:
    org_id: str
    name: str
    how: str  # exact (id or official name), alias, variant (council short name), abbreviation, fuzzy
    score: int  # 100 for every tier but fuzzy

    def as_dict(self) -> dict:
        return asdict(self)


def find_bodies(index: standard.OrgIndex, text: str, *, limit: int = 5) -> list[BodyMatch]:
    """The bodies a name resolves to (one: it resolves; several: ambiguous), else its nearest names."""
    how, found = index.match(text)
    if found:
        label = "exact" if how in ("id", "name") else how
        return [BodyMatch(org_id, index.names[org_id], label, 100) for org_id in found]
    return _fuzzy(index, text, limit)


def nearest_bodies(index: standard.OrgIndex, text: str, *, limit: int = 3) -> list[BodyMatch]:
    """The few bodies whose names come nearest to a name that resolves to none."""
    return _fuzzy(index, text, limit)


def _fuzzy(index: standard.OrgIndex, text: str, limit: int) -> list[BodyMatch]:
    key = standard.normalise_org_name(text)
    if not key:
        return []
    keys = _KEYS.get(index)
    if keys is None:
        keys = _KEYS[index] = list(index.tiers[0])
    best: dict[str, int] = {}
    for label, score, _ in process.extract(key, keys, scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_CUTOFF,
                                           limit=limit * 4):
        for org_id in index.tiers[0][label]:
            best[org_id] = max(best.get(org_id, 0), round(score))
    ranked = sorted(best.items(), key=lambda item: (-item[1], index.names[item[0]], item[0]))[:limit]
    return [BodyMatch(org_id, index.names[org_id], "fuzzy", score) for org_id, score in ranked]
