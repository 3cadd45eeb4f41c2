"""Control limits and rank intervals: how sure a body's place among its peers is.

A body's value is a sum of lines (payments, posts) over a denominator. Read as a compound Poisson
sum, the numerator's variance is the sum of its lines' squares (for posts, one per post: plain
Poisson), so its relative standard error is sqrt(Σx²) ÷ Σx. A body with three finance payments has
a wide interval; one with three thousand a narrow one. As in a funnel plot, the 95% and 99.8%
control limits sit around the peer value (the comparators' median) at that body's precision, widened
by the spread between bodies beyond chance (overdispersion): a body inside the 99.8% limits is not
an outlier, whatever its rank. A rank interval counts the peers
whose 95% intervals lie wholly on either side: "ranked 12th (8th–19th)". Plain Python, no I/O.
"""

from __future__ import annotations

import math

from openbook.analyse.measures import ranks

Z95 = 1.959964  # two-sided 95%
Z998 = 3.090232  # two-sided 99.8%
POSITIONS = ("above 99.8%", "above 95%", "within", "below 95%", "below 99.8%")


def relative_se(numerator: float, sum_squares: float | None) -> float | None:
    """The numerator's relative standard error, sqrt(Σx²) ÷ Σx; None when it cannot be told."""
    if sum_squares is None or numerator is None or numerator <= 0 or sum_squares < 0:
        return None
    return math.sqrt(sum_squares) / numerator


def overdispersion(entries: list[tuple[float, float | None]], peer_value: float) -> float:
    """τ², the spread between bodies beyond chance, in relative terms (DerSimonian–Laird, as Spiegelhalter
    advises for funnel plots): bodies really differ, so limits from chance alone would flag most large ones.

    Each body's z = (value ÷ peer − 1) ÷ its relative se, winsorised to the 10th and 90th centiles so
    that the outliers being looked for do not widen their own limits; 0 when the spread is chance's.
    """
    points = [(value / peer_value - 1, rel) for value, rel in entries if rel] if peer_value > 0 else []
    if len(points) < 3:
        return 0.0
    z = [deviation / rel for deviation, rel in points]
    low, high = ranks.centile(z, 0.1), ranks.centile(z, 0.9)
    q = math.fsum(min(max(x, low), high) ** 2 for x in z)
    weights = [1 / rel ** 2 for _, rel in points]
    scale = math.fsum(weights) - math.fsum(w * w for w in weights) / math.fsum(weights)
    if q <= len(points) - 1 or scale <= 0:
        return 0.0
    return (q - (len(points) - 1)) / scale


def place(value: float, peer_value: float, rel_se: float | None, tau2: float = 0.0) -> dict:
    """The 95% and 99.8% limits around the peer value at this body's precision (widened by the peers'
    overdispersion τ²), and where the body falls."""
    if rel_se is None:
        return {"se": None, "lower_95": None, "upper_95": None, "lower_998": None, "upper_998": None,
                "limits": None}
    # The spread a body of this precision would show if it were at the peer value, plus the spread between bodies.
    se = abs(peer_value) * math.sqrt(rel_se ** 2 + tau2)
    # A measure's values are above 0 (the runner keeps no other), so a limit below 0 is 0.
    bounds = {"lower_95": max(peer_value - Z95 * se, 0.0), "upper_95": peer_value + Z95 * se,
              "lower_998": max(peer_value - Z998 * se, 0.0), "upper_998": peer_value + Z998 * se}
    if value > bounds["upper_998"]:
        where = "above 99.8%"
    elif value > bounds["upper_95"]:
        where = "above 95%"
    elif value < bounds["lower_998"]:
        where = "below 99.8%"
    elif value < bounds["lower_95"]:
        where = "below 95%"
    else:
        where = "within"
    return {"se": value * rel_se, **bounds, "limits": where}


def is_outlier(limits: str | None, direction: str) -> bool:
    """Outside the 99.8% limits on the worse side: the only place a measure finding may come from."""
    if limits is None:
        return False
    return limits == ("below 99.8%" if direction == "higher" else "above 99.8%")


def rank_intervals(entries: list[tuple[str, float, float | None]], direction: str) -> dict[str, tuple[int, int, int]]:
    """{org_id: (rank, best, worst)} among `entries` (org_id, value, se), 1 the best.

    Best rank: one more than the peers whose 95% interval lies wholly better than this body's;
    worst: the peers less those wholly worse. Without a standard error a body's interval is its value.
    'none' direction ranks from the lowest value.
    """
    sign = -1.0 if direction == "higher" else 1.0
    spans = {org: (sign * value, Z95 * (se or 0.0)) for org, value, se in entries}
    out = {}
    for org, (mine, half) in spans.items():
        better = sum(1 for o, (v, _) in spans.items() if o != org and v < mine)
        surely_better = sum(1 for o, (v, h) in spans.items() if o != org and v + h < mine - half)
        surely_worse = sum(1 for o, (v, h) in spans.items() if o != org and v - h > mine + half)
        out[org] = (better + 1, surely_better + 1, len(spans) - surely_worse)
    return out


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_text(rank: int | None, best: int | None, worst: int | None, of: int | None) -> str:
    """'ranked 12th of 40 (8th–19th)', 1st being the best; empty when unranked."""
    if rank is None:
        return ""
    span = f" ({ordinal(best)}–{ordinal(worst)})" if best is not None and worst is not None and best != worst else ""
    return f"ranked {ordinal(rank)} of {of}{span}"
