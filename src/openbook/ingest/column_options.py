"""`ingest --columns FIELD="Column"` and `--columns-file`: the user settles what the synonyms do not.

The mapping is per run and kept in each source's provenance (its options), so a reader can see
which columns a person named rather than the table.
"""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path

from openbook.errors import UsageError
from openbook.ingest.headers import spend_field_names


def read_columns(pairs: list[str] | None, file: Path | None) -> dict[str, str]:
    """field → column as published, from FIELD=COLUMN pairs and a TOML or CSV mapping file."""
    mapping: dict[str, tuple[str, str]] = {}  # field → (column, where it was given)
    if file is not None:
        for field, column, where in _from_file(file):
            mapping[field] = (column, where)
    for pair in pairs or []:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise UsageError(f"--columns {pair!r}: give FIELD=\"Column as published\", e.g. "
                             "--columns amount_gbp=\"Value (£)\"")
        mapping[field.strip()] = (column.strip().strip('"').strip("'"), f"--columns {pair!r}")
    known = spend_field_names()
    for field, (_, where) in mapping.items():
        if field not in known:
            raise UsageError(f"{where}: {field!r} is not a field; the fields are {', '.join(known)}")
    columns = [column for column, _ in mapping.values()]
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        raise UsageError(f"column {twice[0]!r} is named for more than one field; a column fills one field")
    return {field: column for field, (column, _) in mapping.items()}


def _from_file(path: Path) -> list[tuple[str, str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise UsageError(f"--columns-file {path}: {error.strerror or error}") from None
    if path.suffix.lower() == ".toml":
        try:
            table = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise UsageError(f"--columns-file {path}: not valid TOML ({error})") from None
        table = table.get("columns", table)
        found = []
        for field, column in table.items():
            if not isinstance(column, str):
                raise UsageError(f"--columns-file {path}: {field} must be a column name in quotes")
            found.append((field, column, f"{path}, {field}"))
        return found
    found = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#") or (number == 1 and cells[0].casefold() == "field"):
            continue
        if len(cells) != 2 or not all(cells):
            raise UsageError(f"{path}, line {number}: give field,column (e.g. amount_gbp,Value (£))")
        found.append((cells[0], cells[1], f"{path}, line {number}"))
    return found
