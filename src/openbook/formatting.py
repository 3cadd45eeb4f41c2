"""Money and numbers as people read them, written once so that a page, the terminal, an alert and a
finding's sentence show the same figure the same way.

Only for reading: the JSON twins and `--json` keep every penny. The sign goes before the £
(-£1,234.50) and a missing figure is a dash, never 0.
"""

from __future__ import annotations

from decimal import Decimal

DASH = "–"


def gbp(value: int | Decimal | float | None, *, pence: bool = False) -> str:
    """Pounds and pence, £1,234.50; `pence=True` for an amount held in whole pence."""
    if value is None:
        return DASH
    amount = Decimal(value) / 100 if pence else value
    return f"-£{abs(amount):,.2f}" if amount < 0 else f"£{amount:,.2f}"


def pounds(value: int | Decimal | float | None) -> str:
    """Whole pounds, £1,235, for the wide tables people read."""
    if value is None:
        return DASH
    return f"-£{abs(value):,.0f}" if value < 0 else f"£{value:,.0f}"


def gbp_short(value: Decimal, *, thousands: bool = True) -> str:
    """£ rounded for a headline: £1.6bn, £1.1m, £420k, £850 (£420,000 when `thousands` is off)."""
    amount = abs(value)
    sign = "-" if value < 0 else ""
    if amount >= 1_000_000_000:
        return f"{sign}£{amount / 1_000_000_000:,.1f}bn"
    if amount >= 1_000_000:
        return f"{sign}£{amount / 1_000_000:,.1f}m"
    if thousands and amount >= 10_000:
        return f"{sign}£{amount / 1_000:,.0f}k"
    if thousands and amount >= 1_000:
        return f"{sign}£{amount / 1_000:,.1f}k"
    return f"{sign}£{amount:,.0f}"


def count(value: int | None) -> str:
    """A count with thousands separators, 12,345."""
    return DASH if value is None else f"{value:,}"


def pct(value: float | None, places: int = 1) -> str:
    """A share (0.123) as a percentage, 12.3%."""
    return DASH if value is None else f"{value:.{places}%}"


def per_basis(value: float | Decimal | None, basis: str, *, places: int = 2) -> str:
    """A benchmark figure in its basis's unit: a share as a percentage, any other basis in £."""
    if value is None:
        return DASH
    return pct(value, places) if basis == "share" else f"£{value:,.2f}"


__all__ = ["DASH", "count", "gbp", "gbp_short", "pct", "per_basis", "pounds"]
