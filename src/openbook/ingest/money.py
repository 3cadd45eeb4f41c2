"""A published amount of any type (JSON number, text, spreadsheet cell) as exact Decimal, with its currency.

Contracts and grants publish values in any currency; the amount is kept as published (to the
penny) and a sterling figure exists only when the currency says GBP or the user gave a rate for
it (`--fx EUR=0.86`), so no foreign amount is ever summed as pounds.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path

from openbook.errors import UsageError
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
    parse_rounded = False
    if isinstance(value, (int, Decimal)):
        exact = Decimal(value)
    elif isinstance(value, float):
        exact = Decimal(repr(value))
    elif isinstance(value, str):
        # A decorated amount ('£1.005', '(1.005)', '1.005 CR') is read to the penny by parse_amount,
        # which says whether it rounded; only a plain decimal is re-read exactly here.
        pence, parse_rounded = parse_amount(value.strip())
        exact = _exact_text(value.strip(), pence)
    else:
        raise AmountError("amount-not-a-number", "not a number")
    if not exact.is_finite() or abs(exact) >= LIMIT:
        raise AmountError("amount-not-a-number", "beyond 16 digits before the point")
    try:
        quantised = exact.quantize(_PENNY, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:
        raise AmountError("amount-not-a-number", "too large") from None
    return quantised, quantised != exact or parse_rounded


def _exact_text(text: str, pence: int) -> Decimal:
    """The text's exact value when it is a plain decimal (so rounding can be reported), else the pence read."""
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return Decimal(pence) / 100


def currency_code(value: object) -> str:
    """The currency as published, trimmed; '' when absent."""
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


@cache
def iso_currencies() -> frozenset[str]:
    """Every current ISO 4217 code (standard/currencies.csv, its source in currencies.toml)."""
    table = resources.files("openbook.standard").joinpath("currencies.csv").read_text(encoding="utf-8")
    return frozenset(row["code"] for row in csv.DictReader(io.StringIO(table)))


def iso_currency(value: object) -> str | None:
    """The ISO 4217 code a published currency names ('eur ' → 'EUR'), or None when it is not one."""
    code = currency_code(value).upper()
    return code if code in iso_currencies() else None


def read_rates(given: list[str] | None) -> dict[str, str]:
    """Pounds per unit of each currency, from `CODE=RATE` pairs or files of such lines (or CSV rows).

    The user states the rate; openbook never looks one up. Rates are kept as text so the source's
    provenance records exactly what was given.
    """
    rates: dict[str, str] = {}
    for item in given or []:
        path = Path(item)
        if "=" not in item and path.is_file():
            lines = [(f"{path}, line {n}", line) for n, line in
                     enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1)]
        else:
            lines = [(f"--fx {item!r}", item)]
        for where, line in lines:
            cells = [c.strip() for c in re.split(r"[=,\t;]", line.split("#", 1)[0]) if c.strip()]
            if not cells or (len(cells) == 2 and cells[0].casefold() in ("currency", "code")):
                continue  # a blank line, a comment or a header row
            code = iso_currency(cells[0]) if len(cells) == 2 else None
            try:
                rate = Decimal(cells[1]) if code else None
            except InvalidOperation:
                rate = None
            if code is None or rate is None or not rate.is_finite() or rate <= 0:
                raise UsageError(f"{where}: give a rate as CODE=POUNDS per unit of an ISO 4217 currency, "
                                 "e.g. EUR=0.86")
            rates[code] = str(rate)
    rates.pop("GBP", None)
    return rates


def in_pounds(amount: Decimal | None, currency: str | None, rates: dict[str, str]) -> Decimal | None:
    """The amount in pounds: itself when GBP, times the user's rate for another currency, else None."""
    if amount is None or not currency:
        return None
    if currency == "GBP":
        return amount
    rate = rates.get(currency)
    return None if rate is None else (amount * Decimal(rate)).quantize(_PENNY, rounding=ROUND_HALF_EVEN)


def currency_tally(rows: list[dict], amount: str, currency: str, gbp: str) -> dict[str, dict[str, object]]:
    """Per currency: rows, their total as published, and how many have no pound figure (left out of £ sums)."""
    tally: dict[str, dict[str, object]] = {}
    for row in rows:
        if row[amount] is None:
            continue
        entry = tally.setdefault(row[currency] or "", {"rows": 0, "amount": Decimal(0), "without_gbp": 0})
        entry["rows"] += 1
        entry["amount"] += row[amount]
        entry["without_gbp"] += row[gbp] is None
    return {code: {**entry, "amount": str(entry["amount"])} for code, entry in sorted(tally.items())}
