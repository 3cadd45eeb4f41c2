"""Finding the header row and mapping its columns onto the standard's fields.

The mapping lives in `spend_headers.toml` so that a reviewer can read and extend it without
touching code; this module only applies it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

_PUNCT = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65536)
def normalise_header(name: str) -> str:
    return _PUNCT.sub(" ", str(name).casefold().replace("£", " ")).strip()


@dataclass(frozen=True)
class FieldSpec:
    name: str
    required: bool
    synonyms: tuple[str, ...]


@cache
def spend_fields() -> tuple[FieldSpec, ...]:
    text = resources.files("openbook.ingest").joinpath("spend_headers.toml").read_text("utf-8")
    table = tomllib.loads(text)["fields"]
    return tuple(
        FieldSpec(name, bool(spec.get("required")), tuple(normalise_header(s) for s in spec["synonyms"]))
        for name, spec in table.items()
    )


@dataclass
class HeaderMap:
    """Which cell index feeds which field; unmapped columns are listed, not dropped silently."""

    columns: list[str]
    fields: dict[str, int] = field(default_factory=dict)

    @property
    def unmapped(self) -> list[str]:
        used = set(self.fields.values())
        return [name for i, name in enumerate(self.columns) if i not in used and name.strip()]

    def missing_required(self) -> list[str]:
        return [f.name for f in spend_fields() if f.required and f.name not in self.fields]

    def describe(self) -> list[list[str | None]]:
        """[column name as published, field it fills or None] in file order (names may repeat)."""
        by_index = {i: name for name, i in self.fields.items()}
        return [[col, by_index.get(i)] for i, col in enumerate(self.columns)]


@cache
def _synonym_index() -> dict[str, list[tuple[int, int, str]]]:
    """normalised name → [(field order, synonym rank, field)], so mapping a header is one pass."""
    index: dict[str, list[tuple[int, int, str]]] = {}
    for order, spec in enumerate(spend_fields()):
        for rank, synonym in enumerate(spec.synonyms):
            index.setdefault(synonym, []).append((order, rank, spec.name))
    return index


def map_header(cells: list[str]) -> HeaderMap:
    """Fields in table order each take their best-ranked synonym among the columns still free."""
    mapping = HeaderMap(columns=[str(c).strip() for c in cells])
    index = _synonym_index()
    candidates = sorted(
        (order, rank, position, name)
        for position, cell in enumerate(cells)
        for order, rank, name in index.get(normalise_header(cell), ())
    )
    taken: set[int] = set()
    for _, _, position, name in candidates:
        if name not in mapping.fields and position not in taken:
            mapping.fields[name] = position
            taken.add(position)
    return mapping


def header_score(cells: list[str]) -> int:
    """How many fields a row would map: the header is the best-scoring early row."""
    if sum(1 for c in cells if str(c).strip()) < 2:
        return 0
    mapped = map_header(cells).fields
    if "amount_gbp" in mapped and {"paid_on", "supplier_name"} & mapped.keys():
        return len(mapped)
    # A header whose amount column is unnamed still names a date, a supplier and more.
    if {"paid_on", "supplier_name"} <= mapped.keys() and len(mapped) >= 4:
        return len(mapped)
    return 0
