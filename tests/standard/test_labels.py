"""standard.labels: one code -> label mapping for every code list, read in one place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import openbook
from openbook import standard


@pytest.mark.parametrize("name", standard.code_list_names())
def test_labels_agree_with_the_code_list(name):
    assert standard.labels(name) == {row["code"]: row["label"] for row in standard.code_list(name)}


def test_labels_name_known_codes_and_are_a_fresh_copy():
    functions = standard.labels("functions")
    assert functions["payroll"] == "Payroll"
    assert standard.labels("capabilities")["identity"] == "Identity and sign-in"
    functions["payroll"] = "changed"
    assert standard.labels("functions")["payroll"] == "Payroll"


def test_an_unknown_code_list_is_a_key_error_that_names_it():
    with pytest.raises(KeyError, match="no code list 'colours'"):
        standard.labels("colours")


def test_no_module_builds_its_own_label_mapping():
    pattern = re.compile(r'\{row\["code"\]: row\["label"\] for row in (standard\.)?code_list\(')
    root = Path(openbook.__file__).parent
    copies = [str(p.relative_to(root)) for p in root.rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert copies == []
