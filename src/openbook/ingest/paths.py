"""Which files a list of paths, folders and glob patterns names, in the order ingest wants them.

Organisation registers come first so that every later file can resolve the bodies they declare.
In a folder, tables are taken by their suffix; JSON files only when an importer (OCDS, 360Giving)
recognises their content, so a datapackage.json or a settings file beside the data is left out."""

from __future__ import annotations

import glob
from pathlib import Path

from openbook.errors import UsageError

SUFFIXES = frozenset({".csv", ".xlsx", ".xls", ".ods", ".txt", ".tsv"})
JSON_SUFFIXES = frozenset({".json", ".jsonl"})


def expand_paths(patterns: list[str]) -> list[Path]:
    """Files from files, folders (recursively) and globs; organisation files first."""
    found: list[Path] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.is_file() and _readable(p))
        elif path.is_file():
            found.append(path)
        else:
            matches = sorted(Path(m) for m in glob.glob(pattern, recursive=True))
            if not matches:
                raise UsageError(f"no file matches {pattern!r}")
            found.extend(m for m in matches if m.is_file())
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda p: (not p.name.lower().startswith("organisation"), str(p)))


def _readable(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix in SUFFIXES:
        return True
    return suffix in JSON_SUFFIXES and _claimed_json(path)


def _claimed_json(path: Path) -> bool:
    """Whether a registered importer recognises this JSON file by its first 64 KiB."""
    from openbook.ingest.sniff import utf16_encoding
    from openbook.plugins.manager import importers

    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
    except OSError:
        return True  # listed, so that the run reports why it cannot be read
    text = head.decode(utf16_encoding(head) or "utf-8", errors="replace").lstrip("\ufeff")
    return any(importer.claims_json(text) > 0 for importer in importers())
