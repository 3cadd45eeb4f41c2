"""Money and numbers for reading: one module, the same figure written the same way everywhere."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

import openbook
from openbook.formatting import count, gbp, gbp_short, pct, per_basis, pounds


def test_gbp_puts_the_sign_before_the_pound_and_a_dash_for_nothing():
    assert gbp(Decimal("1234.5")) == "£1,234.50"
    assert gbp(Decimal("-1234.5")) == "-£1,234.50"
    assert gbp(-123456, pence=True) == "-£1,234.56"
    assert gbp(0) == "£0.00"
    assert gbp(None) == "–"


def test_pounds_rounds_to_whole_pounds():
    assert pounds(Decimal("1234567.89")) == "£1,234,568"
    assert pounds(Decimal("-0.4")) == "-£0"
    assert pounds(None) == "–"


@pytest.mark.parametrize(("value", "short", "without_thousands"), [
    ("1600000000", "£1.6bn", "£1.6bn"),
    ("-1100000", "-£1.1m", "-£1.1m"),
    ("420000", "£420k", "£420,000"),
    ("4200", "£4.2k", "£4,200"),
    ("850", "£850", "£850"),
])
def test_gbp_short_for_headlines(value, short, without_thousands):
    assert gbp_short(Decimal(value)) == short
    assert gbp_short(Decimal(value), thousands=False) == without_thousands


def test_counts_shares_and_benchmark_figures():
    assert count(1234567) == "1,234,567" and count(None) == "–"
    assert pct(0.1234) == "12.3%" and pct(0.1234, 0) == "12%" and pct(None) == "–"
    assert per_basis(0.01234, "share") == "1.23%" and per_basis(0.01234, "share", places=1) == "1.2%"
    assert per_basis(Decimal("12.5"), "per_head") == "£12.50" and per_basis(None, "per_head") == "–"


def test_no_other_module_writes_a_signed_amount_in_pounds():
    root = Path(openbook.__file__).parent
    signed = re.compile(r'-£\{abs\(|£\{[^}]*1_?000_?000_?000')
    copies = [str(p.relative_to(root)) for p in root.rglob("*.py")
              if p.name != "formatting.py" and signed.search(p.read_text(encoding="utf-8"))]
    assert copies == []
