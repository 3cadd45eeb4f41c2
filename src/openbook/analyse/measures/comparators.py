"""Who a body is compared with: bodies of its kind or sector, its nearest neighbours, or a group a user saved.

Nearest neighbours follow the CIPFA model: each context figure (population, staff, total spend)
is standardised over the bodies that have it (z = (x − mean) / standard deviation), the distance
between two bodies is the Euclidean distance between their standardised figures, and a body's
comparators are the k bodies nearest to it. A body is compared on the figures it has: a central
department with no population is placed among bodies by staff and spend only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone

from openbook.errors import UsageError
from openbook.store.book import Book

FEATURES = ("population_served", "staff_fte", "total_gbp")
DEFAULT_K = 10
BUILT_IN = ("kind", "sector", "neighbours")

Context = Mapping[str, Mapping[str, float | None]]  # org_id → feature → value


def nearest_neighbours(context: Context, *, k: int = DEFAULT_K, features: Sequence[str] = FEATURES,
                       weights: Mapping[str, float] | None = None) -> dict[str, list[tuple[str, float]]]:
    """Each body's k nearest other bodies by standardised Euclidean distance, nearest first.

    Ties in distance are broken by org_id, so the answer does not depend on the order bodies
    were given in. A body with none of the figures has no neighbours.
    """
    if k < 1:
        raise UsageError(f"k must be at least 1, not {k}")
    weights = weights or {}
    scaled_by_set: dict[tuple[str, ...], dict[str, tuple[float, ...]]] = {}
    result: dict[str, list[tuple[str, float]]] = {}
    for org_id in sorted(context):
        own = tuple(f for f in features if _known(context[org_id].get(f)))
        if not own:
            result[org_id] = []
            continue
        if own not in scaled_by_set:
            scaled_by_set[own] = _standardise(context, own)
        scaled = scaled_by_set[own]
        here = scaled[org_id]
        distances = []
        for other, there in scaled.items():
            if other == org_id:
                continue
            total = math.fsum(weights.get(f, 1.0) * (a - b) ** 2 for f, a, b in zip(own, here, there))
            distances.append((math.sqrt(total), other))
        distances.sort()
        result[org_id] = [(other, distance) for distance, other in distances[:k]]
    return result


def _known(value: float | None) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _standardise(context: Context, features: tuple[str, ...]) -> dict[str, tuple[float, ...]]:
    """z-scores of each feature over the bodies that have every one of `features`."""
    members = sorted(o for o, figures in context.items() if all(_known(figures.get(f)) for f in features))
    columns = []
    for feature in features:
        values = [float(context[o][feature]) for o in members]
        mean = math.fsum(values) / len(values)
        spread = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))
        # A figure every body shares tells bodies apart by nothing: it adds no distance.
        columns.append([(v - mean) / spread if spread > 0 else 0.0 for v in values])
    return {o: tuple(column[i] for column in columns) for i, o in enumerate(members)}


# ---------------------------------------------------------------- custom groups, saved in the book


def create_group(book: Book, name: str, org_ids: Sequence[str]) -> list[str]:
    """Save (or replace) a named group; bodies are given by id or name. Returns the org_ids saved."""
    _check_name(name)
    members = sorted({book.require_org(text) for text in org_ids})
    if len(members) < 2:
        raise UsageError("a comparator group needs at least two bodies")
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    with book.transaction():
        book.con.execute("DELETE FROM comparator_group WHERE name = ?", [name])
        book.con.executemany("INSERT INTO comparator_group (name, org_id, created_at) VALUES (?, ?, ?)",
                             [[name, org_id, now] for org_id in members])
    return members


def delete_group(book: Book, name: str) -> int:
    """Remove a saved group; returns how many members it had (0: there was no such group)."""
    count = book.query("SELECT count(*) FROM comparator_group WHERE name = ?", [name])[0][0]
    book.con.execute("DELETE FROM comparator_group WHERE name = ?", [name])
    return count


def groups(book: Book) -> dict[str, list[str]]:
    """Every saved group's members, by name."""
    saved: dict[str, list[str]] = {}
    for name, org_id in book.query("SELECT name, org_id FROM comparator_group ORDER BY name, org_id"):
        saved.setdefault(name, []).append(org_id)
    return saved


def check_comparator(book: Book, comparator: str) -> str:
    """'kind', 'sector', 'neighbours' or a saved group's name; anything else is a usage error."""
    if comparator in BUILT_IN or comparator in groups(book):
        return comparator
    saved = ", ".join(sorted(groups(book))) or "none saved yet"
    raise UsageError(f"--peers {comparator!r} is not 'kind', 'sector', 'neighbours' or a saved group ({saved}); "
                     f"save one with `openbook peers group create NAME ORG ORG …`")


def _check_name(name: str) -> None:
    if not name or name in BUILT_IN or not all(c.isalnum() or c in "-_ " for c in name):
        raise UsageError(f"a group name must be letters, digits, spaces, '-' or '_', and not "
                         f"{' or '.join(BUILT_IN)}; got {name!r}")
