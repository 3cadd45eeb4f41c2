"""Amounts in every public format parse back to the same pence; anything else is an error."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openbook.ingest.amounts import AmountError, amount_from_number, format_pence, parse_amount

PENCE = st.integers(min_value=-10**13, max_value=10**13)


def _grouped(whole: int) -> str:
    return f"{whole:,}"


def styles(pence: int) -> list[str]:
    """The ways UK publishers write the same amount."""
    whole, frac = divmod(abs(pence), 100)
    plain = f"{whole}.{frac:02d}"
    grouped = f"{_grouped(whole)}.{frac:02d}"
    if pence < 0:
        return [f"-{plain}", f"({grouped})", f"({plain})", f"-£{grouped}", f"£-{grouped}", f"{grouped}-",
                f"{grouped} CR", f"(£{grouped})", f" -{plain} "]
    return [plain, grouped, f"£{grouped}", f"£{plain}", f" {plain} ", f"£ {grouped}"]


@given(PENCE)
def test_every_public_style_parses_to_the_same_pence(pence):
    for text in styles(pence):
        assert parse_amount(text) == (pence, False), text


@given(PENCE)
def test_format_pence_round_trips(pence):
    assert parse_amount(format_pence(pence)) == (pence, False)


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=4, allow_nan=False))
def test_sub_penny_values_round_half_even_and_say_so(value):
    pence, rounded = parse_amount(str(value))
    expected = value.quantize(Decimal("0.01"))
    assert pence == int(expected * 100)
    assert rounded == (expected != value)


@pytest.mark.parametrize("text,code,hint", [
    ("", "amount-missing", ""),
    ("  ", "amount-missing", ""),
    ("£", "amount-missing", ""),
    ("1,2O0.00", "amount-not-a-number", "letter O in place of a digit?"),
    ("TBC", "amount-not-a-number", "text, not a number"),
    ("1.2.3", "amount-not-a-number", "more than one decimal point"),
    ("(12.00", "amount-not-a-number", "unbalanced bracket"),
    ("-(12.00)", "amount-not-a-number", "more than one minus sign"),
    ("12,34.00", "amount-not-a-number", ""),
])
def test_bad_amounts_are_coded_errors(text, code, hint):
    with pytest.raises(AmountError) as caught:
        parse_amount(text)
    assert caught.value.code == code
    assert caught.value.detail == hint


def test_half_a_penny_rounds_to_even():
    assert parse_amount("0.125") == (12, True)
    assert parse_amount("0.135") == (14, True)
    assert parse_amount("1.2300") == (123, False)


def test_typed_spreadsheet_numbers_use_their_shortest_decimal():
    assert amount_from_number(1234.56) == (123456, False)
    assert amount_from_number(0.1 + 0.2) == (30, True)
    assert amount_from_number(-25000) == (-2500000, False)


def test_scientific_notation_from_spreadsheets():
    assert parse_amount("1.2345E+05") == (12345000, False)
