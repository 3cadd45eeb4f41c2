"""The Open Book Data Standard v1: table schemas, code lists and the organisation registry.

The standard is data (Frictionless Table Schemas in ``schemas/``, code lists in ``codes/``,
the registry in ``organisations.csv``, read by ``registry.py``); this module only reads it. It imports nothing but the
standard library, so every other part of openbook can depend on it without pulling anything
in, and it reads its files through importlib.resources so that it works from an installed
wheel as well as from a source checkout.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
import unicodedata
from functools import cache
from importlib import resources

from openbook.standard.labels import labels as labels  # re-exported: standard.labels(name)
from openbook.standard.registry import (
    AmbiguousOrganisation,
    OrgIndex,
    find_organisation,
    listed_only,
    normalise_org_name,
    organisation_candidates,
    organisation_details,
    organisation_registry,
    parse_aliases,
    registry_index,
)

__all__ = [
    "SCHEMA_VERSION",
    "AmbiguousOrganisation",
    "OrgIndex",
    "blocks",
    "code_list",
    "code_list_names",
    "find_organisation",
    "frontline_costs",
    "gdp_deflator",
    "labels",
    "listed_only",
    "load_schema",
    "normalise_org_name",
    "organisation_candidates",
    "organisation_details",
    "organisation_registry",
    "parse_aliases",
    "registry_index",
    "table_names",
    "value_index_weights",
]

SCHEMA_VERSION = "1.0"

# Dependency order, so tables can be created and loaded front to back: organisation first
# (everything names a body), source before the tables whose rows cite a file, supplier
# before spend and contract, system before process, contract before cost_line.
_TABLES = (
    "organisation", "source", "supplier", "supplier_decision", "spend", "post", "system", "contract",
    "process", "budget", "grant", "cost_line", "transparency", "quarantine", "finding",
    "finding_review",
)


def _read_text(*parts: str) -> str:
    return resources.files(__name__).joinpath(*parts).read_text(encoding="utf-8")


def _read_csv(*parts: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_read_text(*parts), newline="")))


def table_names() -> list[str]:
    """The standard's tables in dependency order."""
    return list(_TABLES)


def load_schema(table: str) -> dict:
    """The Table Schema descriptor of one table, as a fresh dict the caller may change."""
    if table not in _TABLES:
        raise KeyError(f"no table {table!r} in the Open Book standard; known tables: {', '.join(_TABLES)}")
    return json.loads(_read_text("schemas", f"{table}.json"))


def code_list_names() -> list[str]:
    """The names of the code lists, as used in a field's ``codeList``."""
    codes = resources.files(__name__).joinpath("codes")
    return sorted(entry.name.removesuffix(".csv") for entry in codes.iterdir() if entry.name.endswith(".csv"))


def code_list(name: str) -> list[dict[str, str]]:
    """The rows of one code list, each a dict keyed by the list's header."""
    known = code_list_names()
    if name not in known:
        raise KeyError(f"no code list {name!r} in the Open Book standard; known lists: {', '.join(known)}")
    return _read_csv("codes", f"{name}.csv")


def blocks() -> dict[str, dict]:
    """The Lego-block catalogue (blocks.toml): each capability's shared component and reference costs."""
    return tomllib.loads(_read_text("blocks.toml"))


def interfaces() -> dict[str, dict]:
    """The blocks with a standard interface a system can be tested against (interfaces/index.toml)."""
    return tomllib.loads(_read_text("interfaces", "index.toml"))


def interface(block: str) -> dict:
    """A block's interface document (OpenAPI 3), as published in interfaces/."""
    return json.loads(_read_text("interfaces", interfaces()[block]["file"]))


def products() -> list[dict[str, str]]:
    """The software and managed-service product catalogue (products.csv) systems are inferred from."""
    return _read_csv("products.csv")


def frontline_costs() -> list[dict[str, str]]:
    """Fully loaded annual cost of frontline posts (frontline_costs.csv), money as text to keep it exact."""
    return _read_csv("frontline_costs.csv")


def gdp_deflator() -> tuple[dict[str, str], dict]:
    """The GDP deflator by financial year (gdp_deflator.csv) as text, and its source (gdp_deflator.toml)."""
    rows = {row["financial_year"]: row["index"] for row in _read_csv("gdp_deflator.csv")}
    return rows, tomllib.loads(_read_text("gdp_deflator.toml"))


def value_index_weights() -> dict:
    """The public value index's published weights and settings (value_index.toml)."""
    return tomllib.loads(_read_text("value_index.toml"))
