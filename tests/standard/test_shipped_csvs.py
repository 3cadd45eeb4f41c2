"""Every CSV the package ships validates: against its table's schema where the standard has one,
and structurally (one header, no blank or duplicate names, every row as wide as it) otherwise."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from frictionless import Resource, Schema

from openbook import standard

HERE = Path(standard.__file__).parent
SHIPPED = sorted(p.relative_to(HERE).as_posix() for p in HERE.rglob("*.csv"))
TABLE_OF = {"organisations.csv": "organisation", "organisations_curated.csv": "organisation"}
"""The shipped files that are rows of a table of the standard."""


def _schema(path: str) -> Schema:
    if path in TABLE_OF:
        return Schema.from_descriptor(standard.load_schema(TABLE_OF[path]))
    with open(HERE / path, newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    return Schema.from_descriptor({"fields": [{"name": name, "type": "string"} for name in header],
                                   "missingValues": [""]})


def test_every_shipped_csv_is_listed():
    assert len(SHIPPED) >= 10 and set(TABLE_OF) <= set(SHIPPED)


@pytest.mark.parametrize("path", SHIPPED)
def test_the_shipped_csv_validates(path):
    report = Resource(path=path, basepath=str(HERE), schema=_schema(path)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
