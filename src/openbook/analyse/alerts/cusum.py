"""Sudden changes in a monthly series: a two-sided tabular CUSUM on robustly standardised months.

Why this shape. Public spend is lumpy: an annual licence or a back-dated invoice makes one month
many times the usual, and a mean and standard deviation taken over such months are dragged by
them. So the typical level is the **median** of a baseline window (the first `baseline` months
observed) and the typical wobble is the **MAD** scaled to a standard deviation (× 1.4826), floored
at `min_sigma` so that a flat baseline does not make every penny a shock. Each month becomes
z = (x − median) / sigma, clipped to ±`clip`, and Page's CUSUM accumulates

    S⁺ₜ = max(0, S⁺ₜ₋₁ + zₜ − k)        S⁻ₜ = max(0, S⁻ₜ₋₁ − zₜ − k)

and signals when either passes `h`. With k = 0.5, h = 5 and clip = 3 a single month, however
large, adds at most 2.5: a change must last three months or more before it signals. The
change is dated to the month after the statistic last stood at zero. After a signal the search
starts again with the months from the change on as the new baseline, so a series can show several
changes; callers usually report the latest. The function works on any numbers; alerts feed it the
natural log of each month's £, so that sigma is a proportional wobble (0.2 is about ±20%, the
least a body's monthly spend is taken to vary) and a body spending £10m a month is judged on the
same footing as one spending £100k.

Known answers, worked by hand (docs/alerts.md shows the arithmetic):

A flat 100 a month that steps to 130. MAD is 0, so sigma is the floor, 0.2; each 130 month is
z = 150, clipped to 3; S⁺ goes 0, 2.5, 5.0, 7.5 and signals in the third month at 130 (5.0 is
not past 5), dating the change to the first:

>>> [(c.direction, c.began, c.signalled, c.before, c.after) for c in changes([100] * 7 + [130] * 4)]
[('up', 7, 9, 100.0, 130.0)]

A noisy baseline (median 10, MAD 1, sigma 1.4826) and a rise to about 14. z for 11, 9, 14, 15, 14
is 0.67, −0.67, 2.70, 3 (clipped from 3.37), 2.70; S⁺ is 0.17, 0, 2.20, 4.70, 6.90: the signal
is at index 10 and the change began at index 8, the month after S⁺ was last zero:

>>> [(c.direction, c.began, c.signalled, c.after) for c in changes([10, 12, 8, 11, 9, 10, 11, 9, 14, 15, 14])]
[('up', 8, 10, 14.0)]
>>> round(changes([10, 12, 8, 11, 9, 10, 11, 9, 14, 15, 14])[0].statistic, 3)
6.896

One odd month is not a change: S⁺ reaches 2.5 and decays by 0.5 a month afterwards:

>>> changes([100] * 7 + [400] + [100] * 4)
[]

A fall is the mirror image:

>>> [(c.direction, c.began, c.signalled, c.before, c.after) for c in changes([50] * 6 + [20] * 4)]
[('down', 6, 8, 50.0, 20.0)]
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import Sequence

MAD_TO_SD = 1.4826  # a normal distribution's standard deviation is 1.4826 × its MAD


@dataclass(frozen=True)
class CusumSettings:
    """The thresholds, declared once; docs/alerts.md explains each."""

    k: float = 0.5  # allowance: drifts under half a typical wobble a month are ignored
    h: float = 5.0  # decision interval: the statistic must pass this to signal
    clip: float = 3.0  # each month counts for at most this many sigmas, so no month can signal alone
    baseline: int = 6  # months that set the typical level and wobble
    min_sigma: float = 0.2  # sigma is at least this (on log £, a ±20% wobble)


@dataclass(frozen=True)
class Change:
    """A sustained shift found at index `began` (first changed month) and signalled at `signalled`."""

    direction: str  # 'up' or 'down'
    began: int
    signalled: int
    before: float  # baseline median
    after: float  # median of the months from `began` to the next change or the end
    sigma: float
    statistic: float  # the CUSUM value when it signalled (in sigmas)


def changes(values: Sequence[float], settings: CusumSettings = CusumSettings()) -> list[Change]:
    """Every sustained change in a series, in order; [] when the series is too short to judge."""
    values = [float(v) for v in values]
    found: list[Change] = []
    start = 0
    while len(values) - start > settings.baseline:
        change = _first_change(values, start, settings)
        if change is None:
            break
        found.append(change)
        start = change.began
    # Each change's level after runs to the next change, not to the end of the series.
    return [_with_after(values, c, found[i + 1].began if i + 1 < len(found) else len(values))
            for i, c in enumerate(found)]


def _first_change(values: list[float], start: int, s: CusumSettings) -> Change | None:
    window = values[start:start + s.baseline]
    level = median(window)
    mad = median(abs(v - level) for v in window)
    sigma = max(MAD_TO_SD * mad, s.min_sigma, 1e-9)
    upper = lower = 0.0
    upper_zero = lower_zero = start + s.baseline - 1  # the last index at which each statistic was zero
    for t in range(start + s.baseline, len(values)):
        z = max(-s.clip, min(s.clip, (values[t] - level) / sigma))
        upper = max(0.0, upper + z - s.k)
        lower = max(0.0, lower - z - s.k)
        if upper == 0.0:
            upper_zero = t
        if lower == 0.0:
            lower_zero = t
        if upper > s.h or lower > s.h:
            up = upper >= lower
            return Change("up" if up else "down", (upper_zero if up else lower_zero) + 1, t, level, level,
                          sigma, upper if up else lower)
    return None


def _with_after(values: list[float], change: Change, end: int) -> Change:
    return Change(change.direction, change.began, change.signalled, change.before,
                  median(values[change.began:end]), change.sigma, change.statistic)
