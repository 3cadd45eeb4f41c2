"""The Lego-block interfaces as data: each listed, versioned, sourced and licensed, each a usable
OpenAPI 3 document whose schemas are valid JSON Schema, and openbook's own choices marked."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from openbook import standard
from openbook.conform.schema import resolve

BLOCKS = sorted(standard.interfaces())


def test_the_four_blocks_have_interfaces_that_are_lego_blocks():
    assert set(BLOCKS) == {"payments", "notifications", "identity", "booking"}
    assert set(BLOCKS) <= set(standard.blocks())


@pytest.mark.parametrize("block", BLOCKS)
def test_each_interface_is_versioned_sourced_licensed_and_valid(block):
    entry, doc = standard.interfaces()[block], standard.interface(block)
    assert entry["version"] == doc["info"]["version"] and entry["source"] and entry["licence"] and entry["own"]
    assert doc["openapi"].startswith("3.") and doc["info"]["x-source"] and doc["info"]["x-licence"]
    assert doc["x-openbook-own"], "what openbook chose itself is marked"
    components = doc["components"]["schemas"]
    for name, schema in components.items():
        Draft202012Validator.check_schema(resolve(schema, components))
    operations = [(m, p) for p, item in doc["paths"].items() for m in item]
    assert len(operations) >= 3


def test_payments_keeps_gov_uk_pays_four_operations_and_marks_the_fields_it_requires():
    doc = standard.interface("payments")
    assert {(m, p) for p, item in doc["paths"].items() for m in item} == {
        ("get", "/v1/payments"), ("post", "/v1/payments"), ("get", "/v1/payments/{paymentId}"),
        ("post", "/v1/payments/{paymentId}/cancel")}
    schemas = doc["components"]["schemas"]
    for name, fields in doc["x-openbook-own"]["required"].items():
        assert schemas[name]["required"] == fields and set(fields) <= set(schemas[name]["properties"])
