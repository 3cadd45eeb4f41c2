"""Savings to a target centile: what each body would save if it cost what its cheaper peers do.

For every measure where the numerator is money and lower is better, a body above its
comparators' target centile (the 10th by default) would save

    saving = (value − target centile) ÷ scale × denominator,   never below zero,

a year, in the basis the measure was run on. A body at or below the target saves nothing. As
OpenPrescribing does, small figures are not counted: a body's saving on one measure below the
per-body minimum, and a measure whose savings add up to less than the national minimum. Totals
take each body's latest ranked year only, and only measures declared `savings = true` (at most one
per function), so no pound is counted twice; they feed the savings model's "measures" baseline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from openbook.analyse.measures import Measure, ranks

_PENNY = Decimal("0.01")
_ZERO = Decimal(0)
LEVELS = ("org_id", "function", "sector", "measure_id")


def saving_to_centile(value: float, peer_values: list[float], denominator: float, *, q: float,
                      scale: float = 1.0) -> tuple[float, Decimal]:
    """(target value, £ saving) for one body: the gap to the q-th centile of its peers, never negative."""
    target = ranks.centile(peer_values, q)
    gap = max(value - target, 0.0)
    saving = Decimal(repr(gap / scale * denominator)).quantize(_PENNY, rounding=ROUND_HALF_UP)
    return target, max(saving, _ZERO)


def price(rows: list[dict], measures: Mapping[str, Measure], settings) -> list[str]:
    """Set target_centile, target_value, saving_gbp and saving_counted on every ranked row of a priced measure."""
    notes = []
    for row in rows:
        row.update(target_centile=None, target_value=None, saving_gbp=None, saving_counted=False)
        measure = measures[row["measure_id"]]
        if not measure.priced or row["percentile"] is None:
            continue
        target, saving = saving_to_centile(row["value"], row["peer_values"], row["denominator"],
                                           q=settings.target_centile, scale=measure.scale)
        row.update(target_centile=settings.target_centile, target_value=target, saving_gbp=saving)
    national: dict[tuple[str, str], Decimal] = defaultdict(lambda: _ZERO)
    for row in rows:
        if row["saving_gbp"] is not None and row["saving_gbp"] >= settings.min_body_saving_gbp:
            national[(row["measure_id"], row["period"])] += row["saving_gbp"]
    for row in rows:
        saving = row["saving_gbp"]
        if saving is None or saving == 0:
            continue
        measure = measures[row["measure_id"]]
        if not measure.savings:
            row["note"] = _join(row["note"], "not added to totals: overlaps the function measures")
        elif saving < settings.min_body_saving_gbp:
            row["note"] = _join(row["note"], f"below the £{settings.min_body_saving_gbp:,} minimum for one body")
        elif national[(row["measure_id"], row["period"])] < settings.min_national_saving_gbp:
            row["note"] = _join(row["note"], f"the measure saves less than £{settings.min_national_saving_gbp:,} "
                                             f"in all in {row['period']}")
        else:
            row["saving_counted"] = True
    small = sorted({m for (m, p), total in national.items() if 0 < total < settings.min_national_saving_gbp})
    if small:
        notes.append(f"Below the national minimum of £{settings.min_national_saving_gbp:,} in some years, "
                     f"so not counted there: {', '.join(small)}.")
    return notes


def counted_latest(rows: Iterable[dict]) -> list[dict]:
    """Each body's latest ranked year for each measure, where its saving is counted."""
    best: dict[tuple[str, str], dict] = {}
    for row in rows:
        if row.get("percentile") is None:
            continue
        key = (row["measure_id"], row["org_id"])
        if key not in best or row["period"] > best[key]["period"]:
            best[key] = row
    return [best[k] for k in sorted(best) if best[k]["saving_counted"]]


def totals(rows: Iterable[dict], by: str) -> list[dict]:
    """Counted savings summed by body, function, sector or measure, largest first."""
    if by not in LEVELS:
        raise ValueError(f"savings can be summed by {', '.join(LEVELS)}, not {by!r}")
    sums: dict[str, list] = defaultdict(lambda: [_ZERO, 0])
    for row in counted_latest(rows):
        cell = sums[row[by] or "–"]
        cell[0] += row["saving_gbp"]
        cell[1] += 1
    return sorted(({by: key, "saving_gbp": gbp, "rows": n} for key, (gbp, n) in sums.items()),
                  key=lambda r: (-r["saving_gbp"], r[by]))


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)
