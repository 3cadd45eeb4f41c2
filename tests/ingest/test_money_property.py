"""An amount means the same, and says whether it was rounded to the penny, however it is written:
plain, with a pound sign and thousands commas, in brackets, or with a trailing CR."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from hypothesis import given
from hypothesis import strategies as st

from openbook.ingest.money import exact_amount

_PENNY = Decimal("0.01")


def _grouped(value: Decimal) -> str:
    whole, _, frac = f"{value:f}".partition(".")
    return f"{int(whole):,}" + (f".{frac}" if frac else "")


CREDIT_STYLES = [lambda t: f"-{t}", lambda t: f"({t})", lambda t: f"{t} CR", lambda t: f"-£{t}",
                 lambda t: f"(£{t})", lambda t: f"({t})", lambda t: f"{t}-", lambda t: f"£{t} CR"]
DEBIT_STYLES = [lambda t: t, lambda t: f"£{t}", lambda t: f"GBP {t}", lambda t: f" £ {t} "]


@given(st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("9999999999"), places=4),
       st.booleans(), st.booleans(), st.integers(0, len(CREDIT_STYLES) - 1))
def test_every_way_of_writing_an_amount_keeps_its_value_and_its_rounded_flag(value, credit, grouped, style):
    text = _grouped(value) if grouped else f"{value:f}"
    written = (CREDIT_STYLES[style] if credit else DEBIT_STYLES[style % len(DEBIT_STYLES)])(text)
    quantised = value.quantize(_PENNY, rounding=ROUND_HALF_EVEN)
    assert exact_amount(written) == ((-quantised if credit else quantised), quantised != value), written


def test_the_rounded_flag_survives_each_decoration():
    for written in ("£1.005", "(1.005)", "1.005 CR", "£1,234.567", "-£0.001"):
        assert exact_amount(written)[1] is True, written
    for written in ("£1.00", "(1.50)", "1.25 CR", "£1,234.5600"):
        assert exact_amount(written)[1] is False, written
