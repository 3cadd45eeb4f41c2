"""Reading large JSON publications one item at a time (OCDS packages, 360Giving grant files).

A package is one JSON document whose bulk is one array (`releases`, `records`, `grants`); ijson
yields that array's items one by one, so memory holds one item, never the document. Numbers
arrive as int or Decimal (never float), so money stays exact from the first byte.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ijson

from openbook.errors import FileRejected


def is_json_lines(head: str) -> bool:
    """True when the first line is a whole JSON object and another value follows (JSON Lines)."""
    first, _, rest = head.lstrip("\ufeff").partition("\n")
    if not first.strip().startswith("{") or not rest.strip():
        return False
    try:
        return isinstance(json.loads(first), dict)
    except ValueError:
        return False


def top_level_shape(path: Path, decide: Callable[[list[str]], str | None]) -> tuple[str | None, list[str]]:
    """('list' or what `decide` made of the top-level keys, the keys seen) for a JSON document.

    `decide` is asked after each top-level key and the walk stops at its first answer; only
    events are parsed, nothing is built, so a first look at a 1 GB package costs no memory, and
    as most packages name their kind before their big array it costs little time either. When
    `decide` never answers, the shape is None and every top-level key is listed.
    """
    keys: list[str] = []
    with open(path, "rb") as fh:
        try:
            for prefix, event, value in ijson.parse(fh):
                if prefix == "" and event == "start_array":
                    return "list", keys
                if prefix == "" and event == "map_key":
                    keys.append(value)
                    if shape := decide(keys):
                        return shape, keys
        except ijson.JSONError as error:
            raise FileRejected("json-invalid", f"the JSON is not valid: {error}") from None
    return None, keys


def iter_items(path: Path, prefix: str, *, multiple_values: bool = False) -> Iterator[Any]:
    """The items at `prefix` ('releases.item', 'item', '' …), one at a time, numbers exact."""
    with open(path, "rb") as fh:
        try:
            yield from ijson.items(fh, prefix, multiple_values=multiple_values)
        except ijson.JSONError as error:
            raise FileRejected("json-invalid", f"the JSON is not valid: {error}") from None


def first(value: Any) -> Any:
    """The first element of a list (360Giving and OCDS wrap single objects in arrays), else the value."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def text(value: Any) -> str:
    """A scalar as the text a publisher wrote; '' for null and for nested objects."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()
