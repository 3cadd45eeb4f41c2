"""The product catalogue (standard/products.csv) as match rules, its words normalised once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from openbook import standard

DEFAULTS = ("", "software", "any")


def normalise(text: str | None) -> str:
    """Casefolded words separated by single spaces, with '&' read as 'and' and '@' as 'at', so
    'Information@Work' and 'INFORMATION AT WORK', 'R&B' and 'r and b' are the same text."""
    text = (text or "").casefold().replace("&", " and ").replace("@", " at ")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def _words(cell: str) -> tuple[str, ...]:
    return tuple(w for w in (normalise(part) for part in cell.split(";")) if w)


@dataclass(frozen=True)
class Product:
    product_id: str
    product: str
    supplier: str
    supplier_names: tuple[str, ...]
    capability: str
    service: str
    product_words: tuple[str, ...]  # name the product: enough beside the supplier's name
    service_words: tuple[str, ...]  # name its service ('council tax'): enough only on a software-looking line
    names_alone: tuple[str, ...]
    exclude_words: tuple[str, ...]
    default: str  # '' never, 'software' on software-looking lines, 'any' on every line to the supplier
    source: str


@lru_cache(maxsize=1)
def products() -> tuple[Product, ...]:
    """Every catalogue row, in the file's order (earlier rows win ties)."""
    rows = []
    for row in standard.products():
        default = row["default"].strip()
        if default not in DEFAULTS:
            raise ValueError(f"products.csv: {row['product_id']}: default must be one of {DEFAULTS}, not {default!r}")
        rows.append(Product(
            product_id=row["product_id"], product=row["product"], supplier=row["supplier"],
            supplier_names=_words(row["supplier_names"]), capability=row["capability"], service=row["service"],
            product_words=_words(row["product_words"]), service_words=_words(row["service_words"]),
            names_alone=_words(row["names_alone"]),
            exclude_words=_words(row["exclude_words"]), default=default, source=row["source"]))
    return tuple(rows)
