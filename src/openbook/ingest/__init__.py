"""Reading what public bodies publish into the standard's tables.

`ingest_file(book, path)` loads one file; `validate_file(path)` checks one without loading it.
"""

from __future__ import annotations

from pathlib import Path

from openbook.ingest.pipeline import ingest_file
from openbook.ingest.problems import PROBLEM_TYPES, Problem
from openbook.ingest.report import IngestReport


def validate_file(path: Path, *, org: str | None = None, book=None,
                  columns: dict[str, str] | None = None) -> IngestReport:
    """Every problem in a file, without touching the book.

    Files already in the standard's own layout are checked by SQL generated from the Table
    Schema (fast on bulk files); publishers' own layouts go through the full ingest reading.
    """
    from openbook.ingest import standard_check

    table = standard_check.standard_table_of(Path(path))
    if table is not None:
        return standard_check.check_file(Path(path), table)
    return ingest_file(book, Path(path), org=org, write=False, columns=columns)


__all__ = ["IngestReport", "PROBLEM_TYPES", "Problem", "ingest_file", "validate_file"]
