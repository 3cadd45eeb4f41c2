"""Response models for the OpenAPI document, made from the standard's Table Schemas.

A list's row is documented from the same schema that creates its table, so the document cannot
drift from the book. Money (DECIMAL in the store) is a string in JSON, to keep every penny.
The models document the responses (schemathesis checks real responses against them); they are
not used to re-validate every response, which would double the work of a page.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from openbook import standard

_TYPES: dict[str, Any] = {
    "string": str, "integer": int, "number": float, "boolean": bool, "date": date, "datetime": str,
    "array": list[Any], "object": Any, "year": int, "yearmonth": str, "any": Any,
}
# Timestamps in the book carry no zone, so they are documented as text, not RFC 3339 date-times.
_ROW_CONFIG = ConfigDict(extra="allow")


def _kind(field: dict) -> Any:
    if field.get("sqlType", "").upper().startswith("DECIMAL"):
        return str
    return _TYPES[field.get("type", "string")]


def row_model(table: str, name: str, extra: dict[str, tuple[Any, str]] | None = None) -> type[BaseModel]:
    """A row of a standard table, every field optional (a publisher may leave any out), plus `extra`."""
    fields: dict[str, Any] = {}
    for field in standard.load_schema(table)["fields"]:
        fields[field["name"]] = (_kind(field) | None, Field(None, description=field.get("description")))
    for key, (kind, description) in (extra or {}).items():
        fields[key] = (kind | None, Field(None, description=description))
    return create_model(name, __config__=_ROW_CONFIG, **fields)


def model(name: str, fields: dict[str, tuple[Any, str]], *, doc: str = "") -> type[BaseModel]:
    """A documented row that is not a stored table (an aggregate's), extra keys allowed."""
    made = {key: (kind | None, Field(None, description=description)) for key, (kind, description) in fields.items()}
    return create_model(name, __config__=_ROW_CONFIG, __doc__=doc or None, **made)


def from_dataclass(cls: type, name: str | None = None) -> type[BaseModel]:
    """The JSON shape of an analysis dataclass as `result_json` writes it (Decimal → string)."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: (_json_type(hints[f.name]) | None, None) for f in dataclasses.fields(cls)}
    return create_model(name or cls.__name__, __config__=_ROW_CONFIG, **fields)


def _json_type(kind: Any) -> Any:
    if kind is Decimal:
        return str
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return typing.Union[tuple(_json_type(k) for k in typing.get_args(kind))]  # noqa: UP007
    if origin in (tuple, list):
        return list[Any]
    if origin is not None and issubclass(origin, typing.Mapping | dict):
        return dict[str, Any]
    if dataclasses.is_dataclass(kind):
        return dict[str, Any]
    return kind


@cache
def page(row: type[BaseModel]) -> type[BaseModel]:
    """One page of a list: its rows, the cursor to the next page (null on the last) and a total if known."""
    return create_model(
        f"{row.__name__}Page", __doc__=page.__doc__,
        rows=(list[row], ...), count=(int, Field(..., description="Rows on this page")),
        next_cursor=(str | None, Field(None, description="Pass as `cursor` for the next page; null on the last")),
        total=(int | None, Field(None, description="Rows in the whole list, where counting them is cheap")),
    )


class ErrorBody(BaseModel):
    status: int
    code: str = Field(..., description="A stable code, e.g. not-found, invalid-request, bad-cursor")
    message: str = Field(..., description="A sentence saying what went wrong and what to do")
    details: list[dict[str, Any]] | None = Field(None, description="Which parameter, and the problem with it")


class Error(BaseModel):
    """Every failure, whatever its status, comes in this one envelope."""

    error: ErrorBody


DOWNLOADS = {
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string",
                                                                                     "format": "binary"}},
}


def listing(row: type[BaseModel]) -> Any:
    """What a list answers with: a page of rows, or with format=json the whole list as an array."""
    return page(row) | list[row]


def responses(*, downloads: bool = True, errors: tuple[int, ...] = (400, 404, 422)) -> dict:
    """A route's other responses: the download types beside JSON, and the error envelope."""
    result: dict = {status: {"model": Error} for status in errors}
    if downloads:
        result[200] = {"content": DOWNLOADS}
    return result
