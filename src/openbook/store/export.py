"""Exporting the whole book: a Parquet lake, CSV per table, or a Frictionless Data Package.

The Data Package carries the standard's Table Schemas, so any tool that reads Frictionless
descriptors can type and validate the export without openbook.

The Parquet export is a lake any engine reads (Spark, DuckDB, Polars, pyarrow): one folder per
table, spend partitioned hive-style by body and year (`spend/org_id=…/year=…/`), and a
`datapackage.json` listing every file with its table's schema. The partition columns are kept
inside the files too, so a single file is a complete set of rows for a reader that ignores the
folder names. It is written beside the target and swapped in, so a reader never sees half a lake.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openbook import standard
from openbook.store.book import Book

LAKE_FORMAT = "openbook-lake/1"
PARTITIONS = {"spend": ("org_id", "year")}
"""Tables written hive-partitioned, and by what; `year` is the year paid (the folder
`year=__HIVE_DEFAULT_PARTITION__` holds lines without a date)."""


@dataclass(frozen=True)
class Lake:
    """What a lake export holds: its folder, the files of each table and the money it carries."""

    folder: Path
    files: dict[str, list[str]]  # table → file paths relative to the folder
    rows: dict[str, int]
    spend_gbp: Decimal  # every spend line's amount, current or superseded: the reconciliation figure


def export_book(book: Book, folder: Path, fmt: str) -> list[Path]:
    """Write every table of the standard to folder; returns the files written."""
    if fmt == "parquet":
        lake = write_lake(book, folder)
        return [folder / f for files in lake.files.values() for f in files] + [folder / "datapackage.json"]
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in standard.table_names():
        if fmt in {"csv", "datapackage"}:
            target = folder / f"{table}.csv"
            book.con.execute(f'COPY (SELECT {_csv_columns(table)} FROM "{table}") TO \'{_quote(target)}\' '
                             "(FORMAT csv, HEADER true)")
        else:
            raise ValueError(f"unknown export format {fmt!r}")
        written.append(target)
    if fmt == "datapackage":
        written.append(_write_descriptor(folder))
    return written


def write_lake(book: Book, folder: Path) -> Lake:
    """Every table as Parquet under folder (spend partitioned by body and year), with its descriptor.

    The lake is built in a sibling folder and renamed into place; an earlier lake at the same
    path is replaced whole, never mixed with the new one.
    """
    folder = Path(folder)
    building = folder.with_name(folder.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    files: dict[str, list[str]] = {}
    rows: dict[str, int] = {}
    for table in standard.table_names():
        target = building / table
        if table in PARTITIONS:
            keys = ", ".join(PARTITIONS[table])
            select = f'SELECT {_parquet_columns(table)}, year(paid_on) AS year FROM "{table}"'
            book.con.execute(f"COPY ({select}) TO "
                             f"'{_quote(target)}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({keys}), "
                             "WRITE_PARTITION_COLUMNS true)")
        else:
            select = f'SELECT {_parquet_columns(table)} FROM "{table}"'
            target.mkdir()
            book.con.execute(f"COPY ({select}) TO '{_quote(target / 'data_0.parquet')}' "
                             "(FORMAT parquet, COMPRESSION zstd)")
        files[table] = sorted(str(p.relative_to(building)) for p in target.rglob("*.parquet"))
        rows[table] = book.con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    spend_gbp = book.con.execute("SELECT coalesce(sum(amount_gbp), 0) FROM spend").fetchone()[0]
    (building / "datapackage.json").write_text(json.dumps(_lake_descriptor(files, rows, spend_gbp), indent=2),
                                               encoding="utf-8")
    if folder.exists():
        retired = folder.with_name(folder.name + ".old")
        shutil.rmtree(retired, ignore_errors=True)
        folder.rename(retired)
        building.rename(folder)
        shutil.rmtree(retired)
    else:
        building.rename(folder)
    return Lake(folder, files, rows, spend_gbp)


def read_lake(folder: Path) -> Lake:
    """A lake's descriptor read back; raises FileNotFoundError or ValueError if it is not one."""
    descriptor = json.loads((Path(folder) / "datapackage.json").read_text(encoding="utf-8"))
    if descriptor.get("openbook", {}).get("format") != LAKE_FORMAT:
        raise ValueError(f"{folder} is not an openbook Parquet lake (its datapackage.json has no "
                         f"openbook.format {LAKE_FORMAT!r})")
    resources = descriptor["resources"]
    return Lake(Path(folder), {r["name"]: r["path"] for r in resources},
                {r["name"]: r["openbook"]["rows"] for r in resources},
                Decimal(descriptor["openbook"]["spend_gbp"]))


def _parquet_columns(table: str) -> str:
    # JSON objects are written as their text: Parquet's JSON annotation is not read by every engine.
    columns = []
    for field in standard.load_schema(table)["fields"]:
        name = f'"{field["name"]}"'
        columns.append(f"CAST({name} AS VARCHAR) AS {name}" if field.get("type") == "object" else name)
    return ", ".join(columns)


def _lake_descriptor(files: dict[str, list[str]], rows: dict[str, int], spend_gbp: Decimal) -> dict:
    resources = []
    for table in standard.table_names():
        schema = _frictionless_schema(standard.load_schema(table))
        resource = {
            "name": table, "path": files[table], "profile": "tabular-data-resource", "format": "parquet",
            "mediatype": "application/vnd.apache.parquet", "title": schema.get("title", table),
            "description": schema.get("description", ""), "schema": schema, "openbook": {"rows": rows[table]},
        }
        if table in PARTITIONS:
            schema["fields"].append({"name": "year", "type": "integer",
                                     "description": "The calendar year of paid_on: a partition key of the lake."})
            resource["openbook"]["partitioning"] = {"style": "hive", "columns": list(PARTITIONS[table])}
        resources.append(resource)
    return {
        "profile": "data-package", "name": "openbook-lake", "title": "An openbook Parquet lake",
        "description": f"Every table of the Open Book Data Standard v{standard.SCHEMA_VERSION} as Parquet, spend "
                       "partitioned by body and year, with provenance (source_sha256, source_line) on each row.",
        "openbook": {"format": LAKE_FORMAT, "spend_gbp": str(spend_gbp)},
        "resources": resources,
    }


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
