"""Percentile ranks, deciles and centiles, defined once so every face shows the same numbers.

The definitions are the ones the database engines use, so a figure can be checked in SQL:
`percentile_rank` is SQL's PERCENT_RANK (the share of the other bodies strictly below; ties
share the lowest rank), and `centile` is linear interpolation between the two nearest values
(SQL's quantile_cont, numpy's default). Plain Python over a few hundred values, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile_rank(value: float, values: Sequence[float]) -> float:
    """0 for the lowest, 1 for the highest; `values` includes `value` itself."""
    if len(values) < 2:
        return 0.0
    below = sum(1 for v in values if v < value)
    return below / (len(values) - 1)


def decile(rank: float) -> int:
    """1 (lowest tenth) to 10 (highest tenth) from a percentile rank."""
    return min(int(math.floor(rank * 10)) + 1, 10)


def centile(values: Sequence[float], q: float) -> float:
    """The q-th quantile (0..1) by linear interpolation between closest ranks."""
    if not values:
        raise ValueError("no values to take a centile of")
    if not 0 <= q <= 1:
        raise ValueError(f"a centile must be between 0 and 1, not {q}")
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
