"""Instalments: one supplier paid one amount at a regular cadence is a schedule, not a duplicate.

Weekly care packages, monthly rents and quarterly fees repeat an amount by design. A body's
payments of one amount to one supplier whose dates (three or more, known to the day or to the
month) fall mostly at one cadence are a series; two of its payments a whole number of periods
apart are two instalments. So are payments of one amount made at most once a calendar month,
three or more months, at least `MIN_PERIOD_GAP` days apart (stage payments of a grant, business
rates): a schedule whose beat is irregular. Two payments on one date, or between the beats,
stay candidates.
"""

from __future__ import annotations

import math
from datetime import date

# Cadence: (name, days per period, days of tolerance per period).
CADENCES = (("weekly", 7, 1), ("fortnightly", 14, 2), ("four-weekly", 28, 1), ("monthly", 30.44, 3),
            ("quarterly", 91.31, 7))
MIN_SERIES = 3
"""Fewest distinct dates for a series: two payments are a pair, not a cadence."""
REGULAR_SHARE = 2 / 3
"""Least share of the gaps between a series' dates that fall on its cadence."""
MIN_PERIOD_GAP = 20
"""Fewest days between two payments of a once-a-month-or-less schedule."""


def cadence(dates: list[date]) -> tuple[str, float | None, float | None] | None:
    """The cadence most gaps between the distinct dates fall on, or None.

    >>> cadence([date(2024, 1, d) for d in (1, 8, 15, 22)])[0]
    'weekly'
    """
    days = sorted(set(dates))
    if len(days) < MIN_SERIES:
        return None
    gaps = [(b - a).days for a, b in zip(days, days[1:])]
    for name, period, tolerance in CADENCES:
        on_beat = sum(_beats(g, period, tolerance) == 1 for g in gaps)
        if on_beat >= max(2, math.ceil(REGULAR_SHARE * len(gaps))):
            return name, period, tolerance
    if len({(d.year, d.month) for d in days}) == len(days) and min(gaps) >= MIN_PERIOD_GAP:
        return "periodic", None, None
    return None


def _beats(days: int, period: float, tolerance: float) -> int:
    """Whole periods in `days` when it lands on the cadence (within tolerance per period), else 0."""
    k = round(days / period)
    return k if k >= 1 and abs(days - k * period) <= tolerance * k else 0


def instalments(series: list[date], a: date | None, b: date | None) -> str | None:
    """The cadence's name when `a` and `b` are whole periods apart in a regular series, else None."""
    if a is None or b is None:
        return None
    found = cadence(series)
    if found is None:
        return None
    name, period, tolerance = found
    apart = abs((b - a).days)
    if period is None:
        return name if apart >= MIN_PERIOD_GAP else None
    return name if _beats(apart, period, tolerance) else None
