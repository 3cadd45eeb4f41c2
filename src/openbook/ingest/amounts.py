"""Amounts as UK publishers write them, parsed to exact integer pence.

Pence, not floats: the book must add up to the penny across millions of lines. Accepted forms:
`1234.56`, `1,234.56`, `£1,234.56`, `-1234.56`, `(1,234.56)`, `1,234.56-`, `1,234.56 CR`,
`-£1,234.56`, `£-1,234.56`, `.5`, and numbers already typed by a spreadsheet. Anything else is
an error with a hint, never a guess.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

_AMOUNT = re.compile(
    r"""^\s*(?P<sign1>[-\u2212\u2013])?\s*(?P<open>\()?\s*(?P<sign2>[-\u2212])?\s*
    (?:£|GBP\s?|\u00a3)?\s*(?P<sign3>[-\u2212])?\s*
    (?P<int>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<frac>\d*))?
    \s*(?P<close>\))?\s*(?P<trail>-|CR|Cr|cr)?\s*$""",
    re.X,
)
_SIMPLE = re.compile(r"^-?\d+(?:\.\d{1,2})?$")
_SCIENTIFIC = re.compile(r"^\s*-?\d+(?:\.\d+)?[eE][-+]?\d+\s*$")
_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "S": "5"})


class AmountError(ValueError):
    """Raised when a cell cannot be read as an amount; `code` is the problem code."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(detail or code)
        self.code = code
        self.detail = detail


def parse_amount(text: str) -> tuple[int, bool]:
    """Return (pence, rounded) where rounded says fractions of a penny were dropped."""
    if _SIMPLE.match(text):
        whole, _, frac = text.partition(".")
        negative = whole.startswith("-")
        pence = abs(int(whole)) * 100 + int(frac.ljust(2, "0")) if frac else abs(int(whole)) * 100
        return (-pence if negative else pence), False
    stripped = text.strip().replace("\u00a0", " ")
    if not stripped or stripped in {"-", "£", "£-", "£ -"}:
        raise AmountError("amount-missing")
    match = _AMOUNT.match(stripped)
    if match is None:
        if _SCIENTIFIC.match(stripped):
            return _from_decimal(Decimal(stripped))
        raise AmountError("amount-not-a-number", _hint(stripped))
    parts = match.groupdict()
    if parts["int"] is None and not parts["frac"]:
        raise AmountError("amount-not-a-number", _hint(stripped))
    if bool(parts["open"]) != bool(parts["close"]):
        raise AmountError("amount-not-a-number", "unbalanced bracket")
    signs = sum(1 for key in ("sign1", "open", "sign2", "sign3", "trail") if parts[key])
    if signs > 1:
        raise AmountError("amount-not-a-number", "more than one minus sign")
    whole = int((parts["int"] or "0").replace(",", ""))
    frac = parts["frac"] or ""
    rounded = False
    if len(frac) <= 2:
        pence = whole * 100 + int(frac.ljust(2, "0"))
    else:
        exact = Decimal(f"{whole}.{frac}")
        quantised = exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
        rounded = quantised != exact
        pence = int(quantised * 100)
    return (-pence if signs else pence), rounded


def amount_from_number(value: float | int) -> tuple[int, bool]:
    """Pence from a spreadsheet's typed number, via its shortest decimal representation."""
    if isinstance(value, int):
        return value * 100, False
    return _from_decimal(Decimal(repr(value)))


def _from_decimal(exact: Decimal) -> tuple[int, bool]:
    try:
        quantised = exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    except InvalidOperation:
        raise AmountError("amount-not-a-number", "too large") from None
    return int(quantised * 100), quantised != exact


def format_pence(pence: int) -> str:
    """Pence as a plain signed decimal string (`-1234.56`), the inverse of parse_amount."""
    sign = "-" if pence < 0 else ""
    whole, frac = divmod(abs(pence), 100)
    return f"{sign}{whole}.{frac:02d}"


def _hint(text: str) -> str:
    candidate = text.translate(_LOOKALIKES)
    if candidate != text and _AMOUNT.match(candidate):
        swapped = sorted({c for c in text if c in "OolIS"})
        return f"letter {'/'.join(swapped)} in place of a digit?"
    if text.count(".") > 1:
        return "more than one decimal point"
    if any(c.isalpha() for c in text):
        return "text, not a number"
    return ""
