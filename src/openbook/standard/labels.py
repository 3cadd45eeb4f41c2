"""Code -> label for each code list, the one mapping every face shows beside a code.

It reads the code list's CSV itself rather than through the package's `code_list`, so that the
package can re-export it without the two modules importing each other.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources


def labels(code_list: str) -> dict[str, str]:
    """Each code of the list (functions, capabilities, organisation_kinds…) with its label."""
    return dict(_labels(code_list))


@cache
def _labels(code_list: str) -> tuple[tuple[str, str], ...]:
    found = resources.files(__package__).joinpath("codes", f"{code_list}.csv")
    if not found.is_file():
        raise KeyError(f"no code list {code_list!r} in the Open Book standard (see standard.code_list_names())")
    rows = csv.DictReader(io.StringIO(found.read_text(encoding="utf-8"), newline=""))
    return tuple((row["code"], row["label"]) for row in rows)
