"""Which files a list of paths, folders and glob patterns names, in the order ingest wants them.

Organisation registers come first so that every later file can resolve the bodies they declare."""

from __future__ import annotations

import glob
from pathlib import Path

from openbook.errors import UsageError

SUFFIXES = frozenset({".csv", ".xlsx", ".xls", ".txt", ".tsv"})


def expand_paths(patterns: list[str]) -> list[Path]:
    """Files from files, folders (recursively) and globs; organisation files first."""
    found: list[Path] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in SUFFIXES)
        elif path.is_file():
            found.append(path)
        else:
            matches = sorted(Path(m) for m in glob.glob(pattern, recursive=True))
            if not matches:
                raise UsageError(f"no file matches {pattern!r}")
            found.extend(m for m in matches if m.is_file())
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda p: (not p.name.lower().startswith("organisation"), str(p)))
