"""Declarative measures: one TOML file per measure, reviewed like code, and one runner for them all.

As OpenPrescribing's measure definitions do for prescribing, each file here says what is divided
by what over the book, which direction is good, why it matters, and who checked it and when to
look again. The runner (`runner.py`) computes every measure for every body and financial year,
places each body among its comparators (`comparators.py`) and prices the gap to a target centile
(`centile_savings.py`). A file is data: adding a measure needs no code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

from openbook import standard
from openbook.errors import UsageError
from openbook.plugins.manager import hookimpl

__all__ = ["DIRECTIONS", "SOURCES", "Measure", "Quantity", "load_measure", "load_measures", "measure_files",
           "register_measures"]

DIRECTIONS = ("lower", "higher", "none")  # which way is better; 'none' where neither is
# What a numerator or denominator can be read from. 'spend' and 'posts' are per financial year;
# 'staff', 'population' and 'size' are the body's figures (registry, else its latest organogram),
# 'size' being whichever the chosen basis names (per FTE or per head).
SOURCES = ("spend", "posts", "staff", "population", "size")
_SPEND_FILTERS = ("function", "function_kind", "capability", "expense_type", "expense_area")
_POST_FILTERS = ("is_senior", "function")
_KEYS = {"title", "description", "why_it_matters", "function", "direction", "cost_based", "savings", "unit",
         "scale", "default_basis", "authored_by", "checked_by", "date_reviewed", "next_review", "numerator",
         "denominator", "tags"}
_REQUIRED = ("title", "why_it_matters", "direction", "unit", "checked_by", "date_reviewed", "next_review",
             "numerator", "denominator")


@dataclass(frozen=True)
class Quantity:
    """What one side of a measure sums: a source and the values its rows must have."""

    source: str
    where: tuple[tuple[str, tuple], ...] = ()  # (column, allowed values), all must hold
    top_suppliers: int | None = None  # spend with only the body's N largest suppliers in the year
    count: str = "rows"  # posts: 'rows' (posts) or 'fte'

    @property
    def is_money(self) -> bool:
        return self.source == "spend"

    @property
    def periodic(self) -> bool:
        return self.source in ("spend", "posts")


@dataclass(frozen=True)
class Measure:
    id: str
    title: str
    why_it_matters: str
    direction: str
    unit: str
    numerator: Quantity
    denominator: Quantity
    checked_by: str
    date_reviewed: date
    next_review: date
    description: str = ""
    function: str | None = None  # the admin function it prices, for sums by function
    cost_based: bool = False  # the numerator is money a body could stop spending
    savings: bool = False  # counts towards savings totals (at most one such measure per function)
    scale: float = 1.0  # the ratio is shown multiplied by this (100 for 'per 100 staff')
    default_basis: str = "per-fte"  # for a 'size' denominator
    authored_by: str = ""
    tags: tuple[str, ...] = field(default=())
    path: str = ""

    @property
    def lower_is_better(self) -> bool:
        return self.direction == "lower"

    @property
    def priced(self) -> bool:
        """A gap to the target centile is money: the numerator is £ and lower is better."""
        return self.cost_based and self.lower_is_better and self.numerator.is_money


def measure_files() -> list[Path]:
    """The built-in measure files, in name order."""
    folder = resources.files(__name__)
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".toml"))


@hookimpl
def register_measures() -> list[Path]:
    """The built-in measures register through the same hook as a plugin's."""
    return measure_files()


def load_measures(paths: list[Path] | None = None) -> list[Measure]:
    """Every registered measure (or those in `paths`), checked; two measures counted in savings may
    not price the same function."""
    if paths is None:
        from openbook.plugins.manager import measure_paths

        paths = measure_paths()
    measures = [load_measure(path) for path in paths]
    seen: dict[str, str] = {}
    ids: set[str] = set()
    for measure in measures:
        if measure.id in ids:
            raise UsageError(f"{measure.path}: a second measure with id {measure.id!r}")
        ids.add(measure.id)
        if measure.savings:
            if measure.function in seen:
                raise UsageError(f"{measure.path}: measures {seen[measure.function]!r} and {measure.id!r} both count "
                                 f"savings in {measure.function!r}; savings would be counted twice")
            seen[measure.function] = measure.id
    return measures


def load_measure(path: Path) -> Measure:
    """One measure file; every mistake is reported with the file's name and the key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{path}: not valid TOML: {error}") from None
    where = str(path)
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
    missing = [key for key in _REQUIRED if key not in data]
    if missing:
        raise UsageError(f"{where}: missing key {missing[0]!r}")
    if data["direction"] not in DIRECTIONS:
        raise UsageError(f"{where}: direction {data['direction']!r} is not one of {', '.join(DIRECTIONS)}")
    functions = {row["code"] for row in standard.code_list("functions")}
    if data.get("function") is not None and data["function"] not in functions:
        raise UsageError(f"{where}: function {data['function']!r} is not in the functions code list")
    if data.get("savings") and not data.get("function"):
        raise UsageError(f"{where}: a measure counted in savings needs a function")
    if data.get("default_basis", "per-fte") not in ("per-fte", "per-head"):
        raise UsageError(f"{where}: default_basis must be 'per-fte' or 'per-head'")
    for key in ("date_reviewed", "next_review"):
        if not isinstance(data[key], date):
            raise UsageError(f"{where}: {key} must be a date (YYYY-MM-DD)")
    measure = Measure(
        id=path.stem, title=data["title"], why_it_matters=data["why_it_matters"].strip(),
        direction=data["direction"], unit=data["unit"],
        numerator=_quantity(data["numerator"], f"{where}: numerator"),
        denominator=_quantity(data["denominator"], f"{where}: denominator"),
        checked_by=data["checked_by"], date_reviewed=data["date_reviewed"], next_review=data["next_review"],
        description=data.get("description", "").strip(), function=data.get("function"),
        cost_based=bool(data.get("cost_based", False)), savings=bool(data.get("savings", False)),
        scale=float(data.get("scale", 1)), default_basis=data.get("default_basis", "per-fte"),
        authored_by=data.get("authored_by", ""), tags=tuple(data.get("tags", ())), path=where)
    if not measure.numerator.periodic:
        raise UsageError(f"{where}: the numerator must come from spend or posts (a figure for each year)")
    if measure.savings and not measure.priced:
        raise UsageError(f"{where}: only a cost-based measure where lower is better can count in savings")
    return measure


def _quantity(data: dict, where: str) -> Quantity:
    if not isinstance(data, dict) or data.get("source") not in SOURCES:
        raise UsageError(f"{where}: source must be one of {', '.join(SOURCES)}")
    source = data["source"]
    allowed = {"spend": {"source", "where", "top_suppliers"}, "posts": {"source", "where", "count"}}.get(source, {"source"})
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r} for source {source!r}")
    filters = _SPEND_FILTERS if source == "spend" else _POST_FILTERS
    conditions = []
    for column, values in sorted(data.get("where", {}).items()):
        if column not in filters:
            raise UsageError(f"{where}: cannot filter {source} on {column!r} (can: {', '.join(filters)})")
        values = tuple(values) if isinstance(values, list) else (values,)
        if column == "function_kind":  # 'admin': every function the code list marks so
            column, values = "function", tuple(row["code"] for row in standard.code_list("functions")
                                               if row["kind"] in values)
        conditions.append((column, values))
    count = data.get("count", "rows")
    if count not in ("rows", "fte"):
        raise UsageError(f"{where}: count must be 'rows' or 'fte'")
    top = data.get("top_suppliers")
    if top is not None and (not isinstance(top, int) or top < 1):
        raise UsageError(f"{where}: top_suppliers must be a whole number above 0")
    return Quantity(source, tuple(conditions), top, count)
