"""A published amount of any type (JSON number, text, spreadsheet cell) as exact Decimal, with its currency.

Contracts and grants publish values in any currency; the amount is kept as published (to the
penny) and a sterling figure exists only when the currency says GBP, so no foreign amount is
ever summed as pounds.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from openbook.ingest.amounts import AmountError, parse_amount

_PENNY = Decimal("0.01")
LIMIT = Decimal(10) ** 16  # DECIMAL(18,2) holds 16 digits before the point
CURRENCY = re.compile(r"^[A-Z]{3}$")


def exact_amount(value: object) -> tuple[Decimal, bool] | None:
    """(amount to the penny, rounded?) or None when empty; AmountError when it is not an amount.

    JSON numbers come from ijson as int or Decimal and are taken exactly; text goes through the
    same reading as a spend file's amount cells (pound signs, thousands commas, brackets).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise AmountError("amount-not-a-number", "true/false, not a number")
    if isinstance(value, (int, Decimal)):
        exact = Decimal(value)
    elif isinstance(value, float):
        exact = Decimal(repr(value))
    elif isinstance(value, str):
        pence, _ = parse_amount(value.strip())
        exact = _exact_text(value.strip(), pence)
    else:
        raise AmountError("amount-not-a-number", "not a number")
    if not exact.is_finite() or abs(exact) >= LIMIT:
        raise AmountError("amount-not-a-number", "beyond 16 digits before the point")
    try:
        quantised = exact.quantize(_PENNY, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:
        raise AmountError("amount-not-a-number", "too large") from None
    return quantised, quantised != exact


def _exact_text(text: str, pence: int) -> Decimal:
    """The text's exact value when it is a plain decimal (so rounding can be reported), else the pence read."""
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return Decimal(pence) / 100


def currency_code(value: object) -> str:
    """The currency as published, trimmed; '' when absent."""
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))
