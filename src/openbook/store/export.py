"""Exporting the whole book: Parquet and CSV per table, or a Frictionless Data Package.

The Data Package carries the standard's Table Schemas, so any tool that reads Frictionless
descriptors can type and validate the export without openbook.
"""

from __future__ import annotations

import json
from pathlib import Path

from openbook import standard
from openbook.store.book import Book


def export_book(book: Book, folder: Path, fmt: str) -> list[Path]:
    """Write every table of the standard to folder; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in standard.table_names():
        if fmt == "parquet":
            target = folder / f"{table}.parquet"
            book.con.execute(f'COPY (SELECT * FROM "{table}") TO \'{_quote(target)}\' (FORMAT parquet, COMPRESSION zstd)')
        elif fmt in {"csv", "datapackage"}:
            target = folder / f"{table}.csv"
            book.con.execute(f'COPY (SELECT {_csv_columns(table)} FROM "{table}") TO \'{_quote(target)}\' '
                             "(FORMAT csv, HEADER true)")
        else:
            raise ValueError(f"unknown export format {fmt!r}")
        written.append(target)
    if fmt == "datapackage":
        written.append(_write_descriptor(folder))
    return written


def _csv_columns(table: str) -> str:
    # Arrays and objects become JSON text in CSV, which is how Table Schema reads them.
    columns = []
    for field in standard.load_schema(table)["fields"]:
        name = f'"{field["name"]}"'
        columns.append(f"to_json({name}) AS {name}" if field.get("type") in {"array", "object"} else name)
    return ", ".join(columns)


def _write_descriptor(folder: Path) -> Path:
    resources = []
    for table in standard.table_names():
        schema = standard.load_schema(table)
        resources.append({
            "name": table, "path": f"{table}.csv", "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "title": schema.get("title", table),
            "description": schema.get("description", ""), "schema": _frictionless_schema(schema),
        })
    descriptor = {
        "profile": "tabular-data-package", "name": "openbook", "title": "An openbook export",
        "description": f"Every table of the Open Book Data Standard v{standard.SCHEMA_VERSION}, with provenance "
                       "(source_sha256, source_line) on each published row.",
        "resources": resources,
    }
    target = folder / "datapackage.json"
    target.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    return target


def _frictionless_schema(schema: dict) -> dict:
    """The standard's schema minus openbook's own hints, which other tools do not know."""
    fields = [{k: v for k, v in f.items() if k not in {"sqlType", "codeList"}} for f in schema["fields"]]
    return {**{k: v for k, v in schema.items() if k != "fields"}, "fields": fields}


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
